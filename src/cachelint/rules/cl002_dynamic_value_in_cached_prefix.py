from __future__ import annotations

from typing import List, Optional, Tuple

from cachelint.core import modeldata
from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec
from cachelint.fix.split import split_block, split_into_blocks
from cachelint.model.request import Block, PrefixSize, Request, SegmentForm
from cachelint.resolve.text import Piece, Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

POLICY = '"""' + "Refunds are issued within 14 days of purchase when the item is unused. " * 90 + '"""'


class DynamicValueInCachedPrefix(Rule):
    code = "CL002"
    name = "dynamic-value-in-cached-prefix"
    summary = "A per-call value inside or before a cached block: the breakpoint writes every call and never reads"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a value that changes between calls (a parameter, request data, `datetime.now()`,
    `uuid4()`, `random`, ...) interpolated into a block that carries `cache_control`, or into any
    part of the prompt before a breakpoint (tools come before system, system before messages).

    ## Why is this bad?
    A breakpoint caches the exact bytes of the whole prefix up to it. When any of those bytes
    change on every call, every call writes a new cache entry (billed at 1.25x the input price,
    2x for the 1-hour TTL) and no call ever reads one: the marker makes the request dearer than
    not caching at all.

    Interpolating static values (module constants, files read once) is fine, and so is a per-call
    value that stays the same across the loop around the call (one document reused for many
    questions): those prefixes are read back.

    ## Example
    ```python
    system=[{
        "type": "text",
        "text": f"{POLICY}\\nToday is {datetime.now():%A}. The customer is {name}.",
        "cache_control": {"type": "ephemeral"},
    }]
    ```

    ## Use instead
    ```python
    system=[
        {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": f"Today is {datetime.now():%A}. The customer is {name}."},
    ]
    ```

    ## Fix safety
    When the changing parts form a suffix of an f-string or `+` chain written at the call, the
    fix splits the block into a cached static block followed by an uncached dynamic block. The
    model receives the same text, but in two blocks instead of one, so the fix is unsafe.
    Otherwise the advice is display-only.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}},
                        {{"type": "text", "text": f"The customer is {{name}}."}},
                    ],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            HEADER = "Policy version 3"
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"{{HEADER}}\\n{{POLICY}}", "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def summarize(document, questions):
                for question in questions:
                    client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=512,
                        system=[{"type": "text", "text": f"Answer from this document:\\n{document}", "cache_control": {"type": "ephemeral"}}],
                        messages=[{"role": "user", "content": question}],
                    )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            from datetime import datetime
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"{{POLICY}}\\nThe customer is {{name}}, it is {{datetime.now()}}.", "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            from datetime import datetime
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"{{POLICY}}\\nThe customer is ", "cache_control": {{"type": "ephemeral"}}}}, {{"type": "text", "text": f"{{name}}, it is {{datetime.now()}}."}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            applicability=Applicability.UNSAFE,
            message="`name`",
        ),
        Example(
            f"""
            import anthropic, uuid
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=f"Request {{uuid.uuid4()}}\\n{{POLICY}}",
                    messages=[{{"role": "user", "content": q}}],
                    cache_control={{"type": "ephemeral"}},
                )
            """,
            message="uuid4()",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        if request.call.is_free or not request.has_any_breakpoint:
            return
        prefix = _cached_tools_and_system(request)
        for index, block in enumerate(prefix):
            # set order is CL202's finding (with a safe `sorted()` fix), not this rule's
            pieces = [p for p in _varying(request, block) if p.description != "iteration over a set"]
            if not pieces:
                continue
            marked = block.marker is not None
            if not marked and _static_block_follows(block, prefix[index + 1 :]):
                return  # a per-call block before static ones in its segment: CL203 moves it
            self._report(request, ctx, block, marked, pieces)
            return  # the first changing block spoils everything after it: one finding per call

    def _report(self, request: Request, ctx, block: Block, marked: bool, pieces: List[Piece]) -> None:
        names = _names(pieces)
        cached_tokens = ctx.tokens(request.prefix.tools_and_system_size.known_chars)
        where = "the cached block" if marked else f"the {block.segment} before a cache breakpoint"
        plural = " and " in names
        if any(p.staticness is Staticness.VOLATILE for p in pieces):
            reason = "change on every call" if plural else "changes on every call"
        else:
            reason = "differ per call" if plural else "differs per call"
        message = (
            f"{names} {reason} and {'are' if plural else 'is'} part of {where}: the prefix is never the same twice, so the "
            f"breakpoint writes a new cache entry every call (1.25x) and never reads one"
        )
        cost = None
        if cached_tokens > 0:
            message += f"; {tokens_phrase(cached_tokens)} re-written on every call"
            cost = ctx.cost(cached_tokens, request.model, modeldata.WRITE_5M_MULTIPLIER)
        anchor = _anchor(pieces, block, request)
        ctx.report(anchor, message, fix=self._fix(request, ctx, block, marked), cost=cost,
                   noqa_node=request.call.node)

    def _fix(self, request: Request, ctx, block: Block, marked: bool) -> Optional[FixSpec]:
        advice = FixSpec(
            "Move the per-call parts into an uncached block after the last cached static block",
            Applicability.DISPLAY_ONLY,
        )
        prefix = request.prefix
        if block.segment == "system" and request.system.form is SegmentForm.STRING:
            expression = prefix.system_expression
            if request.system.arg is None or expression is None:
                return advice
            if not _static_start_is_cacheable(ctx, request, block):
                return advice
            split = split_into_blocks(ctx, expression, prefix.system_varying_parts)
            if split is None:
                return advice
            return FixSpec(
                "Split the system prompt into a cached static block and an uncached per-call block",
                Applicability.UNSAFE,
                [split],
            )
        if not marked or block.text is None or not prefix.of(block).dict_literal:
            return advice
        if not _static_start_is_cacheable(ctx, request, block):
            return advice
        edits = split_block(ctx, prefix.of(block))
        if edits is None:
            return advice
        return FixSpec(
            "Split the block into a cached static block and an uncached per-call block after it",
            Applicability.UNSAFE,
            edits,
        )


def _static_start_is_cacheable(ctx, request: Request, block: Block) -> bool:
    """Splitting pays only when the static start (with what precedes it) reaches the minimum."""
    gate, _ = size_gate(ctx, request.model)
    blocks = request.prefix.tools_and_system
    before = PrefixSize.of(blocks[: _position(blocks, block)]).sized_chars
    start = block.text.static_prefix_chars if block.text is not None else 0
    return ctx.tokens(before + start) >= gate


def _position(blocks: Tuple[Block, ...], block: Block) -> int:
    for index, candidate in enumerate(blocks):
        if candidate is block:
            return index
    return len(blocks)


def _cached_tools_and_system(request: Request) -> Tuple[Block, ...]:
    """The blocks of tools and system that lie before or on a breakpoint.

    Messages are left to CL201: in a conversation the marker on the newest turn is right.
    """
    prefix = request.prefix
    # Any breakpoint in the messages or at top level caches all of tools and system.
    if any(point.top_level or point.block.segment == "messages" for point in prefix.breakpoints):  # type: ignore[union-attr]
        return prefix.tools_and_system
    cached: Tuple[Block, ...] = ()
    for point in prefix.breakpoints:
        if point.marker.valid is not False:
            cached = point.cached_blocks
    return cached


def _static_block_follows(block: Block, later) -> bool:
    return any(other.segment == block.segment and other.content is Staticness.STATIC for other in later)


def _varying(request: Request, block: Block) -> List[Piece]:
    facts = request.prefix.of(block)
    if block.text is not None:
        return list(facts.text_changes)
    if facts.content_changes:
        return [Piece(block.content, None, None, f"the {block.kind.value} block", block.node)]
    return []


def _names(pieces: List[Piece]) -> str:
    names = []
    for piece in pieces:
        name = piece.description or "a per-call value"
        if name not in names:
            names.append(name)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _anchor(pieces: List[Piece], block: Block, request: Request):
    for piece in pieces:
        if piece.node is not None:
            return piece.node
    return block.node or request.call.node
