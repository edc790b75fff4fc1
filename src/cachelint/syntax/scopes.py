"""Name binding for one module, in one walk over the tree: scopes, assignments, accesses.

libcst's `ScopeProvider` answers the same questions but runs two visitor passes that rebuild
every node (`ExpressionContextProvider` first), which costs several times the parse. This walk
reads the dataclass fields directly (see treewalk.py), skips whitespace and punctuation, and
builds everything cachelint asks for in the same pass: each node's parent, each node's scope,
every call in source order, and for each name read (an *access*) the assignments it can see.

The model follows Python's rules, the way libcst does:
- scopes: the module, classes, functions, lambdas and comprehensions; a class body is not
  visible from the functions nested in it; `global` and `nonlocal` redirect a name;
- an access in the scope that assigns the name sees the assignments made *before* it (in
  evaluation order: the right-hand side of `x = x + 1` reads the earlier `x`); when there is
  none it looks outward; an access from an inner scope sees every assignment of the outer one
  (the function may run after all of them);
- a name assigned nowhere is a builtin when Python has one of that name.
Assignments know their accesses (`references`) so a binding's later uses can be found.
"""

from __future__ import annotations

import builtins
import typing
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from cachelint.syntax.treewalk import code_children, find_all

LOAD, STORE, DEL, NONE = 0, 1, 2, 3


# ---------------------------------------------------------------------------------------------
# Bindings
# ---------------------------------------------------------------------------------------------


class QualifiedName(typing.NamedTuple):
    name: str
    source: str  # "import", "local" or "builtin"


class Access:
    """A name read (or deleted) somewhere; `referents` are the assignments it can see."""

    __slots__ = ("node", "scope", "index", "referents")

    def __init__(self, node: cst.Name, scope: "Scope", index: int):
        self.node = node
        self.scope = scope
        self.index = index
        self.referents: Set["BaseAssignment"] = set()


class BaseAssignment:
    __slots__ = ("name", "scope", "index", "references", "__weakref__")

    def __init__(self, name: str, scope: "Scope", index: int):
        self.name = name
        self.scope = scope
        self.index = index
        self.references: List[Access] = []

    node: Optional[cst.CSTNode] = None

    def qualified_names(self, full_name: str) -> Set[QualifiedName]:
        return set()


class Assignment(BaseAssignment):
    """A binding made in the module: `node` is the target Name, the Param, the FunctionDef or
    ClassDef, or (for imports, see ImportAssignment) the import statement."""

    __slots__ = ("node",)

    def __init__(self, name: str, scope: "Scope", index: int, node: cst.CSTNode):
        super().__init__(name, scope, index)
        self.node = node

    def qualified_names(self, full_name: str) -> Set[QualifiedName]:
        prefix = self.scope.name_prefix
        return {QualifiedName(f"{prefix}.{full_name}" if prefix else full_name, "local")}


class ImportAssignment(Assignment):
    """A name bound by `import` / `from ... import`; `node` is the statement, `alias` the
    ImportAlias."""

    __slots__ = ("alias",)

    def __init__(self, name: str, scope: "Scope", index: int, node: cst.CSTNode, alias: cst.ImportAlias):
        super().__init__(name, scope, index, node)
        self.alias = alias

    def qualified_names(self, full_name: str) -> Set[QualifiedName]:
        imported = dotted_name(self.alias.name)
        if imported is None:
            return set()
        statement = self.node
        if isinstance(statement, cst.ImportFrom):
            module = dotted_name(statement.module) if statement.module is not None else ""
            dots = "." * len(statement.relative)
            base = f"{dots}{module}" if module else dots
            real = f"{base}.{imported}" if base and not base.endswith(".") else f"{base}{imported}"
            bound = self.name
        else:
            bound = self.name
            real = imported if self.alias.asname is not None else bound
        if full_name == bound:
            return {QualifiedName(real, "import")}
        if full_name.startswith(bound + "."):
            return {QualifiedName(real + full_name[len(bound) :], "import")}
        return set()


class BuiltinAssignment(BaseAssignment):
    def qualified_names(self, full_name: str) -> Set[QualifiedName]:
        # the builtin itself, as libcst names it (`str.join` is `builtins.str`)
        return {QualifiedName(f"builtins.{self.name}", "builtin")}


# ---------------------------------------------------------------------------------------------
# Scopes
# ---------------------------------------------------------------------------------------------


