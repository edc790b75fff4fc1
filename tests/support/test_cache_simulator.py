"""The prompt-cache simulator, rule by rule against shared/docs/prompt-caching.md."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import pytest

from tests.support.cache_simulator import (
    LOOKBACK_BLOCKS,
    CacheSimulator,
    CacheUsage,
    ManualClock,
    SimulatedApiError,
    billed_input_equivalents,
    canonical_json,
    estimate_tokens,
    parse_prompt,
    summarize_costs,
    text_of_tokens,
    total_input_tokens,
)

MODEL = "claude-opus-4-8"  # minimum 1024 tokens
EPHEMERAL = {"type": "ephemeral"}
ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}


def text(tokens: int, seed: str = "", marker: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    block: Dict[str, Any] = {"type": "text", "text": text_of_tokens(tokens, seed)}
    if marker is not None:
        block["cache_control"] = marker
    return block


def tool(name: str, marker: Optional[Dict[str, Any]] = None, **extra: Any) -> Dict[str, Any]:
    """A tool of about 600 tokens: two of them pass a 1024-token minimum."""
    definition: Dict[str, Any] = {
        "name": name,
        "description": text_of_tokens(600, name),
        "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
    }
    definition.update(extra)
    if marker is not None:
        definition["cache_control"] = marker
    return definition


def user(content: Any) -> Dict[str, Any]:
    return {"role": "user", "content": content}


def assistant(content: Any) -> Dict[str, Any]:
    return {"role": "assistant", "content": content}


def request(**fields: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {"model": MODEL, "max_tokens": 100, "messages": [user("hello")]}
    body.update(fields)
    return body


def usage_tuple(usage: CacheUsage) -> tuple:
    return (usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens)


def rejects(body: Dict[str, Any]) -> str:
    with pytest.raises(SimulatedApiError) as caught:
        CacheSimulator().simulate(body)
    assert caught.value.status == 400
    assert caught.value.error_type == "invalid_request_error"
    return caught.value.message


@pytest.fixture
def sim() -> CacheSimulator:
    return CacheSimulator()


# --- tokenizer stand-in -------------------------------------------------------------------


def test_estimate_tokens_is_json_length_over_four_rounded_up() -> None:
    block = {"type": "text", "text": "abcdefgh"}
    assert estimate_tokens(block) == math.ceil(len(canonical_json(block)) / 4) == 9
    assert estimate_tokens({}) == 1


@pytest.mark.parametrize("tokens", [7, 8, 100, 1024, 5000])
def test_text_of_tokens_gives_exact_block_sizes(tokens: int) -> None:
    assert estimate_tokens({"type": "text", "text": text_of_tokens(tokens)}) == tokens
    assert estimate_tokens({"type": "text", "text": text_of_tokens(tokens, "s")}) == tokens


def test_text_of_tokens_refuses_sizes_it_cannot_build() -> None:
    with pytest.raises(ValueError):
        text_of_tokens(6)
    with pytest.raises(ValueError):
        text_of_tokens(100, 'quote"')


# --- the prompt as one sequence -------------------------------------------------------------


def test_prompt_is_tools_then_system_then_messages() -> None:
    body = request(
        tools=[tool("a"), tool("b")],
        system=[text(10, "s0"), text(10, "s1")],
        messages=[user("plain string"), assistant([text(10, "a0"), text(10, "a1")])],
    )
    prompt = parse_prompt(body)
    assert [(b.section, b.location) for b in prompt.blocks] == [
        ("tools", "tools.0"),
        ("tools", "tools.1"),
        ("system", "system.0"),
        ("system", "system.1"),
        ("messages", "messages.0.content"),
        ("messages", "messages.1.content.0"),
        ("messages", "messages.1.content.1"),
    ]
    assert prompt.blocks[4].content == {"type": "text", "text": "plain string"}
    assert prompt.blocks[5].role == "assistant"
    assert prompt.total_tokens == sum(b.tokens for b in prompt.blocks)


def test_string_system_is_one_block() -> None:
    prompt = parse_prompt(request(system="You are terse."))
    assert [b.location for b in prompt.blocks] == ["system", "messages.0.content"]


def test_markers_do_not_count_as_tokens(sim: CacheSimulator) -> None:
    plain = request(system=[text(50, "s")])
    marked = request(system=[text(50, "s", EPHEMERAL)])
    assert (
        sim.count_tokens(plain)
        == sim.count_tokens(marked)
        == 50 + estimate_tokens({"type": "text", "text": "hello"})
    )


# --- where markers may sit ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["thinking", "redacted_thinking"])
def test_marker_on_thinking_blocks_is_a_400(kind: str) -> None:
    block = {"type": kind, "thinking": "hmm", "signature": "sig", "cache_control": EPHEMERAL}
    message = rejects(request(messages=[user("q"), assistant([block]), user("go on")]))
    assert "cache_control cannot be set for %s blocks" % kind in message
    assert message.startswith("messages.1.content.0")


@pytest.mark.parametrize("where", ["system", "messages"])
def test_marker_on_empty_text_block_is_a_400(where: str) -> None:
    empty = {"type": "text", "text": "", "cache_control": EPHEMERAL}
    body = request(system=[empty]) if where == "system" else request(messages=[user([empty])])
    assert "cache_control cannot be set for empty text blocks" in rejects(body)


def test_markers_accepted_on_documented_message_blocks(sim: CacheSimulator) -> None:
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
        "cache_control": EPHEMERAL,
    }
    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "doc"},
        "cache_control": EPHEMERAL,
    }
    tool_use = {
        "type": "tool_use",
        "id": "t1",
        "name": "a",
        "input": {},
        "cache_control": EPHEMERAL,
    }
    tool_result = {"type": "tool_result", "tool_use_id": "t1", "content": "ok"}
    body = request(
        messages=[
            user([image, document]),
            assistant([tool_use]),
            user([dict(tool_result, cache_control=EPHEMERAL)]),
        ]
    )
    prompt = sim.parse(body)
    assert [b.location for b in prompt.breakpoints] == [
        "messages.0.content.0",
        "messages.0.content.1",
        "messages.1.content.0",
        "messages.2.content.0",
    ]


def test_marker_on_other_block_types_is_a_400() -> None:
    block = {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}
    message = rejects(
        request(messages=[user("q"), assistant([dict(block, cache_control=EPHEMERAL)])])
    )
    assert "cache_control cannot be set for server_tool_use blocks" in message


def test_marker_inside_tool_result_content_caches_up_to_the_tool_result(
    sim: CacheSimulator,
) -> None:
    result = {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": [text(10, "r", EPHEMERAL)],
    }
    prompt = sim.parse(request(messages=[user([result])]))
    assert [(b.position, b.location) for b in prompt.breakpoints] == [
        (0, "messages.0.content.0.content.0")
    ]


@pytest.mark.parametrize(
    "marker, expected",
    [
        ({"type": "persistent"}, "system.0.cache_control.type: Input should be 'ephemeral'"),
        (
            {"type": "ephemeral", "ttl": "10m"},
            "system.0.cache_control.ttl: Input should be '5m' or '1h'",
        ),
        (
            {"type": "ephemeral", "scope": "org"},
            "system.0.cache_control.scope: Extra inputs are not permitted",
        ),
        ("ephemeral", "system.0.cache_control: Input should be a valid dictionary"),
    ],
)
def test_marker_shape_is_checked(marker: Any, expected: str) -> None:
    assert rejects(request(system=[text(10, "s", marker)])) == expected


def test_top_level_marker_shape_is_checked() -> None:
    assert rejects(request(cache_control={"type": "ephemeral", "ttl": 300})) == (
        "cache_control.ttl: Input should be '5m' or '1h'"
    )


def test_null_marker_is_no_marker(sim: CacheSimulator) -> None:
    block = dict(text(10, "s"), cache_control=None)
    assert sim.parse(request(system=[block], cache_control=None)).breakpoints == ()


# --- how many breakpoints, and their TTL order ----------------------------------------------


def test_five_explicit_breakpoints_are_a_400() -> None:
    body = request(system=[text(10, str(i), EPHEMERAL) for i in range(5)])
    assert rejects(body) == "A maximum of 4 blocks with cache_control may be provided. Found 5."


def test_top_level_cache_control_counts_as_one_of_four(sim: CacheSimulator) -> None:
    four = request(system=[text(10, str(i), EPHEMERAL) for i in range(4)])
    assert len(sim.parse(four).breakpoints) == 4
    message = rejects(dict(four, cache_control=EPHEMERAL))
    assert message == "A maximum of 4 blocks with cache_control may be provided. Found 5."


def test_one_hour_after_five_minutes_is_a_400_across_sections() -> None:
    body = request(tools=[tool("a", EPHEMERAL)], system=[text(10, "s", ONE_HOUR)])
    assert rejects(body) == (
        "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block"
    )


def test_omitted_ttl_is_five_minutes_for_ordering() -> None:
    body = request(system=[text(10, "a", {"type": "ephemeral"}), text(10, "b", ONE_HOUR)])
    assert "must not come after" in rejects(body)


def test_top_level_one_hour_after_explicit_five_minutes_is_a_400() -> None:
    body = request(system=[text(10, "s", EPHEMERAL)], cache_control=ONE_HOUR)
    assert "must not come after" in rejects(body)


def test_one_hour_before_five_minutes_is_fine(sim: CacheSimulator) -> None:
    body = request(tools=[tool("a", ONE_HOUR)], system=[text(10, "s", EPHEMERAL)])
    assert [b.ttl for b in sim.parse(body).breakpoints] == ["1h", "5m"]


# --- automatic (top-level) caching ----------------------------------------------------------


def test_automatic_breakpoint_lands_on_last_cacheable_block(sim: CacheSimulator) -> None:
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "s"}
    body = request(
        messages=[user("q"), assistant([text(10, "a"), thinking])], cache_control=EPHEMERAL
    )
    (mark,) = sim.parse(body).breakpoints
    assert mark.automatic
    assert mark.location == "cache_control"
    assert sim.parse(body).blocks[mark.position].location == "messages.1.content.0"


def test_automatic_caching_moves_forward_with_the_conversation(sim: CacheSimulator) -> None:
    system = [text(1500, "sys")]
    turn1 = request(system=system, messages=[user("first question")], cache_control=EPHEMERAL)
    first = sim.simulate(turn1).usage
    assert first.cache_creation_input_tokens == sim.count_tokens(turn1)
    assert first.input_tokens == 0 and first.cache_read_input_tokens == 0

    messages2 = [user("first question"), assistant("first answer"), user("second question")]
    turn2 = dict(turn1, messages=messages2)
    second = sim.simulate(turn2).usage
    assert second.cache_read_input_tokens == sim.count_tokens(turn1)
    assert second.cache_creation_input_tokens == sim.count_tokens(turn2) - sim.count_tokens(turn1)
    assert second.input_tokens == 0


# --- writes, reads and usage ----------------------------------------------------------------


def test_first_call_writes_second_reads(sim: CacheSimulator) -> None:
    body = request(system=[text(1100, "sys", EPHEMERAL), text(40, "tail")])
    total = sim.count_tokens(body)
    first = sim.simulate(body)
    assert usage_tuple(first.usage) == (total - 1100, 1100, 0)
    assert first.usage.ephemeral_5m_input_tokens == 1100
    assert first.usage.ephemeral_1h_input_tokens == 0
    assert first.written_positions == (0,) and first.read_position is None
    second = sim.simulate(body)
    assert usage_tuple(second.usage) == (total - 1100, 0, 1100)
    assert second.read_position == 0 and second.written_positions == ()


def test_usage_api_dict_uses_the_api_names(sim: CacheSimulator) -> None:
    usage = sim.simulate(request(system=[text(1100, "sys", ONE_HOUR)])).usage
    assert usage.to_api_dict() == {
        "input_tokens": usage.input_tokens,
        "cache_creation_input_tokens": 1100,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1100},
    }


def test_prefix_below_minimum_is_silently_not_cached(sim: CacheSimulator) -> None:
    body = request(system=[text(1000, "sys", EPHEMERAL)])
    for _ in range(2):
        result = sim.simulate(body)
        assert result.usage.cache_creation_input_tokens == 0
        assert result.usage.cache_read_input_tokens == 0
        assert result.usage.input_tokens == sim.count_tokens(body)
    assert sim.live_entries() == []


def test_prefix_exactly_at_minimum_is_cached(sim: CacheSimulator) -> None:
    assert (
        sim.simulate(request(system=[text(1024, "s", EPHEMERAL)])).usage.cache_creation_input_tokens
        == 1024
    )


def test_minimum_is_the_whole_prefix_not_the_marked_block(sim: CacheSimulator) -> None:
    body = request(system=[text(600, "a"), text(600, "b", EPHEMERAL)])
    assert sim.simulate(body).usage.cache_creation_input_tokens == 1200


@pytest.mark.parametrize(
    "model, cached",
    [
        ("claude-opus-5", True),
        ("claude-opus-4-8", True),
        ("claude-opus-4-7", False),
        ("claude-haiku-4-5", False),
    ],
)
def test_minimum_comes_from_cachelint_modeldata(model: str, cached: bool) -> None:
    body = request(model=model, system=[text(1500, "s", EPHEMERAL)])
    assert (CacheSimulator().simulate(body).usage.cache_creation_input_tokens == 1500) is cached


def test_unknown_model_uses_the_documented_default_minimum() -> None:
    body = request(model="claude-haiku-5-5", system=[text(1023, "s", EPHEMERAL)])
    assert CacheSimulator().simulate(body).usage.cache_creation_input_tokens == 0
    body = request(model="claude-haiku-5-5", system=[text(1024, "s", EPHEMERAL)])
    assert CacheSimulator().simulate(body).usage.cache_creation_input_tokens == 1024
    strict = CacheSimulator(unknown_model_min_cache_tokens=4096)
    assert strict.simulate(body).usage.cache_creation_input_tokens == 0


def test_minimum_can_be_replaced(sim: CacheSimulator) -> None:
    tiny = CacheSimulator(min_cache_tokens=lambda model: 10)
    assert (
        tiny.simulate(request(system=[text(20, "s", EPHEMERAL)])).usage.cache_creation_input_tokens
        == 20
    )


def test_string_system_prompt_is_never_cached_without_a_marker(sim: CacheSimulator) -> None:
    body = request(system=text_of_tokens(5000, "sys"))
    for _ in range(2):
        usage = sim.simulate(body).usage
        assert usage.cache_creation_input_tokens == usage.cache_read_input_tokens == 0


def test_marker_on_a_block_that_changes_every_call_only_writes(sim: CacheSimulator) -> None:
    usages = []
    for call in range(3):
        stamped = text(1200, "Today is 2026-11-2%d." % call, EPHEMERAL)
        usages.append(sim.simulate(request(system=[stamped])).usage)
    assert [u.cache_creation_input_tokens for u in usages] == [1200, 1200, 1200]
    assert [u.cache_read_input_tokens for u in usages] == [0, 0, 0]


def test_dynamic_block_before_the_cached_block_misses_and_after_it_hits(
    sim: CacheSimulator,
) -> None:
    def call(stamp: str, dynamic_first: bool) -> CacheUsage:
        static = text(1200, "static", EPHEMERAL)
        dynamic = text(20, stamp)
        blocks = [dynamic, static] if dynamic_first else [static, dynamic]
        return sim.simulate(request(system=blocks)).usage

    assert call("t1", True).cache_read_input_tokens == 0
    assert call("t2", True).cache_read_input_tokens == 0
    call("t1", False)
    assert call("t2", False).cache_read_input_tokens == 1200


def test_partial_hit_reads_the_unchanged_breakpoint_and_writes_the_rest(
    sim: CacheSimulator,
) -> None:
    tools = [tool("a"), tool("b", EPHEMERAL)]
    tools_tokens = sum(estimate_tokens(t) for t in [tool("a"), tool("b")])
    sim.simulate(request(tools=tools, system=[text(1200, "v1", EPHEMERAL)]))
    usage = sim.simulate(request(tools=tools, system=[text(1200, "v2", EPHEMERAL)])).usage
    assert usage.cache_read_input_tokens == tools_tokens
    assert usage.cache_creation_input_tokens == 1200


def test_mixed_ttls_split_the_write_by_segment(sim: CacheSimulator) -> None:
    tools = [tool("a"), tool("b", ONE_HOUR)]
    tool_tokens = estimate_tokens(tool("a")) + estimate_tokens(tool("b"))
    body = request(tools=tools, system=[text(1200, "s", EPHEMERAL)])
    usage = sim.simulate(body).usage
    assert usage.ephemeral_1h_input_tokens == tool_tokens
    assert usage.ephemeral_5m_input_tokens == 1200
    assert usage.cache_creation_input_tokens == tool_tokens + 1200


def test_breakpoint_below_minimum_folds_into_the_next_write(sim: CacheSimulator) -> None:
    body = request(tools=[tool("a", ONE_HOUR)], system=[text(1200, "s", EPHEMERAL)])
    usage = sim.simulate(body).usage
    assert usage.ephemeral_1h_input_tokens == 0  # 619 tokens: under 1024, not written
    assert usage.ephemeral_5m_input_tokens == estimate_tokens(tool("a")) + 1200


# --- lifetime -------------------------------------------------------------------------------


def test_five_minute_entry_expires_without_hits() -> None:
    clock = ManualClock()
    sim = CacheSimulator(clock=clock)
    body = request(system=[text(1200, "s", EPHEMERAL)])
    sim.simulate(body)
    clock.advance(299)
    assert sim.simulate(body).usage.cache_read_input_tokens == 1200
    clock.advance(300)
    usage = sim.simulate(body).usage
    assert usage.cache_read_input_tokens == 0 and usage.cache_creation_input_tokens == 1200


def test_hit_refreshes_five_minutes_and_never_becomes_an_hour() -> None:
    sim = CacheSimulator()
    body = request(system=[text(1200, "s", EPHEMERAL)])
    sim.simulate(body, now=0)
    for moment in (290, 580, 870):  # each hit renews the 5 minutes
        assert sim.simulate(body, now=moment).usage.cache_read_input_tokens == 1200
    (entry,) = sim.live_entries(now=870)
    assert entry.ttl == "5m" and entry.expires_at == 870 + 300
    assert sim.simulate(body, now=870 + 300).usage.cache_read_input_tokens == 0


def test_one_hour_entry_lives_an_hour() -> None:
    sim = CacheSimulator()
    body = request(system=[text(1200, "s", ONE_HOUR)])
    assert sim.simulate(body, now=0).usage.ephemeral_1h_input_tokens == 1200
    assert sim.simulate(body, now=3599).usage.cache_read_input_tokens == 1200
    assert sim.simulate(body, now=3599 + 3600).usage.cache_read_input_tokens == 0


def test_explicit_now_overrides_the_clock_and_clock_only_moves_forward() -> None:
    clock = ManualClock(start=100)
    assert clock() == clock.now == 100
    with pytest.raises(ValueError):
        clock.advance(-1)
    sim = CacheSimulator(clock=lambda: 0.0)
    with pytest.raises(TypeError):
        sim.advance(1)
    body = request(system=[text(1200, "s", EPHEMERAL)])
    sim.simulate(body)
    assert sim.simulate(body, now=10_000).usage.cache_read_input_tokens == 0


# --- lookback -------------------------------------------------------------------------------


def _lookback_conversation(added_blocks: int, keep_old_marker: bool) -> Dict[str, Any]:
    first = text(20, "q0", EPHEMERAL if keep_old_marker else None)
    added = [text(10, "b%d" % i) for i in range(added_blocks)]
    added[-1]["cache_control"] = EPHEMERAL
    return request(system=[text(1200, "sys")], messages=[user([first]), assistant(added)])


def _lookback_read(added_blocks: int, keep_old_marker: bool = False) -> int:
    sim = CacheSimulator()
    sim.simulate(request(system=[text(1200, "sys")], messages=[user([text(20, "q0", EPHEMERAL)])]))
    return sim.simulate(
        _lookback_conversation(added_blocks, keep_old_marker)
    ).usage.cache_read_input_tokens


def test_lookback_finds_a_write_within_twenty_blocks() -> None:
    assert LOOKBACK_BLOCKS == 20
    assert _lookback_read(LOOKBACK_BLOCKS - 1) == 1220


def test_lookback_misses_a_write_twenty_or_more_blocks_back() -> None:
    assert _lookback_read(LOOKBACK_BLOCKS) == 0
    assert _lookback_read(LOOKBACK_BLOCKS + 5) == 0


def test_an_earlier_breakpoint_rescues_a_long_turn() -> None:
    assert _lookback_read(LOOKBACK_BLOCKS + 5, keep_old_marker=True) == 1220


def test_front_trimmed_history_misses_the_messages_cache() -> None:
    sim = CacheSimulator()
    history = [
        user("u%d" % (i // 2)) if i % 2 == 0 else assistant("a%d" % (i // 2)) for i in range(40)
    ]
    system = [text(1200, "sys", EPHEMERAL)]

    def turn(messages: List[Dict[str, Any]]) -> CacheUsage:
        return sim.simulate(
            request(system=system, messages=messages, cache_control=EPHEMERAL)
        ).usage

    first = turn(history[:21])  # full history: the next turn appends
    appended = turn(history[:23])
    assert appended.cache_read_input_tokens == first.cache_creation_input_tokens

    trimmed_first = turn(history[1:21][-20:])
    trimmed_next = turn(history[3:23][-20:])  # dropped from the front: every message moved
    assert trimmed_first.cache_read_input_tokens == 1200  # only the system breakpoint survives
    assert trimmed_next.cache_read_input_tokens == 1200
    assert trimmed_next.cache_creation_input_tokens > 0


# --- what invalidates what ------------------------------------------------------------------


def _three_breakpoints(**changes: Any) -> Dict[str, Any]:
    body = request(
        tools=[tool("a"), tool("b", EPHEMERAL)],
        system=[text(1200, "sys", EPHEMERAL)],
        messages=[user([text(1200, "doc", EPHEMERAL)]), assistant("ok"), user("question")],
    )
    body.update(changes)
    return body


def _hit_sections(sim: CacheSimulator, changed: Dict[str, Any]) -> str:
    """Which section's breakpoint the changed request reads from: tools, system, messages."""
    sim.simulate(_three_breakpoints())
    result = sim.simulate(changed)
    if result.read_position is None:
        return "none"
    return result.prompt.blocks[result.read_position].section


WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search"}


@pytest.mark.parametrize(
    "change, still_hit",
    [
        ({}, "messages"),
        ({"tools": [tool("b"), tool("a", EPHEMERAL)]}, "none"),  # tool order
        ({"tools": [tool("a", description="changed"), tool("b", EPHEMERAL)]}, "none"),
        ({"model": "claude-opus-5"}, "none"),
        ({"speed": "fast"}, "tools"),
        ({"tools": [tool("a"), tool("b", EPHEMERAL), WEB_SEARCH]}, "tools"),
        ({"tool_choice": {"type": "any"}}, "system"),
        ({"thinking": {"type": "enabled", "budget_tokens": 2000}}, "system"),
        ({"max_tokens": 999, "temperature": 0.5, "metadata": {"user_id": "u"}}, "messages"),
    ],
)
def test_invalidation_table(sim: CacheSimulator, change: Dict[str, Any], still_hit: str) -> None:
    assert _hit_sections(sim, _three_breakpoints(**change)) == still_hit


def test_citations_toggle_invalidates_system_and_messages(sim: CacheSimulator) -> None:
    def body(citations: bool) -> Dict[str, Any]:
        document = {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "doc"},
            "citations": {"enabled": citations},
        }
        return _three_breakpoints(
            messages=[user([text(1200, "doc", EPHEMERAL)]), assistant("ok"), user([document])]
        )

    sim.simulate(body(False))
    same = sim.simulate(body(False))
    assert same.read_position is not None
    assert same.prompt.blocks[same.read_position].section == "messages"
    toggled = sim.simulate(body(True))
    assert toggled.read_position is not None
    assert toggled.prompt.blocks[toggled.read_position].section == "tools"


