"""Does a request repeat? In a loop, in a function, in a conversation, in a Streamlit script.

Caching pays only when the same prefix is sent again; a one-shot script call gains nothing from a
marker (the write premium makes it cost more). This module also answers whether a value is
invariant over the loop around a call (one document reused across many chunks).
"""

from __future__ import annotations

from typing import Optional, Set

import libcst as cst
from cachelint.syntax.scopes import Assignment

from cachelint.model.request import RepeatKind, Repetition, Segment
from cachelint.resolve.values import ListVal, Resolver

LOOPS = (cst.For, cst.While)
FUNCTIONS = (cst.FunctionDef, cst.Lambda)
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class RepeatAnalyzer:
    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self._streamlit: Optional[bool] = None

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
        if _is_session_state(target):
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
        for referent in self.resolver._referents(name) or ():
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
        if call is None:
            return Repetition(RepeatKind.UNKNOWN)
        loop = self.innermost_loop(call)
        function = self.resolver.enclosing(call, FUNCTIONS)
        history = messages.history_name
        conversation = history is not None and self._outlives_one_turn(messages.node, call, loop, function)
        agent = conversation and self._mentions_tool_results(function or self._statement_of(call))
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
            agent_loop=agent,
            history_name=history,
            loop_node=loop,
            function_node=function,
        )

    def _outlives_one_turn(self, expression, call, loop, function) -> bool:
        """Is the history list re-sent on a later turn? It is when it outlives the call (an
        attribute, session state, a module-level or enclosing list, a parameter the caller
        keeps), or when a loop around the call appends to a list created before that loop.
        A list built fresh inside one function call and sent once is not a conversation."""
        name = _base_name(expression)
        if name is None:
            return True  # self.history / st.session_state[...]: state kept between calls
        if self.is_streamlit_script() and function is None:
            return True
        for referent in self.resolver._referents(name) or ():
            defining = getattr(referent, "node", None)
            if defining is None or isinstance(defining, cst.Param):
                return True
            owner = self.resolver.enclosing(defining, FUNCTIONS)
            if owner is not function:
                return True  # module-level or enclosing-function list
            if loop is not None and not self._inside(defining, loop):
                return True
        return False

    def _statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The top-level statement holding `node` (a module-level loop, not the whole file)."""
        current = node
        for ancestor in self.resolver.ancestors(node):
            if isinstance(ancestor, cst.Module):
                return current
            current = ancestor
        return current

    def _mentions_tool_results(self, scope: cst.CSTNode) -> bool:
        found = False

        class _Finder(cst.CSTVisitor):
            def visit_SimpleString(self, node: cst.SimpleString) -> None:
                nonlocal found
                if node.value.strip("\"'") == "tool_result":
                    found = True

        scope.visit(_Finder())
        return found

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
            referents = self.resolver._referents(name)
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


def _base_name(expression) -> Optional[cst.Name]:
    """The local name a messages expression is built from (`history`, `history[-5:]`,
    `[*history, new]`), or None for attributes and session state."""
    target = expression
    while True:
        if isinstance(target, cst.Name):
            return target
        if isinstance(target, cst.Subscript) and not _is_session_state(target):
            target = target.value
        elif isinstance(target, cst.BinaryOperation):
            target = target.left
        elif isinstance(target, cst.List):
            starred = [e.value for e in target.elements if isinstance(e, cst.StarredElement)]
            if not starred:
                return None
            target = starred[0]
        elif isinstance(target, cst.Call) and isinstance(target.func, cst.Name) and target.args:
            target = target.args[0].value
        else:
            return None


def _is_session_state(node: cst.CSTNode) -> bool:
    """`st.session_state.messages` / `st.session_state["messages"]`."""
    inner = node
    if isinstance(inner, cst.Subscript):
        inner = inner.value
    elif isinstance(inner, cst.Attribute):
        inner = inner.value
    else:
        return False
    return isinstance(inner, cst.Attribute) and inner.attr.value == "session_state"
