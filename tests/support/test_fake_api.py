"""The fake Anthropic API, driven by the real `anthropic` SDK over loopback."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from typing import Any, Dict, List

import anthropic
import pytest

from tests.support.cache_simulator import CacheSimulator, estimate_tokens, text_of_tokens
from tests.support.fake_api import (
    FakeAnthropicServer,
    ScriptedError,
    text_reply,
    tool_use_reply,
)

MODEL = "claude-opus-4-8"  # minimum 1024 tokens; not deprecated in anthropic 2.12.0
SYSTEM = [
    {"type": "text", "text": text_of_tokens(1500, "sys"), "cache_control": {"type": "ephemeral"}}
]


def usage_numbers(usage: Any) -> tuple:
    return (usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens)


def post_json(url: str, body: Any) -> tuple:
    data = json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# --- the server itself ----------------------------------------------------------------------


def test_server_listens_on_loopback_ephemeral_port_and_stops() -> None:
    with FakeAnthropicServer() as server:
        url = server.base_url
        assert url.startswith("http://127.0.0.1:")
        assert int(url.rsplit(":", 1)[1]) > 0
        status, _ = post_json(url + "/v1/messages/count_tokens", {"model": MODEL, "messages": []})
        assert status == 200
    assert not any(t.name == "fake-anthropic-api" and t.is_alive() for t in threading.enumerate())
    with pytest.raises(urllib.error.URLError):
        post_json(url + "/v1/messages/count_tokens", {"model": MODEL, "messages": []})


def test_unknown_path_is_a_404_in_the_api_error_shape(fake_anthropic: FakeAnthropicServer) -> None:
    status, body = post_json(fake_anthropic.base_url + "/v1/complete", {})
    assert status == 404
    assert body["type"] == "error" and body["error"]["type"] == "not_found_error"
    with fake_anthropic.client() as client, pytest.raises(anthropic.NotFoundError):
        client.models.list()


def test_bad_json_is_a_400(fake_anthropic: FakeAnthropicServer) -> None:
    req = urllib.request.Request(
        fake_anthropic.base_url + "/v1/messages",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=10)
    with caught.value as error:
        assert error.code == 400
        assert json.loads(error.read())["error"]["type"] == "invalid_request_error"
    assert fake_anthropic.requests[-1].body is None


# --- messages.create ------------------------------------------------------------------------


def test_create_returns_a_message_and_records_the_request(
    fake_anthropic: FakeAnthropicServer,
) -> None:
    with fake_anthropic.client() as client:
        message = client.messages.create(
            model=MODEL, max_tokens=64, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}]
        )
    assert message.type == "message" and message.role == "assistant" and message.model == MODEL
    assert message.id.startswith("msg_")
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "Simulated reply 1."
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.usage.cache_creation_input_tokens == 1500
    assert message.usage.cache_creation.ephemeral_5m_input_tokens == 1500
    assert message.usage.output_tokens == estimate_tokens(
        {"type": "text", "text": "Simulated reply 1."}
    )

    (recorded,) = fake_anthropic.requests
    assert (recorded.method, recorded.path, recorded.status) == ("POST", "/v1/messages", 200)
    assert recorded.body["system"] == SYSTEM
    assert recorded.body["max_tokens"] == 64
    # anthropic 2.12.0 sends the key as a bearer token; older releases used x-api-key
    credentials = recorded.headers.get("x-api-key") or recorded.headers.get("authorization")
    assert credentials in ("test", "Bearer test")
    assert "anthropic-version" in recorded.headers
    assert recorded.usage == message.usage.model_dump(exclude_none=True)


def test_usage_over_a_conversation_writes_then_reads(fake_anthropic: FakeAnthropicServer) -> None:
    reference = CacheSimulator()
    history: List[Dict[str, Any]] = []
    seen = []
    with fake_anthropic.client() as client:
        for turn in range(4):
            history.append({"role": "user", "content": "Question %d" % turn})
            body = dict(model=MODEL, max_tokens=64, system=SYSTEM, messages=list(history))
            message = client.messages.create(**body, cache_control={"type": "ephemeral"})
            expected = reference.simulate(dict(body, cache_control={"type": "ephemeral"})).usage
            assert usage_numbers(message.usage) == (
                expected.input_tokens,
                expected.cache_creation_input_tokens,
                expected.cache_read_input_tokens,
            )
            seen.append(message.usage)
            history.append({"role": "assistant", "content": message.content[0].text})
    assert seen[0].cache_read_input_tokens == 0 and seen[0].cache_creation_input_tokens > 1500
    for before, after in zip(seen, seen[1:]):
        # each turn reads everything the previous one cached and writes only the new turn
        assert (
            after.cache_read_input_tokens
            == before.cache_read_input_tokens + before.cache_creation_input_tokens
        )
        assert 0 < after.cache_creation_input_tokens < 100
    assert fake_anthropic.usages == [u.model_dump(exclude_none=True) for u in seen]


def test_advancing_the_clock_expires_the_cache(fake_anthropic: FakeAnthropicServer) -> None:
    body = dict(
        model=MODEL, max_tokens=8, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}]
    )
    with fake_anthropic.client() as client:
        client.messages.create(**body)
        fake_anthropic.advance(299)
        assert client.messages.create(**body).usage.cache_read_input_tokens == 1500
        fake_anthropic.advance(300)
        usage = client.messages.create(**body).usage
    assert usage.cache_read_input_tokens == 0 and usage.cache_creation_input_tokens == 1500


def test_fifth_breakpoint_raises_bad_request_and_keeps_the_script(
    fake_anthropic: FakeAnthropicServer,
) -> None:
    fake_anthropic.script(text_reply("kept"))
    system = [
        {"type": "text", "text": "part %d" % i, "cache_control": {"type": "ephemeral"}}
        for i in range(5)
    ]
    with fake_anthropic.client() as client:
        with pytest.raises(anthropic.BadRequestError) as caught:
            client.messages.create(
                model=MODEL,
                max_tokens=8,
                system=system,
                messages=[{"role": "user", "content": "x"}],
            )
        assert caught.value.status_code == 400
        assert "A maximum of 4 blocks with cache_control may be provided. Found 5." in str(
            caught.value
        )
        assert caught.value.body["error"]["type"] == "invalid_request_error"
        assert fake_anthropic.pending_replies == 1
        ok = client.messages.create(
            model=MODEL,
            max_tokens=8,
            system=system[:4],
            messages=[{"role": "user", "content": "x"}],
        )
    assert ok.content[0].text == "kept"
    assert [r.status for r in fake_anthropic.requests] == [400, 200]


def test_scripted_errors_reach_the_sdk(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.script(ScriptedError(429, "slow down", "rate_limit_error"))
    with fake_anthropic.client() as client, pytest.raises(anthropic.RateLimitError):
        client.messages.create(
            model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "x"}]
        )
    assert fake_anthropic.simulator.live_entries() == []


def test_max_tokens_zero_prewarms_the_cache(fake_anthropic: FakeAnthropicServer) -> None:
    body = dict(model=MODEL, system=SYSTEM, messages=[{"role": "user", "content": "warm"}])
    with fake_anthropic.client() as client:
        warm = client.messages.create(max_tokens=0, **body)
        real = client.messages.create(max_tokens=64, **body)
    assert warm.content == [] and warm.usage.output_tokens == 0
    assert warm.usage.cache_creation_input_tokens == 1500
    assert real.usage.cache_read_input_tokens == 1500


def test_diagnostics_reach_the_sdk(fake_anthropic: FakeAnthropicServer) -> None:
    messages = [{"role": "user", "content": "Hi"}]
    changed = [
        {
            "type": "text",
            "text": text_of_tokens(1500, "other"),
            "cache_control": {"type": "ephemeral"},
        }
    ]
    with fake_anthropic.client() as client:
        first = client.messages.create(
            model=MODEL,
            max_tokens=8,
            system=SYSTEM,
            messages=messages,
            diagnostics={"previous_message_id": None},
        )
        assert first.diagnostics is None
        second = client.messages.create(
            model=MODEL,
            max_tokens=8,
            system=changed,
            messages=messages,
            diagnostics={"previous_message_id": first.id},
        )
    assert second.diagnostics is not None
    assert second.diagnostics.cache_miss_reason.type == "system_changed"
    assert second.diagnostics.cache_miss_reason.cache_missed_input_tokens == 1500


def test_custom_responder_sees_the_request_body() -> None:
    def echo(body: Any) -> Any:
        return text_reply("you said: " + body["messages"][-1]["content"])

    with FakeAnthropicServer(responder=echo) as server, server.client() as client:
        message = client.messages.create(
            model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "ping"}]
        )
    assert message.content[0].text == "you said: ping"


# --- an agent loop --------------------------------------------------------------------------

WEATHER_TOOL = {
    "name": "get_weather",
    "description": text_of_tokens(1200, "Weather lookup."),
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
    "cache_control": {"type": "ephemeral"},
}


def test_agent_tool_loop_with_scripted_tool_use(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.script(
        tool_use_reply("get_weather", {"city": "Paris"}, text="Let me check."),
        tool_use_reply("get_weather", {"city": "Rome"}, tool_use_id="toolu_fixed"),
        text_reply("Paris 18C, Rome 24C."),
    )
    messages: List[Dict[str, Any]] = [{"role": "user", "content": "Weather in Paris and Rome?"}]
    calls = []
    with fake_anthropic.client() as client:
        while True:
            reply = client.messages.create(
                model=MODEL,
                max_tokens=256,
                tools=[WEATHER_TOOL],
                messages=messages,
                cache_control={"type": "ephemeral"},
            )
            messages.append(
                {
                    "role": "assistant",
                    "content": [b.model_dump(exclude_none=True) for b in reply.content],
                }
            )
            if reply.stop_reason != "tool_use":
                break
            results = []
            for block in reply.content:
                if block.type == "tool_use":
                    calls.append((block.id, block.input["city"]))
                    results.append(
                        {"type": "tool_result", "tool_use_id": block.id, "content": "sunny"}
                    )
            messages.append({"role": "user", "content": results})
    assert reply.content[0].text == "Paris 18C, Rome 24C."
    assert calls[0][1] == "Paris" and calls[0][0].startswith("toolu_")
    assert calls[1] == ("toolu_fixed", "Rome")
    bodies = [r.body for r in fake_anthropic.message_requests]
    assert len(bodies) == 3
    assert bodies[2]["messages"][4]["content"][0] == {
        "type": "tool_result",
        "tool_use_id": "toolu_fixed",
        "content": "sunny",
    }
    reads = [u["cache_read_input_tokens"] for u in fake_anthropic.usages]
    assert reads[0] == 0 and 0 < reads[1] < reads[2]


def test_beta_tool_runner_runs_against_the_fake(fake_anthropic: FakeAnthropicServer) -> None:
    @anthropic.beta_tool
    def get_weather(city: str) -> str:
        """Weather for a city."""
        return "sunny in " + city

    fake_anthropic.script(
        tool_use_reply("get_weather", {"city": "Oslo"}), text_reply("It is sunny.")
    )
    with fake_anthropic.client() as client:
        runner = client.beta.messages.tool_runner(
            model=MODEL,
            max_tokens=64,
            tools=[get_weather],
            messages=[{"role": "user", "content": "Oslo?"}],
        )
        final = runner.until_done()
    assert final.content[0].text == "It is sunny."
    last = fake_anthropic.message_requests[-1].body["messages"][-1]["content"][0]
    assert last["type"] == "tool_result" and "sunny in Oslo" in json.dumps(last["content"])


# --- streaming ------------------------------------------------------------------------------


def test_messages_stream_yields_text_and_final_usage(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.script(text_reply("streamed words"))
    body = dict(
        model=MODEL, max_tokens=64, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}]
    )
    with fake_anthropic.client() as client:
        with client.messages.stream(**body) as stream:
            chunks = list(stream.text_stream)
            final = stream.get_final_message()
        second = client.messages.create(**body)
    assert "".join(chunks) == "streamed words"
    assert final.stop_reason == "end_turn"
    assert usage_numbers(final.usage) == (usage_numbers(second.usage)[0], 1500, 0)
    assert second.usage.cache_read_input_tokens == 1500
    recorded = fake_anthropic.message_requests[0]
    assert recorded.streamed and recorded.body["stream"] is True
    assert [e["type"] for e in recorded.response][:2] == ["message_start", "content_block_start"]
    assert recorded.usage["cache_creation_input_tokens"] == 1500


def test_stream_of_a_tool_use_reply_parses_its_input(fake_anthropic: FakeAnthropicServer) -> None:
    fake_anthropic.script(tool_use_reply("get_weather", {"city": "Lima"}, text="Checking"))
    with fake_anthropic.client() as client:
        with client.messages.stream(
            model=MODEL,
            max_tokens=64,
            tools=[WEATHER_TOOL],
            messages=[{"role": "user", "content": "Lima?"}],
        ) as stream:
            final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert [b.type for b in final.content] == ["text", "tool_use"]
    assert final.content[1].input == {"city": "Lima"}


def test_create_with_stream_true_yields_raw_events(fake_anthropic: FakeAnthropicServer) -> None:
    with fake_anthropic.client() as client:
        events = list(
            client.messages.create(
                model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "x"}], stream=True
            )
        )
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[2].delta.text == "Simulated reply 1."


# --- count_tokens, beta, batches ------------------------------------------------------------


def test_count_tokens_matches_the_simulator(fake_anthropic: FakeAnthropicServer) -> None:
    body = dict(model=MODEL, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}])
    with fake_anthropic.client() as client:
        counted = client.messages.count_tokens(**body)
        beta_counted = client.beta.messages.count_tokens(**body)
    assert counted.input_tokens == beta_counted.input_tokens == CacheSimulator().count_tokens(body)
    assert [r.path for r in fake_anthropic.requests] == ["/v1/messages/count_tokens"] * 2
    assert fake_anthropic.simulator.live_entries() == []  # counting never writes the cache


def test_count_tokens_validates_markers(fake_anthropic: FakeAnthropicServer) -> None:
    thinking = {
        "type": "thinking",
        "thinking": "t",
        "signature": "s",
        "cache_control": {"type": "ephemeral"},
    }
    with fake_anthropic.client() as client, pytest.raises(anthropic.BadRequestError):
        client.messages.count_tokens(
            model=MODEL,
            messages=[
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": [thinking]},
            ],
        )


def test_beta_create_records_betas_header(fake_anthropic: FakeAnthropicServer) -> None:
    with fake_anthropic.client() as client:
        message = client.beta.messages.create(
            model=MODEL,
            max_tokens=8,
            system=SYSTEM,
            messages=[{"role": "user", "content": "x"}],
            betas=["prompt-caching-2024-07-31", "context-1m-2025-08-07"],
        )
    assert type(message).__name__ == "BetaMessage"
    assert message.usage.cache_creation_input_tokens == 1500
    recorded = fake_anthropic.message_requests[0]
    assert recorded.betas == ("prompt-caching-2024-07-31", "context-1m-2025-08-07")


def test_beta_query_path_is_served(fake_anthropic: FakeAnthropicServer) -> None:
    body = {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}
    status, message = post_json(fake_anthropic.base_url + "/v1/messages?beta=true", body)
    assert status == 200 and message["type"] == "message"
    recorded = fake_anthropic.requests[-1]
    assert recorded.path == "/v1/messages" and recorded.is_beta


def test_batches_are_recorded_and_retrievable(fake_anthropic: FakeAnthropicServer) -> None:
    params = {
        "model": MODEL,
        "max_tokens": 8,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": "x"}],
    }
    with fake_anthropic.client() as client:
        batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
        again = client.messages.batches.retrieve(batch.id)
        beta_batch = client.beta.messages.batches.create(
            requests=[{"custom_id": "b", "params": params}]
        )
    assert batch.type == "message_batch" and batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 1
    assert again.id == batch.id and beta_batch.id != batch.id
    (created, _) = fake_anthropic.requests_to("/v1/messages/batches")
    assert created.body["requests"][0]["params"]["system"] == SYSTEM
    assert fake_anthropic.requests_to("/v1/messages/batches/" + batch.id, method="GET")


# --- AsyncAnthropic -------------------------------------------------------------------------


def test_async_client_create_stream_and_count(fake_anthropic: FakeAnthropicServer) -> None:
    body = dict(
        model=MODEL, max_tokens=32, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}]
    )

    async def run() -> tuple:
        async with fake_anthropic.async_client() as client:
            created = await client.messages.create(**body)
            async with client.messages.stream(**body) as stream:
                text = "".join([chunk async for chunk in stream.text_stream])
                final = await stream.get_final_message()
            counted = await client.messages.count_tokens(
                model=MODEL, system=SYSTEM, messages=[{"role": "user", "content": "Hi"}]
            )
            with pytest.raises(anthropic.BadRequestError):
                await client.messages.create(
                    **dict(
                        body,
                        system=[
                            {"type": "text", "text": "", "cache_control": {"type": "ephemeral"}}
                        ],
                    )
                )
            return created, text, final, counted

    created, text, final, counted = asyncio.run(run())
    assert created.usage.cache_creation_input_tokens == 1500
    assert text == "Simulated reply 2."
    assert final.usage.cache_read_input_tokens == 1500
    assert counted.input_tokens == CacheSimulator().count_tokens(body)
