"""Resolve expressions to what they evaluate to across calls: the value layer of the request model.

Values are resolved through literals, implicit concatenation, f-strings, `+`, `%`, `.format`,
`.join`, `.strip()`, `textwrap.dedent`, local and module assignments, `self.attr` set in
`__init__` or on the class, dict and list literals (updated in place with literal keys), same-file
functions whose return value can be resolved, files read from disk, and, through the project
index, names imported from sibling modules. Anything else is UNKNOWN, with the reason kept so
`--explain-unknown` can show it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from cachelint.model.request import Piece, Staticness, TextValue
from cachelint.syntax.scopes import Assignment, ImportAssignment, ModuleIndex

MAX_DEPTH = 16

# Calls whose result changes even for the same inputs.
VOLATILE_CALLS = {
    "datetime.datetime.now": "datetime.now()",
    "datetime.datetime.utcnow": "datetime.utcnow()",
    "datetime.datetime.today": "datetime.today()",
    "datetime.date.today": "date.today()",
    "time.time": "time.time()",
    "time.time_ns": "time.time_ns()",
    "time.monotonic": "time.monotonic()",
    "time.perf_counter": "time.perf_counter()",
    "time.ctime": "time.ctime()",
    "time.localtime": "time.localtime()",
    "time.gmtime": "time.gmtime()",
    "time.asctime": "time.asctime()",
    "time.strftime": "time.strftime()",
    "uuid.uuid1": "uuid1()",
    "uuid.uuid4": "uuid4()",
    "os.getpid": "os.getpid()",
    "os.urandom": "os.urandom()",
}
VOLATILE_MODULES = ("random.", "secrets.")

DEDENT_CALLS = {"textwrap.dedent", "inspect.cleandoc"}
STRIP_METHODS = {"strip", "lstrip", "rstrip"}
CASE_METHODS = {"lower", "upper", "title", "capitalize", "casefold"}


# ---------------------------------------------------------------------------------------------
# Value kinds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    staticness: Staticness = Staticness.UNKNOWN
    description: str = ""
    reason: str = ""
    origin: str = "unknown"
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Const:
    value: object
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ListVal:
    items: Tuple["Value", ...]
    complete: bool = True
    grows: bool = False  # appended / extended somewhere: a conversation history
    rewritten: bool = False  # trimmed or replaced somewhere (for history rules)
    origin: str = "literal"
    name: Optional[str] = None
    unordered: bool = False  # built by iterating a set
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class DictEntry:
    key: str
    value: "Value"
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class DictVal:
    entries: Tuple[DictEntry, ...]
    complete: bool = True  # False: a `**splat` or an update we could not read may add keys
    origin: str = "literal"
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)

    def get(self, key: str) -> Optional["Value"]:
        found = None
        for entry in self.entries:
            if entry.key == key:
                found = entry.value
        return found

    def entry(self, key: str) -> Optional[DictEntry]:
        found = None
        for entry in self.entries:
            if entry.key == key:
                found = entry
        return found

    def keys(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(e.key for e in self.entries))


Value = Union[TextValue, Const, ListVal, DictVal, Unknown]


def staticness_of(value: "Value") -> Staticness:
    if isinstance(value, TextValue):
        return value.staticness
    if isinstance(value, Const):
        return Staticness.STATIC
    if isinstance(value, Unknown):
        return value.staticness
    if isinstance(value, ListVal):
        worst = max((staticness_of(v) for v in value.items), default=Staticness.STATIC)
        if value.unordered:
            worst = max(worst, Staticness.VOLATILE)
        if not value.complete:
            worst = max(worst, Staticness.UNKNOWN)
        return worst
    if isinstance(value, DictVal):
        worst = max((staticness_of(e.value) for e in value.entries), default=Staticness.STATIC)
        if not value.complete:
            worst = max(worst, Staticness.UNKNOWN)
        return worst
    return Staticness.UNKNOWN


def size_of(value: "Value") -> Optional[int]:
    """Known size in characters of the value's content, when every part of it is known."""
    if isinstance(value, TextValue):
        return value.known_chars if value.size_is_exact else None
    if isinstance(value, Const):
        return len(repr(value.value))
    if isinstance(value, ListVal):
        if not value.complete:
            return None
        total = 0
        for item in value.items:
            size = size_of(item)
            if size is None:
                return None
            total += size + 2
        return total
    if isinstance(value, DictVal):
        if not value.complete:
            return None
        total = 0
        for entry in value.entries:
            size = size_of(entry.value)
            if size is None:
                return None
            total += size + len(entry.key) + 6
        return total
    return None


def known_size_of(value: "Value") -> int:
    """A lower bound of the value's size in characters."""
    if isinstance(value, TextValue):
        return value.known_chars
    if isinstance(value, Const):
        return len(repr(value.value))
    if isinstance(value, ListVal):
        return sum(known_size_of(v) for v in value.items)
    if isinstance(value, DictVal):
        return sum(known_size_of(e.value) + len(e.key) for e in value.entries)
    return 0


def as_text(value: "Value", node: Optional[cst.CSTNode] = None) -> TextValue:
    """View any value as a text value (one piece when it is not a string)."""
    if isinstance(value, TextValue):
        return value
    if isinstance(value, Const):
        text = str(value.value)
        return TextValue((Piece(Staticness.STATIC, text, len(text), repr(value.value), node),), node)
    if isinstance(value, Unknown):
        return TextValue(
            (Piece(value.staticness, None, None, value.description, value.node or node),),
            node,
            origin=value.origin,
        )
    return TextValue(
        (Piece(staticness_of(value), None, size_of(value), "", node),), node, origin="container"
    )


def _static_text(text: str, node: Optional[cst.CSTNode], description: str = "") -> TextValue:
    return TextValue((Piece(Staticness.STATIC, text, len(text), description, node),), node)


def _concat(values: Sequence[TextValue], node: cst.CSTNode, origin: str = "literal") -> TextValue:
    pieces: List[Piece] = []
    for value in values:
        pieces.extend(value.pieces)
    return TextValue(tuple(_merge_static(pieces)), node, origin=origin)


