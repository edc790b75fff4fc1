from __future__ import annotations

from cachelint.model.request import Platform, Request
from cachelint.rules.base import Example, Rule

# Platforms documented as NOT supporting top-level automatic caching (prompt-caching docs,
# 2026-04: "Claude API and Foundry; Bedrock and Vertex coming later"). AnthropicAWS and
# AnthropicGoogleCloud proxy the first-party API unchanged (SDK source), and their support is not
# documented either way: unknown, so never reported.
UNSUPPORTED_PLATFORMS = {
    Platform.BEDROCK: "Amazon Bedrock",
    Platform.BEDROCK_MANTLE: "Amazon Bedrock",
    Platform.VERTEX: "Google Vertex AI",
}


class TopLevelCacheControlUnsupported(Rule):
    code = "CL107"
    name = "top-level-cache-control-unsupported"
    summary = "Top-level `cache_control=` on non-beta `messages.parse` (TypeError) or on Bedrock/Vertex"
    fix_availability = "none"
    waste = False  # count_tokens fails the same way
    docs = """
    ## What it does
    Checks for the top-level `cache_control=` argument (automatic caching) where it cannot work:
    on the non-beta `client.messages.parse(...)`, whose signature has no such parameter, and on
    clients for platforms that do not support automatic caching (Amazon Bedrock, Google Vertex
    AI). Calls whose client cannot be resolved are not reported.

    ## Why is this bad?
    `client.messages.parse(..., cache_control=...)` raises
    `TypeError: Messages.parse() got an unexpected keyword argument 'cache_control'` before any
    request is sent (anthropic 2.12.0; `client.beta.messages.parse` accepts it). Automatic
    caching exists on the Claude API and on Microsoft Foundry; on Bedrock and Vertex the
    argument is not supported, so the request does not get the breakpoint it asks for.

    ## Example
    ```python
    bedrock = AnthropicBedrock()
    bedrock.messages.create(
        model="anthropic.claude-sonnet-4-5-20250929-v1:0",
        max_tokens=1024,
        system=[{"type": "text", "text": POLICY}],
        messages=history,
        cache_control={"type": "ephemeral"},
    )
    ```

    ## Use instead
    ```python
    bedrock.messages.create(
        model="anthropic.claude-sonnet-4-5-20250929-v1:0",
        max_tokens=1024,
        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
        messages=history,
    )
    ```
    For `messages.parse`, mark the last block explicitly, or call `client.beta.messages.parse`.

    ## Fix safety
    There is no automatic fix: the replacement is an explicit marker on a block, and which block
    should carry it (the last static one, or the newest message of a conversation) depends on
    what changes between calls.
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def chat(history):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    messages=history,
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
        Example(
            """
            import anthropic
            from pydantic import BaseModel
            class Answer(BaseModel):
                text: str
            client = anthropic.Anthropic()
            def ask(history):
                return client.beta.messages.parse(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    messages=history,
                    output_format=Answer,
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
        Example(
            """
            from anthropic import AnthropicFoundry
            client = AnthropicFoundry(resource="research")
            def chat(history):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
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
            from pydantic import BaseModel
            class Answer(BaseModel):
                text: str
            client = anthropic.Anthropic()
            def ask(history):
                return client.messages.parse(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    messages=history,
                    output_format=Answer,
                    cache_control={"type": "ephemeral"},
                )
            """,
            message="TypeError",
        ),
        Example(
            """
            from anthropic import AnthropicVertex
            client = AnthropicVertex(region="us-east5", project_id="acme")
            def chat(history):
                return client.messages.create(
                    model="claude-sonnet-4-5@20250929",
                    max_tokens=512,
                    messages=history,
                    cache_control={"type": "ephemeral"},
                )
            """,
            message="Vertex",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        call = request.call
        if call.method == "parse" and call.namespace == "messages":
            # the keyword itself raises, whatever its value (even None) and however it is passed
            if "cache_control" not in request.keywords:
                return
            resource = "AsyncMessages" if call.is_async else "Messages"
            message = (
                "`messages.parse()` has no `cache_control` parameter: the call raises "
                f"`TypeError: {resource}.parse() got an unexpected keyword argument 'cache_control'` before "
                "any request is sent; mark the last block explicitly or use `client.beta.messages.parse`"
            )
            ctx.report(self._anchor(ctx, request), message, noqa_node=call.node)
            return
        platform = UNSUPPORTED_PLATFORMS.get(call.platform)
        if platform is None or call.recognised_by != "client" or call.is_free:
            return  # count_tokens places no breakpoint (and Bedrock has no token counting)
        marker = request.top_level_cache_control
        if marker is None or marker.valid is None:
            return  # absent, or a value that may be None at run time
        client_class = call.client_description.rsplit(".", 1)[-1].strip("`")
        message = (
            f"top-level `cache_control=` (automatic caching) is not supported on {platform} "
            f"(`{client_class}`): this "
            f"request does not get the breakpoint it asks for; put `cache_control` on the last "
            f"cacheable block instead"
        )
        ctx.report(self._anchor(ctx, request), message, noqa_node=call.node)

    def _anchor(self, ctx, request: Request):
        node = None
        marker = request.top_level_cache_control
        if marker is not None:
            node = marker.key_node or marker.node
        if node is None:
            written = request.arguments.written("cache_control")
            node = written.edit_node if written is not None else None
        if node is not None and node in ctx.positions:
            return node
        return request.node if request.node in ctx.positions else request.call.node
