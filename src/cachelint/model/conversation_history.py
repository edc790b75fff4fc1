"""The conversation history a request sends: which list it is, how the code changes it, and
whether it really is re-sent turn after turn.

CL204 (history rewritten) and CL302 (conversation without a history breakpoint) both need these
facts, and need them stricter than "the list is appended somewhere": a list built fresh inside a
function and appended once before a single call is not a conversation. A history is re-sent when
it outlives one call (a `self.` attribute, Streamlit session state, a module-level or enclosing
function's list, a caller's list the function stores the reply in) or when the call sits in a
loop that appends to a list created before the loop.

Every reference to the list is found through the scope analysis (names), the class body
(`self.<name>`) or the module (`st.session_state.<name>`), never by matching text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst
from cachelint.syntax.scopes import Assignment, GlobalScope

from cachelint.model.request import Request

MAX_ALIAS_DEPTH = 4
# Dropping this many of the oldest messages at a time is a sliding window, whatever the condition.
SMALL_FRONT_REMOVAL = 2
CONDITIONS = (cst.If, cst.While, cst.IfExp, cst.ExceptHandler, cst.BooleanOperation)
SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class UseKind(str, enum.Enum):
    GROW = "grow"  # append / extend / += / `h = h + [...]` / `h = [*h, ...]`
    FRONT_REMOVE = "front-remove"  # the oldest message(s) dropped: pop(0), del h[0], del h[:k], h = h[k:]
    WINDOW = "window"  # only the newest N kept: h[-N:], del h[:-N], h = h[len(h) - N:]
    REWRITE = "rewrite"  # replaced by a list derived from it: summarize(h), [summary] + h[-4:]
    RESET = "reset"  # a new conversation: h = [], h.clear(), h = [system_message]
    OTHER = "other"  # copies, removals at the end, edits this module does not judge


FRONT_TRIMS = (UseKind.FRONT_REMOVE, UseKind.WINDOW)


@dataclass(frozen=True)
class HistoryUse:
    kind: UseKind
    node: cst.CSTNode  # what to report: the call, the `del`, the assignment, the slice
    start: int  # offset of `node`, for ordering
    removed: Optional[int] = None  # FRONT_REMOVE: how many of the oldest messages, when constant
    window: Optional[cst.CSTNode] = None  # WINDOW: the size expression (`N` in `h[-N:]`)
    sent: bool = False  # a slice inside the `messages=` value itself


@dataclass(frozen=True)
class History:
    name: str  # as written: `history`, `self.messages`, `st.session_state.messages`
    kind: str  # "local" | "parameter" | "persistent"
    uses: Tuple[HistoryUse, ...]
    sent_windows: Tuple[HistoryUse, ...]  # front-trimming slices inside the `messages=` value
    resent: bool  # appended and sent again: a conversation
    region: Optional[cst.CSTNode]  # the code that runs once per turn (the loop, or the function)
    ref: Optional[_Ref] = field(default=None, compare=False, hash=False, repr=False)


# ---------------------------------------------------------------------------------------------
# References to one list
# ---------------------------------------------------------------------------------------------


class _Ref:
    """Every expression that denotes the same list."""

    name: str = ""
    kind: str = "local"

    def matches(self, node: cst.CSTNode) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def nodes(self) -> List[cst.CSTNode]:  # pragma: no cover - abstract
        raise NotImplementedError

    def bindings(self) -> List[cst.CSTNode]:
        """Nodes that bind the list when it is first created (assignment targets, parameters)."""
        return []


class _NameRef(_Ref):
    def __init__(self, resolver, name: cst.Name, assignments: Sequence[Assignment], kind: str):
        self.name = name.value
        self.kind = kind
        self._assignments = list(assignments)
        found: Dict[int, cst.CSTNode] = {}
        scope = self._assignments[0].scope
        for assignment in self._assignments:
            if isinstance(assignment.node, cst.Name):
                found[id(assignment.node)] = assignment.node
            for access in assignment.references:
                if isinstance(access.node, cst.Name):
                    found[id(access.node)] = access.node
        try:
            for access in scope.accesses[self.name]:
                if isinstance(access.node, cst.Name):
                    found[id(access.node)] = access.node
        except Exception:  # a scope without recorded accesses for the name
            pass
        self._nodes = found

    def matches(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Name) and id(node) in self._nodes

    def nodes(self) -> List[cst.CSTNode]:
        return list(self._nodes.values())

    def bindings(self) -> List[cst.CSTNode]:
        return [a.node for a in self._assignments]


class _SelfRef(_Ref):
    kind = "persistent"

    def __init__(self, klass: cst.ClassDef, attribute: str):
        self.name = f"self.{attribute}"
        self.attribute = attribute
        found: List[cst.CSTNode] = []
        matches = self.matches

        class _Collector(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                if matches(node):
                    found.append(node)

        klass.visit(_Collector())
        self._nodes = found

    def matches(self, node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value == "self"
            and node.attr.value == self.attribute
        )

    def nodes(self) -> List[cst.CSTNode]:
        return list(self._nodes)


class _SessionRef(_Ref):
    """`st.session_state.messages` / `st.session_state["messages"]`: kept across Streamlit reruns."""

    kind = "persistent"

    def __init__(self, module: cst.Module, key: str, written: str):
        self.name = written
        self.key = key
        found: List[cst.CSTNode] = []
        matches = self.matches

        class _Collector(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                if matches(node):
                    found.append(node)
                return True

        module.visit(_Collector())
        self._nodes = found

    def matches(self, node: cst.CSTNode) -> bool:
        return _session_key(node) == self.key

    def nodes(self) -> List[cst.CSTNode]:
        return list(self._nodes)


def _session_key(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.Attribute):
        holder, key = node.value, node.attr.value
    elif isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        index = node.slice[0].slice.value
        if not isinstance(index, cst.SimpleString):
            return None
        holder, key = node.value, index.evaluated_value
        if not isinstance(key, str):
            return None
    else:
        return None
    if isinstance(holder, cst.Attribute) and holder.attr.value == "session_state":
        return key
    return None


# ---------------------------------------------------------------------------------------------
# The analysis
# ---------------------------------------------------------------------------------------------


class _Analysis:
    def __init__(self, ctx, request: Request):
        self.ctx = ctx
        self.resolver = ctx.resolver
        self.request = request
        self.call = request.call.node

    # -- which list is sent --------------------------------------------------------------------
    def base(self, expression: cst.CSTNode, depth: int = 0) -> Tuple[Optional[_Ref], List[cst.Subscript]]:
        """The history list inside the `messages=` value, and the slices applied to it there."""
        if depth > MAX_ALIAS_DEPTH:
            return None, []
        if isinstance(expression, cst.Subscript):
            if _session_key(expression) is not None:
                return self._session(expression), []
            ref, slices = self.base(expression.value, depth)
            if ref is not None and ref.matches(expression.value) and _slice_of(expression) is not None:
                slices = slices + [expression]
            return ref, slices
        if isinstance(expression, cst.Attribute):
            if _session_key(expression) is not None:
                return self._session(expression), []
            if isinstance(expression.value, cst.Name) and expression.value.value == "self":
                klass = self.resolver.enclosing(expression, cst.ClassDef)
                if klass is not None:
                    return _SelfRef(klass, expression.attr.value), []
            return None, []
        if isinstance(expression, cst.Name):
            ref = self._name(expression)
            if ref is None:
                return None, []
            alias = self._alias_value(ref)
            if alias is not None:
                inner, slices = self.base(alias, depth + 1)
                if inner is not None:
                    return inner, slices
            return ref, []
        if isinstance(expression, cst.BinaryOperation) and isinstance(expression.operator, cst.Add):
            for side in (expression.left, expression.right):
                ref, slices = self.base(side, depth)
                if ref is not None:
                    return ref, slices
            return None, []
        if isinstance(expression, (cst.List, cst.Tuple)):
            for element in expression.elements:
                if isinstance(element, cst.StarredElement):
                    ref, slices = self.base(element.value, depth)
                    if ref is not None:
                        return ref, slices
            return None, []
        if isinstance(expression, cst.Call) and _is_copy(expression):
            return self.base(_copied(expression), depth)
        return None, []

    def _session(self, node: cst.CSTNode) -> _SessionRef:
        return _SessionRef(self.resolver.module, _session_key(node) or "", self.resolver.short(node))

    def _name(self, name: cst.Name) -> Optional[_NameRef]:
        referents = [r for r in (self.resolver._referents(name) or ()) if isinstance(r, Assignment)]
        if not referents:
            return None
        scope = referents[0].scope
        if any(r.scope is not scope for r in referents):
            return None
        try:
            assignments = [a for a in scope.assignments[name.value] if isinstance(a, Assignment)]
        except Exception:
            assignments = referents
        if any(isinstance(a.node, cst.Param) for a in assignments):
            kind = "parameter"
        else:
            call_scope = self.resolver.scopes.get(self.call)
            kind = "local" if call_scope is scope else "persistent"
            if kind == "persistent" and isinstance(scope, GlobalScope) and self._function() is None:
                kind = "local"
        return _NameRef(self.resolver, name, assignments, kind)

    def _alias_value(self, ref: _NameRef) -> Optional[cst.BaseExpression]:
        """`msgs = history[-10:]` (one assignment, never grown itself): follow it to `history`."""
        if ref.kind != "local":
            return None
        values = []
        for node in ref.bindings():
            holder = self.resolver.parent(node)
            if not isinstance(holder, cst.AssignTarget) or holder.target is not node:
                return None
            values.append(self.resolver.parent(holder).value)
        if len(values) != 1:
            return None
        if any(self.classify(ref, node)[0] is UseKind.GROW for node in ref.nodes()):
            return None
        return values[0]

    # -- how the list is changed -----------------------------------------------------------------
    def classify(self, ref: _Ref, node: cst.CSTNode) -> Tuple[Optional[UseKind], Optional[cst.CSTNode], Optional[int], Optional[cst.CSTNode]]:
        """(kind, node to report, oldest messages removed, window size) for one reference."""
        parent = self.resolver.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            call = self.resolver.parent(parent)
            if not (isinstance(call, cst.Call) and call.func is parent):
                return None, None, None, None
            method = parent.attr.value
            if method in ("append", "extend"):
                return UseKind.GROW, call, None, None
            if method == "insert":
                index = _int(call.args[0].value) if call.args else None
                return (UseKind.OTHER if index == 0 else UseKind.GROW), call, None, None
            if method == "pop" and call.args:
                index = _int(call.args[0].value)
                if index is not None and index >= 0:
                    return UseKind.FRONT_REMOVE, call, 1, None
                return UseKind.OTHER, call, None, None
            if method == "clear":
                return UseKind.RESET, call, None, None
            return UseKind.OTHER, call, None, None
        if isinstance(parent, cst.Subscript) and parent.value is node:
            statement = _del_statement(self.resolver, parent)
            if statement is not None:
                kind, removed, window = _deleted(parent)
                return kind, statement, removed, window
            holder = self.resolver.parent(parent)
            if isinstance(holder, cst.AssignTarget) and holder.target is parent:
                assign = self.resolver.parent(holder)
                if _is_full_slice(parent) and isinstance(assign, cst.Assign):
                    kind, removed, window = self.classify_value(ref, assign.value)
                    return kind, assign, removed, window
                return UseKind.OTHER, assign, None, None
            return None, None, None, None
        if isinstance(parent, cst.AugAssign) and parent.target is node:
            return (UseKind.GROW if isinstance(parent.operator, cst.AddAssign) else UseKind.OTHER), parent, None, None
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            assign = self.resolver.parent(parent)
            if isinstance(assign, cst.Assign):
                kind, removed, window = self.classify_value(ref, assign.value)
                return kind, assign, removed, window
        if isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value is not None:
            kind, removed, window = self.classify_value(ref, parent.value)
            return kind, parent, removed, window
        return None, None, None, None

    def classify_value(self, ref: _Ref, value: cst.BaseExpression) -> Tuple[UseKind, Optional[int], Optional[cst.CSTNode]]:
        """What `history = <value>` does to the conversation."""
        if not _mentions(ref, value):
            return UseKind.RESET, None, None
        if ref.matches(value):
            return UseKind.OTHER, None, None
        if isinstance(value, cst.IfExp):
            # `h[-N:] if len(h) > N else h`: judged by the branch that changes the list
            for changed, kept in ((value.body, value.orelse), (value.orelse, value.body)):
                if ref.matches(kept):
                    return self.classify_value(ref, changed)
            return UseKind.REWRITE, None, None
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            operands = _flatten_add(value)
            if ref.matches(operands[0]) and not any(_mentions(ref, o) for o in operands[1:]):
                return UseKind.GROW, None, None
            return UseKind.REWRITE, None, None
        if isinstance(value, cst.List) and value.elements:
            first = value.elements[0]
            appended = value.elements[1:]
            if isinstance(first, cst.StarredElement) and ref.matches(first.value) and not any(_mentions(ref, e.value) for e in appended):
                return UseKind.GROW, None, None
            return UseKind.REWRITE, None, None
        if isinstance(value, cst.Call) and _is_copy(value) and ref.matches(_copied(value)):
            return UseKind.OTHER, None, None
        if isinstance(value, cst.Subscript) and ref.matches(value.value):
            sliced = _slice_of(value)
            if sliced is None:
                return UseKind.OTHER, None, None
            lower, upper, step = sliced
            if step is not None or upper is not None:
                return UseKind.OTHER, None, None
            window = _window_size(self, ref, lower)
            if window is not None:
                return UseKind.WINDOW, None, window
            count = _int(lower) if lower is not None else 0
            if count is not None and count > 0:
                return UseKind.FRONT_REMOVE, count, None
            if count == 0:
                return UseKind.OTHER, None, None
            return UseKind.FRONT_REMOVE, None, None
        return UseKind.REWRITE, None, None

    # -- where turns happen --------------------------------------------------------------------
    def _function(self) -> Optional[cst.CSTNode]:
        return self.request.repetition.function_node

    def loops_around_call(self) -> List[cst.CSTNode]:
        """Loops around the call inside its own function, innermost first."""
        found = []
        for ancestor in self.resolver.ancestors(self.call):
            if isinstance(ancestor, SCOPES):
                break
            if isinstance(ancestor, (cst.For, cst.While)):
                found.append(ancestor)
        return found

    def inside(self, node: cst.CSTNode, container: Optional[cst.CSTNode]) -> bool:
        if container is None:
            return True
        for ancestor in self.resolver.ancestors(node):
            if ancestor is container:
                return True
        return node is container

    def conditional(self, node: cst.CSTNode, region: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
        """The innermost if/while/except around `node` inside `region` that does not also hold the
        call (a rewrite in the same branch as the call runs whenever the call does)."""
        for ancestor in self.resolver.ancestors(node):
            if ancestor is region or isinstance(ancestor, SCOPES):
                return None
            if isinstance(ancestor, CONDITIONS) and not self.inside(self.call, ancestor):
                return ancestor
        return None

    def start(self, node: cst.CSTNode) -> int:
        return self.ctx.span(node)[0]


def find_history(ctx, request: Request) -> Optional[History]:
    """The history the request sends, when its `messages=` value is a list that is appended to
    (whether it is re-sent is `History.resent`); None otherwise."""
    if ctx.resolver is None or request.call.node is None:
        return None
    arg = request.messages.arg
    if arg is None:
        return None
    analysis = _Analysis(ctx, request)
    ref, slices = analysis.base(arg.value)
    if ref is None:
        return None
    classified = [(node,) + analysis.classify(ref, node) for node in ref.nodes()]
    if not any(kind is UseKind.GROW for _, kind, _, _, _ in classified):
        return None  # never appended: not a conversation (and no positions computed for nothing)
    uses: List[HistoryUse] = []
    for _, kind, report, removed, window in classified:
        if kind is None or report is None:
            continue
        uses.append(HistoryUse(kind, report, analysis.start(report), removed, window))
    uses.sort(key=lambda u: u.start)
    sent_windows = []
    for subscript in slices:
        lower = _slice_of(subscript)[0]  # type: ignore[index]
        window = _window_size(analysis, ref, lower)
        if window is not None:
            sent_windows.append(HistoryUse(UseKind.WINDOW, subscript, analysis.start(subscript), None, window, sent=True))
    resent, region, kind = _resent(analysis, ref, uses)
    return History(ref.name, kind, tuple(uses), tuple(sent_windows), resent, region, ref)


def _resent(analysis: _Analysis, ref: _Ref, uses: List[HistoryUse]) -> Tuple[bool, Optional[cst.CSTNode], str]:
    """Is the list appended and sent again? Also returns the per-turn region and the kind."""
    call = analysis.call
    function = analysis._function()
    call_start = analysis.start(call)
    kind = ref.kind
    grows = [u for u in uses if u.kind is UseKind.GROW]
    if kind == "persistent":
        # reset unconditionally earlier in the same function: fresh on every call of it
        fresh = [
            u for u in uses
            if u.kind is UseKind.RESET and u.start < call_start
            and analysis.resolver.enclosing(u.node, SCOPES) is function
            and analysis.conditional(u.node, function) is None
            and not any(analysis.inside(u.node, loop) for loop in analysis.loops_around_call())
        ]
        if not fresh:
            return bool(grows), function, kind
        kind = "local"
    if kind == "parameter":
        after = [u for u in grows if u.start > call_start and analysis.inside(u.node, function)]
        if after:
            return True, function, kind
    for loop in analysis.loops_around_call():
        if not any(analysis.inside(u.node, loop) for u in grows):
            continue
        resets_inside = [
            u for u in uses
            if u.kind is UseKind.RESET and analysis.inside(u.node, loop) and analysis.conditional(u.node, loop) is None
        ]
        if resets_inside:
            continue
        if kind == "parameter" or any(not analysis.inside(b, loop) for b in ref.bindings()) or any(
            u.kind is UseKind.RESET and not analysis.inside(u.node, loop) for u in uses
        ):
            return True, loop, kind
    return False, None, kind


def per_turn_rewrites(ctx, request: Request, history: History) -> List[HistoryUse]:
    """The changes that make every turn's history start differently from the last turn's.

    A sliding window (`h[-N:]`, `pop(0)`, `del h[0]`) drops the oldest message on every turn once
    the cap is reached. A rewrite run on every turn (`h = summarize(h)`) does the same. Trimming
    or summarising in large steps under a condition misses once per step (compaction): fine.
    """
    if not history.resent:
        return []
    analysis = _Analysis(ctx, request)
    found: List[HistoryUse] = list(history.sent_windows)
    region = history.region
    for use in history.uses:
        if use.kind not in FRONT_TRIMS and use.kind is not UseKind.REWRITE:
            continue
        in_region = analysis.inside(use.node, region)
        # a helper elsewhere (`def _trim(self)`) may run on every turn; code before the loop runs once
        elsewhere = not in_region and analysis.resolver.enclosing(use.node, SCOPES) is not analysis._function()
        if not (in_region or elsewhere):
            continue
        condition = analysis.conditional(use.node, region if in_region else None)
        small = use.kind is UseKind.FRONT_REMOVE and use.removed is not None and use.removed <= SMALL_FRONT_REMOVAL
        capped = (
            condition is not None and use.window is not None and history.ref is not None
            and _caps_length_at(analysis, history.ref, condition, use.window)
        )
        if use.kind in FRONT_TRIMS and (small or capped):
            found.append(use)  # `while len(h) > N: h.pop(0)` / `if len(h) > N: h = h[-N:]`: slides every turn
        elif in_region and condition is None:
            found.append(use)
    found.sort(key=lambda u: u.start)
    return found


# ---------------------------------------------------------------------------------------------
# Small syntax helpers
# ---------------------------------------------------------------------------------------------


def _int(node: Optional[cst.CSTNode]) -> Optional[int]:
    if isinstance(node, cst.Integer):
        try:
            return int(node.evaluated_value)
        except Exception:
            return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _int(node.expression)
        return -inner if inner is not None else None
    return None


def _slice_of(subscript: cst.Subscript) -> Optional[Tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression], Optional[cst.BaseExpression]]]:
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Slice):
        return None
    part = subscript.slice[0].slice
    return part.lower, part.upper, part.step


def _is_full_slice(subscript: cst.Subscript) -> bool:
    sliced = _slice_of(subscript)
    return sliced is not None and all(p is None for p in sliced)


def _is_negative(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.FloorDivide)):
        return _is_negative(node.left) != _is_negative(node.right)
    return False


def _window_size(analysis: _Analysis, ref: _Ref, lower: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
    """`N` when a slice's lower bound keeps only the newest N messages: `-N`, `len(h) - N`,
    `max(0, len(h) - N)`; None otherwise (a fixed offset like `h[1:]` keeps the prefix stable)."""
    if lower is None:
        return None
    if _is_negative(lower):
        if isinstance(lower, cst.UnaryOperation):
            return lower.expression
        return lower
    if isinstance(lower, cst.Name):
        value = analysis.resolver.resolve(lower)
        if getattr(value, "value", None) is not None and isinstance(value.value, int) and not isinstance(value.value, bool):
            return lower if value.value < 0 else None
        return None
    found: List[cst.CSTNode] = []

    class _LenMinus(cst.CSTVisitor):
        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if isinstance(node.operator, cst.Subtract) and _is_len_of(ref, node.left):
                found.append(node.right)

    lower.visit(_LenMinus())
    return found[0] if found else None


def _is_len_of(ref: _Ref, node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "len"
        and len(node.args) == 1
        and ref.matches(node.args[0].value)
    )


def _deleted(subscript: cst.Subscript) -> Tuple[UseKind, Optional[int], Optional[cst.CSTNode]]:
    """`del h[...]`: which messages go."""
    if len(subscript.slice) != 1:
        return UseKind.OTHER, None, None
    part = subscript.slice[0].slice
    if isinstance(part, cst.Index):
        index = _int(part.value)
        if index is not None and index >= 0:
            return UseKind.FRONT_REMOVE, 1, None
        return UseKind.OTHER, None, None
    if not isinstance(part, cst.Slice) or part.step is not None:
        return UseKind.OTHER, None, None
    lower = _int(part.lower) if part.lower is not None else 0
    if lower != 0 or part.upper is None:
        return UseKind.OTHER, None, None
    if _is_negative(part.upper):
        size = part.upper.expression if isinstance(part.upper, cst.UnaryOperation) else part.upper
        return UseKind.WINDOW, None, size
    count = _int(part.upper)
    return UseKind.FRONT_REMOVE, count, None


def _del_statement(resolver, subscript: cst.Subscript) -> Optional[cst.Del]:
    node: cst.CSTNode = subscript
    while True:
        parent = resolver.parent(node)
        if isinstance(parent, cst.Del):
            return parent
        if isinstance(parent, (cst.Element, cst.Tuple, cst.List)):
            node = parent
            continue
        return None


def _mentions(ref: _Ref, node: cst.CSTNode) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def on_visit(self, visited: cst.CSTNode) -> bool:
            nonlocal found
            if found:
                return False
            if ref.matches(visited):
                found = True
                return False
            return True

    node.visit(_Finder())
    return found


def _caps_length_at(analysis: _Analysis, ref: _Ref, condition: cst.CSTNode, size: cst.CSTNode) -> bool:
    """Does the condition compare `len(history)` with the window's own size (`len(h) > N` for
    `h[-N:]`)? Then the trim runs on every turn past N. A larger threshold is compaction."""
    wanted = " ".join(analysis.resolver.code(size).split())
    found = False

    def same(node: cst.CSTNode) -> bool:
        return " ".join(analysis.resolver.code(node).split()) == wanted

    class _Finder(cst.CSTVisitor):
        def visit_Comparison(self, node: cst.Comparison) -> None:
            nonlocal found
            operands = [node.left] + [target.comparator for target in node.comparisons]
            if any(_is_len_of(ref, o) for o in operands) and any(same(o) for o in operands):
                found = True

    test = getattr(condition, "test", None)
    (test if test is not None else condition).visit(_Finder())
    return found


def _flatten_add(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _is_copy(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Name) and func.value == "list" and len(call.args) == 1:
        return True
    if isinstance(func, cst.Attribute) and func.attr.value == "copy" and not call.args:
        return True
    # copy.copy(h) / copy.deepcopy(h)
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in ("copy", "deepcopy")
        and isinstance(func.value, cst.Name)
        and func.value.value == "copy"
        and len(call.args) == 1
    )


def _copied(call: cst.Call) -> cst.BaseExpression:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "copy" and not call.args:
        return func.value
    return call.args[0].value


def describe(ctx, node: cst.CSTNode, limit: int = 60) -> str:
    """A use as the user wrote it, on one line."""
    return ctx.resolver.short(node, limit)

