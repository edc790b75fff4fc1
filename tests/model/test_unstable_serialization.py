"""The serialisations that feed a cached prefix with unstable bytes (the facts CL202 reads)."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.serialization import SetConsumer, serialization_prefix, unstable_serializations
from cachelint.resolve.ordering import SetElements

HEAD = "import json\nimport anthropic\nfrom catalog import load\nclient = anthropic.Anthropic()\nDATA = load()\n"
MARKED = "[{{'type': 'text', 'text': {text}, 'cache_control': {{'type': 'ephemeral'}}}}]"


def _facts(body: str, text: str, marked: bool = True):
    system = MARKED.format(text=text) if marked else text
    call = f"client.messages.create(model='claude-sonnet-4-5', max_tokens=5, system={system}, messages=[])"
    source = HEAD + body.replace("CALL", call)
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    built = build_requests(wrapper, "x.py", AnalysisOptions())
    (request,) = built.requests
    prefix = serialization_prefix(request)
    if prefix is None:
        return None, built.resolver
    return unstable_serializations(built.resolver, request, prefix), built.resolver


def test_nothing_cached_means_no_prefix():
    facts, _ = _facts("CALL\n", "'Terse.'", marked=False)  # runs once, no breakpoint
    assert facts is None


def test_unsorted_json_in_the_cached_system_prompt():
    facts, resolver = _facts("CALL\n", "'Data: ' + json.dumps(DATA)")
    (site,) = facts.json_calls
    assert site.segment == "system" and not site.data_varies
    assert resolver.code(site.call) == "json.dumps(DATA)"
    assert resolver.code(site.data) == "DATA"


def test_json_through_a_local_function_and_a_name():
    body = "def render():\n    return json.dumps(DATA)\nTEXT = 'Data: ' + render()\nCALL\n"
    facts, resolver = _facts(body, "TEXT")
    assert [resolver.code(s.call) for s in facts.json_calls] == ["json.dumps(DATA)"]


def test_sorted_or_literal_json_is_no_fact():
    body = "LIMITS = {'days': 14}\nCALL\n"
    facts, _ = _facts(body, "json.dumps(DATA, sort_keys=True) + json.dumps(LIMITS)")
    assert facts.json_calls == ()


def test_per_call_json_data_is_marked_varying():
    facts, _ = _facts("def ask(profile):\n    return CALL\n", "'Profile: ' + json.dumps(profile)")
    (site,) = facts.json_calls
    assert site.data_varies


def test_set_iterations_with_their_elements_and_consumer():
    body = "TAGS = {'billing', 'shipping'}\nIDS = {1, 2}\nCALL\n"
    facts, resolver = _facts(body, "', '.join(TAGS) + str(list(IDS)) + f'{TAGS}'")
    found = {(resolver.code(s.expression), s.consumer_kind, s.elements) for s in facts.set_iterations}
    assert found == {
        ("TAGS", SetConsumer.ITERATION, SetElements.STR),
        ("IDS", SetConsumer.LIST_CALL, SetElements.NUMBER),
        ("TAGS", SetConsumer.FORMATTED, SetElements.STR),
    }


def test_order_insensitive_consumers_are_not_iterations():
    facts, _ = _facts("TAGS = {'a', 'b'}\nCALL\n", "', '.join(sorted(TAGS)) + str(len(TAGS))")
    assert facts.set_iterations == ()
