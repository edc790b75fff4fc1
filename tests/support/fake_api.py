"""A fake Anthropic API on 127.0.0.1 for driving the real `anthropic` SDK in tests.

`FakeAnthropicServer` serves, on an ephemeral loopback port from a background thread:

* POST /v1/messages (also `?beta=true`): validated and cached by a `CacheSimulator`; answers a
  Message JSON, or a server-sent-event stream when the body has `"stream": true` (what
  `messages.stream(...)` and `create(stream=True)` send). Replies come from a queue filled by
  `script(...)`, else from `responder(body)`; the default says "Simulated reply <n>.".
* POST /v1/messages/count_tokens (also beta): {"input_tokens": <simulator count>}.
* POST /v1/messages/batches (also beta) and GET /v1/messages/batches/<id>: a recorded batch.

Every request is recorded in `.requests` (method, path, query, headers, JSON body, status and
the answer). API errors use the API's JSON shape, so the SDK raises its own exception classes
(400 -> anthropic.BadRequestError). `advance(seconds)` moves the simulated cache clock.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Set, Tuple, Union
from urllib.parse import parse_qs, urlsplit

from tests.support.cache_simulator import (
    CacheResult,
    CacheSimulator,
    SimulatedApiError,
    estimate_tokens,
)

MAX_BODY_BYTES = 64 * 1024 * 1024
CONNECTION_IDLE_SECONDS = 10.0  # a keep-alive connection left idle this long is closed
SDK_TIMEOUT_SECONDS = 20.0  # what client() gives the SDK, so a broken test fails, never hangs


@dataclass(frozen=True)
class ScriptedReply:
    """One assistant turn the fake model answers with."""

    content: Tuple[Mapping[str, Any], ...]
    stop_reason: str = "end_turn"
    stop_sequence: Optional[str] = None
    output_tokens: Optional[int] = None  # default: estimate_tokens summed over the content


@dataclass(frozen=True)
class ScriptedError:
    """An API error to answer with instead of a message (the cache is not touched)."""

    status: int
    message: str
    error_type: str = "api_error"


Reply = Union[ScriptedReply, ScriptedError]
Responder = Callable[[Mapping[str, Any]], Reply]


def text_reply(text: str, stop_reason: str = "end_turn") -> ScriptedReply:
    return ScriptedReply(content=({"type": "text", "text": text},), stop_reason=stop_reason)


def tool_use_reply(
    name: str,
    tool_input: Mapping[str, Any],
    *,
    tool_use_id: Optional[str] = None,
    text: Optional[str] = None,
) -> ScriptedReply:
    """A turn that calls one tool (stop_reason "tool_use"); the id is generated when omitted."""
    blocks: List[Mapping[str, Any]] = []
    if text:
        blocks.append({"type": "text", "text": text})
    tool_use: Dict[str, Any] = {"type": "tool_use", "name": name, "input": dict(tool_input)}
    if tool_use_id is not None:
        tool_use["id"] = tool_use_id
    blocks.append(tool_use)
    return ScriptedReply(content=tuple(blocks), stop_reason="tool_use")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # without the query, e.g. "/v1/messages"
    query: Dict[str, List[str]]
    headers: Dict[str, str]  # names lower-cased
    body: Any  # parsed JSON, None without a body
    status: int
    response: Any  # the JSON answered, or the list of SSE event payloads of a stream

    @property
    def is_beta(self) -> bool:
        return "true" in self.query.get("beta", [])

    @property
    def betas(self) -> Tuple[str, ...]:
        header = self.headers.get("anthropic-beta", "")
        return tuple(part.strip() for part in header.split(",") if part.strip())

    @property
    def streamed(self) -> bool:
        return isinstance(self.body, Mapping) and self.body.get("stream") is True

    @property
    def usage(self) -> Optional[Dict[str, Any]]:
        """The usage a successful /v1/messages answer reported (final totals for a stream)."""
        if self.path != "/v1/messages" or self.status != 200:
            return None
        if isinstance(self.response, list):
            start = self.response[0]["message"]["usage"]
            final = self.response[-2]["usage"]  # message_delta, just before message_stop
            return {**start, **final}
        return self.response["usage"]


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, fake: FakeAnthropicServer) -> None:
        self.fake = fake
        self.open_sockets: Set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> Tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with self.sockets_lock:
            self.open_sockets.add(connection)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self.sockets_lock:
            remaining = list(self.open_sockets)
            self.open_sockets.clear()
        for connection in remaining:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY each request stalls on a
    # delayed ACK (~40 ms)
    disable_nagle_algorithm = True
    timeout = CONNECTION_IDLE_SECONDS
    server: _HttpServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._serve("POST")

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._serve("GET")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send_json(413, _error_body("request_too_large", "request body too large"))
            return
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer, is_stream = self.server.fake._handle(
            method, parts.path, parse_qs(parts.query), headers, raw
        )
        if is_stream:
            self._send_events(answer)
        else:
            self._send_json(status, answer)

    def _send_json(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("request-id", "req_sim")
        self.end_headers()
        self.wfile.write(payload)

    def _send_events(self, events: List[Dict[str, Any]]) -> None:
        payload = "".join(
            "event: %s\ndata: %s\n\n" % (event["type"], json.dumps(event)) for event in events
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("request-id", "req_sim")
        self.end_headers()
        self.wfile.write(payload)


def _error_body(error_type: str, message: str) -> Dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}}


def _stream_events(message: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The SSE events of a message, in the order the API sends them."""
    usage = message["usage"]
    start = dict(message, content=[], stop_reason=None, stop_sequence=None)
    start["usage"] = dict(usage, output_tokens=min(1, usage["output_tokens"]))
    events: List[Dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        events.extend(_block_events(index, block))
    events.append(
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": message["stop_reason"],
                "stop_sequence": message["stop_sequence"],
            },
            "usage": {
                "output_tokens": usage["output_tokens"],
                "input_tokens": usage["input_tokens"],
                "cache_creation_input_tokens": usage["cache_creation_input_tokens"],
                "cache_read_input_tokens": usage["cache_read_input_tokens"],
            },
        }
    )
    events.append({"type": "message_stop"})
    return events


