"""Repeat analysis: which calls repeat, which are conversations, and loop invariance."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.request import RepeatKind
from cachelint.model.requests import build_requests

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"
STREAMLIT = "import streamlit as st\n"
CALL = "client.messages.create(model='claude-sonnet-4-5', max_tokens=5, messages={messages})"


def _repetition(body: str, messages: str = "history", head: str = HEAD):
    source = head + body.replace("CALL", CALL.format(messages=messages))
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    built = build_requests(wrapper, "x.py", AnalysisOptions())
    assert len(built.requests) == 1
    return built.requests[0].repetition


def test_module_level_call_runs_once():
    assert _repetition("CALL\n", "[{'role': 'user', 'content': 'hi'}]").kind is RepeatKind.ONCE


def test_call_in_function_or_loop_repeats():
    assert _repetition("def f(q):\n    CALL\n", "[{'role': 'user', 'content': q}]").kind is RepeatKind.FUNCTION
    assert _repetition("for q in qs:\n    CALL\n", "[{'role': 'user', 'content': q}]").kind is RepeatKind.LOOP


def test_streamlit_script_repeats():
    # an `import streamlit` script re-runs on every interaction
    assert _repetition("CALL\n", "[{'role': 'user', 'content': 'hi'}]", STREAMLIT + HEAD).kind is RepeatKind.LOOP


def test_history_appended_in_a_loop_is_a_conversation():
    body = "def chat():\n    history = []\n    while True:\n        history.append({'role': 'user', 'content': input()})\n        CALL\n"
    repetition = _repetition(body)
    assert repetition.kind is RepeatKind.CONVERSATION and repetition.history_name == "history"


def test_list_built_fresh_for_one_call_is_not_a_conversation():
    body = "def ask(q):\n    history = []\n    history.append({'role': 'user', 'content': q})\n    return CALL\n"
    assert _repetition(body).kind is RepeatKind.FUNCTION


def test_self_attribute_and_session_state_histories():
    body = (
        "class Bot:\n    def __init__(self):\n        self.history = []\n"
        "    def turn(self, q):\n        self.history.append({'role': 'user', 'content': q})\n        return CALL\n"
    )
    assert _repetition(body, "self.history").conversation
    assert _repetition("CALL\n", "st.session_state['messages']", STREAMLIT + HEAD).conversation
    assert _repetition("CALL\n", "st.session_state.messages", STREAMLIT + HEAD).conversation


def test_tool_results_elsewhere_in_the_module_do_not_make_an_agent_loop():
    body = (
        "def other():\n    return {'type': 'tool_result'}\n"
        "history = []\nwhile True:\n    history.append({'role': 'user', 'content': input()})\n    CALL\n"
    )
    repetition = _repetition(body)
    assert repetition.conversation and not repetition.agent_loop
