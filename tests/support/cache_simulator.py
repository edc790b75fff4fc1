"""A deterministic stand-in for Anthropic's prompt cache, used to prove cachelint's fixes.

It implements the rules written down in shared/docs/prompt-caching.md, nothing more:

* The prompt is one sequence of blocks: each tool definition, then the system prompt (a string
  is one block that cannot carry a marker; a list gives one block per text block), then every
  message's content (string content is one text block; list content gives its blocks).
* Breakpoints are the explicit `cache_control` markers plus the request's top-level
  `cache_control` (automatic caching), which lands on the last block that can be cached.
  Validation errors are raised as `SimulatedApiError(400, message)` with the API's wording.
* The cache key of a breakpoint is a hash of the exact prefix up to and including its block
  (markers stripped, JSON key order kept, as the SDK sends it), seeded with the model. Request
  options that the invalidation table ties to a section are folded into the hash where that
  section starts: `speed`, web search tools and citations before `system`; `tool_choice`,
  `thinking` and the number of images before `messages`.
* A read walks back from each breakpoint over at most `LOOKBACK_BLOCKS` block boundaries (the
  breakpoint's own one included) and takes the longest live entry found; writes happen only at
  breakpoints after the read, and only when the prefix reaches the model's minimum size.
* Entries live for their TTL (300 s or 3600 s) and a hit renews that same TTL; an entry is gone
  once `now >= written_or_renewed_at + ttl`. Time comes from an injected clock; nothing sleeps.

Token counts come from `estimate_tokens`, a documented stand-in for the tokenizer:
ceil(len(compact JSON of the block without its marker) / 4), at least 1. The message role is not
counted. Use `text_of_tokens(n)` to build text whose block counts exactly n tokens.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from cachelint.core import modeldata

MAX_BREAKPOINTS = 4
LOOKBACK_BLOCKS = 20  # block boundaries examined per breakpoint, the breakpoint's own included
TTL_SECONDS: Mapping[str, float] = {"5m": 300.0, "1h": 3600.0}
DEFAULT_TTL = "5m"
# The docs leave unknown models' minimum unknown; the simulator has to pick one number.
UNKNOWN_MODEL_MIN_CACHE_TOKENS = 1024
CHARS_PER_TOKEN = 4

MARKABLE_MESSAGE_BLOCK_TYPES = frozenset({"text", "image", "document", "tool_use", "tool_result"})

# The JSON a text block's text sits in: {"type":"text","text":"<text>"} is 25 characters + text.
_TEXT_BLOCK_OVERHEAD_CHARS = len(json.dumps({"type": "text", "text": ""}, separators=(",", ":")))
_FILLER_WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "

Clock = Callable[[], float]
Tokenizer = Callable[[Any], int]


class SimulatedApiError(Exception):
    """What the API would answer with an error status (400 invalid_request_error by default)."""

    def __init__(
        self, status: int, message: str, error_type: str = "invalid_request_error"
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type

    def to_api_body(self) -> Dict[str, Any]:
        return {"type": "error", "error": {"type": self.error_type, "message": self.message}}


def _bad_request(message: str) -> SimulatedApiError:
    return SimulatedApiError(400, message)


class ManualClock:
    """Seconds as a float that only move when a test says so."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    @property
    def now(self) -> float:
        return self()

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += float(seconds)
            return self._now


def canonical_json(value: Any) -> str:
    """Compact JSON keeping key order: the bytes the cache sees (the SDK keeps dict order)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def estimate_tokens(block: Any) -> int:
    """The simulator's tokenizer: ceil(len(canonical JSON) / 4), never less than 1."""
    return max(1, math.ceil(len(canonical_json(block)) / CHARS_PER_TOKEN))


