"""The resolver: what an expression of one module evaluates to, across the calls that run it.

Values are resolved through literals, implicit concatenation, f-strings, `+`, `%`, `.format`,
`.join`, `.strip()`, `textwrap.dedent`, local and module assignments, `self.attr` set in
`__init__` or on the class, dict and list literals (updated in place with literal keys), same-file
functions whose return value can be resolved, files read from disk, and, through the project
index, names imported from sibling modules. Anything else is UNKNOWN, with the reason kept so
`--explain-unknown` can show it.

The work is split by concern: names (`names.py`), calls (`calls.py`), files (`files.py`); this
module holds the entry point, strings, operators, attributes and containers.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from cachelint.resolve.calls import CallResolution
from cachelint.resolve.causes import is_random_module_name
from cachelint.resolve.classes import SelfAssignment, self_assignments, self_list_grows
from cachelint.resolve.files import FileResolution
from cachelint.resolve.names import NameResolution
from cachelint.resolve.text import Cause, Origin, Piece, Staticness, TextValue
from cachelint.resolve.value import (
    Const,
    DictEntry,
    DictVal,
    ListVal,
    Unknown,
    Value,
    as_text,
    cause_of,
    concat,
    known_size_of,
    merge_static,
    size_of,
    static_text,
    staticness_of,
)
from cachelint.syntax.scopes import ModuleIndex

MAX_DEPTH = 16


class Resolver(NameResolution, CallResolution, FileResolution):
    """Resolves expressions of one module. One instance per analysed file."""

    def __init__(
        self,
        wrapper,
        path: str,
        project=None,
        bindings=None,
        index: Optional[ModuleIndex] = None,
        text: Optional[str] = None,
    ):
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
        self._self_assignments: Dict[cst.ClassDef, Dict[str, List[SelfAssignment]]] = {}
        self._text = text
        # Per-module answers the later stages keep with the module's resolver (shared by the
        # resolvers `with_bindings` makes), so each is worked out once per module:
        # the model's BuiltRequests of the module (model.requests / model.wrappers),
        self.built_requests: Optional[Any] = None
        # its requests by the functions they are inside (model.wrappers),
        self.requests_by_function: Optional[Dict[cst.FunctionDef, List[Any]]] = None
        # what an imported name is defined as, by (import, local name) (resolve.project),
        self.imported_definitions: Dict[Tuple[Any, str], Any] = {}
        # the codes a wrapper's own request reports, by (request id, options) (run.engine).
        self.wrapper_codes: Dict[Tuple[int, Any], Set[str]] = {}

    def self_assignments(self, klass: cst.ClassDef) -> Dict[str, List[SelfAssignment]]:
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

    @property
    def text(self) -> str:
        """The module's source (generating it from the tree costs about half a parse: once)."""
        if self._text is None:
            self._text = self.module.code
        return self._text

    @text.setter
    def text(self, source: str) -> None:
        """The caller already holds the source the module was parsed from: use it."""
        self._text = source

    def holds(self, node: cst.CSTNode) -> bool:
        """The node belongs to this module (not to a module followed through an import)."""
        return node is self.module or node in self.parents

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
            return static_text(evaluated, node)
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
            return concat([self.resolve_text(part, depth) for part in parts], node)
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
            return self.resolve_name(node, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, depth)
        if isinstance(node, cst.Call):
            return self.resolve_call(node, depth)
        if isinstance(node, (cst.List, cst.Tuple)):
            return self._list(node, depth)
        if isinstance(node, cst.Dict):
            return self._dict(node, depth)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return self.resolve_comprehension(node, depth)
        if isinstance(node, cst.Set):
            items = tuple(self.resolve(e.value, depth) for e in node.elements if isinstance(e, cst.Element))
            return ListVal(items, complete=True, unordered=True, origin=Origin.SET, node=node)
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
                    found = cause_of(inner) if staticness.varies else None
                    pieces.append(Piece(staticness, None, size_of(inner), described, part,
                                        cause=found.cause if found else None, cause_node=found.node if found else None))
                else:
                    # a string's own pieces; any other value viewed as text
                    text_view = inner if isinstance(inner, TextValue) else as_text(inner, part)
                    for piece in text_view.pieces:
                        pieces.append(
                            dataclasses.replace(piece, description=piece.description or described, node=piece.node or part)
                        )
        return TextValue(tuple(merge_static(pieces)), node)

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
                return concat([as_text(left, node.left), as_text(right, node.right)], node)
        if isinstance(node.operator, cst.Modulo) and isinstance(left, TextValue):
            return concat([left, self._arguments_piece(right, node.right)], node)
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
            return concat([as_text(item, item.node or node) for item in value.items], node)
        if isinstance(value, DictVal):
            return concat([as_text(e.value, e.node or node) for e in value.entries], node)
        return as_text(value, node)


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
            if is_random_module_name(name):
                return Unknown(Staticness.VOLATILE, f"`{self.short(node)}`", "random value", node=node, cause=Cause.RANDOM)
        return Unknown(description=f"`{self.short(node)}`", reason=f"attribute `{self.short(node)}` not resolved", origin=Origin.ATTRIBUTE, node=node)

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
            return Unknown(description=f"`self.{name}`", reason=f"`self.{name}` is never assigned in the class", origin=Origin.ATTRIBUTE, node=node)
        init_values = [a for a in assigned if a[0] in ("__init__", "<class>", "__post_init__", "setup", "setUp")]
        other = [a for a in assigned if a not in init_values]
        chosen = init_values[-1:] if init_values else assigned[-1:]
        value = self.resolve(chosen[0][1], depth)
        if isinstance(value, Unknown) and value.origin is Origin.PARAMETER:
            # set from a constructor argument: fixed per instance, so not per call; content unknown
            value = Unknown(Staticness.UNKNOWN, f"`self.{name}`", f"`self.{name}` is set from a constructor argument", origin=Origin.ATTRIBUTE, node=node)
        if isinstance(value, ListVal):
            grows = value.grows or self_list_grows(klass, name)
            value = ListVal(value.items, complete=value.complete and not grows, grows=grows,
                            rewritten=value.rewritten or bool(other) or mutated_elsewhere,
                            origin=Origin.ATTRIBUTE, name=f"self.{name}", unordered=value.unordered, node=value.node)
        elif other:
            worst = max([staticness_of(value)] + [staticness_of(self.resolve(a[1], depth)) for a in other])
            return Unknown(worst if worst.varies else Staticness.UNKNOWN, f"`self.{name}`", f"`self.{name}` is reassigned in {other[0][0]}()", origin=Origin.ATTRIBUTE, node=node)
        if isinstance(value, TextValue):
            return TextValue(value.pieces, node, origin=Origin.ATTRIBUTE)
        return value


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

    def subscript_key(self, node: cst.Subscript) -> Optional[str]:
        """The literal key of `d["key"]`, or None."""
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
        key = self.subscript_key(node)
        if isinstance(container, DictVal) and key is not None:
            found = container.get(key)
            if found is not None:
                return found
        if isinstance(container, ListVal):
            index = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(index, cst.Slice):
                return ListVal(container.items, complete=False, grows=container.grows, rewritten=True, origin=Origin.SLICE, name=container.name, node=node)
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

