"""Module facts: batch calls, client constructors with `default_headers=`, and references to the
removed `client.beta.prompt_caching` namespace."""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.request import Platform


def _facts(body: str, with_text: bool = True):
    source = textwrap.dedent(body).lstrip()
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    built = build_requests(wrapper, "example.py", AnalysisOptions(), text=source if with_text else None)
    return module, built


def test_client_constructors_with_default_headers():
    module, built = _facts(
        """
        import anthropic
        from openai import OpenAI
        client = anthropic.AnthropicVertex(default_headers={"anthropic-beta": "a-1,prompt-caching-2024-07-31"})
        other = OpenAI(default_headers={"anthropic-beta": "a-1"})
        plain = anthropic.Anthropic()
        """
    )
    assert built.resolver is None  # no request in the module: the facts are there all the same
    (constructor,) = built.module_facts.client_constructors
    assert constructor.client.platform is Platform.VERTEX
    assert module.code_for_node(constructor.node.func) == "anthropic.AnthropicVertex"
    headers = constructor.default_headers
    assert headers.name == "default_headers" and isinstance(headers.edit_node, cst.Arg)
    assert [h.values for h in headers.beta_headers] == [("a-1", "prompt-caching-2024-07-31")]


def test_default_headers_through_a_name():
    _, built = _facts(
        """
        from anthropic import Anthropic
        HEADERS = {"anthropic-beta": "prompt-caching-2024-07-31"}
        client = Anthropic(default_headers=HEADERS)
        """
    )
    (constructor,) = built.module_facts.client_constructors
    (header,) = constructor.default_headers.beta_headers
    assert header.values == ("prompt-caching-2024-07-31",)
    assert isinstance(header.entry_node, cst.DictElement)


def test_prompt_caching_references_on_clients():
    module, built = _facts(
        """
        import anthropic
        client = anthropic.Anthropic()
        create = client.beta.prompt_caching.messages.create
        """
    )
    (reference,) = built.module_facts.prompt_caching_references
    assert reference.client_resolved
    assert module.code_for_node(reference.attribute) == "client.beta.prompt_caching"
    assert module.code_for_node(reference.beta) == "client.beta"
    assert module.code_for_node(reference.chain) == "client.beta.prompt_caching.messages.create"


def test_references_on_unresolved_receivers_need_the_messages_step():
    _, built = _facts(
        """
        def make(api):
            one = api.beta.prompt_caching.messages
            two = api.beta.prompt_caching
            text = "x"
            three = text.beta.prompt_caching.messages
        """
    )
    (reference,) = built.module_facts.prompt_caching_references
    assert not reference.client_resolved
    assert reference.chain.attr.value == "messages"


def test_references_are_found_without_the_source_text():
    source = """
        import anthropic
        client = anthropic.Anthropic()
        create = client.beta.prompt_caching.messages.create
        """
    _, with_text = _facts(source)
    _, without = _facts(source, with_text=False)
    assert len(with_text.module_facts.prompt_caching_references) == 1
    assert len(without.module_facts.prompt_caching_references) == 1


def test_a_module_without_any_holds_empty_facts():
    _, built = _facts(
        """
        import anthropic
        client = anthropic.Anthropic()
        """
    )
    facts = built.module_facts
    assert facts.batch_calls == () and facts.client_constructors == () and facts.prompt_caching_references == ()
