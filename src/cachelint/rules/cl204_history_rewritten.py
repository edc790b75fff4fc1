from __future__ import annotations

from cachelint.core.diagnostics import Applicability
from cachelint.model.conversation_facts import HistoryUse, UseKind
from cachelint.model.request import Request
from cachelint.fix.intents import FixSpec
from cachelint.rules.base import Example, Rule

ADVICE = FixSpec(
    "Keep the history append-only between cache breakpoints: trim or summarise it rarely and in "
    "large steps (e.g. when it passes a token budget), or let the API's context management do it",
    Applicability.DISPLAY_ONLY,
)


class HistoryRewritten(Rule):
    code = "CL204"
    name = "history-rewritten"
    summary = "A conversation re-sends a front-trimmed or rewritten history: every turn misses the cache"
    fix_availability = "always"
    docs = """
    ## What it does
    Checks for a conversation (a history list appended to and sent again as `messages`) whose
    history is cut from the front or rewritten on every turn: a sliding window sent as
    `messages=history[-20:]`, `history.pop(0)`, `del history[0]` / `del history[:2]`,
    `history = history[-N:]`, or `history = summarize(history)` run on every turn, through
    local variables, `self.` attributes and Streamlit's `st.session_state`.

    ## Why is this bad?
    A cache hit needs the prompt to be byte-identical up to the breakpoint. When the oldest
    message is dropped (or the list is rewritten), every turn's history starts differently from
    the previous turn's, so a breakpoint on the history can never be read back: the API reports
    `cache_miss_reason` `messages_changed` on every turn and the whole history is re-billed at the
    full input price (plus the write premium when it is marked).

    Trimming or summarising rarely, in large steps (compaction when the history passes a token
    budget), is fine: the turns between two compactions read the cache. A fixed offset such as
    `history[1:]` is fine too: the prefix stays the same from turn to turn.

    ## Example
    ```python
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            messages=history[-20:],
            cache_control={"type": "ephemeral"},
        )
        history.append({"role": "assistant", "content": reply.content})
    ```

    ## Use instead
    ```python
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        if count_tokens(history) > HISTORY_BUDGET:
            history = compact(history)  # rarely, in one large step
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            messages=history,
            cache_control={"type": "ephemeral"},
        )
        history.append({"role": "assistant", "content": reply.content})
    ```

    ## Fix safety
    The advice is display-only: how much history to keep, and when to compact it, changes what
    the model sees and is the author's decision.
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
            def answer(transcript):
                # one call on the newest part of a transcript: nothing is re-sent
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    messages=transcript[-10:],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            class Chat:
                def __init__(self):
                    self.messages = [{"role": "user", "content": "You are a pirate."}]
                def say(self, text):
                    self.messages.append({"role": "user", "content": text})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        messages=self.messages[1:],
                    )
                    self.messages.append({"role": "assistant", "content": reply.content})
                    if len(self.messages) > 200:
                        self.messages = summarize(self.messages)
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
                        messages=history[-20:],
                        cache_control={"type": "ephemeral"},
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
                        messages=history[-20:],
                        cache_control={"type": "ephemeral"},
                    )
                    history.append({"role": "assistant", "content": reply.content})
            """,
            applicability=Applicability.DISPLAY_ONLY,
            message="`history[-20:]` sends only the newest messages",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            MAX_MESSAGES = 12
            class Assistant:
                def __init__(self):
                    self.client = anthropic.Anthropic()
                    self.history = []
                def ask(self, text):
                    self.history.append({"role": "user", "content": text})
                    while len(self.history) > MAX_MESSAGES:
                        self.history.pop(0)
                    reply = self.client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        messages=self.history,
                    )
                    self.history.append({"role": "assistant", "content": reply.content})
                    return reply
            """,
            message="`self.history.pop(0)`",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        history = request.history
        if history is None or not history.resent:
            return
        for use in history.per_turn_rewrites:
            ctx.report(use.node, _message(history.name, use), fix=ADVICE, noqa_node=request.call.node)


def _message(name: str, use: HistoryUse) -> str:
    written = use.written
    consequence = (
        "each turn's history then starts differently from the last turn's, so a cache breakpoint on "
        "it can never be read back (`messages_changed`) and the whole history is re-billed on every turn"
    )
    if use.sent:
        return f"`{written}` sends only the newest messages of the conversation `{name}`: once it outgrows the window, {consequence}"
    if use.kind is UseKind.WINDOW:
        return f"`{written}` keeps only the newest messages of the conversation `{name}` on every turn: {consequence}"
    if use.kind is UseKind.FRONT_REMOVE:
        oldest = "the oldest message" if use.removed == 1 else "the oldest messages"
        return f"`{written}` drops {oldest} of the conversation `{name}`: {consequence}"
    return f"`{written}` rewrites the conversation `{name}` on every turn: {consequence}"
