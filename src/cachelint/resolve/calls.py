"""Calls: what a call evaluates to.

Volatile calls (the clock, uuids, random: `causes.py`), `textwrap.dedent` / `inspect.cleandoc`,
`str` methods, `.format`, `.join`, `json.dumps`, files read from disk (`files.py`), `dict` /
`list` / `sorted` / `set` builders, comprehensions, and same-project functions whose one return
value can be resolved (with the call's arguments bound to their parameters).
"""

from __future__ import annotations

import dataclasses
import inspect
import textwrap
from typing import Dict, List, Optional, Tuple

import libcst as cst

from cachelint.resolve.causes import volatile_call
from cachelint.resolve.ordering import json_key_order_unfixed, sorts_keys
from cachelint.resolve.text import Cause, Origin, Piece, Staticness, TextValue
from cachelint.resolve.value import (
    ListVal,
    Unknown,
    Value,
    as_text,
    cause_of,
    concat,
    map_text,
    size_of,
    static_text,
    staticness_of,
)
from cachelint.syntax.scopes import ImportAssignment
from cachelint.syntax.treewalk import find_all

DEDENT_CALLS = {"textwrap.dedent": textwrap.dedent, "inspect.cleandoc": inspect.cleandoc}
TEXT_METHODS = {
    "strip": str.strip, "lstrip": str.lstrip, "rstrip": str.rstrip,
    "lower": str.lower, "upper": str.upper, "title": str.title, "capitalize": str.capitalize, "casefold": str.casefold,
}


def returns(definition: cst.FunctionDef) -> List[cst.Return]:
    """The function's own `return` statements (not those of functions or lambdas inside it)."""
    return find_all(definition, lambda node: isinstance(node, cst.Return), prune=_inner_scope)


def _inner_scope(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef))


