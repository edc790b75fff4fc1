"""Fix builder: reorder the blocks of a list literal, each keeping its own text and comments.

CL203 moves per-call blocks after the last static one. A list written one element per line is
cut into lines (the comment lines above an element travel with it); a list on one line has its
element values swapped in place, unless a comment would end up next to another element.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.fix.intents import Replace
from cachelint.fix.source import SourceFile

_TRAILING = re.compile(r"[ \t]*,?[ \t]*(#[^\r\n]*)?(\r\n|\r|\n)")
_BLANK_OR_COMMENT = re.compile(r"([ \t]*(#[^\r\n]*)?(\r\n|\r|\n))*[ \t]*")


def move_after_static(source: SourceFile, list_node: cst.CSTNode, static: Sequence[bool]) -> Optional[Replace]:
    """The list with every element that is not static (`static[i]` False) before the last static
    one moved after it, in order; None when the list cannot be rewritten so."""
    if not isinstance(list_node, cst.List):
        return None
    elements = list(list_node.elements)
    if len(elements) != len(static) or any(not isinstance(e, cst.Element) for e in elements):
        return None
    last_static = max(i for i, is_static in enumerate(static) if is_static)
    head = [i for i in range(last_static + 1) if static[i]]
    moved = [i for i in range(last_static + 1) if not static[i]]
    order = head + moved + list(range(last_static + 1, len(elements)))
    text = _reordered(source, list_node, elements, order)  # type: ignore[arg-type]
    return Replace(list_node, text) if text is not None else None


def _reordered(file: SourceFile, node: cst.List, elements: List[cst.Element], order: List[int]) -> Optional[str]:
    """The list's source with its elements in `order`, each keeping its own text and comments."""
    start, end = file.span(node)
    source = file.text[start:end]
    chunks = _line_chunks(file, start, source, elements)
    if chunks is not None:
        head, parts, tail = chunks
        pieces = [parts[i] for i in order]
        return head + "".join(pieces) + tail
    # one line (or a layout we cannot cut into lines): swap the element values in place, unless
    # a comment outside the values would end up next to another element
    spans = [file.span(e.value) for e in elements]
    outside = [(start, spans[0][0])] + [(spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]
    outside.append((spans[-1][1], end))
    if any(_has_comment(file.text[a:b]) for a, b in outside):
        return None
    texts = [file.text[s:e] for s, e in spans]
    out = []
    cursor = start
    for slot, (s, e) in enumerate(spans):
        out.append(file.text[cursor:s])
        out.append(texts[order[slot]])
        cursor = e
    out.append(file.text[cursor:end])
    return "".join(out)


def _line_chunks(file: SourceFile, start: int, source: str, elements: List[cst.Element]) -> Optional[Tuple[str, List[str], str]]:
    """Cut a one-element-per-line list into (head, one chunk per element, tail); each chunk runs
    from the comment lines above the element to the end of its line, and ends with a comma."""
    spans = [(s - start, e - start) for s, e in (file.span(el.value) for el in elements)]
    if "\n" not in source and "\r" not in source:
        return None
    first_line_end = _line_end(source, 0)
    if first_line_end is None or spans[0][0] < first_line_end:
        return None  # the first element shares the `[` line
    head = source[:first_line_end]
    chunks = []
    cursor = first_line_end
    for index, (s, e) in enumerate(spans):
        leading = source[cursor:s]
        if not _BLANK_OR_COMMENT.fullmatch(leading):
            return None
        trailing = _TRAILING.match(source, e)
        if trailing is None:
            return None
        chunk_end = trailing.end()
        text = source[cursor:chunk_end]
        if "," not in source[e:chunk_end].split("#", 1)[0]:
            if index != len(spans) - 1:
                return None
            text = source[cursor:e] + "," + source[e:chunk_end]
        chunks.append(text)
        cursor = chunk_end
    tail = source[cursor:]
    if not re.fullmatch(_BLANK_OR_COMMENT.pattern + r"\]", tail):
        return None
    return head, chunks, tail


def _line_end(source: str, offset: int) -> Optional[int]:
    match = re.compile(r"[^\r\n]*(\r\n|\r|\n)").match(source, offset)
    return match.end() if match else None


def _has_comment(text: str) -> bool:
    return "#" in text
