"""Work out the cached prefix of a request: its breakpoints and what each one caches.

A breakpoint caches every block from the start of the request (tools -> system -> messages) up
to and including the block it sits on; top-level `cache_control=` lands on the last block. These
facts are worked out once, where the request is built, with the resolver and loop analysis of
the file being linted: for a wrapper's request bound at a caller, the caller's file (whose loop
decides what stays the same between calls, and whose nodes a finding can point at).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.model.request import (
    Block,
    BlockFacts,
    BlockKind,
    BlockList,
    Breakpoint,
    CachedPrefix,
    Marker,
    PrefixSize,
    Request,
    Segment,
    SegmentForm,
    TokenBound,
)
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import Piece, Staticness, TextValue
from cachelint.resolve.value import DictVal, ListVal, Unknown, Value, as_text
from cachelint.syntax.treewalk import implicit_string_parts

# The upper bound behind "never cached" findings must not underestimate: ASCII text at 2
# characters per token (English runs ~4, code and JSON ~3), any other character at 2 tokens,
# content of unknown composition at 1 token per character, plus the framing the API adds
# around what the code sends.
ASCII_CHARS_PER_TOKEN_FLOOR = 2.0
NON_ASCII_TOKENS_PER_CHAR = 2.0
REQUEST_FRAMING_TOKENS = 20
PER_BLOCK_FRAMING_TOKENS = 10
# With tools, the API adds its tool-use system prompt (264-530 tokens across models in the docs).
TOOL_USE_PROMPT_TOKENS_MAX = 600
# Kinds whose tokens do not follow their characters (images, PDFs) or are not ours to count.
SIZED_KINDS = (BlockKind.TEXT, BlockKind.TOOL, BlockKind.TOOL_USE, BlockKind.TOOL_RESULT)

# Expressions a literal block may sit in and still be sent exactly once, in place, on every call.
_TRANSPARENT = (cst.List, cst.Tuple, cst.Element, cst.StarredElement, cst.Dict, cst.DictElement, cst.Arg)
_NO_SIZE = TokenBound(0, 0.0)


def with_prefix_facts(request: Request, resolver: Resolver) -> Request:
    """The request carrying its cached-prefix facts, worked out in the file `resolver` reads."""
    return dataclasses.replace(request, prefix_facts=_PrefixAnalysis(request, resolver).facts())


def _prompt_blocks(request: Request) -> Tuple[Block, ...]:
    """The request's blocks in API order, a plain-string system prompt as one text block."""
    blocks: List[Block] = list(request.tools.blocks)
    system = request.system
    if system.form is SegmentForm.STRING and system.text is not None:
        text = system.text
        blocks.append(
            Block("system", BlockKind.TEXT, text.staticness, text=text,
                  chars=text.known_chars if text.size_is_exact else None, node=system.node)
        )
    else:
        blocks.extend(system.blocks)
    return tuple(blocks) + request.messages.blocks


