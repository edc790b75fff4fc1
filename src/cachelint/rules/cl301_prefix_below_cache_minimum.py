from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from cachelint.model.request import Block, BlockKind, Request, Segment, SegmentForm
from cachelint.resolve.text import TextValue
from cachelint.rules._breakpoints import Breakpoint, anchor, breakpoints, describe
from cachelint.rules._shared import tokens_phrase
from cachelint.rules.base import Example, Rule
from cachelint.resolve.value import DictVal

# The finding says "never cached", so the size it compares is an UPPER bound of the prefix's
# tokens, not the usual estimate: ASCII text at 2 characters per token (English runs ~4, code and
# JSON ~3), any other character at 2 tokens, content of unknown composition at 1 token per
# character, plus the framing the API adds around what the code sends.
ASCII_CHARS_PER_TOKEN_FLOOR = 2.0
NON_ASCII_TOKENS_PER_CHAR = 2.0
REQUEST_FRAMING_TOKENS = 20
PER_BLOCK_FRAMING_TOKENS = 10
# With tools, the API adds its tool-use system prompt (264-530 tokens across models in the docs).
TOOL_USE_PROMPT_TOKENS_MAX = 600
# Request parameters that make the API add content the code does not show (skills, MCP tool
# definitions, structured-output instructions, context editing): the prefix may be larger.
HIDDEN_PREFIX_KEYWORDS = frozenset({"container", "mcp_servers", "output_config", "output_format", "context_management"})
# Kinds whose tokens do not follow their characters (images, PDFs) or are not ours to count.
SIZED_KINDS = (BlockKind.TEXT, BlockKind.TOOL, BlockKind.TOOL_USE, BlockKind.TOOL_RESULT)


@dataclass(frozen=True)
class _Size:
    chars: int  # the characters the code sends (for the displayed estimate)
    max_tokens: float  # an upper bound of the tokens they become

    def __add__(self, other: "_Size") -> "_Size":
        return _Size(self.chars + other.chars, self.max_tokens + other.max_tokens)


_EMPTY = _Size(0, 0.0)


