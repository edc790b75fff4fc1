from __future__ import annotations

from cachelint.model.request import Request
from cachelint.rules._shared import tokens_phrase
from cachelint.rules.base import Example, Rule

# Request parameters that make the API add content the code does not show (skills, MCP tool
# definitions, structured-output instructions, context editing): the prefix may be larger.
HIDDEN_PREFIX_KEYWORDS = frozenset({"container", "mcp_servers", "output_config", "output_format", "context_management"})


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
        for point in request.prefix.breakpoints:
            if point.marker.valid is not True:
                continue
            # "never cached" needs certainty: an upper bound of the prefix, not the estimate
            size = point.upper_bound
            if size is not None and size.max_tokens < minimum:
                below.append((point, size))
        if not below:
            return
        # The prefixes nest: report the largest one, and count the smaller ones inside it.
        point, size = below[-1]
        earlier = len(below) - 1
        message = (
            f"the prefix cached by the breakpoint on {point.place} is "
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
        ctx.report(point.report_node, message, noqa_node=request.call.node)
