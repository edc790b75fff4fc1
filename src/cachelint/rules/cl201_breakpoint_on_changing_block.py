from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from cachelint.core import modeldata
from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec
from cachelint.fix.markers import move_marker
from cachelint.model.request import Block, Breakpoint, PrefixSize, Request, SegmentForm, Ttl
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

MANUAL = '"""' + "Answer strictly from the product manual below and quote the section you used. " * 80 + '"""'


class BreakpointOnChangingBlock(Rule):
    code = "CL201"
    name = "breakpoint-on-changing-block"
    summary = "The last cache breakpoint sits on a block that changes every call: every call writes, none reads"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a request whose last cache breakpoint (an explicit `cache_control` marker, or
    top-level `cache_control=`, which lands on the last block) sits on a message that differs on
    every call, such as the user's question, while the large static prefix before it (the tool
    definitions and the system prompt) has no breakpoint of its own.

    Conversations are not reported: when the history is appended and re-sent, a breakpoint on the
    newest turn is exactly right, because the next turn reads everything up to it.

    ## Why is this bad?
    A breakpoint caches the prefix up to and including its block. When that block changes on
    every call, every call writes a new cache entry (1.25x the input price, 2x for the 1-hour
    TTL) and no call ever reads one, so the static instructions that could be read back at a
    tenth of the price are re-written at a premium instead.

    ## Example
    ```python
    def ask(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=[{"type": "text", "text": MANUAL}],
            messages=[{"role": "user", "content": question}],
            cache_control={"type": "ephemeral"},
        )
    ```

    ## Use instead
    ```python
    def ask(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": question}],
        )
    ```

    ## Fix safety
    The fix moves the marker (same TTL) from the changing block to the last static block: it
    removes top-level `cache_control=` or the block's `cache_control` key and adds the marker to
    the last static tool, system block or message; a plain-string `system=` becomes a one-block
    list with the same text. The model receives exactly the same text, so the fix is safe. When
    the static block is not written in this file as a dict (or a plain string), the advice is
    display-only.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": question}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def chat():
                history = []
                while True:
                    history.append({{"role": "user", "content": input("> ")}})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        system=[{{"type": "text", "text": MANUAL}}],
                        messages=history,
                        cache_control={{"type": "ephemeral"}},
                    )
                    history.append({{"role": "assistant", "content": reply.content}})
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(question):
                # nothing static is large enough to cache: the marker costs little and the rule is quiet
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system="Be brief.",
                    messages=[{"role": "user", "content": question}],
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL}}],
                    messages=[{{"role": "user", "content": question}}],
                    cache_control={{"type": "ephemeral"}},
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": question}}],
                )
            """,
            message="`question`",
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=MANUAL,
                    messages=[
                        {{
                            "role": "user",
                            "content": [
                                {{
                                    "type": "text",
                                    "text": question,
                                    "cache_control": {{"type": "ephemeral", "ttl": "1h"}},
                                }},
                            ],
                        }},
                    ],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral", "ttl": "1h"}}}}],
                    messages=[
                        {{
                            "role": "user",
                            "content": [
                                {{
                                    "type": "text",
                                    "text": question,
                                }},
                            ],
                        }},
                    ],
                )
            """,
            message="2x",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        found = _find(request)
        if found is None:
            return
        ordered, point = found.ordered, found.breakpoint
        marker = point.marker
        static = ordered[: found.run_end]
        gate, _ = size_gate(ctx, request.model)
        size = PrefixSize.of(static)
        tokens = ctx.tokens(size.known_chars)
        if tokens < gate:
            return  # too small to cache (or not known to be large enough): moving the marker buys nothing
        size_words = tokens_phrase(tokens)
        if not size.exact:
            size_words = f"at least {size_words}"
        changing = [b for b in ordered[found.run_end : found.target + 1] if request.prefix.varies(b)]
        what = _changing_words(request, changing)
        write = modeldata.WRITE_1H_MULTIPLIER if marker.ttl is Ttl.ONE_HOUR else modeldata.WRITE_5M_MULTIPLIER
        info = ctx.model_info(request.model)
        read = info.cache_read_multiplier if info else modeldata.DEFAULT_READ_MULTIPLIER
        where = "top-level `cache_control` lands on" if point.top_level else "the last `cache_control` marker is on"
        if any(b is ordered[found.target] for b in changing):
            where += " a block that changes on every call"
        else:
            where += " a block whose prefix changes on every call"
        message = (
            f"{where} ({what}): every call writes a new cache entry "
            f"and none reads it; the static prefix before it ({_prefix_words(static)}, {size_words}) has "
            f"no breakpoint of its own, so it is re-written at {write:g}x on every call instead of read at {read:g}x"
        )
        anchor = point.carrier if point.carrier is not None else request.call.node
        ctx.report(
            anchor,
            message,
            fix=_fix(ctx, request, point, ordered[found.run_end - 1]),
            cost=ctx.cost(tokens, request.model, write),
            noqa_node=request.call.node,
        )


