from __future__ import annotations

from cachelint.model.request import Request, Ttl
from cachelint.rules.base import Example, Rule


class TtlOrder(Rule):
    code = "CL102"
    name = "ttl-order"
    summary = 'A ttl="1h" breakpoint after a 5-minute one: the API rejects the request with 400'
    fix_availability = "none"
    waste = False  # count_tokens validates the request too
    docs = """
    ## What it does
    Checks for a `cache_control` marker with `"ttl": "1h"` that comes after a 5-minute marker
    (an omitted `ttl` is 5 minutes), in the order the API reads the prompt: tools, then system,
    then messages. Top-level automatic caching places its breakpoint on the last block, so it
    comes after every explicit marker.

    ## Why is this bad?
    Longer-lived cache entries must come first. The API rejects the request with
    `400: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block`.

    Only markers that are certainly sent, with a TTL cachelint can read, are compared.

    ## Example
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        tools=[{**SEARCH_TOOL, "cache_control": {"type": "ephemeral"}}],
        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        messages=messages,
    )
    ```

    ## Use instead
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        tools=[{**SEARCH_TOOL, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        messages=messages,
    )
    ```
    Or drop the earlier 5-minute marker: the 1-hour breakpoint caches the tools too.

    ## Fix safety
    There is no automatic fix: making the earlier marker 1 hour doubles its write price, making
    the later one 5 minutes shortens the lifetime the author asked for, and removing the earlier
    one changes what is cached. Which one is right depends on how often each part is reused.
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
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                    messages=[{"role": "user", "content": [{"type": "text", "text": q, "cache_control": {"type": "ephemeral"}}]}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(history):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                    messages=history,
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
    ]
    INVALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            TOOLS = [{"name": "search", "description": "Search.", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}]
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    tools=TOOLS,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="after a 5-minute breakpoint on tool 1",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(history):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral"}}],
                    messages=history,
                    cache_control={"type": "ephemeral", "ttl": "1h"},
                )
            """,
            message="top-level",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        first_short = None
        for point in request.prefix.breakpoints:
            if not point.definite:
                continue  # an unknown marker between two known ones cannot make the order valid
            if point.marker.ttl is Ttl.FIVE_MINUTES and first_short is None:
                first_short = point
            elif point.marker.ttl is Ttl.ONE_HOUR and first_short is not None:
                message = (
                    f'`ttl="1h"` breakpoint on {point.place} comes after a 5-minute '
                    f"breakpoint on {first_short.place} (tools -> system -> messages "
                    f"order): the API rejects this request with 400; 1-hour breakpoints must come first"
                )
                ctx.report(point.report_node, message, noqa_node=request.call.node)
                return  # one finding per request: the first offending marker
