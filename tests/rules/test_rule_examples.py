"""Every rule's VALID and INVALID examples, run as tests: docs and behaviour cannot drift."""

from __future__ import annotations

import libcst as cst
import pytest

from cachelint.core.diagnostics import Applicability
from cachelint.rules import RULES
from tests.support.rule_harness import fix_source, lint


def _cases(kind):
    for rule in RULES:
        examples = rule.VALID if kind == "valid" else rule.INVALID
        for index, example in enumerate(examples):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")


@pytest.mark.parametrize("rule,example", list(_cases("valid")))
def test_valid_example_is_silent(rule, example):
    found = [d for d in lint(example.source, example.path) if d.code == rule.code]
    assert found == [], [d.message for d in found]


@pytest.mark.parametrize("rule,example", list(_cases("invalid")))
def test_invalid_example_is_reported(rule, example):
    found = [d for d in lint(example.source, example.path) if d.code == rule.code]
    assert found, f"{rule.code} did not fire on its INVALID example"
    for diagnostic in found:
        assert diagnostic.name == rule.name
    if example.message is not None:
        assert any(example.message in d.message for d in found), [d.message for d in found]


@pytest.mark.parametrize("rule,example", [c for c in _cases("invalid") if c.values[1].fixed is not None])
def test_invalid_example_fix(rule, example):
    fixed = fix_source(example.source, {rule.code}, example.applicability, example.path).text
    assert fixed == example.fixed_source
    cst.parse_module(fixed)
    # fixing again changes nothing, and the rule is satisfied
    assert fix_source(fixed, {rule.code}, example.applicability, example.path).text == fixed
    assert not [d for d in lint(fixed, example.path) if d.code == rule.code and d.fix and d.fix.edits
                and d.fix.applicability.rank <= example.applicability.rank]


@pytest.mark.parametrize(
    "rule,example",
    [
        c
        for c in _cases("invalid")
        if c.values[1].fixed is not None and c.values[1].applicability is not Applicability.SAFE
    ],
)
def test_fix_needs_its_applicability(rule, example):
    """An UNSAFE example's fix must not be applied by a safe-only run."""
    assert fix_source(example.source, {rule.code}, Applicability.SAFE, example.path).text == example.source


def test_every_rule_documents_itself():
    for rule in RULES:
        docs = rule.documentation()
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
            assert heading in docs, f"{rule.code} docs lack {heading!r}"
        assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"
        assert rule.fix_availability in ("always", "sometimes", "none")
        has_fixed_example = any(e.fixed is not None for e in rule.INVALID)
        assert has_fixed_example == (rule.fix_availability != "none"), rule.code
