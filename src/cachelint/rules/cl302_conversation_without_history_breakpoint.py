from __future__ import annotations

from typing import Optional, Tuple

from cachelint.core.api import MAX_BREAKPOINTS
from cachelint.core.diagnostics import Applicability
from cachelint.model.conversation_facts import ConversationHistory
from cachelint.model.request import Platform, Request, SegmentForm
from cachelint.resolve.text import Staticness
from cachelint.fix.markers import EPHEMERAL
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.fix.arguments import keyword_after_last_argument
from cachelint.fix.intents import FixSpec
from cachelint.model.frameworks import Framework
from cachelint.fix.intents import BreakpointPlace
from cachelint.fix.spelling import framework_breakpoint_fix
from cachelint.rules.base import Example, Rule

# Top-level `cache_control=` (automatic caching) arrived in anthropic 0.83.0.
AUTOMATIC_CACHING_SDK = (0, 83, 0)
TOP_LEVEL = f"cache_control={EPHEMERAL}"


class ConversationWithoutHistoryBreakpoint(Rule):
    code = "CL302"
    name = "conversation-without-history-breakpoint"
    summary = "A conversation re-sends its growing history with no breakpoint on messages: every turn re-bills all earlier turns"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a conversation or agent tool loop that appends the reply (and tool results) to its
    history and sends the whole history again, with no `cache_control` marker on any message and
    no top-level `cache_control`. The history may live in a local list around a loop, a `self.`
    attribute, a module-level list or Streamlit's `st.session_state`.

    ## Why is this bad?
    Every turn re-sends every earlier turn. Without a breakpoint on the messages, all of it is
    billed at the full input price again on every turn, so the cost of a conversation grows with
    the square of its length. With automatic caching (top-level `cache_control`), the breakpoint
    moves forward with the conversation and each turn reads the previous turns at a tenth of the
    price (or less).

    A marker on the system prompt alone does not help the history: it caches only the prefix up
    to the system prompt.

    ## Example
    ```python
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            messages=history,
        )
        history.append({"role": "assistant", "content": reply.content})
    ```

    ## Use instead
    ```python
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            messages=history,
            cache_control={"type": "ephemeral"},
        )
        history.append({"role": "assistant", "content": reply.content})
    ```

    ## Fix safety
    For first-party clients (`Anthropic`, `AsyncAnthropic`, `AnthropicFoundry`) on anthropic >= 0.83
    (see `target-sdk`), the fix adds top-level `cache_control={"type": "ephemeral"}`: only caching
    metadata is added, so it is safe. It is never offered on non-beta `messages.parse` (which
    rejects the argument), on Bedrock or Vertex clients (no automatic caching there), on older
    SDKs, or when four markers are already in use; the advice is then display-only: put a
    marker on the last block of the last message before each call.

    When the history is trimmed from the front or rewritten on every turn, a breakpoint could
    never be read back: that is CL204's finding, and this rule stays quiet.
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def chat():
                history = []
                while True:
                    history.append({"role": "user", "content": input("> ")})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        messages=history,
                        cache_control={"type": "ephemeral"},
                    )
                    history.append({"role": "assistant", "content": reply.content})
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(question):
                # a fresh list per call: nothing is re-sent
                messages = []
                messages.append({"role": "user", "content": question})
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=messages)
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def chat(**options):
                history = []
                while True:
                    history.append({"role": "user", "content": input("> ")})
                    reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=history, **options)
                    history.append({"role": "assistant", "content": reply.content})
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def agent():
                # context editing rewrites the history on the server: no stable prefix to cache
                messages = []
                while True:
                    messages.append({"role": "user", "content": input("> ")})
                    reply = client.beta.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        messages=messages,
                        context_management={"edits": [{"type": "clear_tool_uses_20250919"}]},
                    )
                    messages.append({"role": "assistant", "content": reply.content})
            """
        ),
    ]
    INVALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def chat():
                history = []
                while True:
                    history.append({"role": "user", "content": input("> ")})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        messages=history,
                    )
                    history.append({"role": "assistant", "content": reply.content})
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            def chat():
                history = []
                while True:
                    history.append({"role": "user", "content": input("> ")})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        messages=history,
                        cache_control={"type": "ephemeral"},
                    )
                    history.append({"role": "assistant", "content": reply.content})
            """,
            message="`history`",
        ),
        Example(
            """
            from anthropic import AnthropicBedrock
            client = AnthropicBedrock()
            class Agent:
                def __init__(self):
                    self.messages = []
                def step(self, text):
                    self.messages.append({"role": "user", "content": text})
                    reply = client.messages.create(
                        model="anthropic.claude-sonnet-4-5-20250929-v1:0",
                        max_tokens=1024,
                        messages=self.messages,
                    )
                    self.messages.append({"role": "assistant", "content": reply.content})
                    return reply
            """,
            message="`self.messages`",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        if request.in_batch:
            return
        if request.top_level_cache_control is not None or request.top_level_cache_control_unknown:
            return
        if request.has_unknown_splat:
            return  # `**kwargs` may carry cache_control
        if request.context_edited_on_server:
            return  # the server edits the history (clears old tool results): its prefix is not stable
        if any(b.marker is not None or b.marker_unknown for b in request.messages.blocks):
            return
        history = request.history
        if history is None or not history.resent:
            return
        if history.per_turn_rewrites:
            return  # a breakpoint could never be read back: CL204's finding
        if _markers_may_be_added_elsewhere(ctx, request, history):
            return
        agent = request.repetition.agent_loop
        turns = "every turn and tool-use round re-bills all earlier ones" if agent else "every turn re-bills all earlier turns"
        prefix_tokens, prefix_words = _unmarked_static_prefix(ctx, request)
        gate, _ = size_gate(ctx, request.model)
        missing = "no message carries `cache_control`"
        if request.call.platform.supports_automatic_caching is not False:
            missing += " and there is no top-level `cache_control`"
        message = (
            f"the conversation `{history.name}` is appended to and re-sent, but {missing}: "
            f"{turns} at the full input price"
        )
        cost = None
        if prefix_tokens >= gate:
            # the history's size is unknown: the known static prefix is a lower bound of the waste
            message += f", plus at least {tokens_phrase(prefix_tokens)} of {prefix_words}"
            cost = ctx.cost(prefix_tokens, request.model)
        anchor = request.messages.arg if request.messages.arg is not None else request.call.node
        ctx.report(anchor, message, fix=_fix(ctx, request), cost=cost, noqa_node=request.call.node)


def _unmarked_static_prefix(ctx, request: Request) -> Tuple[int, str]:
    """Tokens of the tools and system prompt re-billed each turn, when they are known, static and
    carry no marker (a marked prefix is already read from the cache), and how to name them."""
    chars = 0
    named = []
    for segment, words in ((request.tools, "tools"), (request.system, "system prompt")):
        if segment.form is SegmentForm.UNKNOWN or (segment.present and not segment.complete):
            return 0, ""
        if segment.form is SegmentForm.STRING:
            if segment.text is None or segment.text.staticness is not Staticness.STATIC:
                return 0, ""
            chars += segment.text.known_chars
            named.append(words)
            continue
        for block in segment.blocks:
            if block.marker is not None or block.marker_unknown or block.content is not Staticness.STATIC:
                return 0, ""
            if block.chars is not None:
                chars += block.chars
            elif block.text is not None:
                chars += block.text.known_chars
        if segment.blocks:
            named.append(words)
    return ctx.tokens(chars), " and ".join(named)


def _markers_may_be_added_elsewhere(ctx, request: Request, history: ConversationHistory) -> bool:
    """`cache_control` named anywhere in the file outside the markers the request model knows
    (e.g. `history[-1]["content"][-1]["cache_control"] = ...`, or a marker inside an appended
    message): the history may well carry a breakpoint this rule cannot place."""
    built = ctx.built
    known = []
    for other in (built.requests if built is not None else [request]):
        if other.top_level_cache_control is not None and other.top_level_cache_control.key_node is not None:
            known.append(other.top_level_cache_control.key_node)
        for block in other.blocks:
            if block.marker is not None and block.marker.key_node is not None:
                known.append(block.marker.key_node)
    known_nodes = tuple(known)
    return any(not mention.within(known_nodes) for mention in history.marker_mentions)


def _fix(ctx, request: Request) -> FixSpec:
    if request.call.framework is not Framework.ANTHROPIC_SDK:
        return framework_breakpoint_fix(ctx, request, BreakpointPlace.HISTORY)
    reason = _no_automatic_caching(ctx, request)
    if reason is None:
        insertion = keyword_after_last_argument(ctx, request.call.node, TOP_LEVEL)
        if insertion is not None:
            return FixSpec(
                "Add top-level `cache_control={\"type\": \"ephemeral\"}` (automatic caching of the history)",
                Applicability.SAFE,
                insertion,
            )
        reason = "the call's arguments could not be edited"
    return FixSpec(
        "Put `\"cache_control\": {\"type\": \"ephemeral\"}` on the last block of the last message before each call "
        f"({reason})",
        Applicability.DISPLAY_ONLY,
    )


def _no_automatic_caching(ctx, request: Request) -> Optional[str]:
    """Why top-level `cache_control=` cannot be added here, or None when it can."""
    call = request.call
    if call.recognised_by != "client" or call.platform not in (Platform.ANTHROPIC, Platform.FOUNDRY):
        return "top-level `cache_control` is not supported by this client"
    target = ctx.options.target_sdk
    if target is not None and tuple(target) < AUTOMATIC_CACHING_SDK:
        return "top-level `cache_control` needs anthropic >= 0.83"
    if call.method == "parse" and not call.is_beta:
        return "`messages.parse` does not accept top-level `cache_control`"
    if len([b for b in request.tools.blocks + request.system.blocks if b.marker is not None]) >= MAX_BREAKPOINTS:
        return "four breakpoints are already in use"
    return None
