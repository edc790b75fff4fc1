"""Framework front-ends: LiteLLM, LangChain, boto3 Bedrock, pydantic-ai, instructor.

Each front-end is one module here exposing `FRONTEND`, an object with
- `framework`: its `model.frameworks.Framework`;
- `words`: byte words one of which every module using the framework holds (an import of it,
  a service name): modules holding none are never offered to the front-end, and the byte
  prefilter (`source.prefilter.FRAMEWORK_WORDS`, which a test keeps a superset of these) lets
  them skip parsing altogether;
- `build(call, context) -> Optional[FrontendBuild]`: the request(s) one call sends, or None
  when the call is not this framework's. It must reject most calls by syntax alone (the callee
  chain) before resolving anything, and recognise by resolved imports and constructors, never
  by method name alone (an `S3` client's `invoke_model`, `ChatOpenAI(...).invoke` stay silent).

A front-end translates the framework's shapes into Anthropic request keywords
(`model.build.RequestArguments`: `system` as text blocks, `messages`, `tools`, `model`,
`cache_control`), keeping each value's source node, and hands them to
`model.build.RequestBuilder`, which assembles the `Request` every rule reads. Facts only it can
see (markers the framework drops, inert options) go in `model.frameworks.FrameworkFacts`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Tuple

from cachelint.model.frontends.base import Frontend, FrontendBuild, FrontendContext

# Front-end modules, in the order they are asked (a call is claimed by the first that builds it).
FRONTEND_MODULES: Tuple[str, ...] = ()

_loaded: Tuple[Frontend, ...] = ()


def all_frontends() -> Tuple[Frontend, ...]:
    global _loaded
    if len(_loaded) != len(FRONTEND_MODULES):
        _loaded = tuple(import_module(f"{__name__}.{name}").FRONTEND for name in FRONTEND_MODULES)
    return _loaded


def frontends_for(text: str) -> Tuple[Frontend, ...]:
    """The front-ends whose framework the module's source names at all."""
    if not FRONTEND_MODULES:
        return ()
    data = text.encode("utf-8", "surrogatepass")
    return tuple(frontend for frontend in all_frontends() if any(word in data for word in frontend.words))


__all__ = ["Frontend", "FrontendBuild", "FrontendContext", "all_frontends", "frontends_for", "FRONTEND_MODULES"]
