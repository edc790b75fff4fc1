"""Linting one decoded file: analyse, keep what is selected and not `# noqa`-ed, fix when asked.

Pure: a SourceFile and a LintRequest in, a FileResult out; nothing is read or written. The
scheduler calls it for each file it analyses (in this process or in a worker), the runner for
stdin; a notebook goes to `run.notebooks`.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from cachelint.core.diagnostics import Diagnostic
from cachelint.core.errors import CachelintError, FileError, FileWarning
from cachelint.fix.apply import AppliedFix, RejectedFix, fix_text, is_applicable
from cachelint.run.results import FileResult, LintRequest, diagnostic_order
from cachelint.source.filekinds import is_notebook_path
from cachelint.source.files import SourceFile, decode_source


class _RemainingFindings:
    """text -> the findings left after selection and `# noqa`; remembers the last analysis."""

    def __init__(self, path: str, request: LintRequest):
        self.path = path
        self.request = request
        self.last_analysis = None

    def __call__(self, text: str) -> Tuple[Diagnostic, ...]:
        from cachelint.run.analysis import analyze_text
        from cachelint.run.noqa import unsuppressed

        self.last_analysis = analyze_text(text, self.path, self.request.options)
        reportable = (
            d for d in self.last_analysis.diagnostics if d.code in self.request.reportable_codes
        )
        return tuple(sorted(unsuppressed(reportable, text), key=diagnostic_order))


def lint_source(
    source: SourceFile, request: LintRequest, absolute_path: Optional[str] = None
) -> FileResult:
    """Analyse (and, when asked, fix) one decoded file. Pure: reads and writes nothing."""
    if is_notebook_path(source.path):
        from cachelint.run.notebooks import lint_notebook  # cell joining and mapping: notebooks only

        return lint_notebook(source, request, absolute_path)
    remaining = _RemainingFindings(source.path, request)
    diagnostics = remaining(source.text)
    text = source.text
    fixed: Tuple[AppliedFix, ...] = ()
    rejected: Tuple[RejectedFix, ...] = ()
    warnings: List[FileWarning] = []
    if request.fix and any(is_applicable(d.fix, request.unsafe_fixes) for d in diagnostics):
        outcome = fix_text(
            source.text,
            remaining,
            unsafe_fixes=request.unsafe_fixes,
            newline=source.newline,
            diagnostics=diagnostics,
        )
        text, diagnostics, fixed, rejected = (
            outcome.text,
            outcome.remaining,
            outcome.applied,
            outcome.rejected,
        )
        warnings.extend(
            FileWarning(
                source.path,
                f"{r.code} fix at {r.location.row}:{r.location.column} dropped: {r.reason}",
            )
            for r in rejected
        )
        if not outcome.converged:
            warnings.append(
                FileWarning(
                    source.path,
                    f"fixes did not converge after {outcome.passes} passes; some were not applied",
                )
            )
    return FileResult(
        path=source.path,
        absolute_path=absolute_path or source.path,
        diagnostics=diagnostics,
        unknown_sites=remaining.last_analysis.unknown_sites,
        original_text=source.text,
        text=text,
        fixed=fixed,
        rejected_fixes=rejected,
        warnings=tuple(warnings),
        encoding=source.encoding,
    )


def lint_bytes(
    path: str, raw: bytes, request: LintRequest, absolute_path: Optional[str] = None
) -> FileResult:
    """`lint_source` for data that did not come from a file on disk (stdin, tests)."""
    try:
        source = decode_source(raw, path)
    except CachelintError as error:
        return FileResult(
            path=path, absolute_path=absolute_path or path, error=FileError(path, error.reason)
        )
    return lint_source(source, request, absolute_path)
