"""Fix builders for breakpoints: add a `cache_control` marker, move one, remove one.

Rules say what to do (`add_marker(source, block_node)`); these know how to write it in the
file's own layout, and return intents (`cachelint.fix.intents`), or None when they cannot.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from cachelint.core.api import MAX_BREAKPOINTS
from cachelint.fix.intents import EditSpec, Remove, Replace
from cachelint.fix.source import SourceFile
from cachelint.model.request import Block, BlockKind, Breakpoint, Marker, Request, SegmentForm, Ttl

EPHEMERAL = '{"type": "ephemeral"}'
ONE_HOUR = '{"type": "ephemeral", "ttl": "1h"}'


def text_block(text_code: str, cached: bool) -> str:
    """The code of a text block holding `text_code`, with a 5-minute marker when `cached`."""
    marker = f', "cache_control": {EPHEMERAL}' if cached else ""
    return f'{{"type": "text", "text": {text_code}{marker}}}'


def cached_text_block(text_code: str, marker_code: str) -> str:
    return f'{{"type": "text", "text": {text_code}, "cache_control": {marker_code}}}'


def dict_with_marker(source: SourceFile, node: cst.Dict) -> Optional[str]:
    """The source of `node` with `"cache_control": {"type": "ephemeral"}` added as its last key,
    in the dict's own layout (one line, or one key per line)."""
    start, end = source.span(node)
    code = source.text[start:end]  # the source as written: code_for_node drops the block indent
    if not node.elements:
        return "{" + f'"cache_control": {EPHEMERAL}' + "}"
    last = node.elements[-1]
    inner_end = code.rstrip()
    if not inner_end.endswith("}"):
        return None
    body = inner_end[:-1]
    trailing_comma = isinstance(last.comma, cst.Comma)
    stripped = body.rstrip()
    if "\n" in code and "\n" in body[len(stripped.rstrip(",")) :] + "\n":
        # multi-line: reuse the indentation of the last element
        lines = body.rstrip().splitlines()
        last_line = lines[-1]
        indent = last_line[: len(last_line) - len(last_line.lstrip())]
        closing_indent = body[len(stripped) :]
        separator = "" if stripped.endswith(",") else ","
        return f'{stripped}{separator}\n{indent}"cache_control": {EPHEMERAL},{closing_indent}}}'
    if trailing_comma:
        return f'{stripped} "cache_control": {EPHEMERAL}' + "}"
    return f'{stripped}, "cache_control": {EPHEMERAL}' + "}"


def add_marker(source: SourceFile, block_node: cst.CSTNode) -> Optional[Replace]:
    """Add a 5-minute marker to a block written as a dict literal, or None."""
    if not isinstance(block_node, cst.Dict):
        return None
    code = dict_with_marker(source, block_node)
    return Replace(block_node, code) if code is not None else None


def as_cached_block_list(source: SourceFile, expression: cst.CSTNode, marker_code: str = EPHEMERAL) -> Replace:
    """`system="..."` (or a message's string content) as a one-block list carrying a marker."""
    return Replace(expression, f"[{cached_text_block(source.code(expression).strip(), marker_code)}]")


def move_marker(
    source: SourceFile,
    request: Request,
    point: Breakpoint,
    to_block: Block,
    other_requests: Sequence[Request],
) -> Optional[List[EditSpec]]:
    """Move the breakpoint `point` (same TTL) to `to_block`: remove its `cache_control` (and, for
    top-level caching, the last block's own marker, which goes with it) and add it to the block.
    None when any of the edits cannot be written."""
    marker_code = _marker_code(source, point.marker)
    moved = [point]
    last = request.messages.blocks[-1]
    if point.top_level and last.marker is not None:
        moved.extend(p for p in request.prefix.breakpoints if p.block is last)
    removals = [_removal(source, p.carrier) for p in moved]
    addition = _addition(source, request, to_block, marker_code, other_requests)
    if any(r is None for r in removals) or addition is None:
        return None
    return removals + [addition]  # type: ignore[operator]


def _in_file(source: SourceFile, node: Optional[cst.CSTNode]) -> bool:
    return node is not None and node in source.positions  # type: ignore[operator]


def _marker_code(source: SourceFile, marker: Marker) -> str:
    if _in_file(source, marker.node):
        return source.code(marker.node).strip()  # type: ignore[arg-type]
    if marker.ttl is Ttl.ONE_HOUR:
        return ONE_HOUR
    return EPHEMERAL


def _removal(source: SourceFile, carrier: Optional[cst.CSTNode]) -> Optional[EditSpec]:
    if not _in_file(source, carrier) or not isinstance(carrier, (cst.Arg, cst.DictElement)):
        return None
    parent = source.parents.get(carrier)
    if isinstance(carrier, cst.Arg) and not isinstance(parent, cst.Call):
        return None
    if isinstance(carrier, cst.DictElement) and not isinstance(parent, cst.Dict):
        return None
    return Remove(carrier)


def _addition(
    source: SourceFile, request: Request, block: Block, marker_code: str, other_requests: Sequence[Request]
) -> Optional[EditSpec]:
    if block.segment == "system" and request.system.form is SegmentForm.STRING:
        expression = request.prefix.system_expression
        if request.system.arg is None or not _in_file(source, expression):
            return None
        return as_cached_block_list(source, expression, marker_code)  # type: ignore[arg-type]
    node = block.node
    if _shared_with_full_request(request, node, other_requests):
        return None
    if isinstance(node, cst.Dict) and _in_file(source, node):
        code = dict_with_marker(source, node)
        if code is None:
            return None
        plain = f'"cache_control": {EPHEMERAL}'
        index = code.rfind(plain)
        if index < 0:
            return None
        return Replace(node, code[:index] + f'"cache_control": {marker_code}' + code[index + len(plain) :])
    if block.segment == "messages" and block.kind is BlockKind.TEXT and _in_file(source, node):
        holder = source.parents.get(node)  # type: ignore[arg-type]
        if (
            isinstance(holder, cst.DictElement)
            and holder.value is node
            and holder is not None
            and source.parents.get(holder) is block.message_node
            and isinstance(holder.key, cst.SimpleString)
            and holder.key.evaluated_value == "content"
        ):
            return as_cached_block_list(source, node, marker_code)  # type: ignore[arg-type]
    return None


def _shared_with_full_request(request: Request, node: Optional[cst.CSTNode], other_requests: Sequence[Request]) -> bool:
    """The block (a module constant, say) is also sent by another request that already has four
    breakpoints: one more marker there would be a 400."""
    if node is None:
        return False
    for other in other_requests:
        if other is request or not any(b.node is node for b in other.blocks):
            continue
        count = len(other.markers) + (1 if other.top_level_cache_control is not None else 0)
        if count >= MAX_BREAKPOINTS:
            return True
    return False
