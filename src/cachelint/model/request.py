"""The request model: what one recognised SDK call will send, as far as the code tells.

Rules read these objects; they never re-derive facts from syntax. The objects keep the CST nodes
they came from (for reporting and fixes) but compare and hash by value only. They live within the
analysis of one file and never cross process boundaries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Optional, Tuple

import libcst as cst

from cachelint.resolve.text import Origin, Piece, Staticness, TextValue
from cachelint.model.conversation_facts import ConversationHistory, LoopKind
from cachelint.model.calls import BetaHeader, CallArguments
from cachelint.model.frameworks import Framework, FrameworkFacts


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


class Ttl(str, enum.Enum):
    FIVE_MINUTES = "5m"
    ONE_HOUR = "1h"


@dataclass(frozen=True)
class Marker:
    """A `cache_control` value: on a block, or top level."""

    ttl: Optional[Ttl]  # None when the marker is invalid or its ttl is unresolvable
    valid: Optional[bool]  # shape accepted by the API? None when unresolvable
    problem: Optional[str] = None  # why it is invalid, for CL103
    node: Optional[cst.CSTNode] = _node_field()  # the value expression
    key_node: Optional[cst.CSTNode] = _node_field()  # the DictElement / Arg that carries it
    key: str = "cache_control"  # as spelled (CL103 reports `cacheControl`)
    problem_kind: Optional["MarkerProblem"] = None  # why it is invalid, when it is
    correction: Optional["MarkerCorrection"] = None  # the one right way to make it valid, if any


class BlockKind(str, enum.Enum):
    TEXT = "text"
    TOOL = "tool"  # a tool definition in `tools`
    IMAGE = "image"
    DOCUMENT = "document"
    TOOL_USE = "tool_use"
    TOOL_RESULT = "tool_result"
    THINKING = "thinking"
    REDACTED_THINKING = "redacted_thinking"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Block:
    """One cacheable unit of the prompt, in tools -> system -> messages order."""

    segment: str  # "tools" | "system" | "messages"
    kind: BlockKind
    content: Staticness  # the whole block's bytes across calls
    text: Optional[TextValue] = None  # for text blocks (and string message content)
    chars: Optional[int] = None  # known size of the block's content, when static
    marker: Optional[Marker] = None
    marker_unknown: bool = False  # a `**splat` in the block could supply cache_control
    role: Optional[str] = None  # messages: the role of the message holding the block
    message_index: Optional[int] = None
    node: Optional[cst.CSTNode] = _node_field()  # the block expression (dict, or str for content)
    message_node: Optional[cst.CSTNode] = _node_field()  # messages: the message dict


class SegmentForm(str, enum.Enum):
    ABSENT = "absent"
    STRING = "string"  # system="...", or message content as a string
    BLOCKS = "blocks"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Segment:
    name: str  # "tools" | "system" | "messages"
    form: SegmentForm
    text: Optional[TextValue] = None  # form STRING
    blocks: Tuple[Block, ...] = ()
    complete: bool = True  # False: items beyond `blocks` may exist (unresolved list, *spread)
    origin: Origin = Origin.LITERAL  # where the argument came from (literal/local/constant/parameter/splat...)
    description: str = ""  # e.g. "`SYSTEM_PROMPT`" for messages naming the value
    arg: Optional[cst.Arg] = _node_field()  # the keyword argument, when written at the call
    node: Optional[cst.CSTNode] = _node_field()  # the expression that produced the value
    history_name: Optional[str] = None  # messages: the name of the list sent (`history`, `self.messages`)

    @property
    def present(self) -> bool:
        return self.form is not SegmentForm.ABSENT

    @property
    def markers(self) -> Tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.marker is not None)


class Platform(str, enum.Enum):
    ANTHROPIC = "anthropic"  # Anthropic / AsyncAnthropic / Client / AsyncClient
    FOUNDRY = "foundry"
    BEDROCK = "bedrock"
    BEDROCK_MANTLE = "bedrock-mantle"
    VERTEX = "vertex"
    AWS = "aws"
    GOOGLE_CLOUD = "google-cloud"
    UNKNOWN = "unknown"  # recognised from the call's keywords only

    @property
    def supports_automatic_caching(self) -> Optional[bool]:
        if self in (Platform.ANTHROPIC, Platform.FOUNDRY):
            return True
        if self in (Platform.UNKNOWN, Platform.AWS, Platform.GOOGLE_CLOUD):
            # AWS / Google Cloud clients pass the first-party API through; the docs are silent
            return None
        return False


@dataclass(frozen=True)
class SdkCall:
    """A call recognised as one of the SDK's request methods."""

    method: str  # create / stream / parse / count_tokens / tool_runner / batches.create
    namespace: str  # "messages" | "beta.messages" | "beta.prompt_caching.messages"
    platform: Platform
    is_async: Optional[bool]
    recognised_by: str  # "client" (receiver resolved to a client) | "keywords"
    client_description: str = ""  # e.g. "`client` (anthropic.Anthropic)"
    node: Optional[cst.Call] = _node_field()
    func_node: Optional[cst.CSTNode] = _node_field()  # the callee expression (`client.messages.create`)
    # The library the call goes through; `platform` is then the route it takes to the model
    # (LiteLLM's `bedrock/` prefix, a Bedrock client, ...).
    framework: Framework = Framework.ANTHROPIC_SDK

    @property
    def is_beta(self) -> bool:
        return self.namespace.startswith("beta.")

    @property
    def is_free(self) -> bool:
        """count_tokens costs nothing: waste rules never fire on it."""
        return self.method == "count_tokens"


