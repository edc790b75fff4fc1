"""The request-model snapshot (`cachelint.model.snapshot`): generic over the model's dataclass
fields, without the CST nodes, stable, and loud about values that are not model data."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from typing import Any

import pytest

from cachelint.model.request import BlockKind, Marker, Ttl
from cachelint.resolve.text import Piece, Staticness, TextValue
from cachelint.model.snapshot import LONG_TEXT, file_snapshot, snapshot, to_json

SOURCE = textwrap.dedent(
    '''
    import anthropic

    client = anthropic.Anthropic()


    def ask(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            messages=[{"role": "user", "content": question}],
        )
    '''
).lstrip()


def test_node_fields_are_left_out_and_enums_are_spelled_as_users_know_them():
    marker = Marker(ttl=Ttl.ONE_HOUR, valid=True, node=object(), key_node=object())
    assert snapshot(marker) == {
        "ttl": "1h", "valid": True, "problem": None, "key": "cache_control", "problem_kind": None, "correction": None
    }
    assert snapshot(BlockKind.TOOL_RESULT) == "tool_result"
    assert snapshot(Staticness.PER_CALL) == "PER_CALL"  # an IntEnum: its name, not its number


def test_nested_values_become_plain_data():
    value = TextValue(pieces=(Piece(Staticness.STATIC, "Hi ", 3), Piece(Staticness.PER_CALL, description="`name`")))
    assert snapshot(value) == {
        "pieces": [
            {"staticness": "STATIC", "text": "Hi ", "chars": 3, "description": "", "cause": None},
            {"staticness": "PER_CALL", "text": None, "chars": None, "description": "`name`", "cause": None},
        ],
        "origin": "literal",
    }
    assert snapshot(frozenset({"b", "a"})) == ["a", "b"]
    assert snapshot({"z": (1,), "a": None}) == {"a": None, "z": [1]}


def test_a_field_added_to_the_model_appears_without_a_change_to_the_serializer():
    @dataclass(frozen=True)
    class WithNewFact:
        fact: Staticness
        node: Any = field(default=None, compare=False)

    assert snapshot(WithNewFact(Staticness.VOLATILE, node=object())) == {"fact": "VOLATILE"}


def test_long_texts_keep_their_start_and_length():
    text = "x" * (LONG_TEXT + 1)
    shown = snapshot(text)
    assert shown.startswith("xxx") and shown.endswith(f"... ({LONG_TEXT + 1} chars)")
    assert snapshot("x" * LONG_TEXT) == "x" * LONG_TEXT


def test_values_that_are_not_model_data_name_their_field():
    @dataclass(frozen=True)
    class Leaky:
        node: Any = None  # a CST node kept without compare=False

    with pytest.raises(TypeError, match=r"value\.node holds a object"):
        snapshot(Leaky(object()))


def test_file_snapshot_lists_each_request_with_its_line():
    data = file_snapshot(SOURCE, "example.py")
    (entry,) = data["requests"]
    assert entry["line"] == 7
    request = entry["request"]
    assert request["model"] == "claude-sonnet-4-5"
    assert request["call"]["method"] == "create"
    (block,) = request["system"]["blocks"]
    assert block["marker"]["ttl"] == "1h"
    assert request["messages"]["blocks"][0]["content"] == "PER_CALL"
    assert json.loads(to_json(data)) == data


def test_a_file_without_requests():
    assert file_snapshot("print('hello')\n", "example.py") == {"requests": []}