def _block_events(index: int, block: Mapping[str, Any]) -> List[Dict[str, Any]]:
    kind = block.get("type")
    if kind == "text":
        opening: Dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": block.get("text", "")}]
    elif kind == "tool_use":
        opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block.get("input", {}))}]
    elif kind == "thinking":
        opening = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [
            {"type": "thinking_delta", "thinking": block.get("thinking", "")},
            {"type": "signature_delta", "signature": block.get("signature", "")},
        ]
    else:
        opening, deltas = dict(block), []
    events: List[Dict[str, Any]] = [
        {"type": "content_block_start", "index": index, "content_block": opening}
    ]
    events.extend({"type": "content_block_delta", "index": index, "delta": d} for d in deltas)
    events.append({"type": "content_block_stop", "index": index})
    return events


class FakeAnthropicServer:
    """The fake API; use as a context manager (or start()/stop()). Thread-safe."""

    def __init__(
        self,
        simulator: Optional[CacheSimulator] = None,
        responder: Optional[Responder] = None,
    ) -> None:
        self.simulator = simulator if simulator is not None else CacheSimulator()
        self.responder: Responder = responder if responder is not None else self.default_reply
        self.requests: List[RecordedRequest] = []
        self.batches: Dict[str, Dict[str, Any]] = {}
        self._replies: Deque[Reply] = deque()
        self._id_numbers = itertools.count(1)
        self._messages_served = 0
        self._lock = threading.RLock()
        self._http: Optional[_HttpServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle

    def start(self) -> FakeAnthropicServer:
        if self._http is not None:
            raise RuntimeError("already started")
        self._http = _HttpServer(self)
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-anthropic-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is None:
            return
        self._http.shutdown()
        self._http.close_open_connections()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http = None
        self._thread = None

    def __enter__(self) -> FakeAnthropicServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._http is None:
            raise RuntimeError("server not started")
        return "http://127.0.0.1:%d" % self._http.server_address[1]

    # -- what tests use

    def client(self, **options: Any) -> Any:
        """anthropic.Anthropic pointed here: api_key "test", no retries, bounded timeout."""
        import anthropic

        return anthropic.Anthropic(**self._client_options(options))

    def async_client(self, **options: Any) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(**self._client_options(options))

    def _client_options(self, options: Mapping[str, Any]) -> Dict[str, Any]:
        merged: Dict[str, Any] = {
            "api_key": "test",
            "base_url": self.base_url,
            "max_retries": 0,
            "timeout": SDK_TIMEOUT_SECONDS,
        }
        merged.update(options)
        return merged

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next /v1/messages requests, first in first out."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending_replies(self) -> int:
        with self._lock:
            return len(self._replies)

    def advance(self, seconds: float) -> float:
        """Move the simulated cache clock forward (needs the simulator's default ManualClock)."""
        return self.simulator.advance(seconds)

    def default_reply(self, body: Mapping[str, Any]) -> Reply:
        return text_reply("Simulated reply %d." % self._messages_served)

    def requests_to(self, path: str, method: str = "POST") -> List[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and r.method == method]

    @property
    def message_requests(self) -> List[RecordedRequest]:
        return self.requests_to("/v1/messages")

    @property
    def usages(self) -> List[Dict[str, Any]]:
        """Usage of every successful /v1/messages answer, in order."""
        return [r.usage for r in self.message_requests if r.usage is not None]

    # -- request handling (called from server threads)

    def _handle(
        self,
        method: str,
        path: str,
        query: Dict[str, List[str]],
        headers: Dict[str, str],
        raw: bytes,
    ) -> Tuple[int, Any, bool]:
        with self._lock:
            body: Any = None
            is_stream = False
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except ValueError as error:  # bytes that are not JSON
                status, answer = 400, _error_body("invalid_request_error", str(error))
            else:
                try:
                    status, answer, is_stream = self._route(method, path, body)
                except SimulatedApiError as error:
                    status, answer = error.status, error.to_api_body()
                except Exception as error:  # a bug here must reach the test, not drop the socket
                    status, answer = 500, _error_body("api_error", "fake API crashed: %r" % error)
            self.requests.append(
                RecordedRequest(method, path, query, headers, body, status, answer)
            )
            return status, answer, is_stream

    def _route(self, method: str, path: str, body: Any) -> Tuple[int, Any, bool]:
        if method == "POST" and path == "/v1/messages":
            return self._messages(body)
        if method == "POST" and path == "/v1/messages/count_tokens":
            return 200, {"input_tokens": self.simulator.count_tokens(_object(body))}, False
        if method == "POST" and path == "/v1/messages/batches":
            return 200, self._create_batch(_object(body)), False
        if method == "GET" and path.startswith("/v1/messages/batches/"):
            batch = self.batches.get(path.rsplit("/", 1)[-1])
            if batch is not None:
                return 200, batch, False
        return 404, _error_body("not_found_error", "Not found: %s %s" % (method, path)), False

    def _messages(self, body: Any) -> Tuple[int, Any, bool]:
        request = _object(body)
        self.simulator.parse(request)  # a malformed request is refused before any reply is used
        self._messages_served += 1
        reply = self._replies.popleft() if self._replies else self.responder(request)
        if isinstance(reply, ScriptedError):
            error_type = reply.error_type
            return reply.status, _error_body(error_type, reply.message), False
        message_id = self._new_id("msg")
        result = self.simulator.simulate(request, message_id=message_id)
        message = self._message(message_id, request, reply, result)
        if request.get("stream") is True:
            return 200, _stream_events(message), True
        return 200, message, False

    def _message(
        self, message_id: str, request: Mapping[str, Any], reply: ScriptedReply, result: CacheResult
    ) -> Dict[str, Any]:
        content = [self._with_ids(block) for block in reply.content]
        stop_reason = reply.stop_reason
        if request.get("max_tokens") == 0:  # pre-warming the cache: no output at all
            content, stop_reason = [], "max_tokens"
        output_tokens = reply.output_tokens
        if output_tokens is None:
            output_tokens = sum(estimate_tokens(block) for block in content)
        usage = result.usage.to_api_dict()
        usage["output_tokens"] = output_tokens if content else 0
        usage["service_tier"] = "standard"
        return {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": request["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": reply.stop_sequence,
            "usage": usage,
            "diagnostics": result.diagnostics,
        }

    def _new_id(self, prefix: str) -> str:
        return "%s_sim_%04d" % (prefix, next(self._id_numbers))

    def _with_ids(self, block: Mapping[str, Any]) -> Dict[str, Any]:
        copy = dict(block)
        if copy.get("type") == "tool_use" and not copy.get("id"):
            copy["id"] = self._new_id("toolu")
        return copy

    def _create_batch(self, body: Mapping[str, Any]) -> Dict[str, Any]:
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            raise SimulatedApiError(400, "requests: List should have at least 1 item")
        batch_id = self._new_id("msgbatch")
        batch = {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "in_progress",
            "request_counts": {
                "processing": len(requests),
                "succeeded": 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-11-23T00:00:00Z",
            "expires_at": "2026-11-24T00:00:00Z",
            "ended_at": None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": None,
        }
        self.batches[batch_id] = batch
        return batch


def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise SimulatedApiError(400, "request body must be a JSON object")
    return body


__all__ = [
    "FakeAnthropicServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ScriptedError",
    "ScriptedReply",
    "text_reply",
    "tool_use_reply",
]
