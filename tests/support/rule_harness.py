"""Shared helpers for the rule tests: lint a source, apply its fixes, read fixture markers."""

from __future__ import annotations

import re
from typing import Iterable, List, Set, Tuple

from cachelint.run.analysis import analyze_text
from cachelint.core.diagnostics import Applicability, Diagnostic
from cachelint.core.options import AnalysisOptions

MARKER = re.compile(r"#\s*((?:CL\d{3}[ ,]*)+)\s*$")
MAX_PASSES = 10


def lint(source: str, path: str = "example.py", options: AnalysisOptions = AnalysisOptions()) -> List[Diagnostic]:
    return list(analyze_text(source, path, options).diagnostics)


def apply_fixes(
    source: str,
    codes: Iterable[str],
    level: Applicability = Applicability.SAFE,
    path: str = "example.py",
    options: AnalysisOptions = AnalysisOptions(),
) -> str:
    """Apply the fixes of `codes` at `level` or safer, re-linting until nothing changes."""
    codes = set(codes)
    for _ in range(MAX_PASSES):
        fixes = [
            d.fix
            for d in lint(source, path, options)
            if d.code in codes and d.fix is not None and d.fix.edits and d.fix.applicability.rank <= level.rank
        ]
        if not fixes:
            return source
        taken: List[Tuple[int, int]] = []
        chosen = []
        for fix in fixes:
            spans = [(e.start_offset, e.end_offset) for e in fix.edits]
            if any(s < te and ts < e or s == e == ts for s, e in spans for ts, te in taken):
                continue
            taken.extend(spans)
            chosen.extend(fix.edits)
        for edit in sorted(chosen, key=lambda e: (e.start_offset, e.end_offset), reverse=True):
            source = source[: edit.start_offset] + edit.content + source[edit.end_offset :]
    return source


def expected_markers(source: str) -> Set[Tuple[int, str]]:
    """`# CL001` (or `# CL001, CL003`) at the end of a line: those codes are expected on it."""
    expected = set()
    for row, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            for code in re.findall(r"CL\d{3}", match.group(1)):
                expected.add((row, code))
    return expected
