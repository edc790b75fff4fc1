"""What is wrong with an invalid `cache_control` marker, and its one right correction, as the
model reads them (`Marker.problem_kind`, `Marker.correction`)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.request import MarkerEditKind, MarkerProblem


def _marker(block_marker: str, prelude: str = ""):
    source = textwrap.dedent(
        f"""
        import anthropic
        client = anthropic.Anthropic()
        {prelude}
        client.messages.create(model="m", max_tokens=5, messages=[],
                               system=[{{"type": "text", "text": "Policy.", {block_marker}}}])
        """
    )
    module = cst.parse_module(source)
    built = build_requests(MetadataWrapper(module, unsafe_skip_copy=True), "example.py", AnalysisOptions(), text=source)
    (block,) = built.requests[0].system.blocks
    return module, block.marker


def _steps(module, marker):
    return [(e.kind, e.text, module.code_for_node(e.node)) for e in marker.correction.edits]


def test_a_valid_marker_has_no_problem():
    _, marker = _marker('"cache_control": {"type": "ephemeral", "ttl": "1h"}')
    assert marker.valid and marker.problem_kind is None and marker.correction is None


@pytest.mark.parametrize(
    "written, problem, steps",
    [
        ("'cache_control': 'ephemeral'", MarkerProblem.NOT_A_DICT,
         [(MarkerEditKind.WRITE_DICT, "ephemeral", "'ephemeral'")]),
        ('"cache_control": {"type": "Ephemeral"}', MarkerProblem.WRONG_TYPE,
         [(MarkerEditKind.SET_TYPE, "ephemeral", '"Ephemeral"')]),
        ('"cache_control": {"ttl": "5m"}', MarkerProblem.NO_TYPE,
         [(MarkerEditKind.INSERT_TYPE, "ephemeral", '"ttl"')]),
        ('"cache_control": {"type": "ephemeral", "ttl": 3600}', MarkerProblem.INVALID_TTL,
         [(MarkerEditKind.SET_TTL, "1h", "3600")]),
        ('"cache_control": {"type": "ephemeral", "ttl": "5 minutes"}', MarkerProblem.INVALID_TTL,
         [(MarkerEditKind.SET_TTL, "5m", '"5 minutes"')]),
        ('"cacheControl": {"type": "ephemeral"}', MarkerProblem.MISSPELLED_KEY,
         [(MarkerEditKind.RENAME_KEY, "cache_control", '"cacheControl"')]),
        ('"cache-control": "ephemeral"', MarkerProblem.MISSPELLED_KEY,
         [(MarkerEditKind.RENAME_KEY, "cache_control", '"cache-control"'),
          (MarkerEditKind.WRITE_DICT, "ephemeral", '"ephemeral"')]),
    ],
)
def test_problems_with_an_unambiguous_correction(written, problem, steps):
    module, marker = _marker(written)
    assert marker.valid is False and marker.problem_kind is problem
    assert _steps(module, marker) == steps


@pytest.mark.parametrize(
    "written, problem",
    [
        ('"cache_control": {"type": "persistent"}', MarkerProblem.WRONG_TYPE),
        ('"cache_control": {"type": "ephemeral", "ttl": "10m"}', MarkerProblem.INVALID_TTL),
        ('"cache_control": {"type": "ephemeral", "scope": "org"}', MarkerProblem.UNEXPECTED_KEY),
        ('"cache_control": "persistent"', MarkerProblem.NOT_A_DICT),
        # both spellings: which one to keep is the author's call
        ('"cacheControl": {"type": "ephemeral"}, "cache_control": {"type": "ephemeral"}', MarkerProblem.MISSPELLED_KEY),
    ],
)
def test_problems_without_a_single_right_correction(written, problem):
    _, marker = _marker(written)
    assert marker.valid is False and marker.problem_kind is problem
    assert marker.correction is None


def test_a_correction_follows_a_name_to_the_dict_it_holds():
    module, marker = _marker('"cacheControl": ONE_HOUR', prelude='ONE_HOUR = {"type": "ephemeral", "ttl": 3600}')
    assert marker.problem_kind is MarkerProblem.MISSPELLED_KEY
    assert marker.correction.renames_key and marker.correction.repairs_value
    assert _steps(module, marker) == [
        (MarkerEditKind.RENAME_KEY, "cache_control", '"cacheControl"'),
        (MarkerEditKind.SET_TTL, "1h", "3600"),
    ]
