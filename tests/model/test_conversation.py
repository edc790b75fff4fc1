"""The conversation facts of the request model (model/conversation.py), built by the product's
own model builder: the history a request sends and what the code does to it, the agent loop,
retry vs reuse loops, and loop invariance."""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.conversation_facts import HistoryKind, LoopKind, UseKind
from cachelint.model.request import RepeatKind, Request

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
STREAMLIT = "import streamlit as st\n"


def _request(body: str, head: str = HEAD) -> Request:
    source = head + textwrap.dedent(body).lstrip("\n")
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    built = build_requests(wrapper, "x.py", AnalysisOptions())
    assert len(built.requests) == 1
    return built.requests[0]


CHAT = """
def chat():
    history = []
    while True:
        history.append({"role": "user", "content": input()})
        {trim}
        reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages={sent})
        history.append({"role": "assistant", "content": reply.content})
"""


def _chat(trim: str = "pass", sent: str = "history") -> Request:
    return _request(CHAT.replace("{trim}", trim).replace("{sent}", sent))


# -- which list, where it lives, whether it is re-sent -------------------------------------------


def test_local_history_appended_in_a_loop_is_re_sent():
    request = _chat()
    history = request.history
    assert history is not None
    assert history.name == "history" and history.kind is HistoryKind.LOCAL
    assert history.resent and not history.per_turn_rewrites
    assert [u.written for u in history.appends] == [
        'history.append({"role": "user", "content": input()})',
        'history.append({"role": "assistant", "content": reply.con...',  # one line, 60 characters
    ]
    assert isinstance(history.region, cst.While)  # once per turn: the loop around the call
    assert [cst.Module([]).code_for_node(d) for d in history.definitions] == ["history"]
    assert request.repetition.kind is RepeatKind.CONVERSATION


def test_list_built_fresh_for_one_call_is_appended_but_not_re_sent():
    request = _request(
        """
        def ask(question):
            messages = []
            messages.append({"role": "user", "content": question})
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=messages)
        """
    )
    assert request.history is not None and not request.history.resent
    assert request.history.per_turn_rewrites == () and request.history.marker_mentions == ()
    assert request.repetition.kind is RepeatKind.FUNCTION


def test_literal_messages_have_no_history():
    request = _request('client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}])\n')
    assert request.history is None
    assert request.repetition.kind is RepeatKind.ONCE and request.repetition.loop_kind is LoopKind.NONE


def test_self_attribute_history_is_persistent():
    request = _request(
        """
        class Bot:
            def __init__(self):
                self.messages = []
            def turn(self, text):
                self.messages.append({"role": "user", "content": text})
                reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=self.messages)
                self.messages.append({"role": "assistant", "content": reply.content})
        """
    )
    history = request.history
    assert history is not None and history.name == "self.messages"
    assert history.kind is HistoryKind.PERSISTENT and history.resent
    assert isinstance(history.region, cst.FunctionDef) and history.region.name.value == "turn"


def test_session_state_history_is_persistent():
    request = _request(
        """
        st.session_state.messages.append({"role": "user", "content": st.chat_input()})
        client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=st.session_state.messages)
        """,
        STREAMLIT + HEAD,
    )
    history = request.history
    assert history is not None and history.name == "st.session_state.messages"
    assert history.kind is HistoryKind.PERSISTENT and history.resent


def test_parameter_history_stored_after_the_call_is_re_sent():
    request = _request(
        """
        def turn(history, text):
            history.append({"role": "user", "content": text})
            reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=history)
            history.append({"role": "assistant", "content": reply.content})
        """
    )
    assert request.history is not None and request.history.kind is HistoryKind.PARAMETER
    assert request.history.resent


# -- agent loops ---------------------------------------------------------------------------------


def test_tool_results_appended_each_turn_make_an_agent_loop():
    request = _chat(trim='history.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "x"}]})')
    assert request.history is not None and request.history.tool_results_each_turn
    assert request.repetition.agent_loop


def test_tool_results_outside_the_turn_do_not_make_an_agent_loop():
    request = _request(
        """
        def other():
            return {"type": "tool_result"}
        history = []
        while True:
            history.append({"role": "user", "content": input()})
            client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=history)
        """
    )
    assert request.history is not None and request.history.resent
    assert not request.history.tool_results_each_turn and not request.repetition.agent_loop


# -- front trims and rewrites --------------------------------------------------------------------


def test_sliding_window_in_messages_is_a_per_turn_rewrite():
    history = _chat(sent="history[-20:]").history
    assert history is not None
    assert [(u.kind, u.sent, u.written) for u in history.per_turn_rewrites] == [(UseKind.WINDOW, True, "history[-20:]")]
    assert history.sent_windows == history.per_turn_rewrites


def test_front_trim_kinds():
    cases = {
        "history.pop(0)": (UseKind.FRONT_REMOVE, 1),
        "del history[0]": (UseKind.FRONT_REMOVE, 1),
        "del history[:2]": (UseKind.FRONT_REMOVE, 2),
        "history = history[-10:]": (UseKind.WINDOW, None),
        "del history[:-10]": (UseKind.WINDOW, None),
    }
    for trim, (kind, removed) in cases.items():
        history = _chat(trim=trim).history
        assert history is not None, trim
        assert [(u.kind, u.removed, u.written) for u in history.front_trims] == [(kind, removed, trim)], trim
        assert [u.written for u in history.per_turn_rewrites] == [trim], trim


