"""Assemble the request model of one call from its Anthropic-shaped arguments.

The SDK front-end feeds it a call's own keywords; a framework front-end
(`cachelint.model.frontends`) feeds it the same keywords translated from its framework's shapes
(LiteLLM's system messages, Converse's `system` list, ...), keeping the source nodes so findings
and fixes point at what the user wrote. `cachelint.model.requests` runs every front-end over a
module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from cachelint.core.options import AnalysisOptions
from cachelint.model.arguments import entry_argument, entry_value_node, keyword_argument
from cachelint.model.calls import Argument, ArgumentSource, CallArguments
from cachelint.model.conversation import ConversationAnalyzer
from cachelint.model.frameworks import FrameworkFacts
from cachelint.model.marker_repair import marker_correction
from cachelint.model.prefix import with_prefix_facts
from cachelint.model.request import (
    BatchCall,
    Block,
    BlockKind,
    Marker,
    MarkerProblem,
    Request,
    SdkCall,
    Segment,
    SegmentForm,
    Ttl,
)
from cachelint.resolve.text import Origin, Staticness, TextValue
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.value import (
    Const,
    DictEntry,
    DictVal,
    ListVal,
    Unknown,
    Value,
    as_text,
    size_of,
    staticness_of,
)

# Misspellings first: a block carrying both spellings is still rejected for the wrong one.
MARKER_KEYS = ("cache-control", "cacheControl", "CacheControl", "cache_control")
BLOCK_KINDS = {kind.value: kind for kind in BlockKind}


@dataclass
class RequestArgument:
    """One Anthropic request keyword (`system`, `messages`, `tools`, `model`, ...) and its value."""

    name: str
    value: Value
    arg: Optional[cst.Arg]  # written at the call; None when it came from a splat
    node: Optional[cst.CSTNode]


@dataclass
class RequestArguments:
    """The keywords of one request, by name, as `RequestBuilder.request` reads them."""

    by_name: Dict[str, RequestArgument]
    unknown_splat: bool = False
    splat_descriptions: List[str] = field(default_factory=list)
    facts: List[Argument] = field(default_factory=list)  # every argument, repeats included


def call_arguments(resolver: Resolver, call: cst.Call) -> RequestArguments:
    arguments = RequestArguments({})
    for arg in call.args:
        if arg.keyword is not None:
            value = resolver.resolve(arg.value)
            arguments.by_name[arg.keyword.value] = RequestArgument(arg.keyword.value, value, arg, arg.value)
            arguments.facts.append(keyword_argument(arg, value))
        elif arg.star == "**":
            spread = resolver.resolve(arg.value)
            if isinstance(spread, DictVal):
                for entry in spread.entries:
                    arguments.by_name[entry.key] = RequestArgument(entry.key, entry.value, None, entry_value_node(entry))
                    arguments.facts.append(entry_argument(entry, ArgumentSource.SPLAT))
                if not spread.complete:
                    arguments.unknown_splat = True
                    arguments.splat_descriptions.append(f"`**{resolver.short(arg.value)}` may add keys")
            else:
                arguments.unknown_splat = True
                reason = spread.reason if isinstance(spread, Unknown) and spread.reason else "not resolved"
                arguments.splat_descriptions.append(f"`**{resolver.short(arg.value)}`: {reason}")
    return arguments


def dict_arguments(params: DictVal) -> RequestArguments:
    arguments = RequestArguments({})
    for entry in params.entries:
        arguments.by_name[entry.key] = RequestArgument(entry.key, entry.value, None, entry_value_node(entry))
        arguments.facts.append(entry_argument(entry, ArgumentSource.BATCH_PARAMS))
    if not params.complete:
        arguments.unknown_splat = True
        arguments.splat_descriptions.append("the batch request's params may have more keys")
    return arguments


class RequestBuilder:
    """Turns one call's `RequestArguments` into a `Request` (segments, markers, repetition,
    prefix facts); `unknown_reasons` collects what could not be judged (`--explain-unknown`)."""

    def __init__(self, resolver: Resolver, conversations: ConversationAnalyzer, call: SdkCall):
        self.resolver = resolver
        self.conversations = conversations
        self.call = call
        self.unknown_reasons: List[str] = []

    def batch_requests(self, arguments: RequestArguments, batch: BatchCall) -> List[Request]:
        call = self.call.node
        assert call is not None
        requests_arg = arguments.by_name.get("requests")
        if requests_arg is None:
            self.unknown_reasons.append("`requests=` could not be resolved")
            return []
        value = requests_arg.value
        found: List[Request] = []
        if isinstance(value, ListVal):
            for item in value.items:
                if isinstance(item, DictVal):
                    params = item.get("params")
                    if isinstance(params, DictVal):
                        node = params.node or item.node or call
                        repeated = value.origin == Origin.COMPREHENSION or len(value.items) > 1
                        found.append(self.request(dict_arguments(params), node, batch=batch, batch_repeats=repeated))
                        continue
                self.unknown_reasons.append("a batch request's `params` could not be resolved")
            if not value.complete and not value.items:
                self.unknown_reasons.append("the batch's requests could not be resolved")
        else:
            self.unknown_reasons.append("`requests=` could not be resolved")
        return found

    def request(
        self,
        arguments: RequestArguments,
        node: cst.CSTNode,
        batch: Optional[BatchCall] = None,
        batch_repeats: bool = False,
        framework_facts: FrameworkFacts = FrameworkFacts(),
    ) -> Request:
        in_batch = batch is not None
        by_name = arguments.by_name
        if arguments.unknown_splat:
            self.unknown_reasons.extend(arguments.splat_descriptions)
        tools = self._tools(by_name.get("tools"), arguments.unknown_splat)
        system = self._system(by_name.get("system"), arguments.unknown_splat)
        messages = self._messages(by_name.get("messages"), arguments.unknown_splat)
        for segment in (system, tools, messages):
            if segment.form is SegmentForm.UNKNOWN:
                self.unknown_reasons.append(f"`{segment.name}` {segment.description or 'could not be resolved'}")
        model_arg = by_name.get("model")
        model = None
        if model_arg is not None and isinstance(model_arg.value, TextValue):
            model = model_arg.value.text
        elif model_arg is not None:
            self.unknown_reasons.append("the model could not be resolved")
        top_marker = None
        top_unknown = False
        cache_arg = by_name.get("cache_control")
        if cache_arg is not None:
            if isinstance(cache_arg.value, Const) and cache_arg.value.value is None:
                top_marker = None
            else:
                top_marker = _marker(cache_arg.value, cache_arg.node, cache_arg.arg, "cache_control", self.resolver)
        elif arguments.unknown_splat:
            top_unknown = True
        call_arguments = CallArguments(tuple(arguments.facts))
        betas_sent = call_arguments.sent("betas")
        betas = None
        betas_complete = True
        if betas_sent is not None and betas_sent.beta_flags is not None:
            betas = betas_sent.beta_flags.names
            betas_complete = betas_sent.beta_flags.complete
        beta_header = None
        headers_arg = call_arguments.sent("extra_headers")
        if headers_arg is not None:
            for header in headers_arg.beta_headers:
                if header.text:
                    beta_header = header
        beta_headers: Tuple[str, ...] = beta_header.values if beta_header is not None else ()
        max_tokens = None
        max_arg = by_name.get("max_tokens")
        if max_arg is not None and isinstance(max_arg.value, Const) and isinstance(max_arg.value.value, int):
            max_tokens = max_arg.value.value
        max_tokens_node = None
        if max_arg is not None and max_arg.arg is not None:
            max_tokens_node = max_arg.arg.value
        elif self.call.node is not None:
            max_tokens_node = _spread_entry_value(self.resolver, self.call.node, "max_tokens")
        repetition = self.conversations.analyze(self.call.node, messages, in_batch=in_batch, batch_repeats=batch_repeats)
        request = Request(
            call=self.call,
            model=model,
            tools=tools,
            system=system,
            messages=messages,
            repetition=repetition,
            top_level_cache_control=top_marker,
            top_level_cache_control_unknown=top_unknown,
            betas=betas,
            betas_complete=betas_complete,
            beta_headers=beta_headers,
            max_tokens=max_tokens,
            max_tokens_arg=max_arg.arg if max_arg else None,
            has_unknown_splat=arguments.unknown_splat,
            keywords=tuple(sorted(by_name)),
            in_batch=in_batch,
            node=node,
            max_tokens_node=max_tokens_node,
            arguments=call_arguments,
            beta_header=beta_header,
            batch_call=batch,
            framework_facts=framework_facts,
        )
        return with_prefix_facts(self.conversations.attach(request), self.resolver)

    # -- segments ---------------------------------------------------------------------------
    def _absent(self, name: str, splat: bool) -> Segment:
        if splat:
            return Segment(name, SegmentForm.UNKNOWN, complete=False, origin=Origin.SPLAT, description="may come from a `**` splat")
        return Segment(name, SegmentForm.ABSENT)

    def _unknown(self, name: str, argument: "RequestArgument", value: Value) -> Segment:
        reason = value.reason if isinstance(value, Unknown) and value.reason else "could not be resolved"
        origin = value.origin if isinstance(value, Unknown) else Origin.UNKNOWN
        return Segment(
            name, SegmentForm.UNKNOWN, complete=False, origin=origin,
            description=f"is {self.resolver.short(argument.node) if argument.node is not None else 'unknown'}: {reason}",
            arg=argument.arg, node=argument.node,
        )

    def _tools(self, argument: Optional["RequestArgument"], splat: bool) -> Segment:
        if argument is None:
            return self._absent("tools", splat)
        value = argument.value
        if isinstance(value, Const) and value.value is None:
            return Segment("tools", SegmentForm.ABSENT, arg=argument.arg)
        if not isinstance(value, ListVal):
            return self._unknown("tools", argument, value)
        blocks = []
        for item in value.items:
            content = staticness_of(item)
            if value.unordered:
                content = max(content, Staticness.VOLATILE)
            if isinstance(item, DictVal):
                marker, marker_unknown = _block_marker(item, self.resolver)
                content = _content_staticness(item)
                if value.unordered:
                    content = max(content, Staticness.VOLATILE)
                blocks.append(
                    Block("tools", BlockKind.TOOL, content, chars=_content_size(item), marker=marker,
                          marker_unknown=marker_unknown, node=item.node)
                )
            else:
                blocks.append(Block("tools", BlockKind.TOOL, content, chars=size_of(item), marker_unknown=True, node=getattr(item, "node", None)))
        return Segment(
            "tools", SegmentForm.BLOCKS, blocks=tuple(blocks),
            complete=value.complete and value.origin != Origin.COMPREHENSION,
            origin=_origin_of(argument, value), description=_describe(self.resolver, argument),
            arg=argument.arg, node=argument.node,
        )

    def _system(self, argument: Optional["RequestArgument"], splat: bool) -> Segment:
        if argument is None:
            return self._absent("system", splat)
        value = argument.value
        description = _describe(self.resolver, argument)
        if isinstance(value, TextValue):
            return Segment("system", SegmentForm.STRING, text=value, origin=_origin_of(argument, value),
                           description=description, arg=argument.arg, node=argument.node)
        if isinstance(value, ListVal):
            blocks = tuple(self._content_block("system", item, None, None, None) for item in value.items)
            return Segment("system", SegmentForm.BLOCKS, blocks=blocks, complete=value.complete,
                           origin=_origin_of(argument, value), description=description,
                           arg=argument.arg, node=argument.node)
        if isinstance(value, Const) and value.value is None:
            return Segment("system", SegmentForm.ABSENT, arg=argument.arg)
        return self._unknown("system", argument, value)

    def _messages(self, argument: Optional["RequestArgument"], splat: bool) -> Segment:
        if argument is None:
            return self._absent("messages", splat)
        value = argument.value
        if not isinstance(value, ListVal):
            segment = self._unknown("messages", argument, value)
            history = self.conversations.history_name(argument.node)
            if history is not None:
                return Segment("messages", SegmentForm.UNKNOWN, complete=False, origin=segment.origin,
                               description=segment.description, arg=argument.arg, node=argument.node,
                               history_name=history)
            return segment
        blocks: List[Block] = []
        for index, message in enumerate(value.items):
            if not isinstance(message, DictVal):
                blocks.append(Block("messages", BlockKind.UNKNOWN, staticness_of(message), marker_unknown=True,
                                    message_index=index, node=getattr(message, "node", None)))
                continue
            role_value = message.get("role")
            role = role_value.text if isinstance(role_value, TextValue) else None
            content = message.get("content")
            if isinstance(content, ListVal):
                for item in content.items:
                    blocks.append(self._content_block("messages", item, role, index, message.node))
            elif content is not None:
                text = as_text(content, getattr(content, "node", None))
                blocks.append(Block("messages", BlockKind.TEXT, text.staticness, text=text,
                                    chars=text.known_chars if text.size_is_exact else None,
                                    role=role, message_index=index, node=text.node, message_node=message.node))
            else:
                blocks.append(Block("messages", BlockKind.UNKNOWN, Staticness.UNKNOWN, marker_unknown=True,
                                    role=role, message_index=index, node=message.node, message_node=message.node))
        return Segment(
            "messages", SegmentForm.BLOCKS, blocks=tuple(blocks),
            complete=value.complete and not value.grows,
            origin=_origin_of(argument, value), description=_describe(self.resolver, argument),
            arg=argument.arg, node=argument.node,
            history_name=self.conversations.history_name(argument.node) or (value.name if value.grows else None),
        )

    def _content_block(self, segment: str, item: Value, role, index, message_node) -> Block:
        if isinstance(item, TextValue) and segment == "system":
            # a bare string in a system list is not a block the API accepts; keep it visible
            return Block(segment, BlockKind.OTHER, item.staticness, text=item, node=item.node)
        if not isinstance(item, DictVal):
            return Block(segment, BlockKind.UNKNOWN, staticness_of(item), chars=size_of(item),
                         marker_unknown=True, role=role, message_index=index,
                         node=getattr(item, "node", None), message_node=message_node)
        kind_value = item.get("type")
        kind = BlockKind.UNKNOWN
        if isinstance(kind_value, TextValue) and kind_value.text is not None:
            kind = BLOCK_KINDS.get(kind_value.text, BlockKind.OTHER)
        marker, marker_unknown = _block_marker(item, self.resolver)
        text = None
        if kind is BlockKind.TEXT or (kind is BlockKind.UNKNOWN and item.get("text") is not None):
            text_value = item.get("text")
            if text_value is not None:
                text = as_text(text_value, getattr(text_value, "node", None))
        content = _content_staticness(item)
        return Block(segment, kind, content, text=text, chars=_content_size(item), marker=marker,
                     marker_unknown=marker_unknown, role=role, message_index=index, node=item.node,
                     message_node=message_node)


def _spread_entry_value(resolver: Resolver, call: cst.Call, key: str) -> Optional[cst.CSTNode]:
    """The value of `key` in a dict literal spread into the call with `**` (the last one wins)."""
    found = None
    for arg in call.args:
        if arg.star == "**":
            value = resolver.resolve(arg.value)
            entry = value.entry(key) if isinstance(value, DictVal) else None
            if entry is not None and isinstance(entry.node, cst.DictElement):
                found = entry.node.value
    return found


def _content_entries(item: DictVal) -> List[DictEntry]:
    return [e for e in item.entries if e.key not in MARKER_KEYS]


def _content_staticness(item: DictVal) -> Staticness:
    worst = max((staticness_of(e.value) for e in _content_entries(item)), default=Staticness.STATIC)
    if not item.complete:
        worst = max(worst, Staticness.UNKNOWN)
    return worst


def _content_size(item: DictVal) -> Optional[int]:
    total = 0
    for entry in _content_entries(item):
        size = size_of(entry.value)
        if size is None:
            return None
        total += size
    return total if item.complete else None


def _block_marker(item: DictVal, resolver: Resolver) -> Tuple[Optional[Marker], bool]:
    for key in MARKER_KEYS:
        entry = item.entry(key)
        if entry is not None:
            if isinstance(entry.value, Const) and entry.value.value is None:
                return None, False
            return _marker(entry.value, getattr(entry.value, "node", None), entry.node, key, resolver), False
    return None, not item.complete


def _invalid(resolver: Resolver, kind: MarkerProblem, problem: str, node, key_node, key: str) -> Marker:
    correction = marker_correction(resolver, node, key_node, key)
    return Marker(None, False, problem, node, key_node, key, problem_kind=kind, correction=correction)


def _marker(value: Value, node, key_node, key: str, resolver: Resolver) -> Marker:
    if key != "cache_control":
        return _invalid(resolver, MarkerProblem.MISSPELLED_KEY, f"the key is spelled `{key}`; the API reads only `cache_control`", node, key_node, key)
    if isinstance(value, TextValue):
        return _invalid(resolver, MarkerProblem.NOT_A_DICT, f"`cache_control` must be a dict like {{\"type\": \"ephemeral\"}}, not the string {value.text!r}" if value.text is not None else "`cache_control` must be a dict", node, key_node, key)
    if not isinstance(value, DictVal):
        return Marker(None, None, None, node, key_node, key)
    kind = value.get("type")
    if kind is None:
        if not value.complete:
            return Marker(None, None, None, node, key_node, key)
        return _invalid(resolver, MarkerProblem.NO_TYPE, "`cache_control` has no `type` (it must be \"ephemeral\")", node, key_node, key)
    if not isinstance(kind, TextValue) or kind.text is None:
        return Marker(None, None, None, node, key_node, key)
    if kind.text != "ephemeral":
        return _invalid(resolver, MarkerProblem.WRONG_TYPE, f"`type` is {kind.text!r}; the only accepted type is \"ephemeral\"", node, key_node, key)
    extra = [k for k in value.keys() if k not in ("type", "ttl")]
    if extra:
        return _invalid(resolver, MarkerProblem.UNEXPECTED_KEY, f"unexpected key {extra[0]!r} in `cache_control`", node, key_node, key)
    if not value.complete:  # a `**splat` may add keys the API rejects
        ttl_value = value.get("ttl")
        ttl = Ttl(ttl_value.text) if isinstance(ttl_value, TextValue) and ttl_value.text in ("5m", "1h") else None
        return Marker(ttl, None, None, node, key_node, key)
    ttl_value = value.get("ttl")
    if ttl_value is None:
        if not value.complete:
            return Marker(None, None, None, node, key_node, key)
        return Marker(Ttl.FIVE_MINUTES, True, None, node, key_node, key)
    if isinstance(ttl_value, TextValue) and ttl_value.text is not None:
        if ttl_value.text in ("5m", "1h"):
            return Marker(Ttl(ttl_value.text), True, None, node, key_node, key)
        return _invalid(resolver, MarkerProblem.INVALID_TTL, f"`ttl` is {ttl_value.text!r}; it must be \"5m\" or \"1h\"", node, key_node, key)
    if isinstance(ttl_value, Const):
        return _invalid(resolver, MarkerProblem.INVALID_TTL, f"`ttl` is {ttl_value.value!r}; it must be the string \"5m\" or \"1h\"", node, key_node, key)
    return Marker(None, None, None, node, key_node, key)


# Where a segment named by a variable came from, as far as the segment's origin tells.
NAMED_ORIGINS = (
    Origin.PARAMETER, Origin.CONSTANT, Origin.LOCAL, Origin.IMPORT, Origin.ATTRIBUTE, Origin.FUNCTION, Origin.FILE,
)


def _origin_of(argument: "RequestArgument", value: Value) -> Origin:
    if argument.arg is None:
        return Origin.SPLAT
    node = argument.node
    if isinstance(node, cst.Name):
        origin = getattr(value, "origin", Origin.LOCAL)
        return origin if origin in NAMED_ORIGINS else Origin.LOCAL
    if isinstance(node, cst.Attribute):
        return Origin.ATTRIBUTE
    if isinstance(node, cst.Call):
        return getattr(value, "origin", Origin.CALL) or Origin.CALL
    return Origin.LITERAL


def _describe(resolver: Resolver, argument: "RequestArgument") -> str:
    if argument.node is None:
        return f"`{argument.name}`"
    return f"`{resolver.short(argument.node)}`"