def _merge_static(pieces: Iterable[Piece]) -> List[Piece]:
    """Adjacent static pieces with known text become one (keeps piece lists short)."""
    merged: List[Piece] = []
    for piece in pieces:
        if (
            merged
            and piece.staticness is Staticness.STATIC
            and merged[-1].staticness is Staticness.STATIC
            and piece.text is not None
            and merged[-1].text is not None
        ):
            last = merged[-1]
            text = last.text + piece.text
            merged[-1] = Piece(Staticness.STATIC, text, len(text), last.description, last.node)
        else:
            merged.append(piece)
    return merged


def _map_text(value: TextValue, transform, node: cst.CSTNode) -> TextValue:
    """Apply a text transform (strip, dedent) to a value: exact when all text is known."""
    text = value.text
    if text is not None:
        return TextValue((Piece(Staticness.STATIC, transform(text), len(transform(text)), "", node),), node, value.origin)
    return TextValue(value.pieces, node, value.origin)


# ---------------------------------------------------------------------------------------------
# The resolver
# ---------------------------------------------------------------------------------------------


class Resolver:
    """Resolves expressions of one module. One instance per analysed file."""

    def __init__(self, wrapper, path: str, project=None, bindings=None, index: Optional[ModuleIndex] = None):
        self.wrapper = wrapper
        # Parameters bound to the values a caller passes (wrapper analysis): Param -> Value.
        self.bindings: Dict[cst.Param, Value] = dict(bindings or {})
        self.module: cst.Module = wrapper.module
        self.path = path
        self.project = project
        # Parents, scopes and bindings from one walk of the fields (scopes.py): libcst's
        # ScopeProvider and ParentNodeProvider cost several parses' worth of visitor passes.
        self.index = index if index is not None else ModuleIndex(self.module)
        self.scopes = self.index.scope_of
        self.parents = self.index.parents
        self._active: Set[int] = set()
        self._cache: Dict[int, Value] = {}
        self._self_assignments: Dict[cst.ClassDef, Dict[str, List["SelfAssignment"]]] = {}

    def self_assignments(self, klass: cst.ClassDef) -> Dict[str, List["SelfAssignment"]]:
        """The class's `self.<attr>` assignments, walked once per class and file."""
        found = self._self_assignments.get(klass)
        if found is None:
            found = self_assignments(klass)
            self._self_assignments[klass] = found
        return found

    def with_bindings(self, bindings) -> "Resolver":
        """A resolver for the same module whose parameters take the given values."""
        child = Resolver.__new__(Resolver)
        child.__dict__.update(self.__dict__)
        child.bindings = dict(bindings)
        child._active = set()
        child._cache = {}
        return child

    # -- metadata helpers ---------------------------------------------------------------------
    def qualified_names(self, node: cst.CSTNode) -> Set[str]:
        """What a Name/Attribute/Call refers to (`anthropic.Anthropic`), through imports."""
        return {q.name for q in self.index.qualified_names(node)}

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def enclosing(self, node: cst.CSTNode, kinds) -> Optional[cst.CSTNode]:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, kinds):
                return ancestor
        return None

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    _text: Optional[str] = None

    @property
    def text(self) -> str:
        """The module's source (generating it from the tree costs about half a parse: once)."""
        if self._text is None:
            self._text = self.module.code
        return self._text

    def short(self, node: cst.CSTNode, limit: int = 40) -> str:
        text = " ".join(self.code(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    # -- entry point ----------------------------------------------------------------------
    def resolve(self, node: cst.CSTNode, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            return Unknown(description=f"`{self.short(node)}`", reason="resolution too deep", node=node)
        key = id(node)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:  # a cycle: x = x + "..."
            return Unknown(description=f"`{self.short(node)}`", reason="cyclic definition", node=node)
        self._active.add(key)
        try:
            value = self._resolve(node, depth + 1)
        finally:
            self._active.discard(key)
        self._cache[key] = value
        return value

    def resolve_text(self, node: cst.CSTNode, depth: int = 0) -> TextValue:
        return as_text(self.resolve(node, depth), node)

    def _resolve(self, node: cst.CSTNode, depth: int) -> Value:
        if isinstance(node, cst.SimpleString):
            try:
                evaluated = node.evaluated_value
            except Exception:  # malformed escapes: keep going with the raw text
                evaluated = node.value
            if isinstance(evaluated, bytes):
                return Unknown(Staticness.STATIC, "bytes literal", "bytes, not text", node=node)
            return _static_text(evaluated, node)
        if isinstance(node, cst.ConcatenatedString):
            # flattened in a loop: a long run of adjacent literals must not exhaust MAX_DEPTH
            parts: List[cst.BaseExpression] = []
            pending: List[cst.BaseExpression] = [node]
            while pending:
                item = pending.pop()
                if isinstance(item, cst.ConcatenatedString):
                    pending.append(item.right)
                    pending.append(item.left)
                else:
                    parts.append(item)
            return _concat([self.resolve_text(part, depth) for part in parts], node)
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, depth)
        if isinstance(node, (cst.Integer, cst.Float)):
            try:
                return Const(node.evaluated_value, node)
            except Exception:
                return Unknown(Staticness.STATIC, node=node)
        if isinstance(node, cst.Imaginary):
            return Unknown(Staticness.STATIC, node=node)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float)):
            inner = self.resolve(node.expression, depth)
            if isinstance(inner, Const) and isinstance(node.operator, cst.Minus):
                return Const(-inner.value, node)  # type: ignore[operator]
            return inner
        if isinstance(node, cst.Name):
            return self._name(node, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        if isinstance(node, (cst.List, cst.Tuple)):
            return self._list(node, depth)
        if isinstance(node, cst.Dict):
            return self._dict(node, depth)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return self._comprehension(node, depth)
        if isinstance(node, cst.Set):
            items = tuple(self.resolve(e.value, depth) for e in node.elements if isinstance(e, cst.Element))
            return ListVal(items, complete=True, unordered=True, origin="set", node=node)
        if isinstance(node, cst.IfExp):
            return self._either([node.body, node.orelse], node, depth)
        if isinstance(node, cst.BooleanOperation):
            return self._either([node.left, node.right], node, depth)
        if isinstance(node, cst.NamedExpr):
            return self.resolve(node.value, depth)
        if isinstance(node, cst.Await):
            return Unknown(Staticness.UNKNOWN, f"`{self.short(node)}`", "awaited call", node=node)
        if isinstance(node, cst.Lambda):
            return Unknown(Staticness.STATIC, "lambda", node=node)
        return Unknown(description=f"`{self.short(node)}`", reason=f"{type(node).__name__} not resolved", node=node)

    # -- strings -------------------------------------------------------------------------
    def _fstring(self, node: cst.FormattedString, depth: int) -> TextValue:
        pieces: List[Piece] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                pieces.append(Piece(Staticness.STATIC, text, len(text), "", part))
            elif isinstance(part, cst.FormattedStringExpression):
                inner = self.resolve(part.expression, depth)
                described = self._describe(part.expression, inner)
                if part.format_spec or part.conversion:
                    staticness = staticness_of(inner)
                    pieces.append(Piece(staticness, None, size_of(inner), described, part))
                elif isinstance(inner, TextValue):
                    for piece in inner.pieces:
                        pieces.append(
                            Piece(
                                piece.staticness,
                                piece.text,
                                piece.chars,
                                piece.description or described,
                                piece.node or part,
                            )
                        )
                else:
                    text_view = as_text(inner, part)
                    for piece in text_view.pieces:
                        pieces.append(
                            Piece(piece.staticness, piece.text, piece.chars, piece.description or described, piece.node or part)
                        )
        return TextValue(tuple(_merge_static(pieces)), node)

    def _describe(self, expression: cst.CSTNode, value: Value) -> str:
        if isinstance(value, Unknown) and value.description and value.staticness is Staticness.VOLATILE:
            return value.description
        return f"`{self.short(expression)}`"

    def _binary(self, node: cst.BinaryOperation, depth: int) -> Value:
        left = self.resolve(node.left, depth)
        right = self.resolve(node.right, depth)
        if isinstance(node.operator, cst.Add):
            if isinstance(left, ListVal) or isinstance(right, ListVal):
                if isinstance(left, ListVal) and isinstance(right, ListVal):
                    return ListVal(
                        left.items + right.items,
                        complete=left.complete and right.complete,
                        grows=left.grows or right.grows,
                        origin=left.origin,
                        name=left.name,
                        node=node,
                    )
                base = left if isinstance(left, ListVal) else right
                return ListVal(base.items, complete=False, origin=base.origin, name=base.name, node=node)
            if isinstance(left, Const) and isinstance(right, Const):
                try:
                    return Const(left.value + right.value, node)  # type: ignore[operator]
                except TypeError:
                    return Unknown(Staticness.STATIC, node=node)
            if isinstance(left, (TextValue, Unknown)) or isinstance(right, (TextValue, Unknown)):
                return _concat([as_text(left, node.left), as_text(right, node.right)], node)
        if isinstance(node.operator, cst.Modulo) and isinstance(left, TextValue):
            return _concat([left, self._arguments_piece(right, node.right)], node)
        if isinstance(node.operator, cst.Multiply):
            worst = max(staticness_of(left), staticness_of(right))
            if isinstance(left, Const) and isinstance(right, Const):
                try:
                    return Const(left.value * right.value, node)  # type: ignore[operator]
                except TypeError:
                    pass
            # "x" * 9000 compresses to a few hundred tokens: the size is not the length.
            return TextValue((Piece(worst, None, None, f"`{self.short(node)}`", node),), node)
        worst = max(staticness_of(left), staticness_of(right))
        if worst is Staticness.STATIC:
            return Unknown(Staticness.STATIC, f"`{self.short(node)}`", node=node)
        return Unknown(worst, f"`{self.short(node)}`", "computed", node=node)

    def _arguments_piece(self, value: Value, node: cst.CSTNode) -> TextValue:
        if isinstance(value, ListVal):
            return _concat([as_text(item, item.node or node) for item in value.items], node)
        if isinstance(value, DictVal):
            return _concat([as_text(e.value, e.node or node) for e in value.entries], node)
        return as_text(value, node)

    # -- names -----------------------------------------------------------------------------
    def _referents(self, node: cst.Name):
        """The assignments a name can refer to (None for a node of another module)."""
        return self.index.referents(node)

    def _name(self, node: cst.Name, depth: int) -> Value:
        if node.value in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[node.value], node)
        referents = self._referents(node)
        if not referents:
            if node.value == "__file__":
                return _static_text(self.path, node, "__file__")
            return Unknown(description=f"`{node.value}`", reason=f"`{node.value}` is not defined in this file", node=node)
        values = []
        for referent in sorted(referents, key=lambda r: r.index):
            values.append(self._assignment_value(node, referent, depth))
        values = [v for v in values if v is not None]
        if not values:
            return Unknown(description=f"`{node.value}`", reason=f"`{node.value}` could not be resolved", node=node)
        if len(values) == 1:
            return self._named(values[0], node)
        return self._named(self._combine_alternatives(values, node), node)

    def _named(self, value: Value, node: cst.Name) -> Value:
        """Give pieces of a resolved name the name as their description."""
        if isinstance(value, TextValue):
            pieces = tuple(
                Piece(p.staticness, p.text, p.chars, p.description or f"`{node.value}`", p.node)
                for p in value.pieces
            )
            return TextValue(pieces, node, value.origin)
        if isinstance(value, ListVal) and value.name is None:
            return ListVal(
                value.items, value.complete, value.grows, value.rewritten, value.origin, node.value,
                value.unordered, value.node,
            )
        return value

    def _combine_alternatives(self, values: List[Value], node: cst.CSTNode) -> Value:
        """Several assignments reach the use: `+=` chains concatenate, others are alternatives."""
        if all(isinstance(v, TextValue) for v in values):
            texts = [v for v in values if isinstance(v, TextValue)]
            if any(v.origin == "augmented" for v in texts[1:]):
                return _concat(texts, node, origin=texts[0].origin)
            worst = max(v.staticness for v in texts)
            smallest = min(v.known_chars for v in texts)
            return TextValue(
                (Piece(worst, None, smallest if worst is Staticness.STATIC else None, f"`{self.short(node)}`", node),),
                node,
                origin="alternatives",
            )
        if all(isinstance(v, ListVal) for v in values):
            first = values[0]
            assert isinstance(first, ListVal)
            return ListVal(
                first.items,
                complete=False,
                grows=any(isinstance(v, ListVal) and v.grows for v in values),
                rewritten=True,
                origin=first.origin,
                name=first.name,
                node=first.node,
            )
        worst = max(staticness_of(v) for v in values)
        return Unknown(worst, f"`{self.short(node)}`", "assigned more than once", node=node)

    def _assignment_value(self, use: cst.Name, referent, depth: int) -> Optional[Value]:
        if isinstance(referent, ImportAssignment):
            return self._imported(use, referent, depth)
        if not isinstance(referent, Assignment):
            return Unknown(description=f"`{use.value}`", reason="builtin or unresolvable name", node=use)
        defining = referent.node
        if isinstance(defining, cst.Param) and defining in self.bindings:
            return self.bindings[defining]
        if isinstance(defining, cst.Param):
            return Unknown(
                Staticness.PER_CALL,
                f"parameter `{use.value}`",
                f"`{use.value}` is a parameter of the enclosing function",
                origin="parameter",
                node=use,
            )
        if isinstance(defining, (cst.FunctionDef, cst.ClassDef)):
            return Unknown(Staticness.STATIC, f"`{use.value}`", "a function or class", origin="definition", node=use)
        if isinstance(defining, cst.Name):
            return self._target_value(use, defining, depth)
        return Unknown(description=f"`{use.value}`", reason="unsupported binding", node=use)

    def _target_value(self, use: cst.Name, target: cst.Name, depth: int) -> Value:
        parent = self.parent(target)
        holder = parent
        # unpacking `a, b = ...` or starred targets: give up on the value, keep the staticness
        while isinstance(holder, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            holder = self.parent(holder)
        if isinstance(holder, cst.AssignTarget):
            assign = self.parent(holder)
            if isinstance(assign, cst.Assign):
                if holder.target is target:
                    return self._bound_value(assign.value, target, depth)
                value = self.resolve(assign.value, depth)
                return Unknown(staticness_of(value), f"`{use.value}`", "unpacked assignment", node=use)
        if isinstance(holder, cst.AnnAssign):
            if holder.value is None:
                return None
            return self._bound_value(holder.value, target, depth)
        if isinstance(holder, cst.AugAssign):
            added = self.resolve(holder.value, depth)
            if isinstance(holder.operator, cst.AddAssign):
                if isinstance(added, (TextValue, Unknown, Const)) and not isinstance(added, ListVal):
                    text = as_text(added, holder.value)
                    return TextValue(text.pieces, holder.value, origin="augmented")
                if isinstance(added, ListVal):
                    return ListVal(added.items, complete=False, grows=True, origin="augmented", node=holder.value)
            return Unknown(staticness_of(added), f"`{use.value}`", "augmented assignment", node=use)
        if isinstance(holder, (cst.For, cst.CompFor)):
            return Unknown(Staticness.PER_CALL, f"loop variable `{use.value}`", "loop variable", origin="loop", node=use)
        if isinstance(holder, cst.WithItem) or isinstance(holder, cst.AsName):
            return Unknown(description=f"`{use.value}`", reason="bound by `with`/`except`", node=use)
        if isinstance(holder, cst.NamedExpr):
            return self.resolve(holder.value, depth)
        return Unknown(description=f"`{use.value}`", reason="unsupported assignment", node=use)

    def _bound_value(self, value_node: cst.BaseExpression, target: cst.Name, depth: int) -> Value:
        value = self.resolve(value_node, depth)
        origin = "constant" if self._is_module_level(target) else "local"
        if isinstance(value, TextValue):
            return TextValue(value.pieces, value.node, origin=origin if value.origin == "literal" else value.origin)
        if isinstance(value, DictVal):
            return self._with_dict_updates(value, target, depth)
        if isinstance(value, ListVal):
            return self._with_list_mutations(value, target)
        return value

    def _is_module_level(self, node: cst.CSTNode) -> bool:
        return self.enclosing(node, (cst.FunctionDef, cst.Lambda)) is None

    def _name_uses(self, target: cst.Name) -> List[cst.Name]:
        """Every later use of the name bound at `target` (its references in scope)."""
        scope = self.scopes.get(target)
        if scope is None:
            return []
        uses = []
        try:
            assignments = scope.assignments[target.value]
        except Exception:
            return []
        for assignment in assignments:
            if getattr(assignment, "node", None) is target:
                for access in assignment.references:
                    if isinstance(access.node, cst.Name):
                        uses.append(access.node)
        return uses

    def _with_dict_updates(self, value: DictVal, target: cst.Name, depth: int) -> DictVal:
        entries = list(value.entries)
        complete = value.complete
        for use in self._name_uses(target):
            parent = self.parent(use)
            # params["system"] = X
            if isinstance(parent, cst.Subscript) and parent.value is use:
                holder = self.parent(parent)
                if isinstance(holder, cst.AssignTarget):
                    assign = self.parent(holder)
                    key = self._subscript_key(parent)
                    if key is not None and isinstance(assign, cst.Assign):
                        entries.append(DictEntry(key, self.resolve(assign.value, depth), assign.value))
                    else:
                        complete = False
            # params.update({...}) / params.update(k=v) / params.setdefault(...)
            if isinstance(parent, cst.Attribute) and parent.value is use:
                call = self.parent(parent)
                if isinstance(call, cst.Call) and call.func is parent and parent.attr.value in ("update", "setdefault"):
                    added = self._call_dict_args(call, depth) if parent.attr.value == "update" else None
                    if added is None:
                        complete = False
                    else:
                        entries.extend(added.entries)
                        complete = complete and added.complete
        return DictVal(tuple(entries), complete, value.origin, value.node)

    def _call_dict_args(self, call: cst.Call, depth: int) -> Optional[DictVal]:
        entries: List[DictEntry] = []
        complete = True
        for arg in call.args:
            if arg.keyword is not None:
                entries.append(DictEntry(arg.keyword.value, self.resolve(arg.value, depth), arg))
            elif arg.star == "**" or arg.star == "":
                inner = self.resolve(arg.value, depth)
                if isinstance(inner, DictVal):
                    entries.extend(inner.entries)
                    complete = complete and inner.complete
                else:
                    complete = False
            else:
                complete = False
        return DictVal(tuple(entries), complete, "call", call)

    def _with_list_mutations(self, value: ListVal, target: cst.Name) -> ListVal:
        grows = value.grows
        rewritten = value.rewritten
        for use in self._name_uses(target):
            parent = self.parent(use)
            if isinstance(parent, cst.Attribute) and parent.value is use:
                if parent.attr.value in ("append", "extend", "insert"):
                    grows = True
                elif parent.attr.value in ("pop", "clear", "remove"):
                    rewritten = True
            elif isinstance(parent, cst.AugAssign) and parent.target is use:
                grows = True
            elif isinstance(parent, cst.Del) or isinstance(self.parent(parent) if parent else None, cst.Del):
                rewritten = True
        return ListVal(
            value.items, complete=value.complete and not grows, grows=grows, rewritten=rewritten,
            origin=value.origin, name=target.value, unordered=value.unordered, node=value.node,
        )

    def _imported(self, use: cst.Name, referent: ImportAssignment, depth: int) -> Value:
        if self.project is not None:
            resolved = self.project.resolve_import(self, use, referent, depth)
            if resolved is not None:
                return resolved
        names = self.qualified_names(use)
        origin_name = next(iter(sorted(names)), use.value)
        return Unknown(
            description=f"`{use.value}`",
            reason=f"`{use.value}` is imported from `{origin_name.rsplit('.', 1)[0] if '.' in origin_name else origin_name}` (outside the analysed project)",
            origin="import",
            node=use,
        )

    # -- attributes --------------------------------------------------------------------
    def _attribute(self, node: cst.Attribute, depth: int) -> Value:
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            return self.self_attribute(node, depth)
        if self.project is not None:
            resolved = self.project.resolve_module_attribute(self, node, depth)
            if resolved is not None:
                return resolved
        names = self.qualified_names(node)
        for name in names:
            if name.startswith(VOLATILE_MODULES):
                return Unknown(Staticness.VOLATILE, f"`{self.short(node)}`", "random value", node=node)
        return Unknown(description=f"`{self.short(node)}`", reason=f"attribute `{self.short(node)}` not resolved", origin="attribute", node=node)

    def self_attribute(self, node: cst.Attribute, depth: int) -> Value:
        """`self.x`: a class attribute, or what `__init__` (or any method) assigns to it."""
        klass = self.enclosing(node, cst.ClassDef)
        name = node.attr.value
        if klass is None:
            return Unknown(description=f"`self.{name}`", reason="`self` outside a class", node=node)
        assigned: List[Tuple[str, cst.CSTNode, cst.CSTNode]] = []  # (method, value node, target)
        for statement in klass.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name) and target.target.value == name:
                                assigned.append(("<class>", small.value, target.target))
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        if small.target.value == name and small.value is not None:
                            assigned.append(("<class>", small.value, small.target))
        mutated_elsewhere = False
        for assignment in self.self_assignments(klass).get(name, ()):
            if assignment.value is None:
                # `self.x: T` declares; `self.x += ...` mutates
                mutated_elsewhere = mutated_elsewhere or assignment.annotation is None
                continue
            assigned.append((assignment.method, assignment.value, assignment.target))
        if not assigned:
            return Unknown(description=f"`self.{name}`", reason=f"`self.{name}` is never assigned in the class", origin="attribute", node=node)
        init_values = [a for a in assigned if a[0] in ("__init__", "<class>", "__post_init__", "setup", "setUp")]
        other = [a for a in assigned if a not in init_values]
        chosen = init_values[-1:] if init_values else assigned[-1:]
        value = self.resolve(chosen[0][1], depth)
        if isinstance(value, Unknown) and value.origin == "parameter":
            # set from a constructor argument: fixed per instance, so not per call; content unknown
            value = Unknown(Staticness.UNKNOWN, f"`self.{name}`", f"`self.{name}` is set from a constructor argument", origin="attribute", node=node)
        if isinstance(value, ListVal):
            grows = value.grows or _self_list_grows(klass, name)
            value = ListVal(value.items, complete=value.complete and not grows, grows=grows,
                            rewritten=value.rewritten or bool(other) or mutated_elsewhere,
                            origin="attribute", name=f"self.{name}", unordered=value.unordered, node=value.node)
        elif other:
            worst = max([staticness_of(value)] + [staticness_of(self.resolve(a[1], depth)) for a in other])
            return Unknown(worst if worst.varies else Staticness.UNKNOWN, f"`self.{name}`", f"`self.{name}` is reassigned in {other[0][0]}()", origin="attribute", node=node)
        if isinstance(value, TextValue):
            return TextValue(value.pieces, node, origin="attribute")
        return value

    # -- calls -------------------------------------------------------------------------
    def _call(self, node: cst.Call, depth: int) -> Value:
        names = self.qualified_names(node.func) | self.qualified_names(node)
        for name in names:
            if name in VOLATILE_CALLS:
                return Unknown(Staticness.VOLATILE, VOLATILE_CALLS[name], "changes on every call", origin="volatile", node=node)
            if name.startswith(VOLATILE_MODULES):
                return Unknown(Staticness.VOLATILE, f"{name}()", "random value", origin="volatile", node=node)
            if name in DEDENT_CALLS and node.args:
                inner = self.resolve_text(node.args[0].value, depth)
                transform = textwrap.dedent if name == "textwrap.dedent" else _cleandoc
                return _map_text(inner, transform, node)
            if name == "json.dumps" and node.args:
                return self._json_dumps(node, depth)
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in STRIP_METHODS | CASE_METHODS and not node.args:
                receiver = self.resolve(func.value, depth)
                if isinstance(receiver, TextValue):
                    transform = {
                        "strip": str.strip, "lstrip": str.lstrip, "rstrip": str.rstrip, "lower": str.lower,
                        "upper": str.upper, "title": str.title, "capitalize": str.capitalize, "casefold": str.casefold,
                    }[method]
                    return _map_text(receiver, transform, node)
            if method == "format":
                receiver = self.resolve(func.value, depth)
                if isinstance(receiver, TextValue):
                    arguments = [self.resolve_text(a.value, depth) for a in node.args]
                    return _concat([receiver] + arguments, node)
            if method == "join" and len(node.args) == 1:
                return self._join(node, depth)
            if method in ("read_text", "read") and not node.args or method == "read_text":
                file_value = self._file_read(node, depth)
                if file_value is not None:
                    return file_value
            receiver_value = self.resolve(func.value, depth) if not self._is_module_ref(func.value) else None
            if isinstance(receiver_value, Unknown) and receiver_value.staticness is Staticness.VOLATILE:
                return Unknown(Staticness.VOLATILE, receiver_value.description, receiver_value.reason, origin="volatile", node=node)
        if isinstance(func, cst.Name):
            if func.value == "str" and len(node.args) == 1:
                return as_text(self.resolve(node.args[0].value, depth), node)
            if func.value in ("dict",):
                return self._call_dict_args(node, depth) or Unknown(node=node)
            if func.value in ("list", "tuple") and len(node.args) == 1:
                inner = self.resolve(node.args[0].value, depth)
                if isinstance(inner, ListVal):
                    return inner
                return ListVal((), complete=False, origin="call", node=node)
            if func.value == "sorted" and node.args:
                inner = self.resolve(node.args[0].value, depth)
                if isinstance(inner, ListVal):
                    return ListVal(inner.items, inner.complete, origin="sorted", node=node)
                return Unknown(staticness_of(inner), f"`{self.short(node)}`", node=node)
            if func.value == "set" and node.args:
                inner = self.resolve(node.args[0].value, depth)
                items = inner.items if isinstance(inner, ListVal) else ()
                return ListVal(items, complete=isinstance(inner, ListVal), unordered=True, origin="set", node=node)
            returned = self._local_function_result(node, func, depth)
            if returned is not None:
                return returned
        return Unknown(description=f"`{self.short(node)}`", reason=f"result of `{self.short(node.func)}(...)`", origin="call", node=node)

    def _is_module_ref(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name):
            for referent in self._referents(node) or ():
                if isinstance(referent, ImportAssignment):
                    return True
        return False

    def _json_dumps(self, node: cst.Call, depth: int) -> Value:
        data = self.resolve(node.args[0].value, depth)
        sort_keys = any(
            a.keyword is not None and a.keyword.value == "sort_keys" and isinstance(a.value, cst.Name) and a.value.value == "True"
            for a in node.args
        )
        staticness = staticness_of(data)
        if isinstance(data, ListVal) and data.unordered and not sort_keys:
            staticness = Staticness.VOLATILE
        if staticness is Staticness.STATIC:
            size = size_of(data)
            return TextValue((Piece(Staticness.STATIC, None, size, f"`{self.short(node)}`", node),), node, origin="json")
        return TextValue((Piece(staticness, None, None, f"`{self.short(node)}`", node),), node, origin="json")

    def _join(self, node: cst.Call, depth: int) -> Value:
        func = node.func
        assert isinstance(func, cst.Attribute)
        separator = self.resolve(func.value, depth)
        items = self.resolve(node.args[0].value, depth)
        if isinstance(items, ListVal) and items.complete and isinstance(separator, TextValue):
            parts: List[TextValue] = []
            for index, item in enumerate(items.items):
                if index:
                    parts.append(separator)
                parts.append(as_text(item, node))
            value = _concat(parts, node) if parts else _static_text("", node)
            if items.unordered:
                return TextValue((Piece(Staticness.VOLATILE, None, value.known_chars, "iteration over a set", node),), node)
            return value
        worst = max(staticness_of(items), staticness_of(separator))
        if isinstance(items, ListVal) and items.unordered:
            worst = Staticness.VOLATILE
            return TextValue((Piece(worst, None, None, "iteration over a set", node),), node)
        return TextValue((Piece(worst, None, None, f"`{self.short(node)}`", node),), node)

    def _comprehension(self, node, depth: int) -> Value:
        unordered = isinstance(node, cst.SetComp)
        for_in = node.for_in
        worst = Staticness.STATIC
        while for_in is not None:
            source = self.resolve(for_in.iter, depth)
            if isinstance(source, ListVal) and source.unordered:
                unordered = True
            worst = max(worst, staticness_of(source))
            for_in = for_in.inner_for_in
        element = getattr(node, "elt", None)
        items: Tuple[Value, ...] = ()
        if element is not None:
            element_value = self.resolve(element, depth)
            # loop variables resolve as PER_CALL; over a static source they are static per item
            if worst is Staticness.STATIC and staticness_of(element_value) is Staticness.PER_CALL:
                element_value = Unknown(Staticness.STATIC, f"`{self.short(element)}`", node=element)
            items = (element_value,)
        return ListVal(items, complete=False, origin="comprehension", unordered=unordered, node=node)

    def _local_function_result(self, node: cst.Call, func: cst.Name, depth: int) -> Optional[Value]:
        """A function defined in this file whose return value can be resolved."""
        referents = self._referents(func) or set()
        if len(referents) != 1:
            return None
        referent = next(iter(referents))
        if isinstance(referent, ImportAssignment):
            if self.project is not None:
                return self.project.resolve_imported_call(self, node, func, referent, depth)
            return None
        definition = getattr(referent, "node", None)
        if not isinstance(definition, cst.FunctionDef):
            return None
        return self.function_result(definition, func.value, depth, self.call_bindings(node, definition))

    def call_bindings(self, call: cst.Call, function: cst.FunctionDef, skip_first: bool = False) -> Optional[Dict[cst.Param, Value]]:
        """The values this file's `call` passes to `function`'s parameters, or None when the
        arguments cannot be matched (`*args`, `**kwargs`, too many positionals)."""
        params = list(function.params.params)
        if skip_first and params:
            params = params[1:]
        by_name = {p.name.value: p for p in list(function.params.params) + list(function.params.kwonly_params)}
        bindings: Dict[cst.Param, Value] = {}
        position = 0
        for arg in call.args:
            if arg.star:
                return None
            if arg.keyword is None:
                if position >= len(params):
                    return None
                param = params[position]
                position += 1
            else:
                param = by_name.get(arg.keyword.value)
                if param is None:
                    continue
            bindings[param] = self.resolve(arg.value)
        return bindings

    def function_result(self, definition: cst.FunctionDef, name: str, depth: int, bindings=None) -> Optional[Value]:
        returns = [r for r in _returns(definition) if r.value is not None]
        if len(returns) != 1:
            return None
        resolver = self.with_bindings(bindings) if bindings else self
        value = resolver.resolve(returns[0].value, depth)  # type: ignore[arg-type]
        if isinstance(value, TextValue):
            pieces = tuple(
                Piece(p.staticness, p.text, p.chars, p.description or f"`{name}()`", p.node) for p in value.pieces
            )
            return TextValue(pieces, value.node, origin="function")
        return value

    # -- files --------------------------------------------------------------------------
    def _file_read(self, node: cst.Call, depth: int) -> Optional[Value]:
        path = self.file_path(node)
        if path is None:
            return None
        description = f"file `{path.name}`" if path.name else "a file"
        size = None
        text = None
        try:
            if path.is_file():
                size_bytes = path.stat().st_size
                if size_bytes <= 2_000_000:
                    text = path.read_text(encoding="utf-8", errors="replace")
                    size = len(text)
        except OSError:
            pass
        return TextValue((Piece(Staticness.STATIC, text, size, description, node),), node, origin="file")

    def file_path(self, node: cst.Call) -> Optional[Path]:
        """The file read by `open(p).read()`, `Path(p).read_text()`, `files(pkg).joinpath(p).read_text()`."""
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        receiver = func.value
        path = None
        if func.attr.value == "read" and isinstance(receiver, cst.Call):
            if isinstance(receiver.func, cst.Name) and receiver.func.value == "open" and receiver.args:
                path = self._path_value(receiver.args[0].value)
        elif func.attr.value == "read_text":
            path = self._path_value(receiver)
        if path is None or path.is_absolute():
            return path
        # a relative path is relative to the working directory at run time: look where the
        # program most likely runs from (the project roots, the file's folder)
        bases = [Path.cwd(), Path(self.path).resolve().parent]
        if self.project is not None:
            bases = list(self.project.roots) + bases
        for base in bases:
            if (base / path).is_file():
                return base / path
        return path

    def _package_dir(self, node: cst.Call, base_dir: Path) -> Optional[Path]:
        """`files(__package__)` / `files("pkg.sub")` / `files(__name__)`: a package's folder."""
        if not node.args:
            return None
        argument = node.args[0].value
        if isinstance(argument, cst.Name) and argument.value in ("__package__", "__name__"):
            return base_dir
        value = self.resolve(argument)
        if isinstance(value, TextValue) and value.text:
            parts = value.text.split(".")
            # walk up from this file's folder to the folder holding the named package
            for base in [base_dir] + list(base_dir.parents):
                candidate = base.joinpath(*parts)
                if candidate.is_dir():
                    return candidate
        return None

    def _path_value(self, node: cst.CSTNode, depth: int = 0) -> Optional[Path]:
        if depth > 8:
            return None
        base_dir = Path(self.path).resolve().parent
        if isinstance(node, cst.Call):
            names = self.qualified_names(node.func)
            if names & {"pathlib.Path", "pathlib.PurePath"} or (isinstance(node.func, cst.Name) and node.func.value == "Path"):
                if not node.args:
                    return Path(".")
                parts = [self._path_value(a.value, depth + 1) for a in node.args]
                if any(p is None for p in parts):
                    return None
                return Path(*parts)  # type: ignore[arg-type]
            if names & {"os.path.join"}:
                parts = [self._path_value(a.value, depth + 1) for a in node.args]
                if any(p is None for p in parts):
                    return None
                return Path(*parts)  # type: ignore[arg-type]
            if names & {"os.path.dirname"} and node.args:
                inner = self._path_value(node.args[0].value, depth + 1)
                return inner.parent if inner is not None else None
            if names & {"os.path.abspath", "os.path.realpath"} and node.args:
                return self._path_value(node.args[0].value, depth + 1)
            if isinstance(node.func, cst.Attribute):
                if node.func.attr.value in ("resolve", "absolute", "expanduser") and not node.args:
                    return self._path_value(node.func.value, depth + 1)
                if node.func.attr.value in ("joinpath",) and node.args:
                    base = self._path_value(node.func.value, depth + 1)
                    parts = [self._path_value(a.value, depth + 1) for a in node.args]
                    if base is None or any(p is None for p in parts):
                        return None
                    return Path(base, *parts)  # type: ignore[arg-type]
            if names & {"importlib.resources.files", "importlib_resources.files"}:
                return self._package_dir(node, base_dir)
            return None
        if isinstance(node, cst.Attribute) and node.attr.value == "parent":
            inner = self._path_value(node.value, depth + 1)
            return inner.parent if inner is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._path_value(node.left, depth + 1)
            right = self._path_value(node.right, depth + 1)
            if left is None or right is None:
                return None
            return left / right
        if isinstance(node, cst.Name) and node.value == "__file__":
            return Path(self.path).resolve()
        value = self.resolve(node)
        if isinstance(value, TextValue) and value.text is not None:
            return Path(value.text)
        if isinstance(node, cst.Name):
            # a name bound to a path expression: follow its single assignment
            for referent in self._referents(node) or ():
                if isinstance(referent, Assignment) and isinstance(referent.node, cst.Name):
                    holder = self.parent(referent.node)
                    if isinstance(holder, cst.AssignTarget):
                        assign = self.parent(holder)
                        if isinstance(assign, cst.Assign):
                            return self._path_value(assign.value, depth + 1)
        return None

    # -- containers ---------------------------------------------------------------------
    def _list(self, node, depth: int) -> ListVal:
        items: List[Value] = []
        complete = True
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                inner = self.resolve(element.value, depth)
                if isinstance(inner, ListVal):
                    items.extend(inner.items)
                    complete = complete and inner.complete
                else:
                    complete = False
            else:
                items.append(self.resolve(element.value, depth))
        return ListVal(tuple(items), complete=complete, node=node)

    def _dict(self, node: cst.Dict, depth: int) -> DictVal:
        entries: List[DictEntry] = []
        complete = True
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                inner = self.resolve(element.value, depth)
                if isinstance(inner, DictVal):
                    entries.extend(inner.entries)
                    complete = complete and inner.complete
                else:
                    complete = False
                continue
            key = self.resolve(element.key, depth)
            if isinstance(key, TextValue) and key.text is not None:
                entries.append(DictEntry(key.text, self.resolve(element.value, depth), element))
            else:
                complete = False
        return DictVal(tuple(entries), complete, node=node)

    def _subscript_key(self, node: cst.Subscript) -> Optional[str]:
        if len(node.slice) != 1:
            return None
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            key = self.resolve(index.value)
            if isinstance(key, TextValue):
                return key.text
        return None

    def _subscript(self, node: cst.Subscript, depth: int) -> Value:
        container = self.resolve(node.value, depth)
        key = self._subscript_key(node)
        if isinstance(container, DictVal) and key is not None:
            found = container.get(key)
            if found is not None:
                return found
        if isinstance(container, ListVal):
            index = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(index, cst.Slice):
                return ListVal(container.items, complete=False, grows=container.grows, rewritten=True, origin="slice", name=container.name, node=node)
            if isinstance(index, cst.Index):
                position = self.resolve(index.value, depth)
                if isinstance(position, Const) and isinstance(position.value, int) and container.complete:
                    try:
                        return container.items[position.value]
                    except IndexError:
                        pass
        worst = staticness_of(container)
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            worst = max(worst, staticness_of(self.resolve(node.slice[0].slice.value, depth)))
        return Unknown(worst if worst is not Staticness.STATIC else Staticness.UNKNOWN, f"`{self.short(node)}`", "subscript not resolved", node=node)

    def _either(self, branches: Sequence[cst.CSTNode], node: cst.CSTNode, depth: int) -> Value:
        values = [self.resolve(b, depth) for b in branches]
        if all(isinstance(v, TextValue) for v in values):
            worst = max(staticness_of(v) for v in values)
            smallest = min(known_size_of(v) for v in values)
            return TextValue((Piece(worst, None, smallest if worst is Staticness.STATIC else None, f"`{self.short(node)}`", node),), node)
        worst = max(staticness_of(v) for v in values)
        return Unknown(worst, f"`{self.short(node)}`", "conditional value", node=node)