class _PrefixAnalysis:
    def __init__(self, request: Request, resolver: Resolver):
        self.request = request
        self.resolver = resolver
        self.loop = request.repetition.loop_node
        self.bounds: Dict[int, Optional[TokenBound]] = {}  # upper bound of each block, by id

    def facts(self) -> CachedPrefix:
        request = self.request
        blocks = _prompt_blocks(request)
        head = len(blocks) - len(request.messages.blocks)
        facts = tuple(self._block_facts(block, index < head) for index, block in enumerate(blocks))
        self.bounds = {id(f.block): f.upper_bound for f in facts}
        points = tuple(self._breakpoints(blocks))
        tools_and_system = blocks[:head]
        static_run: List[Block] = []
        for block in request.tools.blocks + request.system.blocks:
            if block.content is not Staticness.STATIC:
                break
            static_run.append(block)
        cached = self._cached_blocks(blocks)
        system_expression = _value_expression(request.system)
        system_varying: FrozenSet[cst.CSTNode] = frozenset()
        if request.system.form is SegmentForm.STRING and system_expression is not None:
            system_varying = self._varying_parts(system_expression)
        return CachedPrefix(
            blocks=blocks,
            facts=facts,
            breakpoints=points,
            tools_and_system=tools_and_system,
            tools_and_system_size=PrefixSize.of(tools_and_system),
            static_run=tuple(static_run),
            static_run_size=PrefixSize.of(tuple(static_run)),
            cached_blocks=cached,
            cached_size=PrefixSize.of(cached),
            system_cached_by_breakpoint=_system_cached_by_breakpoint(request),
            system_expression=system_expression,
            system_varying_parts=system_varying,
            tools_list=self._block_list(request.tools),
            system_list=self._block_list(request.system),
        )

    # -- what is in this file -------------------------------------------------------------------
    def _in_file(self, node: Optional[cst.CSTNode]) -> bool:
        return node is not None and (node is self.resolver.module or node in self.resolver.parents)

    # -- what changes between calls ---------------------------------------------------------------
    def _changes(self, text: TextValue) -> Tuple[Piece, ...]:
        """Pieces that differ between calls, minus per-call values constant over the loop around
        the call (a document reused across chunks: the marker pays there)."""
        found = []
        for piece in text.varying_pieces:
            if piece.staticness is Staticness.PER_CALL and self.loop is not None:
                if self.request.repetition.invariant_in_loop(piece.node):
                    continue
            found.append(piece)
        return tuple(found)

    def _block_facts(self, block: Block, before_messages: bool) -> BlockFacts:
        text_changes = self._changes(block.text) if block.text is not None else ()
        content_changes = False
        if block.content.varies:
            content_changes = True
            if block.content is Staticness.PER_CALL and self.loop is not None:
                content_changes = not self.request.repetition.invariant_in_loop(block.node)
        if block.text is not None and block.kind in (BlockKind.TEXT, BlockKind.OTHER):
            varies = bool(text_changes)
        else:
            varies = content_changes
        value_changes: Tuple[Piece, ...] = ()
        if varies and before_messages:
            value_changes = text_changes if block.text is not None else self._value_changes(block)
        node = block.node
        text_entry = _text_entry(node) if isinstance(node, cst.Dict) else None
        varying_parts: FrozenSet[cst.CSTNode] = frozenset()
        if before_messages and block.marker is not None and block.text is not None and text_entry is not None:
            varying_parts = self._varying_parts(text_entry.value)
        return BlockFacts(
            block=block,
            varies=varies,
            text_changes=text_changes,
            content_changes=content_changes,
            value_changes=value_changes,
            dict_literal=isinstance(node, cst.Dict),
            text_entry=text_entry,
            varying_parts=varying_parts,
            upper_bound=self._block_bound(block),
        )

    def _value_changes(self, block: Block) -> Tuple[Piece, ...]:
        if block.node is None:
            return ()
        return tuple(piece for text in _texts_in(self.resolver.resolve(block.node)) for piece in self._changes(text))

    def _varying_parts(self, expression: cst.CSTNode) -> FrozenSet[cst.CSTNode]:
        """The parts a split of the text as written can fall between, that differ between calls."""
        parts: List[cst.CSTNode] = []
        if isinstance(expression, cst.FormattedString):
            parts = [p for p in expression.parts if isinstance(p, cst.FormattedStringExpression)]
        elif isinstance(expression, cst.ConcatenatedString) and not expression.lpar:
            for part in implicit_string_parts(expression):
                if isinstance(part, cst.FormattedString):
                    parts.extend(p for p in part.parts if isinstance(p, cst.FormattedStringExpression))
        elif isinstance(expression, cst.BinaryOperation) and isinstance(expression.operator, cst.Add):
            parts = _added_operands(expression)
        return frozenset(part for part in parts if self._part_varies(part))

    def _part_varies(self, node: cst.CSTNode) -> bool:
        target = node.expression if isinstance(node, cst.FormattedStringExpression) else node
        return bool(self._changes(self.resolver.resolve_text(target)))

    # -- breakpoints ------------------------------------------------------------------------------
    def _breakpoints(self, blocks: Tuple[Block, ...]) -> List[Breakpoint]:
        request = self.request
        found: List[Breakpoint] = []
        for segment in request.segments:
            if segment.form is not SegmentForm.BLOCKS:
                continue
            for block in segment.blocks:
                if block.marker is None:
                    continue
                cached = blocks[: _index(blocks, block) + 1]
                found.append(self._breakpoint(block.marker, block, self._definite(segment, block), cached))
        top = request.top_level_cache_control
        if top is not None:
            found.append(self._breakpoint(top, None, top.valid is True, blocks))
        return found

    def _breakpoint(self, marker: Marker, block: Optional[Block], definite: bool,
                    cached: Tuple[Block, ...]) -> Breakpoint:
        return Breakpoint(
            marker=marker,
            block=block,
            definite=definite,
            cached_blocks=cached,
            size=PrefixSize.of(cached),
            upper_bound=self._prefix_bound(block),
            content=max((b.content for b in cached), default=Staticness.STATIC),
            place=_place(self.request, block),
            report_node=self._report_node(marker, block),
            carrier=self._carrier(marker),
        )

    def _definite(self, segment: Segment, block: Block) -> bool:
        marker = block.marker
        if marker is None or marker.valid is not True:
            return False
        if _may_be_overridden(block, marker):
            return False
        if segment.complete and not self._rewritten(segment):
            return True
        # An incomplete list (`[*history, {...}]`) still certainly holds the blocks written in it
        # at the call; blocks seen through a comprehension, a slice or a variable may not be sent.
        return self._written_in_call_argument(block.node)

    def _rewritten(self, segment: Segment) -> bool:
        """A list that is complete but trimmed somewhere (`pop`, `del`, `remove`): items may be gone."""
        node = segment.node
        if isinstance(node, cst.Arg):
            node = node.value
        if not self._in_file(node):
            return False
        value = self.resolver.resolve(node)  # type: ignore[arg-type]
        return isinstance(value, ListVal) and value.rewritten

    def _written_in_call_argument(self, node: Optional[cst.CSTNode]) -> bool:
        call = self.request.call.node
        if node is None or call is None or self.request.in_batch:
            return False
        parents = self.resolver.parents
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

    def _report_node(self, marker: Marker, block: Optional[Block]) -> Optional[cst.CSTNode]:
        candidates = [marker.key_node, marker.node]
        if block is not None:
            candidates.append(block.node)
        for node in candidates:
            if self._in_file(node):
                return node
        return self.request.call.node

    def _carrier(self, marker: Marker) -> Optional[cst.CSTNode]:
        """For a `params` dict the model keeps only the marker's value: its entry is the parent."""
        if marker.key_node is not None:
            return marker.key_node
        holder = self.resolver.parents.get(marker.node) if self._in_file(marker.node) else None  # type: ignore[arg-type]
        if isinstance(holder, cst.DictElement) and holder.value is marker.node:
            return holder
        return None

    def _cached_blocks(self, blocks: Tuple[Block, ...]) -> Tuple[Block, ...]:
        if self.request.top_level_cache_control is not None:
            return blocks
        last = -1
        for index, block in enumerate(blocks):
            if block.marker is not None and block.marker.valid is not False:
                last = index
        return blocks[: last + 1]

    # -- upper bounds -----------------------------------------------------------------------------
    def _prefix_bound(self, target: Optional[Block]) -> Optional[TokenBound]:
        """An upper bound of everything cached up to and including `target` (None: the whole
        request), or None when some part of it cannot be bounded."""
        total = TokenBound(0, float(REQUEST_FRAMING_TOKENS))
        if self.request.tools.present:
            total = _plus(total, TokenBound(0, float(TOOL_USE_PROMPT_TOKENS_MAX)))
        for segment in self.request.segments:
            reaches_target = target is not None and target.segment == segment.name
            size = self._segment_bound(segment, target if reaches_target else None)
            if size is None:
                return None
            total = _plus(total, size)
            if reaches_target:
                return total
        return total

    def _segment_bound(self, segment: Segment, until: Optional[Block]) -> Optional[TokenBound]:
        if segment.form is SegmentForm.ABSENT:
            return _NO_SIZE
        if segment.form is SegmentForm.STRING:
            return _text_bound(segment.text) if segment.text is not None else None
        if segment.form is not SegmentForm.BLOCKS or not segment.complete:
            return None  # items we cannot see may come before the marked block
        total = _NO_SIZE
        for block in segment.blocks:
            size = self.bounds[id(block)]
            if size is None:
                return None
            total = _plus(_plus(total, size), TokenBound(0, float(PER_BLOCK_FRAMING_TOKENS)))
            if block is until:
                break
        return total

    def _block_bound(self, block: Block) -> Optional[TokenBound]:
        if block.kind not in SIZED_KINDS:
            return None
        if block.kind is BlockKind.TEXT:
            return _text_bound(block.text) if block.text is not None else None
        value = self._resolved_block(block)
        if value is None:
            return None
        if block.kind is BlockKind.TOOL:
            kind = value.get("type")
            if kind is not None and not (isinstance(kind, TextValue) and kind.text == "custom"):
                return None  # a server tool (web search, bash, ...) adds a definition we cannot see
        if block.kind is BlockKind.TOOL_RESULT and not isinstance(value.get("content"), (TextValue, type(None))):
            return None  # nested blocks may hold images or documents
        if block.chars is None:
            return None
        return TokenBound(block.chars, block.chars / ASCII_CHARS_PER_TOKEN_FLOOR)

    def _resolved_block(self, block: Block) -> Optional[DictVal]:
        node = block.node
        if not isinstance(node, cst.Dict) or not self._in_file(node):
            return None  # defined in another module: its keys cannot be checked here
        value = self.resolver.resolve(node)
        return value if isinstance(value, DictVal) and value.complete else None

    # -- the list a segment is written as ---------------------------------------------------------
    def _block_list(self, segment: Segment) -> Optional[BlockList]:
        """The list literal the segment's blocks are the elements of, when written in this file."""
        if segment.form is not SegmentForm.BLOCKS:
            return None
        node = segment.node
        if isinstance(node, (cst.Arg, cst.DictElement)):
            node = node.value
        if not isinstance(node, cst.List):
            value = self.resolver.resolve(node) if node is not None else None
            if not isinstance(value, ListVal) or value.grows or not value.complete:
                return None
            node = value.node
        if not isinstance(node, cst.List) or not self._in_file(node):
            return None
        values = [e.value for e in node.elements if isinstance(e, cst.Element)]
        if len(values) != len(node.elements) or len(values) != len(segment.blocks):
            return None
        for value, block in zip(values, segment.blocks):
            if value is not block.node and getattr(self.resolver.resolve(value), "node", None) is not block.node:
                return None  # the list is not the one the blocks came from
        return BlockList(node, tuple(values))


