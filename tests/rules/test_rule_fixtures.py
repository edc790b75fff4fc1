"""Fixture files per rule: `tests/fixtures/rules/<CODE>/<name>.py` whose bad lines end in
`# <CODE>`, with goldens compared byte for byte:
- `<name>.fixed.py`: what `cachelint fix --select <CODE> <name>.py` writes, when it changes the file;
- `<name>.unsafe.fixed.py`: the same with `--unsafe-fixes`, when that goes further than the safe fixes;
- `<name>.model.json`: the request model the rules receive for the file (`cachelint.model.snapshot`).
`CACHELINT_UPDATE_GOLDENS=1` rewrites the goldens with the product's fixer and model instead.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from cachelint.core.diagnostics import Applicability
from cachelint.fix.apply import is_applicable
from cachelint.model.snapshot import file_snapshot, to_json
from tests.support.rule_harness import check_golden, expected_markers, fix_file, fix_text_as, lint, read_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"


def _inputs():
    for path in sorted(FIXTURES.glob("CL*/*.py")):
        if path.name.endswith(".fixed.py"):
            continue
        yield pytest.param(path, id=f"{path.parent.name}/{path.name}")


def _golden(path: Path, suffix: str) -> Path:
    return path.with_name(path.stem + suffix)


@pytest.mark.parametrize("path", list(_inputs()))
def test_findings_match_markers(path):
    code = path.parent.name
    source = read_text(path)
    expected = {(row, c) for row, c in expected_markers(source) if c == code}
    found = {(d.location.row, d.code) for d in lint(source, str(path)) if d.code == code}
    assert found == expected


@pytest.mark.parametrize("path", list(_inputs()))
def test_fix_goldens(path):
    code = path.parent.name
    source = read_text(path)
    safe = fix_file(path, code, Applicability.SAFE)
    unsafe = fix_file(path, code, Applicability.UNSAFE)
    # a golden exists only where it shows something new: no golden, no applicable fix at all
    check_golden(_golden(path, ".fixed.py"), safe.text if safe.text != source else None)
    check_golden(_golden(path, ".unsafe.fixed.py"), unsafe.text if unsafe.text != safe.text else None)
    for level, result in ((Applicability.SAFE, safe), (Applicability.UNSAFE, unsafe)):
        cst.parse_module(result.text)
        # fixing the fixed file again changes nothing. The fix loop's last lint was of the final
        # text: when it left no applicable fix, a second run would apply none either.
        unsafe_fixes = level is Applicability.UNSAFE
        if any(is_applicable(d.fix, unsafe_fixes) for d in result.diagnostics):
            assert fix_text_as(path, result.text, code, level).text == result.text


@pytest.mark.parametrize("path", list(_inputs()))
def test_request_model_snapshots(path):
    check_golden(_golden(path, ".model.json"), to_json(file_snapshot(read_text(path), str(path))))
