"""fix/arguments.py: a keyword added after a call's last argument, in the call's own layout."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from cachelint.core.diagnostics import Applicability
from cachelint.core.options import AnalysisOptions
from cachelint.fix.apply import apply_edits
from cachelint.fix.arguments import keyword_after_last_argument
from cachelint.fix.edits import resolve_fix
from cachelint.fix.intents import FixSpec
from cachelint.rules.context import RuleContext

KEYWORD = 'cache_control={"type": "ephemeral"}'


def _added(source: str) -> str:
    module = cst.parse_module(source)
    ctx = RuleContext(module, MetadataWrapper(module, unsafe_skip_copy=True), source, "x.py", AnalysisOptions())
    call = module.body[0].body[0].value
    intents = keyword_after_last_argument(ctx, call, KEYWORD)
    assert intents is not None
    fix = resolve_fix(FixSpec("add", Applicability.SAFE, intents), module, ctx.span, ctx.parents, ctx.lines.location)
    return apply_edits(source, fix.edits)


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param("f(a, b=1)\n", f"f(a, b=1, {KEYWORD})\n", id="one-line"),
        pytest.param("f(\n    a,\n    b=1,\n)\n", f"f(\n    a,\n    b=1,\n    {KEYWORD},\n)\n", id="one-per-line-trailing-comma"),
        pytest.param("f(\n    a,\n    b=1\n)\n", f"f(\n    a,\n    b=1,\n    {KEYWORD}\n)\n", id="one-per-line-no-comma"),
        pytest.param(
            "f(\n    a,\n    b=1,  # keep\n)\n", f"f(\n    a,\n    b=1,  # keep\n    {KEYWORD},\n)\n", id="comment-after-comma"
        ),
        pytest.param(
            "f(\n    a,\n    b=1  # keep\n)\n", f"f(\n    a,\n    b=1,  # keep\n    {KEYWORD}\n)\n", id="comment-no-comma"
        ),
    ],
)
def test_keyword_after_last_argument(before: str, after: str) -> None:
    assert _added(before) == after


def test_no_insertion_without_arguments() -> None:
    module = cst.parse_module("f()\n")
    ctx = RuleContext(module, MetadataWrapper(module, unsafe_skip_copy=True), "f()\n", "x.py", AnalysisOptions())
    call = module.body[0].body[0].value
    assert keyword_after_last_argument(ctx, call, KEYWORD) is None
    assert keyword_after_last_argument(ctx, None, KEYWORD) is None
