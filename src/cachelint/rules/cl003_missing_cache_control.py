from __future__ import annotations

from typing import Optional

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec
from cachelint.model.frameworks import Framework
from cachelint.fix.intents import BreakpointPlace
from cachelint.fix.spelling import framework_breakpoint_fix
from cachelint.fix.markers import add_marker
from cachelint.model.request import Block, Request, SegmentForm
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

GUIDE = '"""' + "Always cite the clause of the contract that supports each answer you give. " * 80 + '"""'


class MissingCacheControl(Rule):
    code = "CL003"
    name = "missing-cache-control"
    summary = "A large static prefix (tools + system blocks) on a repeating call has no cache breakpoint"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a request that repeats (in a loop, in a function, in a conversation) whose static
    prefix, the tool definitions and system blocks that are the same on every call, is large
    enough to cache for the call's model, while the request carries no `cache_control` marker
    anywhere and no top-level `cache_control`.

    ## Why is this bad?
    Without a breakpoint nothing is cached: the same tools and instructions are billed at the
    full input price on every call. With a marker on the last static block they are read back
    at a tenth of the price (or less) for as long as calls keep coming.

    ## Example
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        tools=TOOLS,
        system=[{"type": "text", "text": CONTRACT_GUIDE}],
        messages=history,
    )
    ```

    ## Use instead
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        tools=TOOLS,
        system=[{"type": "text", "text": CONTRACT_GUIDE, "cache_control": {"type": "ephemeral"}}],
        messages=history,
    )
    ```

    ## Fix safety
    The fix adds `"cache_control": {"type": "ephemeral"}` to the last static block of the prefix
    (never to a per-call block). The model receives exactly the same text, so the fix is safe.
    A plain-string `system=` is CL001's finding, not this rule's.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": GUIDE, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            for q in ["a", "b"]:
                client.messages.count_tokens(
                    model="claude-sonnet-4-5",
                    system=[{{"type": "text", "text": GUIDE}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            from somewhere import settings
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": GUIDE}}],
                    messages=[{{"role": "user", "content": q}}],
                    **settings.EXTRA,
                )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": GUIDE}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": GUIDE, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            message="re-billed on every call",
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {{
                            "type": "text",
                            "text": GUIDE,
                        }},
                        {{"type": "text", "text": f"The user is {{name}}."}},
                    ],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {{
                            "type": "text",
                            "text": GUIDE,
                            "cache_control": {{"type": "ephemeral"}},
                        }},
                        {{"type": "text", "text": f"The user is {{name}}."}},
                    ],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        if not request.repetition.repeats:
            return
        if request.has_any_breakpoint or request.top_level_cache_control_unknown or request.has_unknown_splat:
            return
        if any(b.marker_unknown for b in request.tools.blocks + request.system.blocks):
            return
        if request.tools.form is SegmentForm.UNKNOWN or request.system.form is SegmentForm.UNKNOWN:
            return
        if request.tools.present and not request.tools.complete:
            return
        if request.system.form is SegmentForm.STRING:
            text = request.system.text
            if text is not None and text.pieces and text.pieces[0].staticness is Staticness.STATIC:
                return  # CL001's finding
        # the static run ends at a plain-string system, which cannot carry a marker
        prefix = request.prefix.static_run
        if not prefix:
            return
        size = request.prefix.static_run_size
        gate, _ = size_gate(ctx, request.model)
        if not size.exact:
            if ctx.tokens(size.sized_chars) < gate:
                return
        tokens = ctx.tokens(size.sized_chars)
        if tokens < gate:
            return
        last = prefix[-1]
        if last.segment == "tools":
            where = "the tool definitions"
        elif any(b.segment == "tools" for b in prefix):
            where = "the tool definitions and system prompt"
        else:
            where = "the system prompt"
        message = (
            f"no `cache_control` breakpoint on {where}: {tokens_phrase(tokens)} that are the same "
            f"on every call are re-billed on every call"
        )
        ctx.report(last.node if last.node is not None else request.call.node, message,
                   fix=self._fix(ctx, request, last), cost=ctx.cost(tokens, request.model), noqa_node=request.call.node)

    def _fix(self, ctx, request: Request, block: Block) -> Optional[FixSpec]:
        if request.call.framework is not Framework.ANTHROPIC_SDK:
            return framework_breakpoint_fix(ctx, request, BreakpointPlace.LAST_STATIC_BLOCK, block)
        if not request.prefix.of(block).dict_literal:
            return FixSpec("Add `cache_control` to the last static block", Applicability.DISPLAY_ONLY)
        edit = add_marker(ctx, block.node)
        if edit is None:
            return None
        return FixSpec(
            "Add `\"cache_control\": {\"type\": \"ephemeral\"}` to the last static block",
            Applicability.SAFE,
            [edit],
        )
