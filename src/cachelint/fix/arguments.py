"""Fix builders for request arguments: rewrite a value, take an argument or a list item out, add a
keyword after the last argument in the call's own layout."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from cachelint.fix.intents import EditSpec, InsertAfter, Remove, Replace
from cachelint.fix.source import SourceFile


def zero_max_tokens(source: SourceFile, value_node: Optional[cst.CSTNode]) -> Optional[Replace]:
    """`max_tokens=1` -> `max_tokens=0`, when the value is written in this file."""
    if value_node is None or value_node not in source.positions:  # type: ignore[operator]
        return None
    return Replace(value_node, "0")



def remove_argument(source: SourceFile, arg: cst.Arg) -> EditSpec:
    """Remove `arg` from its call. When it is the call's only argument, the call becomes `f()`
    (a plain removal would leave the call's inner line breaks behind), provided no comment other
    than the argument's own trailing one would go with it."""
    call = source.parents.get(arg)
    if not isinstance(call, cst.Call) or len(call.args) != 1:
        return Remove(arg)
    call_start, call_end = source.span(call)
    _, func_end = source.span(call.func)
    arg_start, arg_end = source.span(arg)
    before = source.text[func_end:arg_start]
    after = source.text[arg_end:call_end]
    own_line = after.split("\n", 1)
    if "#" in before or (len(own_line) > 1 and "#" in own_line[1]):
        return Remove(arg)
    return Replace(call, source.text[call_start:func_end] + "()")


def remove_list_item(source: SourceFile, item: cst.CSTNode) -> Optional[EditSpec]:
    """Remove the element holding `item` from the list or tuple literal it is written in; None
    when it is not written as an element of one."""
    holder = source.parents.get(item)
    if isinstance(holder, cst.Element) and isinstance(source.parents.get(holder), (cst.List, cst.Tuple)):
        return Remove(holder)
    return None


def remove_dict_entry(source: SourceFile, entry: cst.DictElement, keyword: str) -> EditSpec:
    """Remove `entry` from its dict; when it is all the dict holds and the dict is written as the
    `keyword=` argument of a call, remove the whole argument."""
    headers = source.parents.get(entry)
    if isinstance(headers, cst.Dict) and len(headers.elements) == 1:
        arg = source.parents.get(headers)
        if isinstance(arg, cst.Arg) and arg.keyword is not None and arg.keyword.value == keyword:
            return remove_argument(source, arg)
    return Remove(entry)


def keyword_after_last_argument(
    source: SourceFile, call: Optional[cst.Call], keyword: str
) -> Optional[List[InsertAfter]]:
    """`, <keyword>` after the last argument of `call`, in the call's own layout (one argument per
    line stays one per line, and a comment at the end of the last line stays on that line).

    None when the call has no argument or is not a node of the module."""
    text, span, positions = source.text, source.span, source.positions
    if call is None or not call.args or call not in positions:
        return None
    last = call.args[-1]
    start, end = span(last)
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    one_per_line = indent.strip() == "" and "\n" in text[end : span(call)[1]]
    if not one_per_line:
        return [InsertAfter(last, f", {keyword}")]
    comma = last.comma if isinstance(last.comma, cst.Comma) else None
    if comma is not None:
        comment = _trailing_comment(comma.whitespace_after)
        anchor = comment if comment is not None and comment in positions else comma
        return [InsertAfter(anchor, f"\n{indent}{keyword},")]
    comment = _trailing_comment(last.whitespace_after_arg)
    if comment is not None and comment in positions:
        return [InsertAfter(last, ","), InsertAfter(comment, f"\n{indent}{keyword}")]
    return [InsertAfter(last, f",\n{indent}{keyword}")]


def _trailing_comment(whitespace) -> Optional[cst.Comment]:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.first_line.comment
    return None
