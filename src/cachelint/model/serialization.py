"""Serialisations that build a request's cached prefix with bytes that depend on more than the data.

Two facts, read by CL202:
- `UnsortedJson`: a `json.dumps(data)` whose key order the code does not fix (the resolver gives
  its piece `Cause.UNSORTED_JSON`: no `sort_keys=`, and `data` holds a dict not written out);
- `SetIteration`: an expression that evaluates to a set, iterated where the order reaches the
  text (`"...".join(s)`, `list(s)`, a comprehension, an f-string, a `*s` element).

Both are looked for in the expressions the cached prefix is built from (`SerializationPrefix`),
following local names and same-file function results. They are worked out on demand, for the
requests whose prefix can be cached at all, because the walk costs more than the rest of CL202.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Set, Tuple

import libcst as cst

from cachelint.model.request import Block, Request, SegmentForm
from cachelint.resolve.calls import returns
from cachelint.resolve.ordering import (
    SetElements,
    assigned_values,
    set_facts,
    staticness_ignoring_set_order,
)
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import Cause
from cachelint.resolve.value import ListVal, as_text
from cachelint.syntax.scopes import Assignment

# Consumers for which the order of what they iterate does not matter.
ORDER_INSENSITIVE = {"sorted", "set", "frozenset", "len", "sum", "any", "all", "min", "max"}
# Consumers that keep the iteration order of their argument in what they produce.
ORDER_KEEPING = {"list", "tuple", "enumerate"}
MAX_FOLLOW = 6  # names and function results followed from one root


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class PrefixBlock:
    segment: str  # "tools" | "system" | "messages"
    block: Optional[Block]  # None: a plain-string system prompt (one block)


@dataclass(frozen=True)
class SerializationPrefix:
    """What a breakpoint caches (every block up to the last one), or the tools and system of a
    call that repeats, with its known size."""

    blocks: Tuple[PrefixBlock, ...]
    chars: int  # known characters
    size_is_exact: bool


@dataclass(frozen=True)
class UnsortedJson:
    segment: str  # the segment it builds
    data_varies: bool  # the data itself differs per call (CL002's finding: sorting would not hit)
    call: cst.Call = _node_field()  # the `json.dumps(...)` call
    data: cst.CSTNode = _node_field()  # its first argument


class SetConsumer(str, enum.Enum):
    """What iterates the set: decides the fix."""

    FORMATTED = "formatted"  # an f-string part formats the set as a whole (`f"{tags}"`)
    LIST_CALL = "list-call"  # `list(s)`: becomes `sorted(s)`
    ITERATION = "iteration"  # `join`, `tuple`, `enumerate`, a comprehension, a `*s` element


@dataclass(frozen=True)
class SetIteration:
    segment: str
    elements: SetElements
    elements_vary: bool  # per-call elements are CL002's finding
    consumer_kind: SetConsumer
    expression: cst.CSTNode = _node_field()  # the set expression
    consumer: Optional[cst.CSTNode] = _node_field()


@dataclass(frozen=True)
class UnstableSerializations:
    json_calls: Tuple[UnsortedJson, ...]
    set_iterations: Tuple[SetIteration, ...]


# -- the prefix --------------------------------------------------------------------------------


def serialization_prefix(request: Request) -> Optional[SerializationPrefix]:
    """The blocks a breakpoint caches (up to the last one), or tools + system of a repeating
    call; None when nothing is cached."""
    ordered: List[PrefixBlock] = [PrefixBlock("tools", b) for b in request.tools.blocks]
    if request.system.form is SegmentForm.STRING:
        ordered.append(PrefixBlock("system", None))
    else:
        ordered.extend(PrefixBlock("system", b) for b in request.system.blocks)
    in_tools_and_system = len(ordered)
    ordered.extend(PrefixBlock("messages", b) for b in request.messages.blocks)
    if request.top_level_cache_control is not None:
        cached = ordered
    else:
        last = -1
        for index, item in enumerate(ordered):
            if item.block is not None and item.block.marker is not None and item.block.marker.valid is not False:
                last = index
        if last >= 0:
            cached = ordered[: last + 1]
        elif request.repetition.repeats:
            cached = ordered[:in_tools_and_system]
        else:
            cached = []
    if not cached:
        return None
    chars, exact = _size(request, cached)
    return SerializationPrefix(tuple(cached), chars, exact)


def _size(request: Request, blocks: List[PrefixBlock]) -> Tuple[int, bool]:
    total = 0
    exact = True
    for item in blocks:
        if item.block is None:
            text = request.system.text
            size = text.known_chars if text is not None and text.size_is_exact else None
        else:
            size = item.block.chars
        exact = exact and size is not None
        total += size or 0
    return total, exact


def _roots(resolver: Resolver, request: Request, prefix: SerializationPrefix) -> Iterable[Tuple[str, List[cst.CSTNode]]]:
    """The expressions the prefix is built from, per segment."""
    for segment in (request.tools, request.system, request.messages):
        blocks = [item.block for item in prefix.blocks if item.segment == segment.name]
        if not blocks:
            continue
        roots: List[cst.CSTNode] = []
        whole = segment.name != "messages" and len(blocks) == len(segment.blocks or (None,))
        if whole and segment.node is not None:
            roots.append(segment.node)  # also reaches comprehensions that build the list
            value = resolver.resolve(segment.node)
            if isinstance(value, ListVal) and value.node is not None:
                roots.append(value.node)
        if segment.form is SegmentForm.STRING and segment.text is not None:
            roots.extend(p.node for p in segment.text.pieces if p.node is not None)
        for block in blocks:
            if block is None:
                continue
            if block.node is not None:
                roots.append(block.node)
            if block.text is not None:
                roots.extend(p.node for p in block.text.pieces if p.node is not None)
        yield segment.name, roots


# -- the serialisations that feed it --------------------------------------------------------------


def unstable_serializations(resolver: Resolver, request: Request, prefix: SerializationPrefix) -> UnstableSerializations:
    """The unsorted `json.dumps` calls and set iterations the prefix is built from, in the
    order the prefix's expressions are written."""
    finder = _SiteFinder(resolver)
    for segment_name, roots in _roots(resolver, request, prefix):
        for root in roots:
            finder.walk(root, segment_name)
    # a site reached from several roots is listed once, for the first segment that reaches it
    json_calls = []
    listed: Set[int] = set()
    for call, segment in finder.json_calls:
        if id(call) in listed:
            continue
        listed.add(id(call))
        found = _unsorted_json(resolver, call, segment)
        if found is not None:
            json_calls.append(found)
    iterations = []
    listed = set()
    for expression, consumer, segment in finder.iterations:
        if id(expression) in listed:
            continue
        listed.add(id(expression))
        facts = set_facts(resolver, expression)
        if facts is not None:
            iterations.append(
                SetIteration(segment, facts.elements, facts.varies, _consumer_kind(consumer), expression, consumer)
            )
    return UnstableSerializations(tuple(json_calls), tuple(iterations))


