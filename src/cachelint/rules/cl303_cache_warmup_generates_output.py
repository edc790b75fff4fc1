from __future__ import annotations

import re
from typing import List, Optional

from cachelint.core.diagnostics import Applicability
from cachelint.fix.arguments import zero_max_tokens
from cachelint.fix.intents import FixSpec
from cachelint.model.request import BlockKind, Platform, Request, SegmentForm
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

MANUAL = '"""' + "Troubleshooting: restart the router, then check the status light before escalating. " * 80 + '"""'

# What people send when the message itself does not matter.
DUMMY_WORDS = {
    "", "hi", "hello", "hey", "ping", "test", "ok", "x", "a", "go", "start", "init", "dummy",
    "warmup", "warm up", "warm-up", "warming up", "prime", "preload", "cache", "noop", "no-op",
    "hello world", "hi there",
}
_WORDS = re.compile(r"[^a-z0-9 \-]+")
# Platforms whose documentation we have confirms `max_tokens=0`; an unresolved client is most
# often the first-party one and is judged like it.
SUPPORTED = (Platform.ANTHROPIC, Platform.UNKNOWN)
METHODS = ("create", "stream")


class CacheWarmupGeneratesOutput(Rule):
    code = "CL303"
    name = "cache-warmup-generates-output"
    summary = "A cache warm-up call generates output it throws away: `max_tokens=0` writes the cache without it"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a warm-up call: a request that carries a cache breakpoint over a large prefix,
    sends a dummy message (`"hi"`, `"warmup"`, `"."`) and asks for `max_tokens=1`, only so that
    the cache is written before real traffic arrives.

    ## Why is this bad?
    `max_tokens=0` pre-warms the cache without generating any output: the API writes the
    prefix and returns at once. With `max_tokens=1` the call still runs the model for one
    token that nobody reads, adding latency and an output token to every warm-up.

    ## Example
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1,
        system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "warmup"}],
    )
    ```

    ## Use instead
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=0,
        system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "warmup"}],
    )
    ```

    ## Fix safety
    The fix sets `max_tokens=0`. The response then has no content, so code that reads the
    warm-up's reply (even to log it) would change: the fix is unsafe.

    Only the first-party client (and calls whose client cannot be resolved) are reported:
    the platform clients' documentation does not say they accept `max_tokens=0`. A call whose
    cached prefix is known to be below the model's minimum caches nothing (CL301) and is not
    reported here.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def warm():
                client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=0,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": "warmup"}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def is_spam(text):
                reply = client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": text}}],
                )
                return reply.content[0].text == "Y"
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def warm_cache():
                client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": "warmup"}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def warm_cache():
                client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=0,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": "warmup"}}],
                )
            """,
            applicability=Applicability.UNSAFE,
            message="max_tokens=0",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        call = request.call
        if call.method not in METHODS or request.in_batch or call.platform not in SUPPORTED:
            return
        if request.max_tokens != 1 or request.has_unknown_splat:
            return
        if not request.has_any_breakpoint:
            return  # without a breakpoint the call writes nothing: it is not a warm-up
        dummy = _dummy_message(request)
        if dummy is None:
            return
        # what the last breakpoint caches (has_any_breakpoint: there is one)
        size = request.prefix.breakpoints[-1].size
        tokens = ctx.tokens(size.known_chars)
        gate, _ = size_gate(ctx, request.model)
        if size.exact and tokens < gate:
            return  # nothing is cached at all: CL301's finding
        size_words = tokens_phrase(tokens) if size.exact else "the prefix"
        message = (
            f"warm-up call (message {dummy!r}, `max_tokens=1`) generates a token nobody reads: "
            f"`max_tokens=0` writes {size_words} to the cache without generating output"
        )
        fix = None
        edit = zero_max_tokens(ctx, request.max_tokens_node)
        if edit is not None:
            fix = FixSpec("Set `max_tokens=0` (pre-warms the cache without output)", Applicability.UNSAFE, [edit])
        arg = request.max_tokens_arg
        anchor = arg if arg is not None and arg in ctx.positions else call.node
        ctx.report(anchor, message, fix=fix, noqa_node=call.node)


def _dummy_message(request: Request) -> Optional[str]:
    """The text of the request's only message when it is a placeholder, else None."""
    messages = request.messages
    if messages.form is not SegmentForm.BLOCKS or not messages.complete:
        return None
    blocks = list(messages.blocks)
    if not blocks or any(b.message_index != blocks[0].message_index for b in blocks):
        return None  # a conversation: a real exchange, not a warm-up
    texts: List[str] = []
    for block in blocks:
        if block.role != "user" or block.kind is not BlockKind.TEXT or block.text is None:
            return None
        if block.text.staticness is not Staticness.STATIC or block.text.text is None:
            return None
        texts.append(block.text.text)
    text = " ".join(t.strip() for t in texts)
    if not _is_placeholder(text):
        return None
    return text


def _is_placeholder(text: str) -> bool:
    lowered = " ".join(text.lower().split())
    if len(lowered) > 40:
        return False
    words = _WORDS.sub("", lowered).strip()
    if words in DUMMY_WORDS:
        return True
    return "warm" in words and "cache" in words or words.startswith("warm")
