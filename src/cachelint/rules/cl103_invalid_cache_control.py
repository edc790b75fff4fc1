from __future__ import annotations

from typing import Optional

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec
from cachelint.fix.marker_edits import correction_edits
from cachelint.model.request import Marker, Request
from cachelint.rules.base import Example, Rule


class InvalidCacheControl(Rule):
    code = "CL103"
    name = "invalid-cache-control"
    summary = 'A `cache_control` that is not {"type": "ephemeral"} (+ ttl "5m"/"1h"): the API rejects it'
    fix_availability = "sometimes"
    waste = False  # count_tokens validates the request too
    docs = """
    ## What it does
    Checks for `cache_control` values the API does not accept, on blocks, tools and the
    top-level `cache_control=` argument. The only accepted shape is `{"type": "ephemeral"}`
    with an optional `"ttl"` of `"5m"` or `"1h"`. Common mistakes: the string `"ephemeral"`,
    `{"type": "persistent"}`, `"ttl": 3600`, `"ttl": "10m"`, and the key spelled
    `cache-control` or `cacheControl`.

    ## Why is this bad?
    The API validates the marker and rejects the whole request with a 400 error; a misspelled
    key is an unknown field and is rejected the same way. Nothing is sent to the model and
    nothing is cached.

    ## Example
    ```python
    system=[{"type": "text", "text": POLICY, "cacheControl": "ephemeral"}]
    ...
    tools=[{**SEARCH_TOOL, "cache_control": {"type": "ephemeral", "ttl": 3600}}]
    ```

    ## Use instead
    ```python
    system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]
    ...
    tools=[{**SEARCH_TOOL, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    ```

    ## Fix safety
    The fix is safe when the intent is unambiguous: the string `"ephemeral"` becomes
    `{"type": "ephemeral"}`, a misspelled key becomes `cache_control`, a missing or mis-cased
    `"type"` becomes `"ephemeral"`, and a TTL that means exactly 5 minutes or 1 hour
    (`300`, `3600`, `"60m"`, `"1hr"`, ...) becomes `"5m"` or `"1h"`. The text the model
    receives does not change; a crash is removed. Other values (`{"type": "persistent"}`, a TTL
    of 10 minutes or 1 day, unknown keys) have no single right replacement and get no fix.
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
                    messages=[{"role": "user", "content": q}],
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
        Example(
            """
            import anthropic
            from settings import CACHE_CONTROL
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": CACHE_CONTROL}],
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
                    system=[{"type": "text", "text": "Policy.", "cache_control": "ephemeral"}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="not the string 'ephemeral'",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            ONE_HOUR = {"type": "ephemeral", "ttl": 3600}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cacheControl": ONE_HOUR}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": ONE_HOUR}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="`cacheControl`",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "persistent"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="'persistent'",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        for point in request.prefix.breakpoints:
            marker = point.marker
            if marker.valid is not False:
                continue
            where = point.place
            if marker.key != "cache_control":
                message = (
                    f"`{marker.key}` on {where} is not a field the API knows (it reads only "
                    f"`cache_control`): the request is rejected with 400 and nothing is cached"
                )
            else:
                problem = marker.problem or "the value is not accepted"
                message = f"invalid `cache_control` on {where}: {problem}; the API rejects this request with 400"
            ctx.report(point.report_node, message, fix=_fix(ctx, marker), noqa_node=request.call.node)


def _fix(ctx, marker: Marker) -> Optional[FixSpec]:
    """The model's correction of the marker (`Marker.correction`), when there is one."""
    correction = marker.correction
    if correction is None:
        return None
    edits = correction_edits(ctx, correction)
    if marker.key != "cache_control":
        message = f"Rename `{marker.key}` to `cache_control`"
        if correction.repairs_value:
            message += " and make the value valid"
        return FixSpec(message, Applicability.SAFE, edits)
    return FixSpec("Write the marker as the API expects it", Applicability.SAFE, edits)