class RepeatKind(str, enum.Enum):
    ONCE = "once"  # module level of a script, not in a loop
    LOOP = "loop"  # inside a loop
    FUNCTION = "function"  # inside a function or method: runs once per call of it
    CONVERSATION = "conversation"  # history list appended and re-sent
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Repetition:
    kind: RepeatKind
    in_loop: bool = False
    conversation: bool = False  # the messages list grows and is re-sent
    agent_loop: bool = False  # the history is re-sent each turn with tool results (Request.history)
    history_name: Optional[str] = None
    loop_node: Optional[cst.CSTNode] = _node_field()  # innermost loop around the call
    function_node: Optional[cst.CSTNode] = _node_field()
    loop_kind: LoopKind = LoopKind.NONE  # what the innermost loop does: reuse the prefix, or retry
    # Answers "is this value the same on every iteration of `loop_node`?" (model.conversation).
    loop_invariance: Optional[Callable[[Optional[cst.CSTNode]], bool]] = _node_field()

    @property
    def repeats(self) -> bool:
        return self.kind in (RepeatKind.LOOP, RepeatKind.FUNCTION, RepeatKind.CONVERSATION)

    def invariant_in_loop(self, node: Optional[cst.CSTNode]) -> bool:
        """No name `node` uses is rebound in the loop around the call, and it calls nothing: a
        per-call value (a document) reused over the loop, so a marker on it pays."""
        return self.loop_invariance is not None and self.loop_invariance(node)


@dataclass(frozen=True)
class Request:
    call: SdkCall
    model: Optional[str]  # the resolved model id
    tools: Segment
    system: Segment
    messages: Segment
    repetition: Repetition
    top_level_cache_control: Optional[Marker] = None
    top_level_cache_control_unknown: bool = False  # a splat could supply it
    betas: Optional[Tuple[Optional[str], ...]] = None  # None: absent; items None when unresolvable
    betas_complete: bool = True
    beta_headers: Tuple[str, ...] = ()  # anthropic-beta values found in extra_headers (`beta_header`)
    max_tokens: Optional[int] = None
    max_tokens_arg: Optional[cst.Arg] = _node_field()
    has_unknown_splat: bool = False  # `**kwargs` whose keys are not known: may supply anything
    keywords: Tuple[str, ...] = ()  # keyword names known to be passed
    in_batch: bool = False  # a `params` dict of messages.batches.create
    node: Optional[cst.CSTNode] = _node_field()  # the Call, or the params dict in a batch
    # The appended history list sent as `messages`, and what the code does to it (conversation.py).
    history: Optional[ConversationHistory] = field(default=None, compare=False, hash=False, repr=False)
    # The expression that sets `max_tokens`: the keyword's value, or its entry in a dict literal
    # spread into the call with `**`.
    max_tokens_node: Optional[cst.CSTNode] = _node_field()
    # Breakpoints and the prefix each one caches (cachelint.model.prefix), set where the request
    # is built; read it through `prefix`.
    prefix_facts: Optional["CachedPrefix"] = field(default=None, compare=False, hash=False, repr=False)
    arguments: CallArguments = CallArguments()  # every argument as sent (the params' entries in a batch)
    beta_header: Optional[BetaHeader] = None  # the `extra_headers` entry `beta_headers` come from
    batch_call: Optional["BatchCall"] = None  # the `messages.batches.create` call this request is part of
    framework_facts: FrameworkFacts = FrameworkFacts()  # what a framework front-end adds (CL5xx)

    @property
    def segments(self) -> Tuple[Segment, Segment, Segment]:
        return (self.tools, self.system, self.messages)

    @property
    def blocks(self) -> Tuple[Block, ...]:
        return self.tools.blocks + self.system.blocks + self.messages.blocks

    @property
    def markers(self) -> Tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.marker is not None)

    @property
    def has_any_breakpoint(self) -> bool:
        return self.top_level_cache_control is not None or bool(self.markers)

    @property
    def breakpoints_may_be_hidden(self) -> bool:
        """Some marker could exist that the model cannot see."""
        return (
            self.top_level_cache_control_unknown
            or self.has_unknown_splat
            or any(not s.complete or s.form is SegmentForm.UNKNOWN for s in self.segments)
            or any(b.marker_unknown for b in self.blocks)
        )

    @property
    def context_edited_on_server(self) -> bool:
        """`context_management=`: the API clears old tool results itself, so the history's
        prefix does not stay the same from turn to turn."""
        return "context_management" in self.keywords

    @property
    def prefix(self) -> "CachedPrefix":
        """The cached prefix facts; every request the model builder makes carries them."""
        if self.prefix_facts is None:
            raise ValueError("request built without its prefix facts (see cachelint.model.prefix)")
        return self.prefix_facts