@dataclass(frozen=True)
class _ChangingBreakpoint:
    """The shape this rule reports: the last breakpoint sits on (or after) a changing message,
    behind a run of blocks that stay the same."""

    ordered: Tuple[Block, ...]  # the request's blocks in prompt order
    target: int  # index in `ordered` of the block the breakpoint caches up to
    breakpoint: Breakpoint
    run_end: int  # length of the run of reusable blocks before it


def _find(request: Request) -> Optional[_ChangingBreakpoint]:
    repetition = request.repetition
    if not repetition.repeats or repetition.conversation or request.messages.history_name is not None:
        return None  # in a conversation the marker on the newest turn is read by the next turn
    if request.has_unknown_splat or request.top_level_cache_control_unknown:
        return None
    messages = request.messages
    if messages.form is not SegmentForm.BLOCKS or not messages.complete or not messages.blocks:
        return None
    for segment in (request.tools, request.system):
        if segment.form is SegmentForm.UNKNOWN or (segment.present and not segment.complete):
            return None
    prefix = request.prefix
    ordered = prefix.blocks
    explicit = [i for i, b in enumerate(ordered) if b.marker is not None]
    if any(ordered[i].marker.valid is False for i in explicit):  # type: ignore[union-attr]
        return None  # an invalid marker is a 400 (CL103) before it is a cache question
    top = request.top_level_cache_control
    if top is not None:
        if top.valid is not True:
            return None
        call = request.call
        if call.platform.supports_automatic_caching is False or (call.method == "parse" and not call.is_beta):
            return None  # top-level cache_control is ignored or rejected there: CL107's finding
        target_index = len(ordered) - 1
        earlier = [i for i in explicit if i != target_index]  # a marker on the last block too moves with it
        point = prefix.breakpoints[-1]
    else:
        if not explicit:
            return None
        target_index = explicit[-1]
        earlier = explicit[:-1]
        point = prefix.breakpoints[-1]
        if point.marker.valid is not True:
            return None
    if ordered[target_index].segment != "messages" or earlier:
        return None  # markers in tools/system are CL002's; an earlier breakpoint already reads
    if any(b.marker_unknown for b in ordered[: target_index + 1]):
        return None
    run_end = 0
    while run_end < target_index and _reusable(request, ordered[run_end]):
        run_end += 1
    prefix_blocks = len(ordered) - len(messages.blocks)
    if run_end == 0 or run_end < prefix_blocks:
        return None  # a changing tools/system block is CL002's finding
    if not any(prefix.varies(b) for b in ordered[run_end : target_index + 1]):
        return None
    return _ChangingBreakpoint(ordered, target_index, point, run_end)


def _reusable(request: Request, block: Block) -> bool:
    """Same bytes on the calls that follow: static, or per-call but fixed over the loop around the call."""
    if block.content is Staticness.STATIC:
        return True
    return block.content.varies and not request.prefix.varies(block)


def _changing_words(request: Request, changing: List[Block]) -> str:
    names: List[str] = []
    volatile = False
    for block in changing:
        pieces = request.prefix.of(block).text_changes
        for piece in pieces:
            volatile = volatile or piece.staticness is Staticness.VOLATILE
            name = piece.description or "a per-call value"
            if name not in names:
                names.append(name)
        if not pieces:
            volatile = volatile or block.content is Staticness.VOLATILE
            name = f"the {block.kind.value.replace('_', ' ')} block"
            if name not in names:
                names.append(name)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    plural = len(names) > 1
    if volatile:
        verb = "change on every call" if plural else "changes on every call"
    else:
        verb = "differ per call" if plural else "differs per call"
    return f"{listed} {verb}"


def _prefix_words(static: Tuple[Block, ...]) -> str:
    segments = []
    for name, words in (("tools", "tools"), ("system", "system prompt"), ("messages", "first messages")):
        if any(b.segment == name for b in static):
            segments.append(words)
    return segments[0] if len(segments) == 1 else ", ".join(segments[:-1]) + " and " + segments[-1]


def _fix(ctx, request: Request, point: Breakpoint, static: Block) -> FixSpec:
    advice = FixSpec(
        "Move the cache breakpoint to the last static block, before the part that changes",
        Applicability.DISPLAY_ONLY,
    )
    other_requests = ctx.built.requests if ctx.built is not None else ()
    edits = move_marker(ctx, request, point, static, other_requests)
    if edits is None:
        return advice
    return FixSpec(f"Move `cache_control` to the last static block ({static.segment})", Applicability.SAFE, edits)