class PrefixBelowCacheMinimum(Rule):
    code = "CL301"
    name = "prefix-below-cache-minimum"
    summary = "A breakpoint whose cached prefix is smaller than the model's minimum: silently never cached"
    fix_availability = "none"
    docs = """
    ## What it does
    Checks for a `cache_control` marker (or top-level automatic caching) whose cached prefix,
    everything from the tools through the marked block, is certainly smaller than the minimum
    cacheable length of the call's model (512 to 4,096 tokens depending on the model).

    ## Why is this bad?
    Below the minimum the API silently does not cache: no error, and usage shows 0 cache
    creation and 0 cache read tokens. The marker suggests the prompt is cached when it is not,
    and anyone tuning costs looks in the wrong place.

    To stay certain, the size is an upper bound (2 characters per token for ASCII text, more
    for other text, plus the API's framing and tool-use prompt), and the rule stays silent when
    any part of the prefix has an unknown size, holds images, documents or server tools, the
    request uses a feature that adds content the code does not show (a skills `container`,
    `mcp_servers`, structured outputs, `context_management`, a `**splat`), or the model (or the
    `default-model` setting) is unknown.

    ## Example
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": "You are a helpful assistant.",
                 "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    ```

    ## Use instead
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system="You are a helpful assistant.",
        messages=[{"role": "user", "content": question}],
    )
    ```
    Or keep the marker where the prefix grows past the minimum (the end of a long document, or
    the newest turn of a conversation).

    ## Fix safety
    There is no automatic fix: removing the marker changes nothing today, but the prompt may
    grow past the minimum later, and the minimum differs between models. The decision is the
    author's.

    ## Options
    - `default-model`: the model whose minimum applies when a call's model is unknown.
    - `[tool.cachelint.models."<id>"] min-cache-tokens`: corrects a model's minimum.
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system="You are a helpful assistant.",
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(document, q):
                # the document's size is only known at run time
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": document, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                # an unknown model id: its minimum is unknown, so nothing is claimed
                return client.messages.create(
                    model="claude-haiku-5-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "You are a helpful assistant.", "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
    ]
    INVALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "You are a helpful assistant.", "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="below the 1,024-token minimum of claude-sonnet-4-5",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        minimum = ctx.min_cache_tokens(request.model)
        if minimum is None:
            return  # unknown model: never guess a small minimum
        if request.has_unknown_splat or HIDDEN_PREFIX_KEYWORDS.intersection(request.keywords):
            return  # the API may add to the prefix what the code does not show
        model = request.model or f"{ctx.options.default_model} (the configured default-model)"
        below = []
        for point in breakpoints(request, ctx):
            if point.marker.valid is not True:
                continue
            size = _prefix_size(ctx, request, point)
            if size is not None and size.max_tokens < minimum:
                below.append((point, size))
        if not below:
            return
        # The prefixes nest: report the largest one, and count the smaller ones inside it.
        point, size = below[-1]
        earlier = len(below) - 1
        message = (
            f"the prefix cached by the breakpoint on {describe(request, point)} is "
            f"{tokens_phrase(ctx.tokens(size.chars))} (estimate; at most ~{int(size.max_tokens):,}), "
            f"below the {minimum:,}-token minimum of {model}: the API silently does not cache it "
            f"(no cache write, no cache read), so this marker has no effect"
        )
        if earlier:
            plural = earlier > 1
            message += (
                f" (nor {'do' if plural else 'does'} the {earlier} earlier breakpoint{'s' if plural else ''}, "
                f"whose prefix{'es are' if plural else ' is'} smaller still)"
            )
        ctx.report(anchor(ctx, request, point), message, noqa_node=request.call.node)


def _prefix_size(ctx, request: Request, point: Breakpoint) -> Optional[_Size]:
    """An upper bound of everything cached up to and including the breakpoint, or None."""
    total = _Size(0, float(REQUEST_FRAMING_TOKENS))
    if request.tools.present:
        total = total + _Size(0, float(TOOL_USE_PROMPT_TOKENS_MAX))
    target = point.block
    for segment in request.segments:
        reaches_target = target is not None and target.segment == segment.name
        size = _segment_size(ctx, segment, target if reaches_target else None)
        if size is None:
            return None
        total = total + size
        if reaches_target:
            return total
    return total  # top-level automatic caching: the whole request


def _segment_size(ctx, segment: Segment, until: Optional[Block]) -> Optional[_Size]:
    if segment.form is SegmentForm.ABSENT:
        return _EMPTY
    if segment.form is SegmentForm.STRING:
        return _text_size(segment.text) if segment.text is not None else None
    if segment.form is not SegmentForm.BLOCKS or not segment.complete:
        return None  # items we cannot see may come before the marked block
    total = _EMPTY
    for block in segment.blocks:
        size = _block_size(ctx, block)
        if size is None:
            return None
        total = total + size + _Size(0, float(PER_BLOCK_FRAMING_TOKENS))
        if block is until:
            break
    return total


def _block_size(ctx, block: Block) -> Optional[_Size]:
    if block.kind not in SIZED_KINDS:
        return None
    if block.kind is BlockKind.TEXT:
        return _text_size(block.text) if block.text is not None else None
    value = _resolved_block(ctx, block)
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
    return _Size(block.chars, block.chars / ASCII_CHARS_PER_TOKEN_FLOOR)


def _resolved_block(ctx, block: Block) -> Optional[DictVal]:
    node = block.node
    if not isinstance(node, cst.Dict) or node not in ctx.positions or ctx.resolver is None:
        return None  # defined in another module: its keys cannot be checked here
    value = ctx.resolver.resolve(node)
    return value if isinstance(value, DictVal) and value.complete else None


def _text_size(text: TextValue) -> Optional[_Size]:
    if not text.size_is_exact:
        return None
    known = text.text
    if known is None:
        # static pieces of known size but unknown characters (a file read at import time)
        chars = text.known_chars
        return _Size(chars, float(chars))
    non_ascii = sum(1 for char in known if ord(char) > 127)
    ascii_chars = len(known) - non_ascii
    return _Size(len(known), ascii_chars / ASCII_CHARS_PER_TOKEN_FLOOR + non_ascii * NON_ASCII_TOKENS_PER_CHAR)