class _ByKey:
    """A read-only mapping that answers () for a missing key (like libcst's accessors)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: Dict = {}

    def __getitem__(self, key) -> Tuple:
        found = self._items.get(key)
        return tuple(found) if found else ()

    def __contains__(self, key) -> bool:
        return bool(self._items.get(key))

    def __iter__(self):
        return iter(self._items)

    def add(self, key, item) -> None:
        self._items.setdefault(key, []).append(item)


class Scope:
    kind = "scope"

    def __init__(self, parent: Optional["Scope"], node: cst.CSTNode, name_prefix: str):
        self.parent = parent
        self.node = node
        self.name_prefix = name_prefix
        self.globals: "GlobalScope" = parent.globals if parent is not None else self  # type: ignore[assignment]
        self.assignments = _ByKey()
        self.global_names: Set[str] = set()
        self.nonlocal_names: Set[str] = set()

    # -- lookup -------------------------------------------------------------------------------
    def binding_scope(self, name: str) -> Optional["Scope"]:
        """The scope whose assignments `name` refers to from this scope, or None (builtin)."""
        head = name.split(".", 1)[0]
        if head in self.global_names:
            return self.globals if name in self.globals.assignments else None
        if head in self.nonlocal_names:
            return self._enclosing_binding(name)
        if name in self.assignments:
            return self
        return self._enclosing_binding(name)

    def _enclosing_binding(self, name: str) -> Optional["Scope"]:
        scope = self.parent
        while scope is not None:
            if not isinstance(scope, ClassScope):
                if name.split(".", 1)[0] in scope.global_names:
                    return self.globals if name in self.globals.assignments else None
                if name in scope.assignments:
                    return scope
            scope = scope.parent
        return None

    def __getitem__(self, name: str) -> Set[BaseAssignment]:
        """Every assignment `name` may refer to here (position not considered)."""
        scope = self.binding_scope(name)
        if scope is not None:
            return set(scope.assignments[name])
        builtin = _builtin(name, self.globals)
        return {builtin} if builtin is not None else set()

    def __contains__(self, name: str) -> bool:
        return bool(self[name])

    def get_qualified_names_for(self, node, head_referents: Optional[Set[BaseAssignment]] = None) -> Set[QualifiedName]:
        """What a Name / Attribute / Call names, through imports (`anthropic.Anthropic`).
        `head_referents`: what the chain's first name refers to at this point of the code
        (ModuleIndex.qualified_names passes it), used unless a dotted import matches longer."""
        full = node if isinstance(node, str) else dotted_name(node)
        if full is None:
            return set()
        prefix: Optional[str] = full
        assignments: Set[BaseAssignment] = set()
        while prefix:
            if head_referents is not None and "." not in prefix:
                assignments = head_referents
                break
            assignments = self[prefix]
            if assignments:
                break
            cut = prefix.rfind(".")
            prefix = prefix[:cut] if cut > 0 else None
        results: Set[QualifiedName] = set()
        for assignment in assignments:
            results |= assignment.qualified_names(full)
        return results


class GlobalScope(Scope):
    kind = "module"

    def __init__(self, node: cst.CSTNode):
        super().__init__(None, node, "")
        self.builtins: Dict[str, BuiltinAssignment] = {}


class ClassScope(Scope):
    kind = "class"


class FunctionScope(Scope):
    kind = "function"


class ComprehensionScope(Scope):
    kind = "comprehension"


_BUILTIN_NAMES = frozenset(dir(builtins))


def _builtin(name: str, globals_: GlobalScope) -> Optional[BuiltinAssignment]:
    if name not in _BUILTIN_NAMES:
        return None
    found = globals_.builtins.get(name)
    if found is None:
        found = BuiltinAssignment(name, globals_, -1)
        globals_.builtins[name] = found
    return found


def dotted_name(node) -> Optional[str]:
    """The dotted name libcst gives a node: `a.b.c` for Name / Attribute chains, where a call
    or subscript in the chain stands for what it calls or indexes (`Path(p).read_text` is
    `Path.read_text`); None for anything else."""
    parts: List[str] = []
    while True:
        if isinstance(node, cst.Name):
            parts.append(node.value)
            return ".".join(reversed(parts))
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


def head_name(node) -> Optional[cst.Name]:
    """The Name a dotted chain starts from (`client` in `client.messages.create(...)`)."""
    while True:
        if isinstance(node, cst.Name):
            return node
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


# ---------------------------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------------------------

# What the names of a subtree do: read, bind, delete, or nothing (attribute names, keywords,
# import statements). PARAMETERS and FIRST_FOR mark subtrees part of which runs in the
# enclosing scope (parameter defaults, a comprehension's first iterable).
LOAD, STORE, DEL, NONE, PARAMETERS, FIRST_FOR = 0, 1, 2, 3, 4, 5

_TARGET_CONTAINERS = (cst.Tuple, cst.List, cst.StarredElement, cst.Element)

Item = Tuple[cst.CSTNode, Scope, int]


class ModuleIndex:
    """Parents, scopes, bindings and calls of one module, from one walk."""

    def __init__(self, module: cst.Module):
        self.module = module
        self.parents: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.scope_of: Dict[cst.CSTNode, Scope] = {}
        self.calls: List[cst.Call] = []
        self.accesses: Dict[cst.Name, Access] = {}
        self.global_scope = GlobalScope(module)
        self._counter = 0
        self._walk(module)
        self._resolve_accesses()

    # -- queries ---------------------------------------------------------------------------------
    def scope(self, node: cst.CSTNode) -> Optional[Scope]:
        return self.scope_of.get(node)

    def referents(self, node: cst.Name) -> Optional[Set[BaseAssignment]]:
        """The assignments a name can refer to; None for a node outside the module."""
        access = self.accesses.get(node)
        if access is not None:
            return set(access.referents)
        scope = self.scope_of.get(node)
        if scope is None:
            return None
        return scope[node.value]

    def qualified_names(self, node: cst.CSTNode) -> Set[QualifiedName]:
        """What a Name / Attribute / Call names (`anthropic.Anthropic`), as seen at that point."""
        scope = self.scope_of.get(node)
        if scope is None:
            return set()
        head = head_name(node)
        access = self.accesses.get(head) if head is not None else None
        return scope.get_qualified_names_for(node, access.referents if access is not None else None)

    def nodes(self, kinds, root: Optional[cst.CSTNode] = None) -> List[cst.CSTNode]:
        """Every code node of the given types under `root` (default: the module), in source
        order."""
        return find_all(self.module if root is None else root, lambda node: isinstance(node, kinds))

    # -- building --------------------------------------------------------------------------------
    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def _assign(self, scope: Scope, name: str, node: cst.CSTNode) -> None:
        if name in scope.global_names:
            scope = scope.globals
        elif name in scope.nonlocal_names:
            scope = scope._enclosing_binding(name) or scope
        scope.assignments.add(name, Assignment(name, scope, self._next(), node))

    def _walk(self, module: cst.Module) -> None:
        parents = self.parents
        scope_of = self.scope_of
        accesses = self.accesses
        calls = self.calls
        special = self._SPECIAL
        name_type = cst.Name
        call_type = cst.Call
        # (node, parent, scope, context), pushed in reverse so they pop in evaluation order
        stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode], Scope, int]] = [(module, None, self.global_scope, LOAD)]
        while stack:
            node, parent, scope, context = stack.pop()
            if parent is not None:
                parents[node] = parent
            scope_of[node] = scope
            kind = type(node)
            if kind is name_type:
                if context == LOAD or context == DEL:
                    self._counter += 1
                    accesses[node] = Access(node, scope, self._counter)
                elif context == STORE:
                    self._assign(scope, node.value, node)
                continue
            if kind is call_type:
                calls.append(node)
            if context == NONE:
                items: List[Item] = [(child, scope, NONE) for child in code_children(node)]
            else:
                handler = special.get(kind)
                if handler is not None:
                    items = handler(self, node, scope, context)
                elif context != LOAD and isinstance(node, _TARGET_CONTAINERS):
                    items = [(child, scope, context) for child in code_children(node)]
                else:
                    items = [(child, scope, LOAD) for child in code_children(node)]
            for child, child_scope, child_context in reversed(items):
                stack.append((child, node, child_scope, child_context))

    # Each handler returns [(child, scope, context)] in evaluation order.
    def _function(self, node: cst.FunctionDef, scope: Scope, context: int) -> List[Item]:
        inner = FunctionScope(scope, node, _join(scope.name_prefix, node.name.value) + ".<locals>")
        items: List[Item] = [(decorator, scope, LOAD) for decorator in node.decorators]
        items.append((node.params, inner, PARAMETERS))
        if node.returns is not None:
            items.append((node.returns, scope, LOAD))
        items.append((node.name, scope, NONE))
        self._assign(scope, node.name.value, node)
        items.append((node.body, inner, LOAD))
        return items

    def _lambda(self, node: cst.Lambda, scope: Scope, context: int) -> List[Item]:
        inner = FunctionScope(scope, node, _join(scope.name_prefix, "<locals>"))  # libcst's naming
        return [(node.params, inner, PARAMETERS), (node.body, inner, LOAD)]

    def _parameters(self, node: cst.Parameters, scope: Scope, context: int) -> List[Item]:
        return [(child, scope, PARAMETERS) for child in code_children(node)]

    def _param(self, node: cst.Param, scope: Scope, context: int) -> List[Item]:
        # annotations and defaults are evaluated where the function is defined
        outer = scope.parent if context == PARAMETERS and scope.parent is not None else scope
        items: List[Item] = [(node.name, scope, NONE)]
        if node.annotation is not None:
            items.append((node.annotation, outer, LOAD))
        if node.default is not None:
            items.append((node.default, outer, LOAD))
        self._assign(scope, node.name.value, node)
        return items

    def _class(self, node: cst.ClassDef, scope: Scope, context: int) -> List[Item]:
        inner = ClassScope(scope, node, _join(scope.name_prefix, node.name.value))
        items: List[Item] = [(decorator, scope, LOAD) for decorator in node.decorators]
        items += [(arg, scope, LOAD) for arg in node.bases]
        items += [(arg, scope, LOAD) for arg in node.keywords]
        items.append((node.name, scope, NONE))
        self._assign(scope, node.name.value, node)
        items.append((node.body, inner, LOAD))
        return items

    def _comprehension(self, node, scope: Scope, context: int) -> List[Item]:
        inner = ComprehensionScope(scope, node, _join(scope.name_prefix, "<comprehension>"))
        items: List[Item] = [(node.for_in, inner, FIRST_FOR)]
        if isinstance(node, cst.DictComp):
            items += [(node.key, inner, LOAD), (node.value, inner, LOAD)]
        else:
            items.append((node.elt, inner, LOAD))
        return items

    def _comp_for(self, node: cst.CompFor, scope: Scope, context: int) -> List[Item]:
        # the first iterable is evaluated outside the comprehension
        source = scope.parent if context == FIRST_FOR and scope.parent is not None else scope
        items: List[Item] = [(node.iter, source, LOAD), (node.target, scope, STORE)]
        items += [(condition, scope, LOAD) for condition in node.ifs]
        if node.inner_for_in is not None:
            items.append((node.inner_for_in, scope, LOAD))
        return items

    def _assign_statement(self, node: cst.Assign, scope: Scope, context: int) -> List[Item]:
        # the value is evaluated first: `x = x + 1` reads the earlier `x`
        return [(node.value, scope, LOAD)] + [(target, scope, STORE) for target in node.targets]

    def _assign_target(self, node: cst.AssignTarget, scope: Scope, context: int) -> List[Item]:
        return [(node.target, scope, STORE)]

    def _ann_assign(self, node: cst.AnnAssign, scope: Scope, context: int) -> List[Item]:
        items: List[Item] = [(node.annotation, scope, LOAD)]
        if node.value is not None:
            items.append((node.value, scope, LOAD))
        items.append((node.target, scope, STORE))
        return items

    def _aug_assign(self, node: cst.AugAssign, scope: Scope, context: int) -> List[Item]:
        return [(node.value, scope, LOAD), (node.operator, scope, NONE), (node.target, scope, STORE)]

    def _for(self, node: cst.For, scope: Scope, context: int) -> List[Item]:
        items: List[Item] = [(node.iter, scope, LOAD), (node.target, scope, STORE), (node.body, scope, LOAD)]
        if node.orelse is not None:
            items.append((node.orelse, scope, LOAD))
        return items

    def _with_item(self, node: cst.WithItem, scope: Scope, context: int) -> List[Item]:
        items: List[Item] = [(node.item, scope, LOAD)]
        if node.asname is not None:
            items.append((node.asname, scope, STORE))
        return items

    def _as_name(self, node: cst.AsName, scope: Scope, context: int) -> List[Item]:
        return [(node.name, scope, STORE if context == STORE else NONE)]

    def _except(self, node, scope: Scope, context: int) -> List[Item]:
        items: List[Item] = []
        if node.type is not None:
            items.append((node.type, scope, LOAD))
        if node.name is not None:
            items.append((node.name, scope, STORE))
        items.append((node.body, scope, LOAD))
        return items

    def _named_expr(self, node: cst.NamedExpr, scope: Scope, context: int) -> List[Item]:
        # `(y := f(x))` in a comprehension binds `y` in the enclosing function or module
        home = scope
        while isinstance(home, ComprehensionScope) and home.parent is not None:
            home = home.parent
        items: List[Item] = [(node.value, scope, LOAD), (node.target, scope, NONE)]
        if isinstance(node.target, cst.Name):
            self._assign(home, node.target.value, node.target)
        return items

    def _del(self, node: cst.Del, scope: Scope, context: int) -> List[Item]:
        return [(node.target, scope, DEL)]

    def _attribute(self, node: cst.Attribute, scope: Scope, context: int) -> List[Item]:
        return [(node.value, scope, LOAD), (node.attr, scope, NONE)]

    def _subscript(self, node: cst.Subscript, scope: Scope, context: int) -> List[Item]:
        return [(node.value, scope, LOAD)] + [(element, scope, LOAD) for element in node.slice]

    def _arg(self, node: cst.Arg, scope: Scope, context: int) -> List[Item]:
        if node.keyword is not None:
            return [(node.keyword, scope, NONE), (node.value, scope, LOAD)]
        return [(node.value, scope, LOAD)]

    def _import(self, node, scope: Scope, context: int) -> List[Item]:
        names = node.names
        if not isinstance(names, cst.ImportStar):
            for alias in names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound = [alias.asname.name.value]
                else:
                    dotted = dotted_name(alias.name)
                    if dotted is None:
                        continue
                    if isinstance(node, cst.ImportFrom):
                        bound = [dotted]
                    else:  # `import a.b.c` binds `a`; `a.b` and `a.b.c` name the submodules
                        parts = dotted.split(".")
                        bound = [".".join(parts[: i + 1]) for i in range(len(parts))]
                for name in bound:
                    scope.assignments.add(name, ImportAssignment(name, scope, self._next(), node, alias))
        return [(child, scope, NONE) for child in code_children(node)]

    def _declaration(self, node, scope: Scope, context: int) -> List[Item]:
        declared = scope.global_names if isinstance(node, cst.Global) else scope.nonlocal_names
        for item in node.names:
            declared.add(item.name.value)
        return [(item, scope, NONE) for item in node.names]

    def _match_capture(self, node, scope: Scope, context: int) -> List[Item]:
        items: List[Item] = []
        pattern = getattr(node, "pattern", None)
        if pattern is not None:
            items.append((pattern, scope, LOAD))
        if node.name is not None:
            items.append((node.name, scope, STORE))
        return items

    def _match_mapping(self, node: cst.MatchMapping, scope: Scope, context: int) -> List[Item]:
        items: List[Item] = [(element, scope, LOAD) for element in node.elements]
        if node.rest is not None:
            items.append((node.rest, scope, STORE))
        return items

    def _match_keyword(self, node, scope: Scope, context: int) -> List[Item]:
        return [(node.key, scope, NONE), (node.pattern, scope, LOAD)]

    _SPECIAL = {
        cst.FunctionDef: _function,
        cst.Lambda: _lambda,
        cst.Parameters: _parameters,
        cst.Param: _param,
        cst.ClassDef: _class,
        cst.ListComp: _comprehension,
        cst.SetComp: _comprehension,
        cst.GeneratorExp: _comprehension,
        cst.DictComp: _comprehension,
        cst.CompFor: _comp_for,
        cst.Assign: _assign_statement,
        cst.AssignTarget: _assign_target,
        cst.AnnAssign: _ann_assign,
        cst.AugAssign: _aug_assign,
        cst.For: _for,
        cst.WithItem: _with_item,
        cst.AsName: _as_name,
        cst.ExceptHandler: _except,
        cst.NamedExpr: _named_expr,
        cst.Del: _del,
        cst.Attribute: _attribute,
        cst.Subscript: _subscript,
        cst.Arg: _arg,
        cst.Import: _import,
        cst.ImportFrom: _import,
        cst.Global: _declaration,
        cst.Nonlocal: _declaration,
        cst.MatchAs: _match_capture,
        cst.MatchStar: _match_capture,
        cst.MatchMapping: _match_mapping,
        cst.MatchKeywordElement: _match_keyword,
    }
    if hasattr(cst, "ExceptStarHandler"):
        _SPECIAL[cst.ExceptStarHandler] = _except

    def _resolve_accesses(self) -> None:
        for access in self.accesses.values():
            referents = self._visible(access.scope, access.node.value, access.index)
            access.referents = referents
            for assignment in referents:
                assignment.references.append(access)

    def _visible(self, scope: Scope, name: str, index: int) -> Set[BaseAssignment]:
        home = scope.binding_scope(name)
        if home is None:
            builtin = _builtin(name, scope.globals)
            return {builtin} if builtin is not None else set()
        assignments = home.assignments[name]
        if home is not scope:
            return set(assignments)
        earlier = {assignment for assignment in assignments if assignment.index < index}
        if earlier or scope.parent is None:
            return earlier
        # read before any assignment in this scope: what the enclosing scopes bind (as libcst)
        outer = scope._enclosing_binding(name)
        if outer is not None:
            return set(outer.assignments[name])
        builtin = _builtin(name, scope.globals)
        return {builtin} if builtin is not None else set()


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
