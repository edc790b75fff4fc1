"""The cached-prefix facts of the request model (cachelint.model.prefix), built from source
through the product's own model builder."""

from __future__ import annotations

import textwrap
from typing import List

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.request import PrefixSize, Request, Ttl
from cachelint.resolve.text import Staticness

HEADER = """
import anthropic
from datetime import datetime
client = anthropic.Anthropic()
GUIDE = "Answer from the guide, and quote it."
TOOL = {"name": "search", "description": "Search.", "input_schema": {"type": "object"}}
"""


def requests(source: str) -> List[Request]:
    text = textwrap.dedent(HEADER).lstrip() + textwrap.dedent(source).lstrip("\n")
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    return build_requests(wrapper, "example.py", AnalysisOptions()).requests


def request(source: str) -> Request:
    found = requests(source)
    assert len(found) == 1
    return found[0]


def code(node) -> str:
    return cst.Module([]).code_for_node(node)


# -- blocks in prompt order ---------------------------------------------------------------------


def test_blocks_run_tools_system_messages_with_a_string_system_as_one_block():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, tools=[TOOL], system=GUIDE,
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    assert [b.segment for b in prefix.blocks] == ["tools", "system", "messages"]
    system = prefix.blocks[1]
    assert system.text is not None and system.chars == len("Answer from the guide, and quote it.")
    assert [b.segment for b in prefix.tools_and_system] == ["tools", "system"]


# -- breakpoints -------------------------------------------------------------------------------


def test_breakpoints_are_in_api_order_with_the_top_level_one_last():
    prefix = request(
        """
        def ask(history):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                tools=[{**TOOL, "cache_control": {"type": "ephemeral"}}],
                system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                messages=history,
                cache_control={"type": "ephemeral"},
            )
        """
    ).prefix
    points = prefix.breakpoints
    assert [p.place for p in points] == [
        "tool 1",
        "system block 1",
        "the top-level `cache_control=` (placed on the last block)",
    ]
    assert [p.ttl for p in points] == [Ttl.FIVE_MINUTES, Ttl.ONE_HOUR, Ttl.FIVE_MINUTES]
    assert [p.top_level for p in points] == [False, False, True]
    assert points[0].block is prefix.blocks[0]


def test_a_marker_written_at_the_call_is_definite_one_from_a_comprehension_only_possible():
    prefix = request(
        """
        def ask(docs, q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": d, "cache_control": {"type": "ephemeral"}} for d in docs],
                messages=[*q, {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}],
            )
        """
    ).prefix
    by_segment = {p.block.segment: p.definite for p in prefix.breakpoints}
    assert by_segment == {"system": False, "messages": True}


def test_a_splat_after_the_marker_may_override_it():
    prefix = request(
        """
        def ask(extra):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}, **extra}],
                messages=[{"role": "user", "content": "hi"}],
            )
        """
    ).prefix
    assert [p.definite for p in prefix.breakpoints] == [False]


def test_an_invalid_marker_is_a_breakpoint_but_not_definite():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "persistent"}}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    (point,) = prefix.breakpoints
    assert point.marker.valid is False and not point.definite


def test_a_breakpoint_caches_every_block_up_to_its_own_and_is_reported_at_its_key():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, tools=[TOOL],
                system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": f"User: {q}"}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    (point,) = prefix.breakpoints
    assert point.cached_blocks == prefix.blocks[:2]
    assert code(point.report_node).startswith('"cache_control"')
    assert point.carrier is point.report_node
    assert point.content is Staticness.STATIC


