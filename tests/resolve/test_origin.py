"""Where a value came from (`Origin`): an enum that still prints as the word it always was."""

from __future__ import annotations

import json

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import Origin

HEAD = "import anthropic\nclient = anthropic.Anthropic()\n"


def _system(body: str, system: str):
    """The system segment of the one request in `body` (CALL marks a call passing `system`)."""
    call = f"client.messages.create(model='claude-sonnet-4-5', max_tokens=5, system={system}, messages=[])"
    source = HEAD + body.replace("CALL", call)
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    built = build_requests(wrapper, "x.py", AnalysisOptions())
    assert len(built.requests) == 1
    return built.requests[0].system


def _value(source: str, expression: str):
    """What `expression` (the value of the last line, `X = ...`) resolves to."""
    module = cst.parse_module(source + f"X = {expression}\n")
    resolver = Resolver(MetadataWrapper(module, unsafe_skip_copy=True), "x.py")
    return resolver.resolve(module.body[-1].body[0].value)


def test_segment_origins():
    assert _system("CALL\n", "'You are terse.'").origin is Origin.LITERAL
    assert _system("PROMPT = 'You are terse.'\nCALL\n", "PROMPT").origin is Origin.CONSTANT
    assert _system("def f():\n    prompt = 'Terse.'\n    return CALL\n", "prompt").origin is Origin.LOCAL
    assert _system("def f(prompt):\n    return CALL\n", "prompt").origin is Origin.PARAMETER
    assert _system("FILE_TEXT = open('p.md').read()\nCALL\n", "FILE_TEXT").origin is Origin.FILE
    splat = "def f(params):\n    return client.messages.create(model='m', max_tokens=5, messages=[], **params)\n"
    assert _system(splat, "").origin is Origin.SPLAT


def test_value_origins():
    assert _value("", "{'a', 'b'}").origin is Origin.SET
    assert _value("", "sorted(['b', 'a'])").origin is Origin.SORTED
    assert _value("", "[x for x in 'ab']").origin is Origin.COMPREHENSION
    assert _value("import json\n", "json.dumps({'a': 1})").origin is Origin.JSON
    assert _value("import time\n", "time.time()").origin is Origin.VOLATILE
    assert _value("from lib import thing\n", "thing").origin is Origin.IMPORT
    assert _value("def f():\n    return 'text'\n", "f()").origin is Origin.FUNCTION
    assert _value("def g(): pass\n", "g").origin is Origin.DEFINITION
    assert _value("", "open_it()").origin is Origin.CALL


def test_augmented_assignments_concatenate():
    value = _value("PROMPT = 'a'\nPROMPT += 'b'\n", "PROMPT")
    assert value.text == "ab"


def test_origin_prints_and_serialises_as_its_word():
    assert str(Origin.PARAMETER) == "parameter"
    assert f"{Origin.SPLAT}" == "splat"
    assert f"{Origin.FILE:>6}" == "  file"
    assert Origin.CONSTANT == "constant"
    assert json.dumps({"origin": Origin.LOCAL}) == '{"origin": "local"}'
    assert Origin("attribute") is Origin.ATTRIBUTE