# -- the cached prefix: what each breakpoint caches (worked out by cachelint.model.prefix) --------


@dataclass(frozen=True)
class TokenBound:
    """An upper bound of the tokens a part of the prompt becomes, for "never cached" findings."""

    chars: int  # the characters counted: a text block's text (not its keys), other blocks' content
    max_tokens: float


@dataclass(frozen=True)
class PrefixSize:
    """The size of a run of blocks as far as the code shows: known, at least N, or unknown."""

    known_chars: int  # a lower bound: the blocks of known size plus the known text of the others
    exact: bool  # every block's size is known, so `known_chars` is the size
    sized_chars: int  # the blocks whose whole size is known, and nothing of the others

    @property
    def unknown(self) -> bool:
        return not self.exact and self.known_chars == 0

    @classmethod
    def of(cls, blocks: Tuple[Block, ...]) -> "PrefixSize":
        """The size of a run of blocks: the one place a prefix's size is added up."""
        known = sized = 0
        exact = True
        for block in blocks:
            if block.chars is not None:
                known += block.chars
                sized += block.chars
            else:
                exact = False
                known += block.text.known_chars if block.text is not None else 0
        return cls(known_chars=known, exact=exact, sized_chars=sized)


@dataclass(frozen=True)
class BlockFacts:
    """How one block of the prompt behaves on the calls that follow, and how it is written."""

    block: Block
    # Its bytes differ on the calls that follow. A per-call value that stays the same over the
    # loop around the call (one document for many questions) does not count: the prefix is read.
    varies: bool
    text_changes: Tuple[Piece, ...]  # the pieces of its text that differ on the calls that follow
    content_changes: bool  # its content varies and is not fixed over the loop around the call
    # When the block varies: the pieces of its value that do (its text, or every text inside it).
    value_changes: Tuple[Piece, ...]
    dict_literal: bool  # written as a dict literal (in this file or another)
    text_entry: Optional[cst.CSTNode] = _node_field()  # the `"text": ...` DictElement of the dict
    # Sub-expressions of the text as written (f-string placeholders, implicitly joined parts,
    # `+` operands) whose value differs on the calls that follow; for marked blocks of tools and
    # system, where a fix may split the text into a cached start and an uncached end.
    varying_parts: FrozenSet[cst.CSTNode] = field(default=frozenset(), compare=False, hash=False, repr=False)
    upper_bound: Optional[TokenBound] = None  # None: tokens not bounded by characters (images...)


