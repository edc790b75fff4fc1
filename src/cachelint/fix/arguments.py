"""Fix builders for request arguments: rewrite a value, take an argument or a list item out."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from cachelint.fix.intents import EditSpec, Remove, Replace
from cachelint.fix.source import SourceFile


def zero_max_tokens(source: SourceFile, value_node: Optional[cst.CSTNode]) -> Optional[Replace]:
    """`max_tokens=1` -> `max_tokens=0`, when the value is written in this file."""
    if value_node is None or value_node not in source.positions:  # type: ignore[operator]
        return None
    return Replace(value_node, "0")



def remove_argument(ctx, arg: cst.Arg) -> EditSpec:
    """Remove `arg` from its call. When it is the call's only argument, the call becomes `f()`
    (a plain removal would leave the call's inner line breaks behind), provided no comment other
    than the argument's own trailing one would go with it."""
    call = ctx.parents.get(arg)
    if not isinstance(call, cst.Call) or len(call.args) != 1:
        return Remove(arg)
    call_start, call_end = ctx.span(call)
    _, func_end = ctx.span(call.func)
    arg_start, arg_end = ctx.span(arg)
    before = ctx.text[func_end:arg_start]
    after = ctx.text[arg_end:call_end]
    own_line = after.split("\n", 1)
    if "#" in before or (len(own_line) > 1 and "#" in own_line[1]):
        return Remove(arg)
    return Replace(call, ctx.text[call_start:func_end] + "()")


def remove_list_item(ctx, item: cst.CSTNode) -> Optional[EditSpec]:
    """Remove the element holding `item` from the list or tuple literal it is written in; None
    when it is not written as an element of one."""
    holder = ctx.parents.get(item)
    if isinstance(holder, cst.Element) and isinstance(ctx.parents.get(holder), (cst.List, cst.Tuple)):
        return Remove(holder)
    return None


def remove_dict_entry(ctx, entry: cst.DictElement, keyword: str) -> EditSpec:
    """Remove `entry` from its dict; when it is all the dict holds and the dict is written as the
    `keyword=` argument of a call, remove the whole argument."""
    headers = ctx.parents.get(entry)
    if isinstance(headers, cst.Dict) and len(headers.elements) == 1:
        arg = ctx.parents.get(headers)
        if isinstance(arg, cst.Arg) and arg.keyword is not None and arg.keyword.value == keyword:
            return remove_argument(ctx, arg)
    return Remove(entry)
