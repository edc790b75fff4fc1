"""Call facts of the request model: every argument as sent, `betas=` flags, `anthropic-beta`
headers, and the batch call a batch request belongs to."""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.calls import ArgumentSource

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"


def _built(body: str):
    source = HEAD + textwrap.dedent(body)
    module = cst.parse_module(source)
    return module, build_requests(MetadataWrapper(module, unsafe_skip_copy=True), "example.py", AnalysisOptions(), text=source)


def _request(body: str):
    module, built = _built(body)
    assert len(built.requests) == 1
    return module, built.requests[0]


def test_a_keyword_written_at_the_call_keeps_its_arg_and_value():
    module, request = _request(
        """
        client.beta.messages.create(model="m", max_tokens=5, messages=[],
                                    betas=["prompt-caching-2024-07-31", "files-api-2025-04-14"])
        """
    )
    betas = request.arguments.sent("betas")
    assert betas.source is ArgumentSource.KEYWORD and betas.written_at_call
    assert isinstance(betas.edit_node, cst.Arg) and betas.edit_node.keyword.value == "betas"
    assert betas.value_node is betas.edit_node.value
    assert betas.beta_flags.names == ("prompt-caching-2024-07-31", "files-api-2025-04-14")
    assert betas.beta_flags.complete and not betas.beta_flags.written_none
    assert [module.code_for_node(f.node) for f in betas.beta_flags.flags] == [
        '"prompt-caching-2024-07-31"', '"files-api-2025-04-14"'
    ]
    assert request.arguments.written("betas") is betas
    assert request.arguments.splatted("betas") is None
    assert request.arguments.written_keywords == ("model", "max_tokens", "messages", "betas")


def test_an_argument_from_a_splatted_dict_points_at_its_dict_element():
    module, request = _request(
        """
        PARAMS = {"model": "m", "max_tokens": 5, "betas": ["prompt-caching-2024-07-31"]}
        client.messages.create(messages=[], **PARAMS)
        """
    )
    betas = request.arguments.sent("betas")
    assert betas.source is ArgumentSource.SPLAT and not betas.written_at_call
    assert isinstance(betas.edit_node, cst.DictElement)
    assert module.code_for_node(betas.edit_node.key) == '"betas"'
    assert betas.value_node is betas.edit_node.value
    assert request.arguments.splatted("betas") is betas
    assert request.arguments.written("betas") is None
    assert betas.beta_flags.only("prompt-caching-2024-07-31")


def test_a_repeated_name_sends_the_last_one():
    _, request = _request(
        """
        EXTRA = {"betas": ["b-2"]}
        client.beta.messages.create(model="m", max_tokens=5, messages=[], **{"betas": ["b-1"]}, **EXTRA)
        """
    )
    assert request.arguments.sent("betas").beta_flags.names == ("b-2",)
    assert request.betas == ("b-2",)


def test_beta_flags_of_none_a_string_and_an_unresolved_value():
    _, none = _request('client.messages.create(model="m", max_tokens=5, messages=[], betas=None)\n')
    assert none.arguments.sent("betas").beta_flags.written_none
    assert not none.arguments.sent("betas").beta_flags.complete
    _, text = _request('client.beta.messages.create(model="m", max_tokens=5, messages=[], betas="b-1")\n')
    assert text.arguments.sent("betas").beta_flags.names == ("b-1",)
    assert text.arguments.sent("betas").beta_flags.complete
    _, unknown = _request(
        """
        from settings import BETAS
        client.beta.messages.create(model="m", max_tokens=5, messages=[], betas=[*BETAS, "b-1"])
        """
    )
    flags = unknown.arguments.sent("betas").beta_flags
    assert flags.names == ("b-1",) and not flags.complete and not flags.only("b-1")


def test_anthropic_beta_headers_of_extra_headers():
    module, request = _request(
        """
        client.messages.create(model="m", max_tokens=5, messages=[],
                               extra_headers={"X-Trace": "1", "Anthropic-Beta": "a-1, prompt-caching-2024-07-31"})
        """
    )
    headers = request.arguments.sent("extra_headers")
    assert len(headers.beta_headers) == 1
    header = headers.beta_headers[0]
    assert header.values == ("a-1", "prompt-caching-2024-07-31")
    assert isinstance(header.entry_node, cst.DictElement)
    assert module.code_for_node(header.value_node) == '"a-1, prompt-caching-2024-07-31"'
    assert request.beta_header == header
    assert request.beta_headers == header.values


def test_batch_requests_belong_to_their_batch_call():
    module, built = _built(
        """
        client.messages.batches.create(
            requests=[
                {"custom_id": "a", "params": {"model": "m", "max_tokens": 5, "messages": [], "betas": ["b-1"]}},
                {"custom_id": "b", "params": {"model": "m", "max_tokens": 5, "messages": []}},
            ],
            extra_headers={"anthropic-beta": "prompt-caching-2024-07-31"},
        )
        """
    )
    assert len(built.requests) == 2
    batch = built.requests[0].batch_call
    assert batch is not None and built.requests[1].batch_call is batch
    assert built.module_facts.batch_calls == (batch,)
    assert batch.call.method == "batches.create" and batch.call.node is not None
    assert batch.arguments.written_keywords == ("requests", "extra_headers")
    assert batch.arguments.written("extra_headers").beta_headers[0].values == ("prompt-caching-2024-07-31",)
    first = built.requests[0]
    assert first.in_batch
    betas = first.arguments.sent("betas")
    assert betas.source is ArgumentSource.BATCH_PARAMS
    assert isinstance(betas.edit_node, cst.DictElement)
    assert first.arguments.written("betas") is None


def test_a_request_outside_a_batch_has_no_batch_call():
    _, request = _request('client.messages.create(model="m", max_tokens=5, messages=[])\n')
    assert request.batch_call is None and not request.in_batch
