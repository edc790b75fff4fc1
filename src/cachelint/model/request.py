"""The request model: what one recognised SDK call will send, as far as the code tells.

Rules read these objects; they never re-derive facts from syntax. The objects keep the CST nodes
they came from (for reporting and fixes) but compare and hash by value only. They live within the
analysis of one file and never cross process boundaries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple

import libcst as cst

from cachelint.model.calls import BetaHeader, CallArguments


class Staticness(enum.IntEnum):
    """How a value behaves across calls. Ordered so that combining parts takes the max."""

    STATIC = 0  # same bytes every call
    UNKNOWN = 1  # cannot tell (value from outside the project, an argument splat...)
    PER_CALL = 2  # depends on the call's inputs (parameters, request data)
    VOLATILE = 3  # changes even for the same inputs (now(), uuid4(), random, set order...)

    @property
    def varies(self) -> bool:
        return self in (Staticness.PER_CALL, Staticness.VOLATILE)


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Piece:
    """One run of a text value: a literal run, an interpolated value, a concatenated operand."""

    staticness: Staticness
    text: Optional[str] = None  # known when STATIC and resolvable
    chars: Optional[int] = None  # known size (text length, or a file's size on disk)
    description: str = ""  # how a user would name it: "`user_name`", "datetime.now()"
    node: Optional[cst.CSTNode] = _node_field()


@dataclass(frozen=True)
class TextValue:
    """A string as a sequence of pieces (an f-string, a `+` chain, a constant...)."""

    pieces: Tuple[Piece, ...]
    node: Optional[cst.CSTNode] = _node_field()  # the expression as written where it is used
    origin: str = "literal"  # literal / constant / local / parameter / attribute / call / file / import

    @property
    def staticness(self) -> Staticness:
        return max((p.staticness for p in self.pieces), default=Staticness.STATIC)

    @property
    def is_static(self) -> bool:
        return self.staticness is Staticness.STATIC

    @property
    def text(self) -> Optional[str]:
        if not self.is_static or any(p.text is None for p in self.pieces):
            return None
        return "".join(p.text or "" for p in self.pieces)

    @property
    def known_chars(self) -> int:
        """Characters known for sure (a lower bound of the size)."""
        return sum(p.chars or 0 for p in self.pieces)

    @property
    def size_is_exact(self) -> bool:
        return all(p.chars is not None for p in self.pieces)

    @property
    def static_prefix_chars(self) -> int:
        total = 0
        for piece in self.pieces:
            if piece.staticness is not Staticness.STATIC:
                break
            total += piece.chars or 0
        return total

    @property
    def varying_pieces(self) -> Tuple[Piece, ...]:
        return tuple(p for p in self.pieces if p.staticness.varies)

    @property
    def first_varying_index(self) -> Optional[int]:
        for index, piece in enumerate(self.pieces):
            if piece.staticness.varies:
                return index
        return None


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
    origin: str = "literal"  # where the argument came from (literal/local/constant/parameter/splat...)
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
    agent_loop: bool = False  # tool results appended too
    history_name: Optional[str] = None
    loop_node: Optional[cst.CSTNode] = _node_field()  # innermost loop around the call
    function_node: Optional[cst.CSTNode] = _node_field()

    @property
    def repeats(self) -> bool:
        return self.kind in (RepeatKind.LOOP, RepeatKind.FUNCTION, RepeatKind.CONVERSATION)


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
    arguments: CallArguments = CallArguments()  # every argument as sent (the params' entries in a batch)
    beta_header: Optional[BetaHeader] = None  # the `extra_headers` entry `beta_headers` come from
    batch_call: Optional["BatchCall"] = None  # the `messages.batches.create` call this request is part of

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