def _plus(left: TokenBound, right: TokenBound) -> TokenBound:
    return TokenBound(left.chars + right.chars, left.max_tokens + right.max_tokens)


def _text_bound(text: TextValue) -> Optional[TokenBound]:
    if not text.size_is_exact:
        return None
    known = text.text
    if known is None:
        # static pieces of known size but unknown characters (a file read at import time)
        chars = text.known_chars
        return TokenBound(chars, float(chars))
    non_ascii = sum(1 for char in known if ord(char) > 127)
    ascii_chars = len(known) - non_ascii
    return TokenBound(len(known), ascii_chars / ASCII_CHARS_PER_TOKEN_FLOOR + non_ascii * NON_ASCII_TOKENS_PER_CHAR)


def _system_cached_by_breakpoint(request: Request) -> bool:
    if request.top_level_cache_control is not None:
        return True
    if any(b.marker is not None for b in request.system.blocks + request.messages.blocks):
        return True
    return request.top_level_cache_control_unknown


def _value_expression(segment: Segment) -> Optional[cst.CSTNode]:
    node = segment.node
    if isinstance(node, (cst.DictElement, cst.Arg)):
        node = node.value
    return node if isinstance(node, cst.BaseExpression) else None


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


def _text_entry(node: cst.Dict) -> Optional[cst.DictElement]:
    for element in node.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            if element.key.evaluated_value == "text":
                return element
    return None




def _added_operands(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and not node.lpar:
        return _added_operands(node.left) + _added_operands(node.right)
    return [node]


def _texts_in(value: Value) -> List[TextValue]:
    if isinstance(value, TextValue):
        return [value]
    if isinstance(value, DictVal):
        return [t for entry in value.entries for t in _texts_in(entry.value)]
    if isinstance(value, ListVal):
        return [t for item in value.items for t in _texts_in(item)]
    if isinstance(value, Unknown) and value.staticness.varies:
        return [as_text(value)]
    return []


def _index(blocks: Sequence[Block], block: Block) -> int:
    for index, candidate in enumerate(blocks):
        if candidate is block:
            return index
    return 0


def _place(request: Request, block: Optional[Block]) -> str:
    """How a user would name the place of a breakpoint: "tool 2", "system block 1", ..."""
    if block is None:
        return "the top-level `cache_control=` (placed on the last block)"
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
