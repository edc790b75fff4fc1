"""Wrappers, one level: a function that forwards its own parameter into the request.

`def ask(system, question): return client.messages.create(system=system, ...)` says nothing by
itself: its `system` is whatever callers pass. Each call of such a function in the analysed file
is examined with the wrapper's parameters bound to the caller's arguments, giving a *virtual*
request located at the caller. Findings on it are reported at the caller, naming the wrapper,
and carry no fix (the wrapper may use the value in other ways). The wrapper stays silent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Dict, List, Optional

import libcst as cst
from cachelint.syntax.scopes import Assignment, ImportAssignment

from cachelint.model.prefix import with_prefix_facts
from cachelint.model.request import Request, Segment
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import Origin

MAX_WRAPPER_CALLS = 200  # per file: a bound on the work, not a limit users should meet


@dataclass
class VirtualRequest:
    request: Request
    caller: cst.Call
    wrapper_name: str
    original: Request  # the wrapper's own request, as analysed without a caller
    wrapper_resolver: Resolver


def _may_call_a_wrapper(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.Call) or not node.args:
        return False
    func = node.func
    return isinstance(func, cst.Name) or (
        isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"
    )


def wrapper_requests(resolver: Resolver, built, options, project) -> List[VirtualRequest]:
    sdk_nodes = {id(call.node) for call in built.calls}
    found: List[VirtualRequest] = []
    callers = [call for call in resolver.index.calls if _may_call_a_wrapper(call)]
    for caller in callers[: MAX_WRAPPER_CALLS * 10]:
        if id(caller) in sdk_nodes:
            continue
        target = _wrapper_definition(resolver, caller, project)
        if target is None:
            continue
        wrapper_resolver, function, wrapper_built = target
        for original in _requests_in(wrapper_resolver, wrapper_built).get(function, ()):
            virtual = _bind(resolver, wrapper_resolver, function, caller, original)
            if virtual is not None:
                found.append(virtual)
        if len(found) >= MAX_WRAPPER_CALLS:
            break
    return found


def _wrapper_definition(resolver: Resolver, caller: cst.Call, project):
    """(resolver of the wrapper's module, its FunctionDef, that module's built requests)."""
    func = caller.func
    if isinstance(func, cst.Attribute):
        klass = resolver.enclosing(caller, cst.ClassDef)
        if klass is None:
            return None
        for statement in klass.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                return resolver, statement, _built_for(resolver)
        return None
    assert isinstance(func, cst.Name)
    referents = resolver.referents(func) or set()
    if len(referents) != 1:
        return None
    referent = next(iter(referents))
    if isinstance(referent, Assignment) and isinstance(referent.node, cst.FunctionDef):
        return resolver, referent.node, _built_for(resolver)
    if isinstance(referent, ImportAssignment) and project is not None:
        imported = project.imported_function(resolver, func, referent, require_requests=True)
        if imported is None:
            return None
        module, function = imported
        return module.resolver, function, _built_for(module.resolver)
    return None


def _built_for(resolver: Resolver):
    cached = resolver.built_requests
    if cached is None:
        from cachelint.core.options import AnalysisOptions
        from cachelint.model.requests import build_requests

        cached = build_requests(resolver.wrapper, resolver.path, AnalysisOptions(), resolver.project)
        resolver.built_requests = cached
    return cached


def _requests_in(resolver: Resolver, built) -> Dict[cst.FunctionDef, List[Request]]:
    """The module's requests by each function they are inside (nested functions count for
    every enclosing one), worked out once per module."""
    found = resolver.requests_by_function
    if found is None:
        found = {}
        for request in built.requests:
            if request.call.node is None:
                continue
            for ancestor in resolver.ancestors(request.call.node):
                if isinstance(ancestor, cst.FunctionDef):
                    found.setdefault(ancestor, []).append(request)
        resolver.requests_by_function = found
    return found


def _bind(caller_resolver: Resolver, wrapper_resolver: Resolver, function: cst.FunctionDef, caller: cst.Call, original: Request) -> Optional[VirtualRequest]:
    skip_self = isinstance(caller.func, cst.Attribute)
    bindings = caller_resolver.call_bindings(caller, function, skip_first=skip_self)
    if not bindings:
        return None
    arg_nodes = _argument_nodes(caller, function, skip_self)
    from cachelint.model.conversation import ConversationAnalyzer
    from cachelint.model.build import call_arguments, RequestBuilder

    bound = wrapper_resolver.with_bindings(bindings)
    builder = RequestBuilder(bound, ConversationAnalyzer(bound), original.call)
    call = original.call.node
    assert call is not None
    request = builder.request(call_arguments(bound, call), call)
    segments = {}
    for segment in (request.tools, request.system, request.messages):
        segments[segment.name] = _relocate(segment, arg_nodes, wrapper_resolver)
    if all(s is getattr(request, n) for n, s in segments.items()) and request == original:
        return None
    caller_conversations = ConversationAnalyzer(caller_resolver)
    caller_repeats = caller_conversations.analyze(caller, request.messages)
    repetition = request.repetition if request.repetition.in_loop or request.repetition.conversation else caller_repeats
    virtual_call = dataclasses.replace(original.call, node=caller, func_node=caller.func)
    request = dataclasses.replace(request, call=virtual_call, repetition=repetition, node=caller, **segments)
    request = caller_conversations.attach(request)  # its history and loop, as the caller's file sees them
    # findings on it are the caller's file's: what varies and what is in the file are asked there
    request = with_prefix_facts(request, caller_resolver)
    name = function.name.value
    return VirtualRequest(request, caller, name, original, wrapper_resolver)


def _argument_nodes(caller: cst.Call, function: cst.FunctionDef, skip_self: bool) -> Dict[cst.Param, cst.BaseExpression]:
    params = list(function.params.params)[1 if skip_self else 0 :]
    by_name = {p.name.value: p for p in list(function.params.params) + list(function.params.kwonly_params)}
    nodes: Dict[cst.Param, cst.BaseExpression] = {}
    position = 0
    for arg in caller.args:
        if arg.keyword is None:
            if position < len(params):
                nodes[params[position]] = arg.value
            position += 1
        elif arg.keyword.value in by_name:
            nodes[by_name[arg.keyword.value]] = arg.value
    return nodes


def _relocate(segment: Segment, arg_nodes: Dict[cst.Param, cst.BaseExpression], wrapper_resolver: Resolver) -> Segment:
    """A segment whose argument is a bound parameter now points at the caller's expression."""
    node = segment.node
    if not isinstance(node, cst.Name):
        return segment
    for referent in wrapper_resolver.referents(node) or ():
        param = getattr(referent, "node", None)
        if isinstance(param, cst.Param) and param in arg_nodes:
            text = segment.text
            origin = text.origin if text is not None else segment.origin
            if origin == Origin.PARAMETER:
                origin = Origin.LOCAL
            caller_node = arg_nodes[param]
            description = "`" + " ".join(cst.Module([]).code_for_node(caller_node).split())[:40] + "`"
            return dataclasses.replace(segment, node=caller_node, arg=None, origin=origin, description=description)
    return segment
