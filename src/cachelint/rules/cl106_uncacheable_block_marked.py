from __future__ import annotations

from typing import Optional

from cachelint.model.request import Block, BlockKind, Request
from cachelint.rules.base import Example, Rule

THINKING_KINDS = (BlockKind.THINKING, BlockKind.REDACTED_THINKING)


class UncacheableBlockMarked(Rule):
    code = "CL106"
    name = "uncacheable-block-marked"
    summary = "`cache_control` on a thinking/redacted_thinking block or an empty text block: 400"
    fix_availability = "none"
    waste = False  # count_tokens validates the request too
    docs = """
    ## What it does
    Checks for a `cache_control` marker on a block that cannot carry one: a `thinking` or
    `redacted_thinking` block, or a text block whose text is the empty string.

    ## Why is this bad?
    The API rejects the request with a 400 error ("cache_control cannot be set for empty text
    blocks"; thinking blocks cannot be marked at all). Thinking blocks of earlier turns are
    still cached as part of the prefix when a later block carries the marker.

    ## Example
    ```python
    messages=[
        {"role": "user", "content": question},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": thought, "signature": signature,
             "cache_control": {"type": "ephemeral"}},
            {"type": "tool_use", "id": call_id, "name": "search", "input": args},
        ]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call_id, "content": result}]},
    ]
    ```

    ## Use instead
    ```python
    messages=[
        {"role": "user", "content": question},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": thought, "signature": signature},
            {"type": "tool_use", "id": call_id, "name": "search", "input": args},
        ]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call_id, "content": result,
                                      "cache_control": {"type": "ephemeral"}}]},
    ]
    ```

    ## Fix safety
    There is no automatic fix: deleting the marker silently drops a breakpoint the author asked
    for, and moving it to a neighbouring block changes which prefix is cached. Put the marker on
    the nearest text, image, document, tool_use or tool_result block yourself.
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def follow_up(q, thought, signature, answer):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2048,
                    thinking={"type": "enabled", "budget_tokens": 1024},
                    messages=[
                        {"role": "user", "content": q},
                        {"role": "assistant", "content": [
                            {"type": "thinking", "thinking": thought, "signature": signature},
                            {"type": "text", "text": answer, "cache_control": {"type": "ephemeral"}},
                        ]},
                        {"role": "user", "content": "And then?"},
                    ],
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
                    system=[{"type": "text", "text": "Answer briefly.", "cache_control": {"type": "ephemeral"}}],
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
            def follow_up(q, thought, signature, answer):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2048,
                    thinking={"type": "enabled", "budget_tokens": 1024},
                    messages=[
                        {"role": "user", "content": q},
                        {"role": "assistant", "content": [
                            {"type": "thinking", "thinking": thought, "signature": signature, "cache_control": {"type": "ephemeral"}},
                            {"type": "text", "text": answer},
                        ]},
                        {"role": "user", "content": "And then?"},
                    ],
                )
            """,
            message="`thinking` block",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            EXTRA = ""
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {"type": "text", "text": "Answer briefly."},
                        {"type": "text", "text": EXTRA, "cache_control": {"type": "ephemeral"}},
                    ],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="empty text block",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        for point in request.prefix.breakpoints:
            block = point.block
            marker = point.marker
            # a misspelled key is CL103's finding; an unreadable value may be None at run time
            if block is None or marker.key != "cache_control" or marker.valid is None:
                continue
            reason = _uncacheable(block)
            if reason is None:
                continue
            message = (
                f"`cache_control` on {point.place}, {reason}: the API rejects the request "
                f"with 400; mark the nearest text, image, document, tool_use or tool_result block instead"
            )
            ctx.report(point.report_node, message, noqa_node=request.call.node)


def _uncacheable(block: Block) -> Optional[str]:
    if block.kind in THINKING_KINDS:
        return f"a `{block.kind.value}` block"
    if block.kind is BlockKind.TEXT and block.text is not None and block.text.text == "":
        return "an empty text block"
    return None