class CallResolution:
    """The part of `Resolver` that evaluates calls (a mixin: it uses the resolver's `resolve`,
    `resolve_text`, `qualified_names`, `referents`, `file_value`, `call_dict_args`,
    `with_bindings`, `short` and `project`)."""

    def resolve_call(self, node: cst.Call, depth: int) -> Value:
        names = self.qualified_names(node.func) | self.qualified_names(node)
        for name in names:
            volatile = volatile_call(name)
            if volatile is not None:
                return Unknown(Staticness.VOLATILE, volatile.description, volatile.reason, origin=Origin.VOLATILE,
                               node=node, cause=volatile.cause)
            if name in DEDENT_CALLS and node.args:
                inner = self.resolve_text(node.args[0].value, depth)
                return map_text(inner, DEDENT_CALLS[name], node)
            if name == "json.dumps" and node.args:
                return self._json_dumps(node, depth)
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in TEXT_METHODS and not node.args:
                receiver = self.resolve(func.value, depth)
                if isinstance(receiver, TextValue):
                    return map_text(receiver, TEXT_METHODS[method], node)
            if method == "format":
                receiver = self.resolve(func.value, depth)
                if isinstance(receiver, TextValue):
                    arguments = [self.resolve_text(a.value, depth) for a in node.args]
                    return concat([receiver] + arguments, node)
            if method == "join" and len(node.args) == 1:
                return self._join(node, depth)
            if method in ("read_text", "read") and not node.args or method == "read_text":
                file_value = self.file_value(node, depth)
                if file_value is not None:
                    return file_value
            receiver_value = self.resolve(func.value, depth) if not self._is_module_ref(func.value) else None
            if isinstance(receiver_value, Unknown) and receiver_value.staticness is Staticness.VOLATILE:
                return Unknown(Staticness.VOLATILE, receiver_value.description, receiver_value.reason,
                               origin=Origin.VOLATILE, node=node, cause=receiver_value.cause)
        if isinstance(func, cst.Name):
            if func.value == "str" and len(node.args) == 1:
                return as_text(self.resolve(node.args[0].value, depth), node)
            if func.value in ("dict",):
                return self.call_dict_args(node, depth) or Unknown(node=node)
            if func.value in ("list", "tuple") and len(node.args) == 1:
                inner = self.resolve(node.args[0].value, depth)
                if isinstance(inner, ListVal):
                    return inner
                return ListVal((), complete=False, origin=Origin.CALL, node=node)
            if func.value == "sorted" and node.args:
                inner = self.resolve(node.args[0].value, depth)
                if isinstance(inner, ListVal):
                    return ListVal(inner.items, inner.complete, origin=Origin.SORTED, node=node)
                return Unknown(staticness_of(inner), f"`{self.short(node)}`", node=node)
            if func.value == "set" and node.args:
                inner = self.resolve(node.args[0].value, depth)
                items = inner.items if isinstance(inner, ListVal) else ()
                return ListVal(items, complete=isinstance(inner, ListVal), unordered=True, origin=Origin.SET, node=node)
            returned = self._local_function_result(node, func, depth)
            if returned is not None:
                return returned
        return Unknown(description=f"`{self.short(node)}`", reason=f"result of `{self.short(node.func)}(...)`", origin=Origin.CALL, node=node)

    def _is_module_ref(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name):
            for referent in self.referents(node) or ():
                if isinstance(referent, ImportAssignment):
                    return True
        return False

    def _json_dumps(self, node: cst.Call, depth: int) -> Value:
        data = self.resolve(node.args[0].value, depth)
        staticness = staticness_of(data)
        cause: Optional[Cause] = None
        cause_node: Optional[cst.CSTNode] = None
        if json_key_order_unfixed(self, node, data):
            cause, cause_node = Cause.UNSORTED_JSON, node
        if isinstance(data, ListVal) and data.unordered and not sorts_keys(node):
            staticness = Staticness.VOLATILE
            if cause is None:
                cause, cause_node = Cause.SET_ORDER, node.args[0].value
        if cause is None and staticness.varies:
            found = cause_of(data)
            if found is not None:
                cause, cause_node = found.cause, found.node
        size = size_of(data) if staticness is Staticness.STATIC else None
        piece = Piece(staticness, None, size, f"`{self.short(node)}`", node, cause=cause, cause_node=cause_node)
        return TextValue((piece,), node, origin=Origin.JSON)

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
            value = concat(parts, node) if parts else static_text("", node)
            if items.unordered:
                return TextValue((self._set_order_piece(node, value.known_chars),), node)
            return value
        worst = max(staticness_of(items), staticness_of(separator))
        if isinstance(items, ListVal) and items.unordered:
            return TextValue((self._set_order_piece(node, None),), node)
        found = cause_of(items) if worst.varies else None
        piece = Piece(worst, None, None, f"`{self.short(node)}`", node,
                      cause=found.cause if found else None, cause_node=found.node if found else None)
        return TextValue((piece,), node)

    def _set_order_piece(self, join: cst.Call, chars: Optional[int]) -> Piece:
        """`sep.join(a_set)`: the order of the set decides the text (the fix sorts the argument)."""
        return Piece(Staticness.VOLATILE, None, chars, "iteration over a set", join,
                     cause=Cause.SET_ORDER, cause_node=join.args[0].value)

    def resolve_comprehension(self, node, depth: int) -> Value:
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
        return ListVal(items, complete=False, origin=Origin.COMPREHENSION, unordered=unordered, node=node)

    def _local_function_result(self, node: cst.Call, func: cst.Name, depth: int) -> Optional[Value]:
        """A function defined in this file whose return value can be resolved."""
        referents = self.referents(func) or set()
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
        found = [r for r in returns(definition) if r.value is not None]
        if len(found) != 1:
            return None
        resolver = self.with_bindings(bindings) if bindings else self
        value = resolver.resolve(found[0].value, depth)  # type: ignore[arg-type]
        if isinstance(value, TextValue):
            pieces = tuple(dataclasses.replace(p, description=p.description or f"`{name}()`") for p in value.pieces)
            return TextValue(pieces, value.node, origin=Origin.FUNCTION)
        return value
