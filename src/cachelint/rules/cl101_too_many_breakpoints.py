from __future__ import annotations

from cachelint.core.api import MAX_BREAKPOINTS
from cachelint.model.request import Request
from cachelint.rules.base import Example, Rule

class TooManyBreakpoints(Rule):
    code = "CL101"
    name = "too-many-breakpoints"
    summary = "More than 4 cache breakpoints in one request: the API rejects it with 400"
    fix_availability = "none"
    waste = False  # count_tokens validates the request too
    docs = """
    ## What it does
    Checks for a request that certainly carries more than 4 `cache_control` breakpoints, counted
    across tools, system and messages. Top-level automatic caching
    (`messages.create(..., cache_control={...})`) places one more breakpoint on the last block and
    counts as one of the 4.

    ## Why is this bad?
    The API accepts at most 4 breakpoints per request. A 5th is rejected before anything runs:
    `400: A maximum of 4 blocks with cache_control may be provided. Found 5.` Four explicit
    markers plus top-level `cache_control` is already 5.

    Only markers that are certainly sent are counted (written in the request, not produced by a
    comprehension, a slice or a value cachelint cannot resolve), so every finding is a request
    the API will reject.

    ## Example
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[
            {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": EXAMPLES, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": GLOSSARY, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": STYLE, "cache_control": {"type": "ephemeral"}},
        ],
        messages=history,
        cache_control={"type": "ephemeral"},
    )
    ```

    ## Use instead
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[
            {"type": "text", "text": POLICY},
            {"type": "text", "text": EXAMPLES},
            {"type": "text", "text": GLOSSARY},
            {"type": "text", "text": STYLE, "cache_control": {"type": "ephemeral"}},
        ],
        messages=history,
        cache_control={"type": "ephemeral"},
    )
    ```
    A breakpoint caches the whole prefix before it, so one marker on the last static block
    caches all four system blocks.

    ## Fix safety
    There is no automatic fix: which breakpoints to keep depends on which parts of the prompt
    change together, and only the author knows that. Keep one on the last block of each part
    that changes at a different rate (tools, long system prompt, conversation history).
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            EPHEMERAL = {"type": "ephemeral"}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {"type": "text", "text": "Policy.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Examples.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Glossary.", "cache_control": EPHEMERAL},
                    ],
                    messages=[{"role": "user", "content": [{"type": "text", "text": q, "cache_control": EPHEMERAL}]}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(docs, q):
                # one marker per document, but how many documents is only known at run time
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": d, "cache_control": {"type": "ephemeral"}} for d in docs],
                    messages=[{"role": "user", "content": q}],
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
            EPHEMERAL = {"type": "ephemeral"}
            def ask(history):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {"type": "text", "text": "Policy.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Examples.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Glossary.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Style.", "cache_control": EPHEMERAL},
                    ],
                    messages=history,
                    cache_control={"type": "ephemeral"},
                )
            """,
            message="5 cache breakpoints",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        certain = [point for point in request.prefix.breakpoints if point.definite]
        # Markers we cannot see can only add to the count: the certain ones decide alone.
        if len(certain) <= MAX_BREAKPOINTS:
            return
        explicit = sum(1 for point in certain if not point.top_level)
        parts = f"{explicit} `cache_control` markers"
        if any(point.top_level for point in certain):
            parts += " + top-level automatic caching"
        first_extra = certain[MAX_BREAKPOINTS]
        message = (
            f"{len(certain)} cache breakpoints in one request ({parts}); the API accepts at most "
            f"{MAX_BREAKPOINTS} and rejects this request with 400. The first one over the limit is "
            f"{first_extra.place}"
        )
        ctx.report(first_extra.report_node, message, noqa_node=request.call.node)
