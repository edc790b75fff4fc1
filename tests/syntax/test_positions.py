"""Lazy positions (cachelint.syntax.positions) are exactly libcst's PositionProvider positions."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from cachelint.syntax.positions import LazyPositions
from cachelint.syntax.scopes import ModuleIndex
from cachelint.syntax.treewalk import parent_map

REPO = Path(__file__).resolve().parents[2]
# layout variety: CRLF, decorators, elif chains, nested classes, match, f-strings, notebooks' code
SAMPLES = (
    sorted((REPO / "tests" / "fixtures" / "scopes").glob("*.py"))
    + sorted((REPO / "src" / "cachelint").rglob("*.py"))
    + sorted((REPO / "tests" / "fixtures" / "e2e").glob("*.py"))
)


@pytest.mark.slow
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_code_node_has_libcsts_position(path: Path):
    module = cst.parse_module(path.read_bytes())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    index = ModuleIndex(module)
    nodes = list(index.parents)
    random.Random(7).shuffle(nodes)  # statements computed out of order still line up
    positions = LazyPositions(module, index.parents)
    for node in nodes:
        assert node in positions
        assert positions[node] == expected[node], module.code_for_node(node)[:60]
    assert not positions._whole_module


def test_crlf_and_header_comments_keep_lines_exact():
    path = REPO / "tests" / "fixtures" / "scopes" / "crlf_layout.py"
    assert b"\r\n" in path.read_bytes()
    module = cst.parse_module(path.read_bytes())
    index = ModuleIndex(module)
    positions = LazyPositions(module, index.parents)
    last = module.body[-1]
    assert positions[last].start.line == 18  # `if x:` after the shebang, coding line, docstring
    call = index.calls[-1]
    assert positions[call.func].start.line == 13


def test_whitespace_and_punctuation_fall_back_to_a_whole_module_pass():
    module = cst.parse_module("f(a, b)  # note\n")
    index = ModuleIndex(module)
    positions = LazyPositions(module, index.parents)
    call = index.calls[0]
    comma = call.args[0].comma
    assert comma in positions
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert positions[comma] == expected[comma]
    full = LazyPositions(module, parent_map(module))
    assert full[call] == expected[call]


def test_nodes_of_other_modules_are_not_in_the_mapping():
    module = cst.parse_module("x = 1\n")
    other = cst.parse_module("y = 2\n")
    positions = LazyPositions(module, ModuleIndex(module).parents)
    assert other.body[0] not in positions
    assert positions.get(other.body[0]) is None
    assert not positions._whole_module