@dataclass(frozen=True, eq=False)
class BlockList:
    """The list literal in this file whose elements are a segment's blocks, one per element.
    (Nodes only: two are equal when they are the same object.)"""

    node: cst.CSTNode = field(compare=False, hash=False, repr=False)
    element_values: Tuple[cst.CSTNode, ...] = field(compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Breakpoint:
    """One `cache_control` in API order (tools -> system -> messages), the top-level one last."""

    marker: Marker
    block: Optional[Block]  # None: top-level `cache_control=` (it lands on the last block)
    definite: bool  # certainly sent on every call, with exactly this shape
    cached_blocks: Tuple[Block, ...]  # what it caches: every block up to and including its own
    size: PrefixSize  # of `cached_blocks`
    upper_bound: Optional[TokenBound]  # of everything it caches, API framing included; None: unbounded
    content: Staticness  # how the cached bytes behave across calls (the worst cached block)
    place: str  # how a user names where it sits: "tool 2", "system block 1", "message 3 (user)"
    report_node: Optional[cst.CSTNode] = _node_field()  # its key, value or block, when in this file
    # The `cache_control=` argument or `"cache_control": ...` entry that carries the marker.
    carrier: Optional[cst.CSTNode] = _node_field()

    @property
    def top_level(self) -> bool:
        return self.block is None

    @property
    def ttl(self) -> Optional[Ttl]:
        return self.marker.ttl


@dataclass(frozen=True)
class CachedPrefix:
    """The request's breakpoints and the prefix each one caches, with sizes and static-ness."""

    blocks: Tuple[Block, ...]  # tools -> system -> messages; a plain-string system is one block
    facts: Tuple[BlockFacts, ...]  # one per block of `blocks`
    breakpoints: Tuple[Breakpoint, ...]  # every marker the model shows, valid or not, in API order
    tools_and_system: Tuple[Block, ...]  # the part before the messages
    tools_and_system_size: PrefixSize
    # The leading tools and system blocks that are the same on every call, up to the first that
    # is not (a plain-string system ends it: it cannot carry a marker).
    static_run: Tuple[Block, ...]
    static_run_size: PrefixSize
    # The blocks cached by the last breakpoint not known to be invalid (the whole request for
    # top-level `cache_control`); empty when there is none.
    cached_blocks: Tuple[Block, ...]
    cached_size: PrefixSize
    # A breakpoint at or after the system prompt (which caches it too), or one the code may hide.
    system_cached_by_breakpoint: bool
    system_expression: Optional[cst.CSTNode] = _node_field()  # `system=`'s value as written
    # For a plain-string system: its varying parts as written (see BlockFacts.varying_parts).
    system_varying_parts: FrozenSet[cst.CSTNode] = field(default=frozenset(), compare=False, hash=False, repr=False)
    tools_list: Optional[BlockList] = None
    system_list: Optional[BlockList] = None
    _by_block: Dict[int, BlockFacts] = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_block", {id(facts.block): facts for facts in self.facts})

    @property
    def last_static_block(self) -> Optional[Block]:
        """Where a marker caching the static prefix could go."""
        return self.static_run[-1] if self.static_run else None

    def of(self, block: Block) -> BlockFacts:
        return self._by_block[id(block)]

    def varies(self, block: Block) -> bool:
        return self.of(block).varies

    def list_of(self, segment: str) -> Optional[BlockList]:
        return {"tools": self.tools_list, "system": self.system_list}.get(segment)

@dataclass(frozen=True)
class BatchCall:
    """A `messages.batches.create(requests=[{"params": {...}}, ...])` call: its own facts (each
    request of the batch is a `Request` whose `batch_call` is this)."""

    call: SdkCall
    arguments: CallArguments  # the batch call's own arguments (`requests=`, `extra_headers=`...)


class MarkerProblem(str, enum.Enum):
    """Why the API rejects a `cache_control` marker."""

    MISSPELLED_KEY = "misspelled-key"  # `cacheControl`, `cache-control`: the API reads `cache_control`
    NOT_A_DICT = "not-a-dict"  # a string such as "ephemeral"
    NO_TYPE = "no-type"
    WRONG_TYPE = "wrong-type"  # a `type` other than "ephemeral"
    UNEXPECTED_KEY = "unexpected-key"  # a key besides `type` and `ttl`
    INVALID_TTL = "invalid-ttl"  # a `ttl` other than "5m" / "1h"


class MarkerEditKind(str, enum.Enum):
    RENAME_KEY = "rename-key"  # the string key becomes "cache_control" (in its own quotes)
    RENAME_KEYWORD = "rename-keyword"  # the keyword becomes `cache_control`
    WRITE_DICT = "write-dict"  # the value becomes {"type": "ephemeral"}
    INSERT_TYPE = "insert-type"  # `"type": "ephemeral", ` goes before the dict's first key
    SET_TYPE = "set-type"  # the `type` string becomes "ephemeral"
    SET_TTL = "set-ttl"  # the `ttl` value becomes "5m" / "1h"


@dataclass(frozen=True)
class MarkerEdit:
    """One step of a marker correction, on a node of this module."""

    kind: MarkerEditKind
    text: str  # the key, type or ttl written by the step
    node: Optional[cst.CSTNode] = _node_field()  # the node the step replaces
    quote_like: Optional[cst.CSTNode] = _node_field()  # the string whose quotes it copies (None: ")


@dataclass(frozen=True)
class MarkerCorrection:
    """The unambiguous correction of an invalid marker; the text the model receives is unchanged."""

    edits: Tuple[MarkerEdit, ...]

    @property
    def renames_key(self) -> bool:
        return any(e.kind in (MarkerEditKind.RENAME_KEY, MarkerEditKind.RENAME_KEYWORD) for e in self.edits)

    @property
    def repairs_value(self) -> bool:
        return any(e.kind not in (MarkerEditKind.RENAME_KEY, MarkerEditKind.RENAME_KEYWORD) for e in self.edits)