def _cleandoc(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


def _returns(definition: cst.FunctionDef) -> List[cst.Return]:
    found: List[cst.Return] = []

    class _Collector(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is definition

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

    definition.visit(_Collector())
    return found


@dataclass(frozen=True)
class SelfAssignment:
    """`self.<attr> = value` (or `: T = value`, or `+= value`) inside a method of a class."""

    method: str
    target: cst.CSTNode = field(compare=False, hash=False, repr=False)
    value: Optional[cst.CSTNode] = field(compare=False, hash=False, repr=False)  # None for `+=`
    annotation: Optional[cst.Annotation] = field(default=None, compare=False, hash=False, repr=False)


def self_assignments(klass: cst.ClassDef) -> Dict[str, List[SelfAssignment]]:
    """Every `self.<attr>` assignment in the class's methods, by attribute name, in one walk
    (callers cache it per class: `Resolver.self_assignments`)."""
    from cachelint.syntax.treewalk import find_all

    found: Dict[str, List[SelfAssignment]] = {}

    def self_attribute(node: cst.CSTNode) -> Optional[str]:
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return node.attr.value
        return None

    for method in klass.body.body:
        if not isinstance(method, cst.FunctionDef):
            continue
        kinds = (cst.Assign, cst.AnnAssign, cst.AugAssign)
        for statement in find_all(method, lambda n: isinstance(n, kinds)):
            if isinstance(statement, cst.Assign):
                for target in statement.targets:
                    name = self_attribute(target.target)
                    if name is not None:
                        found.setdefault(name, []).append(SelfAssignment(method.name.value, target.target, statement.value))
            else:
                name = self_attribute(statement.target)
                if name is None:
                    continue
                if isinstance(statement, cst.AugAssign):
                    found.setdefault(name, []).append(SelfAssignment(method.name.value, statement.target, None))
                else:
                    found.setdefault(name, []).append(
                        SelfAssignment(method.name.value, statement.target, statement.value, statement.annotation)
                    )
    return found


def _self_list_grows(klass: cst.ClassDef, name: str) -> bool:
    grows = False

    class _Collector(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal grows
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("append", "extend", "insert")
                and isinstance(func.value, cst.Attribute)
                and isinstance(func.value.value, cst.Name)
                and func.value.value.value == "self"
                and func.value.attr.value == name
            ):
                grows = True

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            nonlocal grows
            target = node.target
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
                if target.value.value == "self" and target.attr.value == name:
                    grows = True

    klass.visit(_Collector())
    return grows
