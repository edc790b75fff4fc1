"""Order the code does not fix: dict key order under `json.dumps`, and set iteration order.

`json.dumps` writes keys in the order the dict was built; a set iterates in an order that
depends on string hashing, which Python randomises per process. These helpers say when the code
leaves either order open. The resolver uses them to give a piece its cause
(`Cause.UNSORTED_JSON`, `Cause.SET_ORDER`); the request model uses them to list the
serialisations that feed a cached prefix (`cachelint.model.serialization`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst

from cachelint.resolve.text import Origin, Staticness, TextValue
from cachelint.resolve.value import Const, DictVal, ListVal, Unknown, Value, staticness_of
from cachelint.syntax.scopes import Assignment

SET_METHODS = {"union", "intersection", "difference", "symmetric_difference", "copy"}
SET_OPERATORS = (cst.BitOr, cst.BitAnd, cst.Subtract, cst.BitXor)
MAX_FOLLOW = 6  # assignments followed from one expression


class SetElements(str, enum.Enum):
    """What a set holds, as far as the code tells: it decides whether `sorted(...)` is safe."""

    STR = "str"  # all known strings: sorting is safe
    NUMBER = "number"  # all known numbers: ints hash to themselves, the order is already stable
    MIXED = "mixed"  # known, of other or several kinds: cannot be sorted as they are
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SetFacts:
    elements: SetElements
    varies: bool  # the elements themselves differ per call (that is CL002's finding)


def assigned_values(resolver, name: cst.Name) -> List[cst.CSTNode]:
    """The expressions assigned to the name where it is used (same file, plain assignments)."""
    referents = resolver.referents(name) or set()
    found: List[cst.CSTNode] = []
    for referent in referents:
        if not isinstance(referent, Assignment):
            continue
        target = referent.node
        if not isinstance(target, cst.Name):
            continue
        holder = resolver.parent(target)
        if isinstance(holder, cst.AssignTarget) and holder.target is target:
            assign = resolver.parent(holder)
            if isinstance(assign, cst.Assign):
                found.append(assign.value)
        elif isinstance(holder, (cst.AnnAssign, cst.AugAssign)) and holder.target is target and holder.value is not None:
            found.append(holder.value)
    return found


# -- json.dumps ------------------------------------------------------------------------------


def json_key_order_unfixed(resolver, call: cst.Call, data: Value) -> bool:
    """`json.dumps(data)` writes keys in an order the code does not fix: no `sort_keys=`
    argument (nor a splat that could pass one) and `data` holds a dict not written out
    literally. `data` is the resolved first argument."""
    if not call.args or call.args[0].keyword is not None:
        return False
    if any(a.star for a in call.args) or any(a.keyword is not None and a.keyword.value == "sort_keys" for a in call.args):
        return False  # sorted explicitly (either way), or a splat may say so
    return not key_order_is_fixed(data) and not holds_set_elements(resolver, call.args[0].value)


def sorts_keys(call: cst.Call) -> bool:
    """`json.dumps(..., sort_keys=True)`, spelled out: the order of what it writes is fixed."""
    return any(
        a.keyword is not None and a.keyword.value == "sort_keys" and isinstance(a.value, cst.Name) and a.value.value == "True"
        for a in call.args
    )


def key_order_is_fixed(value: Value) -> bool:
    """True when every dict the value holds is written out in the code (so is its key order)."""
    if isinstance(value, (TextValue, Const)):
        return True  # a string or a number has no keys
    if isinstance(value, ListVal):
        if value.origin is Origin.SET:
            return True  # set elements are hashable: never dicts (their order is the set's finding)
        return value.complete and all(key_order_is_fixed(item) for item in value.items)
    if isinstance(value, DictVal):
        return value.complete and all(key_order_is_fixed(entry.value) for entry in value.entries)
    return False


def holds_set_elements(resolver, node: cst.CSTNode) -> bool:
    """`sorted(s)` / `list(s)` of a set: its elements are hashable, so never dicts."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("sorted", "list", "tuple"):
        return bool(node.args) and is_set_expression(resolver, node.args[0].value)
    return is_set_expression(resolver, node)


def staticness_ignoring_set_order(value: Value) -> Staticness:
    """How the value's content behaves across calls, leaving aside the order of its sets."""
    if isinstance(value, ListVal):
        worst = max((staticness_ignoring_set_order(v) for v in value.items), default=Staticness.STATIC)
        return max(worst, Staticness.UNKNOWN) if not value.complete and worst is Staticness.STATIC else worst
    if isinstance(value, DictVal):
        worst = max((staticness_ignoring_set_order(e.value) for e in value.entries), default=Staticness.STATIC)
        return max(worst, Staticness.UNKNOWN) if not value.complete and worst is Staticness.STATIC else worst
    return staticness_of(value)


# -- sets ------------------------------------------------------------------------------------


def set_facts(resolver, expression: cst.CSTNode) -> Optional[SetFacts]:
    """What the set `expression` holds, or None when it does not evaluate to a set."""
    if not is_set_expression(resolver, expression):
        return None
    value = _set_contents(resolver, expression, 0)
    items: Tuple = value.items if isinstance(value, ListVal) else ()
    complete = isinstance(value, ListVal) and value.complete
    if value is None:  # a set comprehension, a set operation: judge the elements from the whole
        value = resolver.resolve(expression)
    varies = staticness_ignoring_set_order(value).varies if value is not None else False
    if not complete or not items:
        return SetFacts(SetElements.UNKNOWN, varies)
    if all(isinstance(i, TextValue) for i in items):
        return SetFacts(SetElements.STR, varies)
    if all(isinstance(i, Const) and isinstance(i.value, (int, float)) for i in items):
        return SetFacts(SetElements.NUMBER, varies)
    if any(isinstance(i, Unknown) for i in items):
        return SetFacts(SetElements.UNKNOWN, varies)
    return SetFacts(SetElements.MIXED, varies)


def _set_contents(resolver, node: cst.CSTNode, depth: int) -> Optional[Value]:
    """The resolved elements of a set expression (through names and `set(...)`/`frozenset(...)`)."""
    if depth > MAX_FOLLOW:
        return None
    if isinstance(node, cst.Name):
        values = assigned_values(resolver, node)
        return _set_contents(resolver, values[0], depth + 1) if len(values) == 1 else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("set", "frozenset"):
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return None
        return resolver.resolve(node.args[0].value)
    if isinstance(node, cst.Set):
        return resolver.resolve(node)
    return None


def is_set_expression(resolver, node: cst.CSTNode, depth: int = 0) -> bool:
    """The expression evaluates to a set: a literal, a comprehension, `set(...)`, `frozenset(...)`,
    a set method or operator on one, or a name bound only to such expressions."""
    if depth > MAX_FOLLOW:
        return False
    if isinstance(node, (cst.Set, cst.SetComp)):
        return True
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Name) and func.value in ("set", "frozenset"):
            return _is_builtin(resolver, func)
        if isinstance(func, cst.Attribute) and func.attr.value in SET_METHODS:
            return is_set_expression(resolver, func.value, depth + 1)
        return False
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, SET_OPERATORS):
        return is_set_expression(resolver, node.left, depth + 1) or is_set_expression(resolver, node.right, depth + 1)
    if isinstance(node, cst.Name):
        values = assigned_values(resolver, node)
        return bool(values) and all(is_set_expression(resolver, v, depth + 1) for v in values)
    return False


def _is_builtin(resolver, name: cst.Name) -> bool:
    referents = resolver.referents(name)
    return not referents or all(not isinstance(r, Assignment) or getattr(r, "node", None) is None for r in referents)
