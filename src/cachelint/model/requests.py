"""Build the request model of every recognised call in a module, from every front-end.

The Anthropic SDK's request methods are recognised first (`model.sdk`); then each framework
front-end (`model.frontends`) looks at the module's calls in its own shapes. Both hand their
calls to the same assembly (`model.build.RequestBuilder`), so every rule sees one kind of
`Request` whatever library sends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst

from cachelint.core.options import AnalysisOptions
from cachelint.model.build import RequestBuilder, call_arguments
from cachelint.model.calls import CallArguments
from cachelint.model.conversation import ConversationAnalyzer
from cachelint.model.frontends import FrontendContext, frontends_for
from cachelint.model.module_facts import ModuleFacts, module_facts
from cachelint.model.request import BatchCall, Request, SdkCall
from cachelint.model.sdk import SdkRecognizer, is_request_shaped
from cachelint.resolve.resolver import Resolver


@dataclass
class UnknownCall:
    node: cst.Call
    method: str
    reasons: List[str] = field(default_factory=list)


@dataclass
class BuiltRequests:
    requests: List[Request] = field(default_factory=list)
    unknown_sites: List[UnknownCall] = field(default_factory=list)
    calls: List[SdkCall] = field(default_factory=list)
    resolver: Optional[Resolver] = None
    index: Optional[object] = None  # scopes.ModuleIndex of the module
    module_facts: ModuleFacts = ModuleFacts()  # what the module holds besides requests


def build_requests(
    wrapper, path: str, options: AnalysisOptions, project=None, text: Optional[str] = None
) -> BuiltRequests:
    """`text` (the module's source, when the caller has it) lets the module facts skip searches
    for names the source does not contain, and the framework front-ends skip modules that do not
    name their framework."""
    from cachelint.syntax.scopes import ModuleIndex

    index = ModuleIndex(wrapper.module)
    candidates = [call for call in index.calls if is_request_shaped(call)]
    frontends = frontends_for(text if text is not None else wrapper.module.code)
    built = BuiltRequests(index=index)
    if not candidates and not frontends:
        built.module_facts = module_facts(wrapper, path, index, None, [], text)
        return built
    resolver = Resolver(wrapper, path, project, index=index)
    built.resolver = resolver
    resolver.built_requests = built  # wrappers.py asks again for this module's requests
    conversations = ConversationAnalyzer(resolver)
    batch_calls: List[BatchCall] = []
    recognizer = SdkRecognizer(resolver)
    for call in candidates:
        sdk_call = recognizer.match(call)
        if sdk_call is None:
            continue
        built.calls.append(sdk_call)
        builder = RequestBuilder(resolver, conversations, sdk_call)
        if sdk_call.method == "batches.create":
            arguments = call_arguments(resolver, call)
            batch = BatchCall(sdk_call, CallArguments(tuple(arguments.facts)))
            batch_calls.append(batch)
            built.requests.extend(builder.batch_requests(arguments, batch))
        else:
            request = builder.request(call_arguments(resolver, call), call)
            built.requests.append(request)
        if builder.unknown_reasons:
            built.unknown_sites.append(UnknownCall(call, sdk_call.method, builder.unknown_reasons))
    if frontends:
        context = FrontendContext(resolver, conversations, index, path, options)
        recognised = {id(call.node) for call in built.calls}
        for frontend in frontends:
            for call in index.calls:
                if id(call) in recognised:
                    continue
                found = frontend.build(call, context)
                if found is None:
                    continue
                recognised.add(id(call))
                built.calls.append(found.call)
                built.requests.extend(found.requests)
                if found.unknown_reasons:
                    built.unknown_sites.append(UnknownCall(call, found.call.method, list(found.unknown_reasons)))
    built.module_facts = module_facts(wrapper, path, index, resolver, batch_calls, text)
    return built
