"""The breakpoints of one request in the order the API reads them, and how sure we are of each.

Shared by the rules that count breakpoints or compare them (CL101, CL102, CL301) and by the ones
that report a marker (CL103, CL106): what "definitely sent" means must be the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import libcst as cst

from cachelint.model.request import Block, Marker, Request, Segment, SegmentForm
from cachelint.resolve.value import ListVal

# Expressions a literal block may sit in and still be sent exactly once, in place, on every call.
_TRANSPARENT = (cst.List, cst.Tuple, cst.Element, cst.StarredElement, cst.Dict, cst.DictElement, cst.Arg)


@dataclass(frozen=True)
class Breakpoint:
    """One `cache_control` in the order tools -> system -> messages, the top-level one last."""

    marker: Marker
    block: Optional[Block]  # None: the top-level `cache_control=` argument
    definite: bool  # certainly sent on every call, with exactly this shape

    @property
    def top_level(self) -> bool:
        return self.block is None


def breakpoints(request: Request, ctx) -> List[Breakpoint]:
    """Every marker the model of the request shows, valid or not, in API order."""
    found: List[Breakpoint] = []
    for segment in request.segments:
        if segment.form is not SegmentForm.BLOCKS:
            continue
        for block in segment.blocks:
            if block.marker is None:
                continue
            found.append(Breakpoint(block.marker, block, _block_marker_is_definite(ctx, request, segment, block)))
    top = request.top_level_cache_control
    if top is not None:
        found.append(Breakpoint(top, None, top.valid is True))
    return found


def _block_marker_is_definite(ctx, request: Request, segment: Segment, block: Block) -> bool:
    marker = block.marker
    if marker is None or marker.valid is not True:
        return False
    if _may_be_overridden(block, marker):
        return False
    if segment.complete and not _rewritten(ctx, segment):
        return True
    # An incomplete list (`[*history, {...}]`) still certainly holds the blocks written in it
    # at the call; blocks seen through a comprehension, a slice or a variable may not be sent.
    return _written_in_call_argument(ctx, request, block.node)


def _rewritten(ctx, segment: Segment) -> bool:
    """A list that is complete but trimmed somewhere (`pop`, `del`, `remove`): items may be gone."""
    node = segment.node
    if isinstance(node, cst.Arg):
        node = node.value
    if node is None or ctx.resolver is None or node not in ctx.positions:
        return False
    value = ctx.resolver.resolve(node)
    return isinstance(value, ListVal) and value.rewritten


def _may_be_overridden(block: Block, marker: Marker) -> bool:
    """`{"cache_control": {...}, **extra}`: an unresolved splat after the key may replace it."""
    node = block.node
    if not isinstance(node, cst.Dict) or marker.key_node is None:
        return False
    seen_key = False
    for element in node.elements:
        if element is marker.key_node:
            seen_key = True
        elif seen_key and isinstance(element, cst.StarredDictElement):
            return True
    return False


def _written_in_call_argument(ctx, request: Request, node: Optional[cst.CSTNode]) -> bool:
    call = request.call.node
    if node is None or call is None or request.in_batch:
        return False
    parents = ctx.parents
    current = node
    for _ in range(64):
        parent = parents.get(current)
        if parent is None:
            return False
        if parent is call:
            return isinstance(current, cst.Arg) and current.keyword is not None
        added = isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Add)
        if not (added or isinstance(parent, _TRANSPARENT)):
            return False
        current = parent
    return False


def describe(request: Request, point: Breakpoint) -> str:
    """How a user would name the place of a breakpoint: "tool 2", "system block 1", ..."""
    block = point.block
    if block is None:
        return "the top-level `cache_control=` (placed on the last block)"
    return describe_block(request, block)


def describe_block(request: Request, block: Block) -> str:
    segment = {"tools": request.tools, "system": request.system, "messages": request.messages}[block.segment]
    position = _index(segment.blocks, block) + 1
    if block.segment == "tools":
        return f"tool {position}"
    if block.segment == "system":
        return f"system block {position}"
    if block.message_index is not None:
        role = f" ({block.role})" if block.role else ""
        return f"message {block.message_index + 1}{role}"
    return f"message block {position}"


def _index(blocks, block: Block) -> int:
    for index, candidate in enumerate(blocks):
        if candidate is block:
            return index
    return 0


def anchor(ctx, request: Request, point: Breakpoint) -> cst.CSTNode:
    """The node to report a breakpoint at: its `cache_control` key, when written in this file."""
    candidates = [point.marker.key_node, point.marker.node]
    if point.block is not None:
        candidates.append(point.block.node)
    for node in candidates:
        if node is not None and node in ctx.positions:
            return node
    return request.call.node


def ttl_words(marker: Marker) -> str:
    return "1-hour" if marker.ttl is not None and marker.ttl.value == "1h" else "5-minute"
