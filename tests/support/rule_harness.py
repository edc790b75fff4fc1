"""Shared helpers for the rule tests: lint a source, fix it with the product's own fixer (the
runner and fix loop `cachelint fix` uses), read fixture markers, and check or rewrite goldens.

Goldens are rewritten instead of compared when `CACHELINT_UPDATE_GOLDENS=1` is set:
    CACHELINT_UPDATE_GOLDENS=1 python -m pytest tests/rules/test_rule_fixtures.py
then review the change with `git diff tests/fixtures`.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Iterable, List, Optional, Set, Tuple

from cachelint.config.settings import SelectionLayer, Settings, build_settings, discover_config
from cachelint.core.codes import SYNTAX_ERROR_CODE
from cachelint.core.diagnostics import Applicability, Diagnostic
from cachelint.core.options import AnalysisOptions
from cachelint.run.analysis import analyze_text
from cachelint.run.runner import FileResult, LintRequest, fix_paths, lint_bytes, request_for

MARKER = re.compile(r"#\s*((?:CL\d{3}[ ,]*)+)\s*$")
UPDATE_GOLDENS = os.environ.get("CACHELINT_UPDATE_GOLDENS") == "1"


def lint(source: str, path: str = "example.py", options: AnalysisOptions = AnalysisOptions()) -> List[Diagnostic]:
    return list(analyze_text(source, path, options).diagnostics)


def fix_source(
    source: str,
    codes: Iterable[str],
    level: Applicability = Applicability.SAFE,
    path: str = "example.py",
    options: AnalysisOptions = AnalysisOptions(),
) -> FileResult:
    """What `cachelint fix --select CODES` (plus `--unsafe-fixes` at UNSAFE) does to `source`
    read from `path`: only the selected rules run, and the runner's fix loop applies their fixes.
    `options` carries the rest of the configuration (target-sdk...)."""
    selected = frozenset(codes)
    request = LintRequest(
        options=replace(options, enabled_codes=selected | {SYNTAX_ERROR_CODE}),
        reportable_codes=selected,
        fix=True,
        unsafe_fixes=level is Applicability.UNSAFE,
    )
    return _checked(lint_bytes(path, source.encode("utf-8"), request))


def cli_settings(path: Path, codes: Iterable[str]) -> Settings:
    """The settings of `cachelint fix --select CODES PATH`: the configuration found from PATH
    (like the command line, the nearest pyproject.toml decides target-sdk) plus the selection."""
    selection = SelectionLayer(select=tuple(sorted(codes)), origin="--select")
    return build_settings(discover_config([str(path)]), selection)


def fix_file(path: Path, code: str, level: Applicability) -> FileResult:
    """What `cachelint fix --select CODE [--unsafe-fixes] PATH` would write (nothing is written)."""
    result = fix_paths(
        [str(path)], cli_settings(path, [code]), unsafe_fixes=level is Applicability.UNSAFE, write=False
    )
    (only,) = result.files
    return _checked(only)


def fix_text_as(path: Path, text: str, code: str, level: Applicability) -> FileResult:
    """`fix_file` for `text` standing in for the contents of `path` (same settings, same runner)."""
    request = request_for(
        cli_settings(path, [code]), str(path), fix=True, unsafe_fixes=level is Applicability.UNSAFE
    )
    return _checked(lint_bytes(str(path), text.encode("utf-8"), request))


def _checked(result: FileResult) -> FileResult:
    assert result.error is None, result.error.one_line()
    return result


def read_text(path: Path) -> str:
    """A fixture's text exactly as on disk (line endings kept)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def check_golden(golden: Path, expected: Optional[str]) -> None:
    """The golden file holds `expected`; None: there is no golden file. With
    CACHELINT_UPDATE_GOLDENS=1 the golden is written (or removed) instead."""
    if UPDATE_GOLDENS:
        if expected is None:
            if golden.exists():
                golden.unlink()
        else:
            with open(golden, "w", encoding="utf-8", newline="") as handle:
                handle.write(expected)
        return
    if expected is None:
        assert not golden.exists(), f"{golden.name} is not needed: regenerate with CACHELINT_UPDATE_GOLDENS=1"
    else:
        assert golden.exists(), f"{golden.name} is missing: regenerate with CACHELINT_UPDATE_GOLDENS=1"
        assert read_text(golden) == expected, f"{golden.name} differs: regenerate with CACHELINT_UPDATE_GOLDENS=1 and review"


def expected_markers(source: str) -> Set[Tuple[int, str]]:
    """`# CL001` (or `# CL001, CL003`) at the end of a line: those codes are expected on it."""
    expected = set()
    for row, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            for code in re.findall(r"CL\d{3}", match.group(1)):
                expected.add((row, code))
    return expected