def test_rewrite_on_every_turn_and_rare_compaction():
    every_turn = _chat(trim="history = summarize(history)").history
    assert every_turn is not None
    assert [(u.kind, u.written) for u in every_turn.per_turn_rewrites] == [(UseKind.REWRITE, "history = summarize(history)")]
    compaction = _chat(trim="if len(history) > 200: history = summarize(history)").history
    assert compaction is not None and [u.kind for u in compaction.rewrites] == [UseKind.REWRITE]
    assert compaction.per_turn_rewrites == ()


def test_capped_window_slides_every_turn_but_a_fixed_offset_does_not():
    capped = _chat(trim="while len(history) > 12: history.pop(0)").history
    assert capped is not None and [u.written for u in capped.per_turn_rewrites] == ["history.pop(0)"]
    offset = _chat(sent="history[1:]").history
    assert offset is not None and offset.resent and offset.per_turn_rewrites == () and offset.sent_windows == ()


def test_reset_starts_a_new_conversation():
    history = _chat(trim="history = []").history
    assert history is not None and UseKind.RESET in [u.kind for u in history.uses]
    assert not history.resent  # reset on every turn: nothing is carried over


# -- markers elsewhere, server-side context editing ----------------------------------------------


def test_marker_mentions_are_listed_for_a_re_sent_history():
    request = _chat(trim='history[-1]["content"][-1]["cache_control"] = {"type": "ephemeral"}')
    history = request.history
    assert history is not None and len(history.marker_mentions) == 1
    assert not history.marker_mentions[0].within(())
    assert _chat().history.marker_mentions == ()


def test_marker_mention_inside_a_known_marker():
    request = _request(
        """
        history = []
        while True:
            history.append({"role": "user", "content": input()})
            client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=history, cache_control={"type": "ephemeral"})
        """
    )
    history = request.history
    assert history is not None and history.resent
    marker = request.top_level_cache_control
    assert marker is not None and len(history.marker_mentions) == 1
    assert history.marker_mentions[0].within((marker.key_node,))


def test_context_management_is_server_side_context_editing():
    request = _chat(sent='history, context_management={"edits": []}')
    assert request.context_edited_on_server
    assert not _chat().context_edited_on_server


# -- retry vs reuse loops ------------------------------------------------------------------------

CALL = 'client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[{"role": "user", "content": q}])'


def _loop_kind(body: str) -> LoopKind:
    return _request(textwrap.dedent(body).replace("CALL", CALL)).repetition.loop_kind


def test_retry_loop_returning_on_success():
    assert _loop_kind(
        """
        def ask(q):
            for attempt in range(3):
                try:
                    return CALL
                except Exception:
                    continue
        """
    ) is LoopKind.RETRY


def test_retry_loop_breaking_on_success():
    assert _loop_kind(
        """
        def ask(q):
            while True:
                try:
                    reply = CALL
                    break
                except anthropic.RateLimitError:
                    time.sleep(1)
            return reply
        """
    ) is LoopKind.RETRY
    assert _loop_kind(
        """
        def ask(q):
            for attempt in range(3):
                try:
                    reply = CALL
                except anthropic.APIError:
                    continue
                break
            return reply
        """
    ) is LoopKind.RETRY


def test_loop_sending_every_iteration_reuses_the_prefix():
    assert _loop_kind("for q in questions:\n    CALL\n") is LoopKind.REUSE
    assert _loop_kind("[CALL for q in questions]\n") is LoopKind.REUSE
    # a failure is skipped, but every question is sent: still reuse
    assert _loop_kind(
        """
        for q in questions:
            try:
                CALL
            except Exception:
                pass
        """
    ) is LoopKind.REUSE
    # the `break` leaves an inner loop, not the one around the call
    assert _loop_kind(
        """
        for q in questions:
            try:
                CALL
                for line in lines:
                    break
            except Exception:
                pass
        """
    ) is LoopKind.REUSE


def test_call_outside_a_loop_has_no_loop_kind():
    assert _loop_kind("def ask(q):\n    return CALL\n") is LoopKind.NONE


def test_loop_kind_leaves_the_repeat_kind_alone():
    repetition = _request(
        "def ask(q):\n    for attempt in range(3):\n        try:\n            return CALL\n        except Exception:\n            pass\n".replace("CALL", CALL)
    ).repetition
    assert repetition.kind is RepeatKind.LOOP and repetition.in_loop


# -- loop invariance -----------------------------------------------------------------------------


def test_value_invariant_over_the_loop():
    request = _request(
        """
        def summarize(document, chunks):
            for chunk in chunks:
                client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=5, system=document,
                    messages=[{"role": "user", "content": chunk}],
                )
        """
    )
    assert request.repetition.invariant_in_loop(request.system.node)  # one document for every chunk
    chunk = request.messages.blocks[0].node
    assert not request.repetition.invariant_in_loop(chunk)  # the loop variable changes


def test_nothing_is_invariant_without_a_loop():
    request = _request('def ask(document):\n    client.messages.create(model="m", max_tokens=5, system=document, messages=[])\n')
    assert not request.repetition.invariant_in_loop(request.system.node)
