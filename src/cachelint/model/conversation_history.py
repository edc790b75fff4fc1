"""The conversation history a request sends: which list it is, how the code changes it, and
whether it really is re-sent turn after turn.

CL204 (history rewritten) and CL302 (conversation without a history breakpoint) both need these
facts, and need them stricter than "the list is appended somewhere": a list built fresh inside a
function and appended once before a single call is not a conversation. A history is re-sent when
it outlives one call (a `self.` attribute, Streamlit session state, a module-level or enclosing
function's list, a caller's list the function stores the reply in) or when the call sits in a
loop that appends to a list created before the loop.

Every reference to the list is found through the scope analysis (names), the class body
(`self.<name>`) or the module (`st.session_state.<name>`), never by matching text. The entry
point is `analyze_history`, called by `conversation.ConversationAnalyzer` while the request
model is built.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst
from cachelint.syntax.scopes import Assignment, GlobalScope

from cachelint.model.conversation_facts import (
    ConversationHistory,
    HistoryKind,
    HistoryUse,
    MarkerMention,
    UseKind,
)

MAX_ALIAS_DEPTH = 4
# Dropping this many of the oldest messages at a time is a sliding window, whatever the condition.
SMALL_FRONT_REMOVAL = 2
CONDITIONS = (cst.If, cst.While, cst.IfExp, cst.ExceptHandler, cst.BooleanOperation)
SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
# How a use is written in a message: one line, at most this many characters.
WRITTEN_LIMIT = 60


# ---------------------------------------------------------------------------------------------
# References to one list
# ---------------------------------------------------------------------------------------------


class _Ref:
    """Every expression that denotes the same list."""

    name: str = ""
    kind: HistoryKind = HistoryKind.LOCAL

    def matches(self, node: cst.CSTNode) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def nodes(self) -> List[cst.CSTNode]:  # pragma: no cover - abstract
        raise NotImplementedError

    def bindings(self) -> List[cst.CSTNode]:
        """Nodes that bind the list when it is first created (assignment targets, parameters)."""
        return []


class _NameRef(_Ref):
    def __init__(self, name: cst.Name, assignments: Sequence[Assignment], kind: HistoryKind):
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
    kind = HistoryKind.PERSISTENT

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

    kind = HistoryKind.PERSISTENT

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
    def __init__(self, resolver, positions, call: cst.Call, function: Optional[cst.CSTNode]):
        self.resolver = resolver
        self.positions = positions  # syntax.positions.LazyPositions of the resolver's module
        self.call = call
        self.function = function  # the function holding the call (Repetition.function_node)

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
            kind = HistoryKind.PARAMETER
        else:
            call_scope = self.resolver.scopes.get(self.call)
            kind = HistoryKind.LOCAL if call_scope is scope else HistoryKind.PERSISTENT
            if kind is HistoryKind.PERSISTENT and isinstance(scope, GlobalScope) and self.function is None:
                kind = HistoryKind.LOCAL
        return _NameRef(name, assignments, kind)

    def _alias_value(self, ref: _NameRef) -> Optional[cst.BaseExpression]:
        """`msgs = history[-10:]` (one assignment, never grown itself): follow it to `history`."""
        if ref.kind is not HistoryKind.LOCAL:
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

    def start(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Where `node` starts, (line, column): orders uses in the source."""
        position = self.positions[node].start
        return (position.line, position.column)

    def use(self, kind: UseKind, node: cst.CSTNode, removed=None, window=None, sent: bool = False) -> HistoryUse:
        return HistoryUse(
            kind, self.resolver.short(node, WRITTEN_LIMIT), self.start(node), removed, sent, node, window
        )


def analyze_history(
    resolver,
    positions,
    call: Optional[cst.Call],
    messages_arg: Optional[cst.Arg],
    function: Optional[cst.CSTNode],
    marker_mentions: Callable[[], Tuple[MarkerMention, ...]],
) -> Optional[ConversationHistory]:
    """The history a request sends, when its `messages=` value is a list that is appended to
    (whether it is re-sent is `ConversationHistory.resent`); None otherwise.

    `function` is the function holding the call; `marker_mentions` lists the module's
    `cache_control` mentions (asked only for a re-sent history: it walks the whole module)."""
    if resolver is None or call is None or messages_arg is None:
        return None
    analysis = _Analysis(resolver, positions, call, function)
    ref, slices = analysis.base(messages_arg.value)
    if ref is None:
        return None
    classified = [(node,) + analysis.classify(ref, node) for node in ref.nodes()]
    if not any(kind is UseKind.GROW for _, kind, _, _, _ in classified):
        return None  # never appended: not a conversation (and no positions computed for nothing)
    uses: List[HistoryUse] = []
    for _, kind, report, removed, window in classified:
        if kind is None or report is None:
            continue
        uses.append(analysis.use(kind, report, removed, window))
    uses.sort(key=lambda u: u.position)
    sent_windows = []
    for subscript in slices:
        lower = _slice_of(subscript)[0]  # type: ignore[index]
        window = _window_size(analysis, ref, lower)
        if window is not None:
            sent_windows.append(analysis.use(UseKind.WINDOW, subscript, None, window, sent=True))
    resent, region, kind = _resent(analysis, ref, uses)
    rewrites: Tuple[HistoryUse, ...] = ()
    tool_results = False
    mentions: Tuple[MarkerMention, ...] = ()
    if resent:
        rewrites = tuple(_per_turn_rewrites(analysis, ref, uses, sent_windows, region))
        tool_results = _mentions_tool_results(region or function)
        mentions = marker_mentions()
    return ConversationHistory(
        name=ref.name,
        kind=kind,
        uses=tuple(uses),
        sent_windows=tuple(sent_windows),
        resent=resent,
        per_turn_rewrites=rewrites,
        tool_results_each_turn=tool_results,
        marker_mentions=mentions,
        region=region,
        definitions=tuple(ref.bindings()),
    )


