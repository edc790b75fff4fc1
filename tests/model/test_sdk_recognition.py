"""Which calls are recognised as SDK request methods, with which client facts."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from cachelint.core.options import AnalysisOptions
from cachelint.model.request import Platform
from cachelint.model.requests import build_requests

FIXTURES = Path(__file__).parents[1] / "fixtures" / "recognition"


def _recognised(source: str, path: str = "x.py"):
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    built = build_requests(wrapper, path, AnalysisOptions())
    positions = wrapper.resolve(PositionProvider)
    return {positions[c.node].start.line: c for c in built.calls}, built


def _marked_lines(source: str, marker: str = "# sdk"):
    return {i for i, line in enumerate(source.splitlines(), 1) if line.rstrip().endswith(marker)}


def test_every_client_and_method_shape_is_recognised():
    source = (FIXTURES / "clients.py").read_text()
    found, _ = _recognised(source)
    assert set(found) == _marked_lines(source)


def test_lookalikes_are_never_recognised():
    source = (FIXTURES / "lookalikes.py").read_text()
    found, _ = _recognised(source)
    assert found == {}


def test_client_facts():
    source = (FIXTURES / "clients.py").read_text()
    found, _ = _recognised(source)
    by_text = {}
    for line, call in found.items():
        by_text[source.splitlines()[line - 1].strip().split("(")[0]] = call
    assert by_text["bedrock.messages.create"].platform is Platform.BEDROCK
    assert by_text["vertex.messages.create"].platform is Platform.VERTEX
    assert by_text["foundry.messages.create"].platform is Platform.FOUNDRY
    assert by_text["client.beta.messages.create"].namespace == "beta.messages"
    assert by_text["client.beta.prompt_caching.messages.create"].namespace == "beta.prompt_caching.messages"
    assert by_text["client.messages.count_tokens"].is_free
    assert by_text["await client_param.messages.create"].is_async is True
    assert by_text["return self.client.messages.create"].platform is Platform.ANTHROPIC
    assert by_text["return await self.fast.messages.create"].is_async is True
    keyword_only = by_text["return llm.messages.create"]
    assert keyword_only.recognised_by == "keywords" and keyword_only.platform is Platform.UNKNOWN


def test_batch_requests_become_requests():
    source = '''
import anthropic
client = anthropic.Anthropic()
SYSTEM = "x" 
def run(docs):
    client.messages.batches.create(requests=[
        {"custom_id": f"d{i}", "params": {"model": "claude-sonnet-4-5", "max_tokens": 5, "system": SYSTEM,
                                          "messages": [{"role": "user", "content": d}]}}
        for i, d in enumerate(docs)
    ])
'''
    _, built = _recognised(source)
    assert len(built.requests) == 1
    request = built.requests[0]
    assert request.in_batch and request.model == "claude-sonnet-4-5"
    assert request.system.text is not None and request.system.text.text == "x"