def test_top_level_caching_caches_the_whole_request_and_its_staticness_is_the_worst_block():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, system=GUIDE,
                messages=[{"role": "user", "content": q}],
                cache_control={"type": "ephemeral"},
            )
        """
    ).prefix
    (point,) = prefix.breakpoints
    assert point.cached_blocks == prefix.blocks
    assert point.content is Staticness.PER_CALL
    assert code(point.carrier).startswith("cache_control=")


def test_a_marker_in_a_batch_params_dict_is_carried_by_its_entry():
    found = requests(
        """
        client.messages.batches.create(requests=[{"custom_id": "a", "params": {
            "model": "claude-sonnet-4-5", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}],
            "cache_control": {"type": "ephemeral"},
        }}])
        """
    )
    (point,) = found[0].prefix.breakpoints
    assert code(point.carrier).startswith('"cache_control"')


# -- sizes -------------------------------------------------------------------------------------


def test_a_prefix_size_is_known_at_least_n_or_unknown():
    prefix = request(
        """
        def ask(q, doc):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": GUIDE}, {"type": "text", "text": f"Doc: {doc}"}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    guide, doc = prefix.tools_and_system
    known = PrefixSize.of((guide,))
    assert known.exact and known.known_chars == known.sized_chars == guide.chars
    at_least = PrefixSize.of((guide, doc))
    assert not at_least.exact and not at_least.unknown
    assert at_least.sized_chars == guide.chars
    assert at_least.known_chars == guide.chars + len("Doc: ")  # the known text of the second block
    unknown = PrefixSize.of((prefix.blocks[-1],))
    assert unknown.unknown
    assert prefix.tools_and_system_size == at_least


def test_the_upper_bound_counts_text_at_two_characters_a_token_plus_framing():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": "abcd", "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    (point,) = prefix.breakpoints
    assert point.upper_bound is not None
    assert point.upper_bound.chars == 4
    assert point.upper_bound.max_tokens == 20 + 4 / 2 + 10  # request framing, text, block framing


def test_no_upper_bound_for_an_image_or_a_prefix_of_unknown_size():
    prefix = request(
        """
        def ask(q, image):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                messages=[{"role": "user", "content": [image, {"type": "text", "text": q, "cache_control": {"type": "ephemeral"}}]}],
            )
        """
    ).prefix
    (point,) = prefix.breakpoints
    assert point.upper_bound is None


# -- the static prefix -------------------------------------------------------------------------


def test_the_static_run_stops_at_the_first_changing_block():
    prefix = request(
        """
        def ask(name, q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, tools=[TOOL],
                system=[{"type": "text", "text": GUIDE}, {"type": "text", "text": f"User: {name}"},
                        {"type": "text", "text": GUIDE}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    assert [b.segment for b in prefix.static_run] == ["tools", "system"]
    assert prefix.last_static_block is prefix.blocks[1]
    assert prefix.static_run_size == PrefixSize.of(prefix.static_run)


def test_a_plain_string_system_ends_the_static_run_it_cannot_carry_a_marker():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, tools=[TOOL], system=GUIDE,
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    assert [b.segment for b in prefix.static_run] == ["tools"]


def test_the_request_prefix_is_what_its_last_breakpoint_not_known_invalid_caches():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, tools=[TOOL],
                system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": [{"type": "text", "text": q, "cache_control": "yes"}]}],
            )
        """
    ).prefix
    assert prefix.cached_blocks == prefix.blocks[:2]
    assert prefix.cached_size == PrefixSize.of(prefix.blocks[:2])


