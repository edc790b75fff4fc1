"""The request model: what one recognised SDK call will send, as far as the code tells.

Rules read these objects; they never re-derive facts from syntax. The objects keep the CST nodes
they came from (for reporting and fixes) but compare and hash by value only. They live within the
analysis of one file and never cross process boundaries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

import libcst as cst

from cachelint.resolve.text import Origin, Staticness, TextValue
from cachelint.model.conversation_facts import ConversationHistory, LoopKind


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
    betas_arg: Optional[cst.Arg] = _node_field()
    beta_headers: Tuple[str, ...] = ()  # anthropic-beta values found in extra_headers
    beta_header_node: Optional[cst.CSTNode] = _node_field()
    max_tokens: Optional[int] = None
    max_tokens_arg: Optional[cst.Arg] = _node_field()
    has_unknown_splat: bool = False  # `**kwargs` whose keys are not known: may supply anything
    keywords: Tuple[str, ...] = ()  # keyword names known to be passed
    in_batch: bool = False  # a `params` dict of messages.batches.create
    node: Optional[cst.CSTNode] = _node_field()  # the Call, or the params dict in a batch
    # The appended history list sent as `messages`, and what the code does to it (conversation.py).
    history: Optional[ConversationHistory] = field(default=None, compare=False, hash=False, repr=False)

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
