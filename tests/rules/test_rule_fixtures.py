"""Fixture files per rule: `tests/fixtures/rules/<CODE>/<name>.py` whose bad lines end in
`# <CODE>`, with optional goldens `<name>.fixed.py` (safe fixes) and `<name>.unsafe.fixed.py`
(safe + unsafe fixes), compared byte for byte."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from cachelint.core.diagnostics import Applicability
from tests.support.rule_harness import apply_fixes, expected_markers, lint

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"


def _inputs():
    for path in sorted(FIXTURES.glob("CL*/*.py")):
        if path.name.endswith(".fixed.py"):
            continue
        yield pytest.param(path, id=f"{path.parent.name}/{path.name}")


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.mark.parametrize("path", list(_inputs()))
def test_findings_match_markers(path):
    code = path.parent.name
    source = _read(path)
    expected = {(row, c) for row, c in expected_markers(source) if c == code}
    found = {(d.location.row, d.code) for d in lint(source, str(path)) if d.code == code}
    assert found == expected


@pytest.mark.parametrize("path", list(_inputs()))
def test_fix_goldens(path):
    code = path.parent.name
    source = _read(path)
    checked = False
    for suffix, level in ((".fixed.py", Applicability.SAFE), (".unsafe.fixed.py", Applicability.UNSAFE)):
        golden = path.with_name(path.stem + suffix)
        if not golden.exists():
            continue
        checked = True
        fixed = apply_fixes(source, {code}, level, str(path))
        assert fixed == _read(golden)
        cst.parse_module(fixed)
        assert apply_fixes(fixed, {code}, level, str(path)) == fixed
    if not checked:
        # no golden: the fixture's findings must have no applicable fix at all
        assert apply_fixes(source, {code}, Applicability.UNSAFE, str(path)) == source
