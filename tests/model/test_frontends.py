"""The front-end contract: every framework front-end is reachable through the byte prefilter,
and a front-end's call becomes a Request that the core rules read like an SDK one."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from typing import Optional

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model import frontends
from cachelint.model.build import RequestArguments, call_arguments
from cachelint.model.frameworks import Framework
from cachelint.model.frontends import FrontendBuild, FrontendContext, all_frontends
from cachelint.model.request import Platform, SdkCall
from cachelint.model.requests import build_requests
from cachelint.source.prefilter import FRAMEWORK_WORDS, may_contain_requests


@pytest.mark.parametrize("name", frontends.FRONTEND_MODULES)
def test_each_frontend_words_pass_the_byte_prefilter(name):
    frontend = next(f for f in all_frontends() if type(f).__module__.endswith(name) or f.__module__.endswith(name))
    assert frontend.words
    for word in frontend.words:
        assert any(framework_word in word for framework_word in FRAMEWORK_WORDS), word
        assert may_contain_requests(b"x = 1\n" + word + b"\n")


class _ToyFrontend:
    """A front-end for `toyllm.ask(system=..., prompt=...)`: just enough to drive the contract."""

    framework = Framework.LITELLM
    words = (b"toyllm",)
    __module__ = "toy"

    def build(self, call: cst.Call, context: FrontendContext) -> Optional[FrontendBuild]:
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "ask"):
            return None
        sdk_call = SdkCall("ask", "toyllm", Platform.ANTHROPIC, False, "client", "`toyllm`", node=call,
                           func_node=call.func, framework=self.framework)
        arguments = call_arguments(context.resolver, call)
        prompt = arguments.by_name.pop("prompt")
        message = replace(prompt, name="messages")
        arguments.by_name["messages"] = message
        builder = context.builder(sdk_call)
        request = builder.request(RequestArguments(arguments.by_name, facts=arguments.facts), call)
        return FrontendBuild(sdk_call, (request,), tuple(builder.unknown_reasons))


def test_a_frontend_call_becomes_a_request(monkeypatch):
    monkeypatch.setattr(frontends, "FRONTEND_MODULES", ("toy",))
    monkeypatch.setattr(frontends, "_loaded", (_ToyFrontend(),))
    source = textwrap.dedent(
        """
        import toyllm
        SYSTEM = "You are terse. Answer in one line."
        def answer(q):
            return toyllm.ask(system=SYSTEM, prompt=q)
        """
    )
    built = build_requests(MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True), "x.py", AnalysisOptions())
    (request,) = built.requests
    assert request.call.framework is Framework.LITELLM
    assert request.system.text is not None and request.system.text.text == "You are terse. Answer in one line."
    assert request.repetition.repeats
    assert [call.framework for call in built.calls] == [Framework.LITELLM]


def test_modules_not_naming_a_framework_are_not_offered_to_it(monkeypatch):
    monkeypatch.setattr(frontends, "FRONTEND_MODULES", ("toy",))
    monkeypatch.setattr(frontends, "_loaded", (_ToyFrontend(),))
    assert frontends.frontends_for("import toyllm\n")
    assert frontends.frontends_for("import os\n") == ()
