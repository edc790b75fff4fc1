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

from typing import Callable, List, Optional, Tuple

import libcst as cst

from cachelint.model.conversation_facts import (
    ConversationHistory,
    HistoryKind,
    HistoryUse,
    MarkerMention,
    UseKind,
)
from cachelint.model.conversation_refs import (
    HistoryRef,
    NameRef,
    SelfRef,
    SessionRef,
    copied,
    del_statement,
    deleted,
    flatten_add,
    int_value,
    is_copy,
    is_full_slice,
    is_len_of,
    is_negative,
    mentions_list,
    session_key,
    slice_parts,
)
from cachelint.syntax.scopes import Assignment, GlobalScope
from cachelint.syntax.treewalk import walk

MAX_ALIAS_DEPTH = 4
# Dropping this many of the oldest messages at a time is a sliding window, whatever the condition.
SMALL_FRONT_REMOVAL = 2
CONDITIONS = (cst.If, cst.While, cst.IfExp, cst.ExceptHandler, cst.BooleanOperation)
SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
# How a use is written in a message: one line, at most this many characters.
WRITTEN_LIMIT = 60


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
    def base(self, expression: cst.CSTNode, depth: int = 0) -> Tuple[Optional[HistoryRef], List[cst.Subscript]]:
        """The history list inside the `messages=` value, and the slices applied to it there."""
        if depth > MAX_ALIAS_DEPTH:
            return None, []
        if isinstance(expression, cst.Subscript):
            if session_key(expression) is not None:
                return self._session(expression), []
            ref, slices = self.base(expression.value, depth)
            if ref is not None and ref.matches(expression.value) and slice_parts(expression) is not None:
                slices = slices + [expression]
            return ref, slices
        if isinstance(expression, cst.Attribute):
            if session_key(expression) is not None:
                return self._session(expression), []
            if isinstance(expression.value, cst.Name) and expression.value.value == "self":
                klass = self.resolver.enclosing(expression, cst.ClassDef)
                if klass is not None:
                    return SelfRef(klass, expression.attr.value), []
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
        if isinstance(expression, cst.Call) and is_copy(expression):
            return self.base(copied(expression), depth)
        return None, []

    def _session(self, node: cst.CSTNode) -> SessionRef:
        return SessionRef(self.resolver.module, session_key(node) or "", self.resolver.short(node))

    def _name(self, name: cst.Name) -> Optional[NameRef]:
        referents = [r for r in (self.resolver.referents(name) or ()) if isinstance(r, Assignment)]
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
        return NameRef(name, assignments, kind)

    def _alias_value(self, ref: NameRef) -> Optional[cst.BaseExpression]:
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
    def classify(self, ref: HistoryRef, node: cst.CSTNode) -> Tuple[Optional[UseKind], Optional[cst.CSTNode], Optional[int], Optional[cst.CSTNode]]:
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
                index = int_value(call.args[0].value) if call.args else None
                return (UseKind.OTHER if index == 0 else UseKind.GROW), call, None, None
            if method == "pop" and call.args:
                index = int_value(call.args[0].value)
                if index is not None and index >= 0:
                    return UseKind.FRONT_REMOVE, call, 1, None
                return UseKind.OTHER, call, None, None
            if method == "clear":
                return UseKind.RESET, call, None, None
            return UseKind.OTHER, call, None, None
        if isinstance(parent, cst.Subscript) and parent.value is node:
            statement = del_statement(self.resolver, parent)
            if statement is not None:
                kind, removed, window = deleted(parent)
                return kind, statement, removed, window
            holder = self.resolver.parent(parent)
            if isinstance(holder, cst.AssignTarget) and holder.target is parent:
                assign = self.resolver.parent(holder)
                if is_full_slice(parent) and isinstance(assign, cst.Assign):
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

    def classify_value(self, ref: HistoryRef, value: cst.BaseExpression) -> Tuple[UseKind, Optional[int], Optional[cst.CSTNode]]:
        """What `history = <value>` does to the conversation."""
        if not mentions_list(ref, value):
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
            operands = flatten_add(value)
            if ref.matches(operands[0]) and not any(mentions_list(ref, o) for o in operands[1:]):
                return UseKind.GROW, None, None
            return UseKind.REWRITE, None, None
        if isinstance(value, cst.List) and value.elements:
            first = value.elements[0]
            appended = value.elements[1:]
            if isinstance(first, cst.StarredElement) and ref.matches(first.value) and not any(mentions_list(ref, e.value) for e in appended):
                return UseKind.GROW, None, None
            return UseKind.REWRITE, None, None
        if isinstance(value, cst.Call) and is_copy(value) and ref.matches(copied(value)):
            return UseKind.OTHER, None, None
        if isinstance(value, cst.Subscript) and ref.matches(value.value):
            sliced = slice_parts(value)
            if sliced is None:
                return UseKind.OTHER, None, None
            lower, upper, step = sliced
            if step is not None or upper is not None:
                return UseKind.OTHER, None, None
            window = _window_size(self, ref, lower)
            if window is not None:
                return UseKind.WINDOW, None, window
            count = int_value(lower) if lower is not None else 0
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
    module_marker_mentions: Callable[[], Tuple[MarkerMention, ...]],
) -> Optional[ConversationHistory]:
    """The history a request sends, when its `messages=` value is a list that is appended to
    (whether it is re-sent is `ConversationHistory.resent`); None otherwise.

    `function` is the function holding the call; `module_marker_mentions` lists the module's
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
        lower = slice_parts(subscript)[0]  # type: ignore[index]
        window = _window_size(analysis, ref, lower)
        if window is not None:
            sent_windows.append(analysis.use(UseKind.WINDOW, subscript, None, window, sent=True))
    resent, region, kind = _resent(analysis, ref, uses)
    rewrites: Tuple[HistoryUse, ...] = ()
    tool_results = False
    found_mentions: Tuple[MarkerMention, ...] = ()
    if resent:
        rewrites = tuple(_per_turn_rewrites(analysis, ref, uses, sent_windows, region))
        tool_results = _mentions_tool_results(region or function)
        found_mentions = module_marker_mentions()
    return ConversationHistory(
        name=ref.name,
        kind=kind,
        uses=tuple(uses),
        sent_windows=tuple(sent_windows),
        resent=resent,
        per_turn_rewrites=rewrites,
        tool_results_each_turn=tool_results,
        marker_mentions=found_mentions,
        region=region,
        definitions=tuple(ref.bindings()),
    )


def _resent(analysis: _Analysis, ref: HistoryRef, uses: List[HistoryUse]) -> Tuple[bool, Optional[cst.CSTNode], HistoryKind]:
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
    ref: HistoryRef,
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
    for node in walk(region):
        if isinstance(node, cst.SimpleString):
            try:
                if node.evaluated_value == "tool_result":
                    return True
            except Exception:
                continue
    return False


def marker_mentions(resolver) -> Tuple[MarkerMention, ...]:
    """Every `cache_control` the module names: as a string (`"cache_control"`, `"cache-control"`,
    `"cacheControl"`) or as a keyword argument, with the nodes around each."""
    mentions: List[cst.CSTNode] = []
    # The index's walk (code fields only), not a CSTVisitor: this runs on every module with a
    # re-sent history, and a visitor rebuilds every node of the module as it goes.
    for node in resolver.index.nodes((cst.SimpleString, cst.Arg)):
        if isinstance(node, cst.Arg):
            if node.keyword is not None and node.keyword.value == "cache_control":
                mentions.append(node)
            continue
        try:
            value = node.evaluated_value
        except Exception:
            continue
        if value in ("cache_control", "cache-control", "cacheControl"):
            mentions.append(node)
    return tuple(MarkerMention(node, tuple(resolver.ancestors(node))) for node in mentions)


def _window_size(analysis: _Analysis, ref: HistoryRef, lower: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
    """`N` when a slice's lower bound keeps only the newest N messages: `-N`, `len(h) - N`,
    `max(0, len(h) - N)`; None otherwise (a fixed offset like `h[1:]` keeps the prefix stable)."""
    if lower is None:
        return None
    if is_negative(lower):
        if isinstance(lower, cst.UnaryOperation):
            return lower.expression
        return lower
    if isinstance(lower, cst.Name):
        value = analysis.resolver.resolve(lower)
        if getattr(value, "value", None) is not None and isinstance(value.value, int) and not isinstance(value.value, bool):
            return lower if value.value < 0 else None
        return None
    for node in walk(lower):
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Subtract):
            if is_len_of(ref, node.left):
                return node.right
    return None


def _caps_length_at(analysis: _Analysis, ref: HistoryRef, condition: cst.CSTNode, size: cst.CSTNode) -> bool:
    """Does the condition compare `len(history)` with the window's own size (`len(h) > N` for
    `h[-N:]`)? Then the trim runs on every turn past N. A larger threshold is compaction."""
    wanted = " ".join(analysis.resolver.code(size).split())

    def same(node: cst.CSTNode) -> bool:
        return " ".join(analysis.resolver.code(node).split()) == wanted

    test = getattr(condition, "test", None)
    for node in walk(test if test is not None else condition):
        if isinstance(node, cst.Comparison):
            operands = [node.left] + [target.comparator for target in node.comparisons]
            if any(is_len_of(ref, o) for o in operands) and any(same(o) for o in operands):
                return True
    return False