def _resent(analysis: _Analysis, ref: _Ref, uses: List[HistoryUse]) -> Tuple[bool, Optional[cst.CSTNode], HistoryKind]:
    """Is the list appended and sent again? Also returns the per-turn region and the kind."""
    call = analysis.call
    function = analysis.function
    call_start = analysis.start(call)
    kind = ref.kind
    grows = [u for u in uses if u.kind is UseKind.GROW]
    if kind is HistoryKind.PERSISTENT:
        # reset unconditionally earlier in the same function: fresh on every call of it
        fresh = [
            u for u in uses
            if u.kind is UseKind.RESET and u.position < call_start
            and analysis.resolver.enclosing(u.node, SCOPES) is function
            and analysis.conditional(u.node, function) is None
            and not any(analysis.inside(u.node, loop) for loop in analysis.loops_around_call())
        ]
        if not fresh:
            return bool(grows), function, kind
        kind = HistoryKind.LOCAL
    if kind is HistoryKind.PARAMETER:
        after = [u for u in grows if u.position > call_start and analysis.inside(u.node, function)]
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
        if kind is HistoryKind.PARAMETER or any(not analysis.inside(b, loop) for b in ref.bindings()) or any(
            u.kind is UseKind.RESET and not analysis.inside(u.node, loop) for u in uses
        ):
            return True, loop, kind
    return False, None, kind


def _per_turn_rewrites(
    analysis: _Analysis,
    ref: _Ref,
    uses: List[HistoryUse],
    sent_windows: List[HistoryUse],
    region: Optional[cst.CSTNode],
) -> List[HistoryUse]:
    """The changes that make every turn's history start differently from the last turn's.

    A sliding window (`h[-N:]`, `pop(0)`, `del h[0]`) drops the oldest message on every turn once
    the cap is reached. A rewrite run on every turn (`h = summarize(h)`) does the same. Trimming
    or summarising in large steps under a condition misses once per step (compaction): fine.
    """
    found: List[HistoryUse] = list(sent_windows)
    for use in uses:
        if not use.kind.trims_front and use.kind is not UseKind.REWRITE:
            continue
        in_region = analysis.inside(use.node, region)
        # a helper elsewhere (`def _trim(self)`) may run on every turn; code before the loop runs once
        elsewhere = not in_region and analysis.resolver.enclosing(use.node, SCOPES) is not analysis.function
        if not (in_region or elsewhere):
            continue
        condition = analysis.conditional(use.node, region if in_region else None)
        small = use.kind is UseKind.FRONT_REMOVE and use.removed is not None and use.removed <= SMALL_FRONT_REMOVAL
        capped = (
            condition is not None and use.window is not None
            and _caps_length_at(analysis, ref, condition, use.window)
        )
        if use.kind.trims_front and (small or capped):
            found.append(use)  # `while len(h) > N: h.pop(0)` / `if len(h) > N: h = h[-N:]`: slides every turn
        elif in_region and condition is None:
            found.append(use)
    found.sort(key=lambda u: u.position)
    return found


def _mentions_tool_results(region: Optional[cst.CSTNode]) -> bool:
    """Tool results are appended in the code that runs each turn: an agent loop."""
    if region is None:
        return False
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            nonlocal found
            try:
                found = found or node.evaluated_value == "tool_result"
            except Exception:
                pass

    region.visit(_Finder())
    return found


def marker_mentions(resolver) -> Tuple[MarkerMention, ...]:
    """Every `cache_control` the module names: as a string (`"cache_control"`, `"cache-control"`,
    `"cacheControl"`) or as a keyword argument, with the nodes around each."""
    mentions: List[cst.CSTNode] = []

    class _Finder(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            try:
                value = node.evaluated_value
            except Exception:
                return
            if value in ("cache_control", "cache-control", "cacheControl"):
                mentions.append(node)

        def visit_Arg(self, node: cst.Arg) -> None:
            if node.keyword is not None and node.keyword.value == "cache_control":
                mentions.append(node)

    resolver.module.visit(_Finder())
    return tuple(MarkerMention(node, tuple(resolver.ancestors(node))) for node in mentions)


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
