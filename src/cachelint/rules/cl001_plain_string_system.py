from __future__ import annotations

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec
from cachelint.model.frameworks import Framework
from cachelint.fix.intents import BreakpointPlace
from cachelint.fix.spelling import framework_breakpoint_fix
from cachelint.fix.markers import as_cached_block_list
from cachelint.fix.split import split_into_blocks
from cachelint.model.request import Request, SegmentForm
from cachelint.resolve.text import Origin, Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

LARGE_PROMPT = '"""' + "You are a meticulous support agent for Acme Cloud. " * 120 + '"""'


class PlainStringSystem(Rule):
    code = "CL001"
    name = "plain-string-system"
    summary = "A large system prompt sent as a plain string is billed in full on every call"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for `system=` passed as a plain string (a literal, a constant, an f-string, a local
    built from them) on a call that repeats, when the prompt is large enough to cache for the
    call's model.

    ## Why is this bad?
    A plain string cannot carry a `cache_control` marker, so the whole system prompt is billed at
    the full input price on every call. As a text block with a marker it is written to the cache
    once (1.25x) and then read at 0.1x (or less) for as long as it is reused.

    ## Example
    ```python
    def answer(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=SUPPORT_PLAYBOOK,  # 6,000 tokens
            messages=[{"role": "user", "content": question}],
        )
    ```

    ## Use instead
    ```python
    def answer(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=[{"type": "text", "text": SUPPORT_PLAYBOOK, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": question}],
        )
    ```

    ## Fix safety
    The fix is safe: a one-block list with the same text sends the model exactly the same system
    prompt; only caching metadata is added. When the string ends in a per-call part (an f-string
    whose placeholders come last), the fix splits it into a cached static block and an uncached
    dynamic block; that changes the block structure and is unsafe.

    Calls that run once (module level of a script) are not reported: caching a prompt used once
    costs more than it saves. `count_tokens` calls are free and never reported.

    ## Options
    - `default-model`: the model whose minimum size applies when a call's model is unknown.
    - `chars-per-token`: the size estimate (default 4 characters per token).
    - `report-unknown-size`: report static prompts whose size cannot be estimated.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {LARGE_PROMPT}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": SYSTEM, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system="You are terse.",
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {LARGE_PROMPT}
            reply = client.messages.create(
                model="claude-sonnet-4-5",
                max_tokens=512,
                system=SYSTEM,
                messages=[{{"role": "user", "content": "hello"}}],
            )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {LARGE_PROMPT}
            def chat(history):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=SYSTEM,
                    messages=history,
                    cache_control={{"type": "ephemeral"}},
                )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {LARGE_PROMPT}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=SYSTEM,
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = {LARGE_PROMPT}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": SYSTEM, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            message="tokens re-billed on every call",
        ),
        Example(
            f"""
            from anthropic import AsyncAnthropic as Claude
            RULES = {LARGE_PROMPT}
            class Bot:
                def __init__(self):
                    self.client = Claude()
                async def reply(self, name, q):
                    return await self.client.messages.create(
                        model="claude-opus-4-1",
                        max_tokens=512,
                        system=f"{{RULES}}\\nThe user is {{name}}.",
                        messages=[{{"role": "user", "content": q}}],
                    )
            """,
            fixed=f"""
            from anthropic import AsyncAnthropic as Claude
            RULES = {LARGE_PROMPT}
            class Bot:
                def __init__(self):
                    self.client = Claude()
                async def reply(self, name, q):
                    return await self.client.messages.create(
                        model="claude-opus-4-1",
                        max_tokens=512,
                        system=[{{"type": "text", "text": f"{{RULES}}\\nThe user is ", "cache_control": {{"type": "ephemeral"}}}}, {{"type": "text", "text": f"{{name}}."}}],
                        messages=[{{"role": "user", "content": q}}],
                    )
            """,
            applicability=Applicability.UNSAFE,
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        system = request.system
        if system.form is not SegmentForm.STRING or system.text is None:
            return
        if not request.repetition.repeats:
            return
        if request.prefix.system_cached_by_breakpoint:
            return  # a later breakpoint caches the system prompt too
        if system.origin in (Origin.PARAMETER, Origin.SPLAT) and system.arg is None and system.node is None:
            return
        if system.origin == Origin.PARAMETER:
            return  # a wrapper: judged at its callers
        text = system.text
        first = text.pieces[0] if text.pieces else None
        if first is None or first.staticness is not Staticness.STATIC:
            return  # nothing static at the start: nothing a marker could reuse
        gate, _ = size_gate(ctx, request.model)
        prefix_chars = text.static_prefix_chars
        exact = all(p.chars is not None for p in text.pieces[: (text.first_varying_index or len(text.pieces))])
        tokens = ctx.tokens(prefix_chars)
        if exact and tokens < gate:
            return
        if not exact and tokens < gate and not ctx.options.report_unknown_size:
            return
        if not exact and tokens < gate:
            size_words = "of unknown size"
            cost = None
        else:
            size_words = tokens_phrase(tokens)
            cost = ctx.cost(tokens, request.model)
        suffix = text.first_varying_index is not None
        name = system.description or "the system prompt"
        if cost is not None:
            message = (
                f"`system={_strip_ticks(name)}` is a plain string: {size_words} re-billed on every call; "
                f"send it as a text block with `cache_control`"
            )
        else:
            message = (
                f"`system={_strip_ticks(name)}` is a plain string {size_words} sent on every call; "
                f"send it as a text block with `cache_control`"
            )
        if suffix:
            message += " (its per-call end goes in a second, uncached block)"
        ctx.report(system.node or request.call.node, message, fix=self._fix(request, ctx), cost=cost,
                   noqa_node=request.call.node)

    def _fix(self, request: Request, ctx):
        if request.call.framework is not Framework.ANTHROPIC_SDK:
            return framework_breakpoint_fix(ctx, request, BreakpointPlace.SYSTEM)
        expression = request.prefix.system_expression
        if expression is None:
            return None
        text = request.system.text
        assert text is not None
        if text.first_varying_index is None:
            return FixSpec(
                "Send the system prompt as a cached text block",
                Applicability.SAFE,
                [as_cached_block_list(ctx, expression)],
            )
        split = split_into_blocks(ctx, expression, request.prefix.system_varying_parts)
        if split is None:
            return FixSpec(
                "Move the per-call part of the system prompt into a second text block after a cached static block",
                Applicability.DISPLAY_ONLY,
                [],
            )
        return FixSpec(
            "Send the static start as a cached text block and the per-call end as an uncached block",
            Applicability.UNSAFE,
            [split],
        )


def _strip_ticks(text: str) -> str:
    return text.strip("`")


__all__ = ["PlainStringSystem"]