def text_of_tokens(tokens: int, seed: str = "") -> str:
    """Text whose text block ({"type": "text", "text": ...}) counts exactly `tokens` tokens.

    `seed` starts the text so that blocks of equal size can differ. Needs tokens >= 7.
    """
    length = tokens * CHARS_PER_TOKEN - _TEXT_BLOCK_OVERHEAD_CHARS
    if length < len(seed) or length < 1:
        raise ValueError("too few tokens for a text block (%d)" % tokens)
    if any(ch in seed for ch in '"\\') or not seed.isprintable():
        raise ValueError("seed must not need JSON escaping")
    filler = _FILLER_WORDS * (length // len(_FILLER_WORDS) + 1)
    return (seed + filler)[:length]


@dataclass(frozen=True)
class PromptBlock:
    position: int
    section: str  # "tools" | "system" | "messages"
    location: str  # "tools.0", "system", "system.1", "messages.2.content.0"
    block_type: str
    content: Any  # the block as sent, markers removed
    tokens: int
    role: Optional[str] = None
    message_index: Optional[int] = None
    auto_cacheable: bool = True  # automatic caching may put its breakpoint here


@dataclass(frozen=True)
class Breakpoint:
    position: int
    ttl: str
    location: str
    automatic: bool = False


@dataclass(frozen=True)
class Prompt:
    """A validated request, seen the way the cache sees it."""

    model: str
    blocks: Tuple[PromptBlock, ...]
    breakpoints: Tuple[Breakpoint, ...]  # in prompt order; automatic after explicit at one block
    prefix_hashes: Tuple[str, ...]  # key of the prefix ending at each block
    prefix_tokens: Tuple[int, ...]  # tokens of the prefix ending at each block
    fingerprint: PromptFingerprint

    @property
    def total_tokens(self) -> int:
        return self.prefix_tokens[-1] if self.prefix_tokens else 0


@dataclass(frozen=True)
class PromptFingerprint:
    """What cache diagnostics compare between two requests."""

    model: str
    speed: str
    tools: str
    system: str
    messages: Tuple[str, ...]
    other: str  # tool_choice, thinking, images: they only reach the messages cache


@dataclass(frozen=True)
class CacheUsage:
    input_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    ephemeral_5m_input_tokens: int
    ephemeral_1h_input_tokens: int

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def to_api_dict(self) -> Dict[str, Any]:
        """The `usage` fields of a Message (without output_tokens), named as the API names them."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.ephemeral_5m_input_tokens,
                "ephemeral_1h_input_tokens": self.ephemeral_1h_input_tokens,
            },
        }


@dataclass(frozen=True)
class CacheResult:
    usage: CacheUsage
    prompt: Prompt
    read_position: Optional[int]  # block whose prefix was read from the cache
    written_positions: Tuple[int, ...]  # breakpoint blocks whose prefix was written
    diagnostics: Optional[Dict[str, Any]]  # the Message's `diagnostics` object, or None


@dataclass(frozen=True)
class CacheEntryView:
    prefix_hash: str
    position: int
    tokens: int
    ttl: str
    expires_at: float


@dataclass
class _Entry:
    position: int
    tokens: int
    ttl: str
    expires_at: float


@dataclass
class _History:
    fingerprint: PromptFingerprint
    cached_prefix_tokens: int


# ---------------------------------------------------------------------------------------------
# Parsing and validation


def _strip_marker(block: Any) -> Any:
    """The block without `cache_control`, also inside tool_result content (keeps key order)."""
    if not isinstance(block, Mapping):
        return block
    stripped = {key: value for key, value in block.items() if key != "cache_control"}
    nested = stripped.get("content")
    if isinstance(nested, list):
        stripped["content"] = [_strip_marker(item) for item in nested]
    return stripped


def _marker_ttl(marker: Any, location: str) -> str:
    """Validate a marker's shape and return its TTL."""
    where = "%s.cache_control" % location if location else "cache_control"
    if not isinstance(marker, Mapping):
        raise _bad_request("%s: Input should be a valid dictionary" % where)
    if marker.get("type") != "ephemeral":
        raise _bad_request("%s.type: Input should be 'ephemeral'" % where)
    for key in marker:
        if key not in ("type", "ttl"):
            raise _bad_request("%s.%s: Extra inputs are not permitted" % (where, key))
    ttl = marker.get("ttl", DEFAULT_TTL)
    if ttl is None:
        ttl = DEFAULT_TTL
    if ttl not in TTL_SECONDS:
        raise _bad_request("%s.ttl: Input should be '5m' or '1h'" % where)
    return ttl


def _is_empty_text(block: Mapping) -> bool:
    return block.get("type") == "text" and not block.get("text")


class _PromptBuilder:
    """Walks a request in cache order, validating markers as the API does."""

    def __init__(self, request: Mapping[str, Any], tokenizer: Tokenizer) -> None:
        self.request = request
        self.tokenizer = tokenizer
        self.blocks: List[PromptBlock] = []
        self.explicit: List[Breakpoint] = []

    def build(self) -> Prompt:
        model = self.request.get("model")
        if not isinstance(model, str) or not model:
            raise _bad_request("model: Field required")
        messages = self.request.get("messages")
        if not isinstance(messages, list):
            raise _bad_request("messages: Field required")
        tools = self.request.get("tools") or []
        if not isinstance(tools, list):
            raise _bad_request("tools: Input should be a valid list")
        for index, tool in enumerate(tools):
            self._add_tool(index, tool)
        self._add_system(self.request.get("system"))
        for index, message in enumerate(messages):
            self._add_message(index, message)
        breakpoints = self._breakpoints()
        hashes, tokens = self._prefixes(model)
        return Prompt(
            model=model,
            blocks=tuple(self.blocks),
            breakpoints=tuple(breakpoints),
            prefix_hashes=tuple(hashes),
            prefix_tokens=tuple(tokens),
            fingerprint=self._fingerprint(model, messages),
        )

    # -- blocks

    def _append(self, section: str, location: str, block: Mapping[str, Any], **extra: Any) -> int:
        content = _strip_marker(block)
        self.blocks.append(
            PromptBlock(
                position=len(self.blocks),
                section=section,
                location=location,
                block_type=str(block.get("type", "custom" if section == "tools" else "")),
                content=content,
                tokens=self.tokenizer(content),
                **extra,
            )
        )
        return len(self.blocks) - 1

    def _mark(self, position: int, marker: Any, location: str) -> None:
        if marker is None:
            return
        ttl = _marker_ttl(marker, location)
        self.explicit.append(Breakpoint(position=position, ttl=ttl, location=location))

    def _add_tool(self, index: int, tool: Any) -> None:
        location = "tools.%d" % index
        if not isinstance(tool, Mapping):
            raise _bad_request("%s: Input should be a valid dictionary" % location)
        position = self._append("tools", location, tool)
        self._mark(position, tool.get("cache_control"), location)

    def _add_system(self, system: Any) -> None:
        if system is None:
            return
        if isinstance(system, str):
            if system:
                # A string cannot carry a marker, but automatic caching may still end here.
                self._append("system", "system", {"type": "text", "text": system})
            return
        if not isinstance(system, list):
            raise _bad_request("system: Input should be a valid string or list")
        for index, block in enumerate(system):
            location = "system.%d" % index
            if not isinstance(block, Mapping) or block.get("type") != "text":
                raise _bad_request("%s.type: Input should be 'text'" % location)
            marker = block.get("cache_control")
            if marker is not None and _is_empty_text(block):
                raise _bad_request(
                    "%s: cache_control cannot be set for empty text blocks" % location
                )
            position = self._append(
                "system", location, block, auto_cacheable=not _is_empty_text(block)
            )
            self._mark(position, marker, location)

    def _add_message(self, index: int, message: Any) -> None:
        location = "messages.%d" % index
        if not isinstance(message, Mapping):
            raise _bad_request("%s: Input should be a valid dictionary" % location)
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise _bad_request("%s.role: Input should be 'user' or 'assistant'" % location)
        content = message.get("content")
        where = dict(role=role, message_index=index)
        if isinstance(content, str):
            self._append(
                "messages", location + ".content", {"type": "text", "text": content}, **where
            )
            return
        if not isinstance(content, list):
            raise _bad_request("%s.content: Input should be a valid string or list" % location)
        for block_index, block in enumerate(content):
            self._add_message_block("%s.content.%d" % (location, block_index), block, where)

    def _add_message_block(self, location: str, block: Any, where: Mapping[str, Any]) -> None:
        if not isinstance(block, Mapping):
            raise _bad_request("%s: Input should be a valid dictionary" % location)
        block_type = block.get("type")
        marker = block.get("cache_control")
        if marker is not None:
            self._check_markable(location, block)
        nested = block.get("content") if block_type == "tool_result" else None
        nested_markers = []
        if isinstance(nested, list):
            for nested_index, item in enumerate(nested):
                if isinstance(item, Mapping) and item.get("cache_control") is not None:
                    nested_location = "%s.content.%d" % (location, nested_index)
                    self._check_markable(nested_location, item)
                    nested_markers.append((item["cache_control"], nested_location))
        auto = block_type in MARKABLE_MESSAGE_BLOCK_TYPES and not _is_empty_text(block)
        position = self._append("messages", location, block, auto_cacheable=auto, **where)
        self._mark(position, marker, location)
        # A marker inside tool_result content caches up to the tool_result that holds it.
        for nested_marker, nested_location in nested_markers:
            self._mark(position, nested_marker, nested_location)

    @staticmethod
    def _check_markable(location: str, block: Mapping[str, Any]) -> None:
        block_type = block.get("type")
        if block_type not in MARKABLE_MESSAGE_BLOCK_TYPES:
            raise _bad_request(
                "%s: cache_control cannot be set for %s blocks" % (location, block_type)
            )
        if _is_empty_text(block):
            raise _bad_request("%s: cache_control cannot be set for empty text blocks" % location)

    # -- breakpoints

    def _breakpoints(self) -> List[Breakpoint]:
        breakpoints = list(self.explicit)
        top_level = self.request.get("cache_control")
        automatic = None
        if top_level is not None:
            ttl = _marker_ttl(top_level, "")
            target = next((b for b in reversed(self.blocks) if b.auto_cacheable), None)
            if target is not None:
                automatic = Breakpoint(target.position, ttl, "cache_control", automatic=True)
        found = len(breakpoints) + (1 if top_level is not None else 0)
        if found > MAX_BREAKPOINTS:
            raise _bad_request(
                "A maximum of %d blocks with cache_control may be provided. Found %d."
                % (MAX_BREAKPOINTS, found)
            )
        if automatic is not None:
            breakpoints.append(automatic)
        # Stable sort: explicit markers keep document order, automatic sorts after them.
        breakpoints.sort(key=lambda b: (b.position, b.automatic))
        seen_five_minutes = False
        for mark in breakpoints:
            if mark.ttl == "5m":
                seen_five_minutes = True
            elif seen_five_minutes:
                raise _bad_request(
                    "a ttl='1h' cache_control block must not come after a ttl='5m' "
                    "cache_control block"
                )
        return breakpoints

    # -- cache keys

    def _salts(self) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        tools = self.request.get("tools") or []
        blocks = list(self._message_blocks_deep())
        system_salt = {
            "speed": self.request.get("speed") or "standard",
            "web_search": any(
                isinstance(t, Mapping) and str(t.get("type", "")).startswith("web_search")
                for t in tools
            ),
            "citations": any(
                b.get("type") == "document"
                and isinstance(b.get("citations"), Mapping)
                and bool(b["citations"].get("enabled"))
                for b in blocks
            ),
        }
        messages_salt = {
            "tool_choice": self.request.get("tool_choice"),
            "thinking": self.request.get("thinking"),
            "images": sum(1 for b in blocks if b.get("type") == "image"),
        }
        return system_salt, messages_salt

    def _message_blocks_deep(self) -> Iterator[Mapping[str, Any]]:
        for block in self.blocks:
            if block.section != "messages" or not isinstance(block.content, Mapping):
                continue
            yield block.content
            nested = block.content.get("content")
            if isinstance(nested, list):
                for item in nested:
                    if isinstance(item, Mapping):
                        yield item

    def _prefixes(self, model: str) -> Tuple[List[str], List[int]]:
        system_salt, messages_salt = self._salts()
        hasher = hashlib.sha256(canonical_json({"model": model}).encode("utf-8"))
        salted = set()
        hashes: List[str] = []
        tokens: List[int] = []
        running = 0
        for block in self.blocks:
            if block.section != "tools" and "system" not in salted:
                hasher.update(canonical_json({"system_options": system_salt}).encode("utf-8"))
                salted.add("system")
            if block.section == "messages" and "messages" not in salted:
                hasher.update(canonical_json({"message_options": messages_salt}).encode("utf-8"))
                salted.add("messages")
            identity = {
                "section": block.section,
                "message": block.message_index,
                "role": block.role,
                "block": block.content,
            }
            hasher.update(canonical_json(identity).encode("utf-8"))
            hashes.append(hasher.copy().hexdigest())
            running += block.tokens
            tokens.append(running)
        return hashes, tokens

    def _section_contents(self, section: str) -> List[Any]:
        return [b.content for b in self.blocks if b.section == section]

    def _fingerprint(self, model: str, messages: Sequence[Any]) -> PromptFingerprint:
        system_salt, messages_salt = self._salts()
        per_message = [
            canonical_json([b.content for b in self.blocks if b.message_index == index])
            for index in range(len(messages))
        ]
        return PromptFingerprint(
            model=model,
            speed=system_salt["speed"],
            tools=canonical_json(self._section_contents("tools")),
            system=canonical_json(
                [
                    self._section_contents("system"),
                    system_salt["web_search"],
                    system_salt["citations"],
                ]
            ),
            messages=tuple(per_message),
            other=canonical_json(messages_salt),
        )


def parse_prompt(request: Mapping[str, Any], tokenizer: Tokenizer = estimate_tokens) -> Prompt:
    """Validate a request body and lay it out as the cache sees it (raises SimulatedApiError)."""
    if not isinstance(request, Mapping):
        raise _bad_request("request body must be a JSON object")
    return _PromptBuilder(request, tokenizer).build()


# ---------------------------------------------------------------------------------------------
# The cache


def _diagnose(previous: _History, current: PromptFingerprint) -> Optional[Dict[str, Any]]:
    """The API's cache_miss_reason for `current` against the request `previous` names."""
    missed = previous.cached_prefix_tokens
    before = previous.fingerprint
    if before.model != current.model or before.speed != current.speed:
        reason = "model_changed"
    elif before.tools != current.tools:
        reason = "tools_changed"
    elif before.system != current.system:
        reason = "system_changed"
    elif tuple(current.messages[: len(before.messages)]) != before.messages:
        reason = "messages_changed"
    elif before.other != current.other:
        return {"cache_miss_reason": {"type": "unavailable"}}
    else:
        return None
    return {"cache_miss_reason": {"type": reason, "cache_missed_input_tokens": missed}}


class CacheSimulator:
    """One organisation's prompt cache. Thread-safe; time comes from `clock`.

    min_cache_tokens: optional callable model -> minimum, replacing cachelint.core.modeldata.
    """

    def __init__(
        self,
        clock: Optional[Clock] = None,
        tokenizer: Tokenizer = estimate_tokens,
        min_cache_tokens: Optional[Callable[[str], int]] = None,
        unknown_model_min_cache_tokens: int = UNKNOWN_MODEL_MIN_CACHE_TOKENS,
    ) -> None:
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.tokenizer = tokenizer
        self._min_cache_tokens = min_cache_tokens
        self.unknown_model_min_cache_tokens = unknown_model_min_cache_tokens
        self._entries: Dict[str, _Entry] = {}
        self._history: Dict[str, _History] = {}
        self._lock = threading.RLock()

    # -- configuration

    def minimum_for(self, model: str) -> int:
        if self._min_cache_tokens is not None:
            return self._min_cache_tokens(model)
        info = modeldata.lookup(model)
        if info is None or info.min_cache_tokens is None:
            return self.unknown_model_min_cache_tokens
        return info.min_cache_tokens

    def advance(self, seconds: float) -> float:
        """Move the clock forward (only when it is a ManualClock)."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance() needs the default ManualClock; move your own clock instead")
        return self.clock.advance(seconds)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._history.clear()

    # -- queries

    def parse(self, request: Mapping[str, Any]) -> Prompt:
        return parse_prompt(request, self.tokenizer)

    def count_tokens(self, request: Mapping[str, Any]) -> int:
        """What /v1/messages/count_tokens answers: every input token, cache untouched."""
        return self.parse(request).total_tokens

    def live_entries(self, now: Optional[float] = None) -> List[CacheEntryView]:
        with self._lock:
            moment = self._now(now)
            return sorted(
                (
                    CacheEntryView(key, e.position, e.tokens, e.ttl, e.expires_at)
                    for key, e in self._entries.items()
                    if e.expires_at > moment
                ),
                key=lambda view: (view.position, view.expires_at),
            )

    # -- the request

    def simulate(
        self,
        request: Mapping[str, Any],
        *,
        now: Optional[float] = None,
        message_id: Optional[str] = None,
    ) -> CacheResult:
        """Serve one /v1/messages request: validate, read, write, and return its usage.

        message_id, when given, remembers this request for later `diagnostics` comparisons.
        """
        prompt = self.parse(request)
        with self._lock:
            moment = self._now(now)
            self._drop_expired(moment)
            read_position = self._read(prompt, moment)
            read_tokens = prompt.prefix_tokens[read_position] if read_position is not None else 0
            written, by_ttl, boundary = self._write(prompt, read_position, read_tokens, moment)
            usage = CacheUsage(
                input_tokens=prompt.total_tokens - boundary,
                cache_creation_input_tokens=boundary - read_tokens,
                cache_read_input_tokens=read_tokens,
                ephemeral_5m_input_tokens=by_ttl["5m"],
                ephemeral_1h_input_tokens=by_ttl["1h"],
            )
            diagnostics = self._diagnostics(request, prompt)
            if message_id is not None:
                self._history[message_id] = _History(prompt.fingerprint, boundary)
        return CacheResult(usage, prompt, read_position, tuple(written), diagnostics)

    def _now(self, now: Optional[float]) -> float:
        return float(now) if now is not None else float(self.clock())

    def _drop_expired(self, moment: float) -> None:
        for key in [k for k, e in self._entries.items() if e.expires_at <= moment]:
            del self._entries[key]

    def _read(self, prompt: Prompt, moment: float) -> Optional[int]:
        best: Optional[int] = None
        for mark in prompt.breakpoints:
            lowest = max(0, mark.position - LOOKBACK_BLOCKS + 1)
            for position in range(mark.position, lowest - 1, -1):
                if prompt.prefix_hashes[position] in self._entries:
                    if best is None or position > best:
                        best = position
                    break
        if best is not None:
            # A hit renews the entry it read and every earlier breakpoint entry it covers.
            renewed = {best} | {b.position for b in prompt.breakpoints if b.position < best}
            for position in renewed:
                entry = self._entries.get(prompt.prefix_hashes[position])
                if entry is not None:
                    entry.expires_at = moment + TTL_SECONDS[entry.ttl]
        return best

    def _write(
        self, prompt: Prompt, read_position: Optional[int], read_tokens: int, moment: float
    ) -> Tuple[List[int], Dict[str, int], int]:
        minimum = self.minimum_for(prompt.model)
        written: List[int] = []
        by_ttl = {"5m": 0, "1h": 0}
        boundary = read_tokens
        for mark in prompt.breakpoints:
            position = mark.position
            if read_position is not None and position <= read_position:
                continue
            if position in written:
                continue  # an automatic breakpoint on an explicitly marked block
            tokens = prompt.prefix_tokens[position]
            if tokens < minimum:
                continue  # silently not cached
            by_ttl[mark.ttl] += tokens - boundary
            boundary = tokens
            written.append(position)
            self._entries[prompt.prefix_hashes[position]] = _Entry(
                position, tokens, mark.ttl, moment + TTL_SECONDS[mark.ttl]
            )
        return written, by_ttl, boundary

    def _diagnostics(self, request: Mapping[str, Any], prompt: Prompt) -> Optional[Dict[str, Any]]:
        options = request.get("diagnostics")
        if not isinstance(options, Mapping):
            return None
        previous_id = options.get("previous_message_id")
        if previous_id is None:
            return None  # opted in on a first turn: nothing to compare
        previous = self._history.get(previous_id)
        if previous is None:
            return {"cache_miss_reason": {"type": "previous_message_not_found"}}
        return _diagnose(previous, prompt.fingerprint)


# ---------------------------------------------------------------------------------------------
# Costs


def _usage_field(usage: Any, name: str) -> int:
    value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
    return int(value or 0)


def _creation_split(usage: Any) -> Tuple[int, int]:
    """(5-minute, 1-hour) write tokens; without a breakdown every write counts as 5 minutes."""
    if isinstance(usage, CacheUsage):
        return usage.ephemeral_5m_input_tokens, usage.ephemeral_1h_input_tokens
    breakdown = (
        usage.get("cache_creation")
        if isinstance(usage, Mapping)
        else getattr(usage, "cache_creation", None)
    )
    if breakdown is None:
        return _usage_field(usage, "cache_creation_input_tokens"), 0
    return (
        _usage_field(breakdown, "ephemeral_5m_input_tokens"),
        _usage_field(breakdown, "ephemeral_1h_input_tokens"),
    )


def read_multiplier(model: Optional[str]) -> float:
    info = modeldata.lookup(model)
    return info.cache_read_multiplier if info is not None else modeldata.DEFAULT_READ_MULTIPLIER


def total_input_tokens(usage: Any) -> int:
    """Every input token of a request: what it would bill with no caching at all."""
    return sum(
        _usage_field(usage, name)
        for name in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    )


def billed_input_equivalents(usage: Any, model: Optional[str] = None) -> float:
    """A request's input bill in base-input-token equivalents.

    Uncached input 1x, 5-minute writes 1.25x, 1-hour writes 2x, reads at the model's read
    multiplier (0.1x unless cachelint.core.modeldata says otherwise). `usage` may be a CacheUsage, the
    API's usage dict, or the SDK's Usage object.
    """
    five_minutes, one_hour = _creation_split(usage)
    return (
        _usage_field(usage, "input_tokens")
        + five_minutes * modeldata.WRITE_5M_MULTIPLIER
        + one_hour * modeldata.WRITE_1H_MULTIPLIER
        + _usage_field(usage, "cache_read_input_tokens") * read_multiplier(model)
    )


@dataclass(frozen=True)
class CostSummary:
    """Totals over a sequence of requests, for savings tables."""

    requests: int
    uncached_equivalents: float  # what the requests would cost with no caching
    billed_equivalents: float

    @property
    def saved_fraction(self) -> float:
        if not self.uncached_equivalents:
            return 0.0
        return 1.0 - self.billed_equivalents / self.uncached_equivalents


def summarize_costs(usages: Sequence[Any], model: Optional[str] = None) -> CostSummary:
    return CostSummary(
        requests=len(usages),
        uncached_equivalents=float(sum(total_input_tokens(u) for u in usages)),
        billed_equivalents=sum(billed_input_equivalents(u, model) for u in usages),
    )


__all__ = [
    "Breakpoint",
    "CacheEntryView",
    "CacheResult",
    "CacheSimulator",
    "CacheUsage",
    "CostSummary",
    "DEFAULT_TTL",
    "LOOKBACK_BLOCKS",
    "MAX_BREAKPOINTS",
    "ManualClock",
    "Prompt",
    "PromptBlock",
    "PromptFingerprint",
    "SimulatedApiError",
    "TTL_SECONDS",
    "UNKNOWN_MODEL_MIN_CACHE_TOKENS",
    "billed_input_equivalents",
    "canonical_json",
    "estimate_tokens",
    "parse_prompt",
    "read_multiplier",
    "summarize_costs",
    "text_of_tokens",
    "total_input_tokens",
]