def test_no_breakpoint_caches_nothing():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=8, system=GUIDE,
                                          messages=[{"role": "user", "content": q}])
        """
    ).prefix
    assert prefix.breakpoints == () and prefix.cached_blocks == ()
    assert not prefix.system_cached_by_breakpoint


def test_a_breakpoint_in_the_messages_caches_the_system_prompt_too():
    prefix = request(
        """
        def ask(q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, system=GUIDE,
                messages=[{"role": "user", "content": [{"type": "text", "text": q, "cache_control": {"type": "ephemeral"}}]}],
            )
        """
    ).prefix
    assert prefix.system_cached_by_breakpoint


# -- what changes between calls ----------------------------------------------------------------


def test_a_block_with_a_per_call_value_varies_and_names_it():
    prefix = request(
        """
        def ask(name, q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": GUIDE}, {"type": "text", "text": f"User: {name}"}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    guide, user = prefix.tools_and_system
    assert not prefix.varies(guide) and prefix.varies(user)
    facts = prefix.of(user)
    assert [p.description for p in facts.text_changes] == ["parameter `name`"]
    assert facts.value_changes == facts.text_changes
    assert facts.content_changes


def test_a_per_call_value_fixed_over_the_loop_around_the_call_does_not_vary():
    prefix = request(
        """
        def review(document, questions):
            for q in questions:
                client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=8,
                    system=[{"type": "text", "text": f"Doc: {document}"}],
                    messages=[{"role": "user", "content": q}],
                )
        """
    ).prefix
    (doc,) = prefix.tools_and_system
    assert doc.content is Staticness.PER_CALL
    assert not prefix.varies(doc) and prefix.of(doc).text_changes == ()


def test_a_changing_tool_names_the_values_inside_it():
    prefix = request(
        """
        def ask(q, today):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                tools=[{"name": "when", "description": f"Today is {today}.", "input_schema": {"type": "object"}}, TOOL],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    tool = prefix.blocks[0]
    assert prefix.varies(tool)
    assert [p.description for p in prefix.of(tool).value_changes] == ["parameter `today`"]


def test_the_varying_parts_of_a_marked_text_are_its_per_call_placeholders():
    prefix = request(
        """
        def ask(name, q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8,
                system=[{"type": "text", "text": f"{GUIDE} Hello {name}, {datetime.now()}", "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    facts = prefix.of(prefix.blocks[0])
    assert facts.dict_literal and code(facts.text_entry).startswith('"text"')
    assert sorted(code(p) for p in facts.varying_parts) == ["{datetime.now()}", "{name}"]


def test_the_varying_parts_of_a_string_system_are_its_per_call_operands():
    prefix = request(
        """
        def ask(name, q):
            return client.messages.create(
                model="claude-sonnet-4-5", max_tokens=8, system=GUIDE + "Hello " + name,
                messages=[{"role": "user", "content": q}],
            )
        """
    ).prefix
    assert code(prefix.system_expression) == 'GUIDE + "Hello " + name'
    assert [code(p) for p in prefix.system_varying_parts] == ["name"]


# -- how the segments are written --------------------------------------------------------------


def test_a_segment_written_as_a_list_literal_in_this_file_has_its_elements():
    prefix = request(
        """
        SYSTEM = [{"type": "text", "text": GUIDE}, {"type": "text", "text": "Be brief."}]
        def ask(q):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=8, tools=[TOOL], system=SYSTEM,
                                          messages=[{"role": "user", "content": q}])
        """
    ).prefix
    assert prefix.system_list is not None and len(prefix.system_list.element_values) == 2
    assert prefix.system_list.element_values[0] is prefix.tools_and_system[1].node
    assert prefix.list_of("tools") is prefix.tools_list
    assert [code(v) for v in prefix.tools_list.element_values] == ["TOOL"]


def test_a_segment_built_by_a_comprehension_has_no_list_literal():
    prefix = request(
        """
        def ask(docs, q):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=8,
                                          system=[{"type": "text", "text": d} for d in docs],
                                          messages=[{"role": "user", "content": q}])
        """
    ).prefix
    assert prefix.system_list is None


# -- max_tokens ----------------------------------------------------------------------------------


def test_max_tokens_node_is_the_keyword_value_or_the_spread_dict_entry():
    keyword, spread = requests(
        """
        SETTINGS = {"model": "claude-sonnet-4-5", "max_tokens": 1}
        def warm():
            client.messages.create(model="claude-sonnet-4-5", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
            client.messages.create(**SETTINGS, messages=[{"role": "user", "content": "hi"}])
        """
    )
    assert code(keyword.max_tokens_node) == "1" and keyword.max_tokens_node is keyword.max_tokens_arg.value
    assert spread.max_tokens_arg is None and code(spread.max_tokens_node) == "1"


# -- a wrapper's request seen from its caller ----------------------------------------------------


def test_a_wrapper_request_bound_at_a_caller_judges_changes_over_the_callers_loop():
    from cachelint.model.wrappers import wrapper_requests

    text = textwrap.dedent(HEADER).lstrip() + textwrap.dedent(
        """
        def ask(document, q):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=8,
                                          system=[{"type": "text", "text": document}],
                                          messages=[{"role": "user", "content": q}])

        def review(document, questions):
            for q in questions:
                ask(document, q)
        """
    )
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    built = build_requests(wrapper, "example.py", AnalysisOptions())
    (own,) = built.requests
    (virtual,) = wrapper_requests(built.resolver, built, AnalysisOptions(), None)
    own_block = own.prefix.tools_and_system[0]
    bound_block = virtual.request.prefix.tools_and_system[0]
    assert own.prefix.varies(own_block)  # a parameter of the wrapper: differs per call
    assert not virtual.request.prefix.varies(bound_block)  # the same document over the caller's loop