def _unsorted_json(resolver: Resolver, call: cst.Call, segment: str) -> Optional[UnsortedJson]:
    if not call.args:
        return None
    data_node = call.args[0].value
    # the data first, where it is used, then the call (which finds the data resolved)
    data = resolver.resolve(data_node)
    pieces = as_text(resolver.resolve(call), call).pieces
    if not any(p.cause is Cause.UNSORTED_JSON and p.cause_node is call for p in pieces):
        return None
    return UnsortedJson(segment, staticness_ignoring_set_order(data).varies, call, data_node)


def _consumer_kind(consumer: Optional[cst.CSTNode]) -> SetConsumer:
    if isinstance(consumer, cst.FormattedStringExpression):
        return SetConsumer.FORMATTED
    if isinstance(consumer, cst.Call) and isinstance(consumer.func, cst.Name) and consumer.func.value == "list":
        return SetConsumer.LIST_CALL
    return SetConsumer.ITERATION


class _SiteFinder:
    """Walks the expressions that build the prefix, following local names and same-file
    function results, and collects `json.dumps` calls and set iterations."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.seen: Set[int] = set()
        self.json_calls: List[Tuple[cst.Call, str]] = []
        self.iterations: List[Tuple[cst.CSTNode, Optional[cst.CSTNode], str]] = []

    def walk(self, node: cst.CSTNode, where: str, depth: int = 0) -> None:
        if node is None or depth > MAX_FOLLOW or id(node) in self.seen or not self.resolver.holds(node):
            return
        self.seen.add(id(node))
        collector = _Collector()
        node.visit(collector)
        for call in collector.calls:
            if "json.dumps" in self.resolver.qualified_names(call.func):
                self.json_calls.append((call, where))
            for returned in self._function_results(call):
                self.walk(returned, where, depth + 1)
        for expression, consumer in collector.iterated:
            self.iterations.append((expression, consumer, where))
        for name in collector.names:
            for value in assigned_values(self.resolver, name):
                self.walk(value, where, depth + 1)

    def _function_results(self, call: cst.Call) -> List[cst.CSTNode]:
        if not isinstance(call.func, cst.Name):
            return []
        referents = self.resolver.referents(call.func) or set()
        found = []
        for referent in referents:
            definition = getattr(referent, "node", None)
            if isinstance(referent, Assignment) and isinstance(definition, cst.FunctionDef):
                found.extend(r.value for r in returns(definition) if r.value is not None)
        return found


class _Collector(cst.CSTVisitor):
    """Calls, loaded names, and expressions whose iteration order reaches the result, each with
    its consumer (the call, comprehension or f-string part that iterates it)."""

    def __init__(self) -> None:
        self.calls: List[cst.Call] = []
        self.names: List[cst.Name] = []
        self.iterated: List[Tuple[cst.CSTNode, Optional[cst.CSTNode]]] = []
        self._insensitive: Set[int] = set()  # consumed where order does not matter

    def _iterates(self, expression: cst.CSTNode, consumer: cst.CSTNode) -> None:
        if id(consumer) not in self._insensitive:
            self.iterated.append((expression, consumer))

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
        func = node.func
        positional = [a for a in node.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Name) and func.value in ORDER_INSENSITIVE:
            for arg in node.args:
                self._insensitive.add(id(arg.value))
        elif isinstance(func, cst.Name) and func.value in ORDER_KEEPING and len(positional) == 1:
            self._iterates(positional[0].value, node)
        elif isinstance(func, cst.Attribute) and func.attr.value == "join" and len(positional) == 1:
            self._iterates(positional[0].value, node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    # a set comprehension builds a set: its order is decided where that set is iterated

    def _comprehension(self, node) -> None:
        for_in = node.for_in
        while for_in is not None:
            self._iterates(for_in.iter, node)
            for_in = for_in.inner_for_in

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._iterates(node.expression, node)

    def visit_StarredElement(self, node: cst.StarredElement) -> None:
        self._iterates(node.value, node)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # `obj.attr`: `attr` is not a name to follow
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # a keyword's name is not a name to follow
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False
