"""Fix builders for conversations: add a keyword argument at the end of a request call.

CL302 adds top-level `cache_control={"type": "ephemeral"}` (automatic caching) to a call that
re-sends its history; the insertion keeps the call's own layout.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Tuple

import libcst as cst

from cachelint.fix.intents import InsertAfter

Span = Callable[[cst.CSTNode], Tuple[int, int]]


def keyword_after_last_argument(
    call: Optional[cst.Call],
    keyword: str,
    text: str,
    span: Span,
    positions,
) -> Optional[List[InsertAfter]]:
    """`, <keyword>` after the last argument of `call`, in the call's own layout (one argument per
    line stays one per line, and a comment at the end of the last line stays on that line).

    `text` is the module's source, `span` gives a node's (start, end) offsets in it and
    `positions` is the module's position mapping (to know which nodes it can place). None when
    the call has no argument or is not a node of the module."""
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
