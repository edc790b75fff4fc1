"""The history list as code: every expression that denotes one list (a local name, `self.<name>`,
Streamlit session state), and the small syntax questions `conversation_history` asks about it
(is this a slice from the front, a `del`, a copy, `len(history)`?)."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.model.conversation_facts import HistoryKind, UseKind
from cachelint.syntax.scopes import Assignment
from cachelint.syntax.treewalk import find_all, walk


# ---------------------------------------------------------------------------------------------
# References to one list
# ---------------------------------------------------------------------------------------------


class HistoryRef:
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


class NameRef(HistoryRef):
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


class SelfRef(HistoryRef):
    kind = HistoryKind.PERSISTENT

    def __init__(self, klass: cst.ClassDef, attribute: str):
        self.name = f"self.{attribute}"
        self.attribute = attribute
        self._nodes = find_all(klass, self.matches)

    def matches(self, node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value == "self"
            and node.attr.value == self.attribute
        )

    def nodes(self) -> List[cst.CSTNode]:
        return list(self._nodes)


class SessionRef(HistoryRef):
    """`st.session_state.messages` / `st.session_state["messages"]`: kept across Streamlit reruns."""

    kind = HistoryKind.PERSISTENT

    def __init__(self, module: cst.Module, key: str, written: str):
        self.name = written
        self.key = key
        self._nodes = find_all(module, self.matches)

    def matches(self, node: cst.CSTNode) -> bool:
        return session_key(node) == self.key

    def nodes(self) -> List[cst.CSTNode]:
        return list(self._nodes)


def session_key(node: cst.CSTNode) -> Optional[str]:
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


def base_name(expression) -> Optional[cst.Name]:
    """The local name a messages expression is built from (`history`, `history[-5:]`,
    `[*history, new]`), or None for attributes and session state."""
    target = expression
    while True:
        if isinstance(target, cst.Name):
            return target
        if isinstance(target, cst.Subscript) and not is_session_state(target):
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


def is_session_state(node: cst.CSTNode) -> bool:
    """`st.session_state.messages` / `st.session_state[key]`, whatever the key (`session_key`
    names the key, when it is a string)."""
    inner = node
    if isinstance(inner, cst.Subscript):
        inner = inner.value
    elif isinstance(inner, cst.Attribute):
        inner = inner.value
    else:
        return False
    return isinstance(inner, cst.Attribute) and inner.attr.value == "session_state"


# ---------------------------------------------------------------------------------------------
# Small syntax questions
# ---------------------------------------------------------------------------------------------


def int_value(node: Optional[cst.CSTNode]) -> Optional[int]:
    if isinstance(node, cst.Integer):
        try:
            return int(node.evaluated_value)
        except Exception:
            return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = int_value(node.expression)
        return -inner if inner is not None else None
    return None


def slice_parts(subscript: cst.Subscript) -> Optional[Tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression], Optional[cst.BaseExpression]]]:
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Slice):
        return None
    part = subscript.slice[0].slice
    return part.lower, part.upper, part.step


def is_full_slice(subscript: cst.Subscript) -> bool:
    sliced = slice_parts(subscript)
    return sliced is not None and all(p is None for p in sliced)


def is_negative(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.FloorDivide)):
        return is_negative(node.left) != is_negative(node.right)
    return False


def is_len_of(ref: HistoryRef, node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "len"
        and len(node.args) == 1
        and ref.matches(node.args[0].value)
    )


def deleted(subscript: cst.Subscript) -> Tuple[UseKind, Optional[int], Optional[cst.CSTNode]]:
    """`del h[...]`: which messages go."""
    if len(subscript.slice) != 1:
        return UseKind.OTHER, None, None
    part = subscript.slice[0].slice
    if isinstance(part, cst.Index):
        index = int_value(part.value)
        if index is not None and index >= 0:
            return UseKind.FRONT_REMOVE, 1, None
        return UseKind.OTHER, None, None
    if not isinstance(part, cst.Slice) or part.step is not None:
        return UseKind.OTHER, None, None
    lower = int_value(part.lower) if part.lower is not None else 0
    if lower != 0 or part.upper is None:
        return UseKind.OTHER, None, None
    if is_negative(part.upper):
        size = part.upper.expression if isinstance(part.upper, cst.UnaryOperation) else part.upper
        return UseKind.WINDOW, None, size
    count = int_value(part.upper)
    return UseKind.FRONT_REMOVE, count, None


def del_statement(resolver, subscript: cst.Subscript) -> Optional[cst.Del]:
    node: cst.CSTNode = subscript
    while True:
        parent = resolver.parent(node)
        if isinstance(parent, cst.Del):
            return parent
        if isinstance(parent, (cst.Element, cst.Tuple, cst.List)):
            node = parent
            continue
        return None


def mentions_list(ref: HistoryRef, node: cst.CSTNode) -> bool:
    return any(ref.matches(visited) for visited in walk(node))


def flatten_add(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return flatten_add(node.left) + flatten_add(node.right)
    return [node]


def is_copy(call: cst.Call) -> bool:
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


def copied(call: cst.Call) -> cst.BaseExpression:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "copy" and not call.args:
        return func.value
    return call.args[0].value