def test_adding_an_image_invalidates_the_messages_cache(sim: CacheSimulator) -> None:
    image = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    changed = _three_breakpoints(
        messages=[
            user([text(1200, "doc", EPHEMERAL)]),
            assistant("ok"),
            user([image, text(10, "q")]),
        ]
    )
    assert _hit_sections(sim, changed) == "system"


# --- diagnostics ----------------------------------------------------------------------------


def _diagnosed(sim: CacheSimulator, previous: Dict[str, Any], current: Dict[str, Any]) -> Any:
    sim.simulate(previous, message_id="msg_prev")
    return sim.simulate(dict(current, diagnostics={"previous_message_id": "msg_prev"})).diagnostics


def _cached_prefix_tokens(body: Dict[str, Any]) -> int:
    """Tokens up to the last breakpoint of a request, counted on a fresh cache."""
    usage = CacheSimulator().simulate(body).usage
    return usage.cache_creation_input_tokens + usage.cache_read_input_tokens


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"model": "claude-opus-5"}, "model_changed"),
        ({"speed": "fast"}, "model_changed"),
        ({"tools": [tool("b"), tool("a", EPHEMERAL)]}, "tools_changed"),
        ({"system": [text(1200, "other", EPHEMERAL)]}, "system_changed"),
        ({"messages": [user("rewritten"), assistant("ok"), user("question")]}, "messages_changed"),
    ],
)
def test_diagnostics_name_the_changed_part(
    sim: CacheSimulator, change: Dict[str, Any], reason: str
) -> None:
    previous = _three_breakpoints()
    diagnostics = _diagnosed(sim, previous, _three_breakpoints(**change))
    assert diagnostics == {
        "cache_miss_reason": {
            "type": reason,
            "cache_missed_input_tokens": _cached_prefix_tokens(previous),
        }
    }


