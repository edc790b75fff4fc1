"""The one conversation analysis: does a request repeat, and what happens to its history?

Caching pays only when the same prefix is sent again; a one-shot script call gains nothing from a
marker (the write premium makes it cost more). `ConversationAnalyzer` answers, once per request
while the request model is built, every repetition fact the rules read:

- `Request.repetition` (`Repetition`): once / in a function / in a loop / in a conversation, the
  innermost loop and whether it reuses the prefix or only retries a failed call (`LoopKind`),
  whether it is an agent tool loop, and whether a value stays the same over the loop around the
  call (one document reused across many chunks);
- `Request.history` (`ConversationHistory`, worked out by `conversation_history`): the history
  list, how the code grows, trims or rewrites it, and whether it is re-sent turn after turn.

Two strengths of "conversation" are kept on purpose: `Repetition.conversation` (the list sent
grows and outlives one call: the request repeats with a growing prefix) and the stricter
`ConversationHistory.resent` (the appended list is provably sent again on a later turn), which
CL204 and CL302 need before they blame the history.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Optional, Set, Tuple

import libcst as cst
from cachelint.syntax.positions import LazyPositions
from cachelint.syntax.scopes import Assignment
from cachelint.syntax.treewalk import walk

from cachelint.model.conversation_facts import LoopKind, MarkerMention
from cachelint.model.conversation_history import analyze_history, marker_mentions
from cachelint.model.conversation_refs import base_name, is_session_state
from cachelint.model.request import RepeatKind, Repetition, Request, Segment
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.value import ListVal

LOOPS = (cst.For, cst.While)
FUNCTIONS = (cst.FunctionDef, cst.Lambda)
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
TRY_STATEMENTS = (cst.Try, cst.TryStar)
# A `return` or `break` in these leaves the function or loop being looked at, not the loop around.
NESTED_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class ConversationAnalyzer:
    """The repetition and history facts of the requests of one module (one per resolver)."""

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self._streamlit: Optional[bool] = None
        self._positions: Optional[LazyPositions] = None
        self._marker_mentions: Optional[Tuple[MarkerMention, ...]] = None

    def is_streamlit_script(self) -> bool:
        if self._streamlit is None:
            found = False
            for statement in self.resolver.module.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if isinstance(small, cst.Import):
                            found |= any(self.resolver.code(a.name) == "streamlit" for a in small.names)
                        elif isinstance(small, cst.ImportFrom) and small.module is not None:
                            found |= self.resolver.code(small.module) == "streamlit"
            self._streamlit = found
        return self._streamlit

    def innermost_loop(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost loop around `node` within its own function."""
        for ancestor in self.resolver.ancestors(node):
            if isinstance(ancestor, FUNCTIONS) or isinstance(ancestor, cst.ClassDef):
                return None
            if isinstance(ancestor, LOOPS) or isinstance(ancestor, COMPREHENSIONS):
                return ancestor
        return None

    def history_name(self, expression: Optional[cst.CSTNode]) -> Optional[str]:
        """The conversation list sent as `messages`, when it is one that grows."""
        if expression is None:
            return None
        target = expression
        # `history + [new]`, `[*history, new]`, `list(history)`, `history[:]`
        if isinstance(target, cst.BinaryOperation) and isinstance(target.operator, cst.Add):
            return self.history_name(target.left) or self.history_name(target.right)
        if isinstance(target, cst.List):
            for element in target.elements:
                if isinstance(element, cst.StarredElement):
                    found = self.history_name(element.value)
                    if found:
                        return found
            return None
        if isinstance(target, cst.Call) and isinstance(target.func, cst.Name) and target.func.value == "list" and target.args:
            return self.history_name(target.args[0].value)
        if is_session_state(target):
            return self.resolver.code(target)
        if isinstance(target, cst.Subscript):
            return self.history_name(target.value)
        if isinstance(target, (cst.Name, cst.Attribute)):
            value = self.resolver.resolve(target)
            if isinstance(value, ListVal) and value.grows:
                return value.name or self.resolver.code(target)
            if isinstance(target, cst.Name) and self._grows_in_scope(target):
                return target.value
        return None

    def _grows_in_scope(self, name: cst.Name) -> bool:
        """`messages.append(...)` on the same binding, e.g. a parameter that the caller re-sends."""
        for referent in self.resolver.referents(name) or ():
            if not isinstance(referent, Assignment):
                continue
            for access in referent.references:
                parent = self.resolver.parent(access.node)
                if isinstance(parent, cst.Attribute) and parent.value is access.node:
                    if parent.attr.value in ("append", "extend", "insert"):
                        return True
                if isinstance(parent, cst.AugAssign) and parent.target is access.node:
                    return True
        return False

    def analyze(self, call: Optional[cst.CSTNode], messages: Segment, in_batch: bool = False, batch_repeats: bool = False) -> Repetition:
        """How the call repeats, from where it sits. The facts that need the whole request (the
        history, the agent loop, loop invariance) are added by `attach`."""
        if call is None:
            return Repetition(RepeatKind.UNKNOWN)
        loop = self.innermost_loop(call)
        function = self.resolver.enclosing(call, FUNCTIONS)
        history = messages.history_name
        conversation = history is not None and self._outlives_one_turn(messages.node, call, loop, function)
        if conversation:
            kind = RepeatKind.CONVERSATION
        elif loop is not None or (in_batch and batch_repeats):
            kind = RepeatKind.LOOP
        elif function is not None:
            kind = RepeatKind.FUNCTION
        elif self.is_streamlit_script():
            kind = RepeatKind.LOOP  # a Streamlit script re-runs on every interaction
        else:
            kind = RepeatKind.ONCE
        return Repetition(
            kind=kind,
            in_loop=loop is not None,
            conversation=conversation,
            history_name=history,
            loop_node=loop,
            function_node=function,
            loop_kind=self.loop_kind(call, loop),
        )

    def attach(self, request: Request) -> Request:
        """`request` with its conversation facts: the history it sends, whether it is an agent
        loop, and loop invariance, all as seen from this analyzer's module (a wrapper's request
        seen at its caller is attached by the caller's analyzer)."""
        repetition = request.repetition
        history = analyze_history(
            self.resolver,
            self.positions,
            request.call.node,
            request.messages.arg,
            repetition.function_node,
            self.marker_mentions,
        )
        repetition = dataclasses.replace(
            repetition,
            agent_loop=history is not None and history.resent and history.tool_results_each_turn,
            loop_invariance=functools.partial(self.invariant_in_loop, loop=repetition.loop_node),
        )
        return dataclasses.replace(request, repetition=repetition, history=history)

    @property
    def positions(self) -> LazyPositions:
        """Source positions, to order the uses of a history (computed only for those)."""
        if self._positions is None:
            self._positions = LazyPositions(self.resolver.module, self.resolver.parents)
        return self._positions

    def marker_mentions(self) -> Tuple[MarkerMention, ...]:
        """The module's `cache_control` mentions: one walk of the module, when first asked."""
        if self._marker_mentions is None:
            self._marker_mentions = marker_mentions(self.resolver)
        return self._marker_mentions

    # -- retry or reuse -----------------------------------------------------------------------
    def loop_kind(self, call: cst.CSTNode, loop: Optional[cst.CSTNode]) -> LoopKind:
        if loop is None:
            return LoopKind.NONE
        if isinstance(loop, LOOPS) and self._retries(call, loop):
            return LoopKind.RETRY
        return LoopKind.REUSE

    def _retries(self, call: cst.CSTNode, loop: cst.CSTNode) -> bool:
        """Is the call in the `try` body of a statement of `loop`, with success leaving the loop
        (`return` / `break` in the `try` body or its `else`, or right after the `try`)?"""
        child = call
        for ancestor in self.resolver.ancestors(call):
            if ancestor is loop:
                return False
            if isinstance(ancestor, TRY_STATEMENTS) and child is ancestor.body and ancestor.handlers:
                if _leaves_loop(ancestor.body) or (ancestor.orelse is not None and _leaves_loop(ancestor.orelse)):
                    return True
                if self._exit_follows(ancestor, loop):
                    return True
            child = ancestor
        return False

    def _exit_follows(self, statement: cst.CSTNode, loop: cst.CSTNode) -> bool:
        """An unconditional `return` / `break` after `statement` in the loop's own body."""
        body = getattr(loop.body, "body", ())
        if self.resolver.parent(statement) is not loop.body:
            return False
        later = list(body)[list(body).index(statement) + 1 :]
        return any(
            isinstance(line, cst.SimpleStatementLine) and any(isinstance(s, (cst.Return, cst.Break)) for s in line.body)
            for line in later
        )

    def _outlives_one_turn(self, expression, call, loop, function) -> bool:
        """Is the history list re-sent on a later turn? It is when it outlives the call (an
        attribute, session state, a module-level or enclosing list, a parameter the caller
        keeps), or when a loop around the call appends to a list created before that loop.
        A list built fresh inside one function call and sent once is not a conversation."""
        name = base_name(expression)
        if name is None:
            return True  # self.history / st.session_state[...]: state kept between calls
        if self.is_streamlit_script() and function is None:
            return True
        for referent in self.resolver.referents(name) or ():
            defining = getattr(referent, "node", None)
            if defining is None or isinstance(defining, cst.Param):
                return True
            owner = self.resolver.enclosing(defining, FUNCTIONS)
            if owner is not function:
                return True  # module-level or enclosing-function list
            if loop is not None and not self._inside(defining, loop):
                return True
        return False

    # -- loop invariance --------------------------------------------------------------------
    def invariant_in_loop(self, value_node: Optional[cst.CSTNode], loop: Optional[cst.CSTNode]) -> bool:
        """True when no name used by `value_node` is (re)bound inside `loop`, and it calls nothing.

        A per-call value (a parameter, a document) that stays the same over the loop around the
        call makes a marker pay: every iteration after the first reads the cache.
        """
        if value_node is None or loop is None:
            return False
        names: Set[cst.Name] = set()
        has_call = False

        class _Names(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                names.add(node)

            def visit_Call(self, node: cst.Call) -> None:
                nonlocal has_call
                has_call = True

            def visit_Attribute(self, node: cst.Attribute) -> bool:
                names.add(node.value) if isinstance(node.value, cst.Name) else None
                node.value.visit(self)
                return False

        value_node.visit(_Names())
        if has_call:
            return False
        for name in names:
            referents = self.resolver.referents(name)
            if referents is None:
                return False
            for referent in referents:
                defining = getattr(referent, "node", None)
                if defining is None:
                    continue
                if self._inside(defining, loop):
                    return False
                if isinstance(loop, (cst.For,)) and self._inside(defining, loop.target):
                    return False
        return True

    def _inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        if node is container:
            return True
        for ancestor in self.resolver.ancestors(node):
            if ancestor is container:
                return True
        return False


def _leaves_loop(suite: cst.CSTNode) -> bool:
    """A `return`, or a `break` of the loop around, anywhere in `suite`."""
    if isinstance(suite, NESTED_SCOPES):
        return False
    if isinstance(suite, LOOPS):
        return _returns_inside(suite)
    for node in walk(suite, prune=lambda n: isinstance(n, NESTED_SCOPES + LOOPS)):
        if isinstance(node, (cst.Return, cst.Break)):
            return True
        # a `break` in an inner loop leaves that loop; its `return`s still leave the function
        if isinstance(node, LOOPS) and _returns_inside(node):
            return True
    return False


def _returns_inside(loop: cst.CSTNode) -> bool:
    return any(isinstance(n, cst.Return) for n in walk(loop, prune=lambda n: isinstance(n, NESTED_SCOPES)))
