"""What a framework front-end is handed and what it returns (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Protocol, Tuple

import libcst as cst

from cachelint.core.options import AnalysisOptions
from cachelint.model.build import RequestBuilder
from cachelint.model.conversation import ConversationAnalyzer
from cachelint.model.frameworks import Framework
from cachelint.model.request import Request, SdkCall
from cachelint.resolve.resolver import Resolver

@dataclass(frozen=True)
class FrontendContext:
    """The module-wide analysis every front-end shares (one resolver, one conversation analysis)."""

    resolver: Resolver
    conversations: ConversationAnalyzer
    index: object  # syntax.scopes.ModuleIndex
    path: str
    options: AnalysisOptions = field(default_factory=AnalysisOptions)

    def builder(self, call: SdkCall) -> RequestBuilder:
        return RequestBuilder(self.resolver, self.conversations, call)


@dataclass(frozen=True)
class FrontendBuild:
    """The requests one framework call sends (usually one), and what could not be judged."""

    call: SdkCall
    requests: Tuple[Request, ...]
    unknown_reasons: Tuple[str, ...] = ()


class Frontend(Protocol):
    framework: Framework
    words: Tuple[bytes, ...]

    def build(self, call: cst.Call, context: FrontendContext) -> Optional[FrontendBuild]: ...