def test_diagnostics_are_null_when_messages_were_only_appended(sim: CacheSimulator) -> None:
    previous = _three_breakpoints()
    appended = dict(previous, messages=previous["messages"] + [assistant("more"), user("again")])
    assert _diagnosed(sim, previous, appended) is None


def test_diagnostics_for_other_prompt_parameters_are_unavailable(sim: CacheSimulator) -> None:
    diagnostics = _diagnosed(
        sim, _three_breakpoints(), _three_breakpoints(tool_choice={"type": "any"})
    )
    assert diagnostics == {"cache_miss_reason": {"type": "unavailable"}}


def test_diagnostics_for_unknown_or_first_message(sim: CacheSimulator) -> None:
    body = _three_breakpoints()
    unknown = sim.simulate(dict(body, diagnostics={"previous_message_id": "msg_nope"}))
    assert unknown.diagnostics == {"cache_miss_reason": {"type": "previous_message_not_found"}}
    assert sim.simulate(dict(body, diagnostics={"previous_message_id": None})).diagnostics is None
    assert sim.simulate(body).diagnostics is None


# --- costs ----------------------------------------------------------------------------------


def test_billed_cost_weighs_writes_and_reads() -> None:
    usage = CacheUsage(
        input_tokens=100,
        cache_creation_input_tokens=3000,
        cache_read_input_tokens=10_000,
        ephemeral_5m_input_tokens=2000,
        ephemeral_1h_input_tokens=1000,
    )
    assert billed_input_equivalents(usage) == pytest.approx(
        100 + 2000 * 1.25 + 1000 * 2 + 10_000 * 0.1
    )
    assert billed_input_equivalents(usage, "claude-opus-5-5") == pytest.approx(
        100 + 2500 + 2000 + 500
    )
    assert total_input_tokens(usage) == 13_100


def test_billed_cost_reads_api_dicts_and_sdk_objects() -> None:
    api = {"input_tokens": 10, "cache_creation_input_tokens": 400, "cache_read_input_tokens": 0}
    assert billed_input_equivalents(api) == pytest.approx(10 + 400 * 1.25)  # no breakdown: 5m
    sdk_like = SimpleNamespace(
        input_tokens=10,
        cache_creation_input_tokens=400,
        cache_read_input_tokens=1000,
        cache_creation=SimpleNamespace(ephemeral_5m_input_tokens=0, ephemeral_1h_input_tokens=400),
    )
    assert billed_input_equivalents(sdk_like, "claude-fable-5-1") == pytest.approx(10 + 800 + 25)


def test_caching_once_costs_more_and_reuse_saves(sim: CacheSimulator) -> None:
    body = request(system=[text(2000, "s", EPHEMERAL)])
    once = summarize_costs([sim.simulate(body).usage])
    assert once.billed_equivalents > once.uncached_equivalents
    many = summarize_costs([sim.simulate(body).usage for _ in range(5)])
    assert many.requests == 5
    assert 0.8 < many.saved_fraction < 0.9
