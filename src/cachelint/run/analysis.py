"""Analyse one file's text: parse -> resolve -> request model -> rules -> diagnostics.

This is the one entry point the runner calls per file (in-process or in a worker). It takes and
returns plain values only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional, Tuple

from cachelint.core.codes import SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME
from cachelint.core.diagnostics import Diagnostic, Location
from cachelint.core.options import AnalysisOptions

if TYPE_CHECKING:
    from cachelint.run.engine import FileAnalysis


def analyze_text(
    text: str,
    path: str,
    options: AnalysisOptions = AnalysisOptions(),
    project: Optional["object"] = None,
) -> FileAnalysis:
    """Lint `text` (the decoded contents of `path`). Never raises for bad Python: a file that does
    not parse yields one CL000 finding at the error position."""
    # Imported here, not above: a run whose files all fail the prefilter loads no libcst.
    import libcst as cst

    from cachelint.run.engine import FileAnalysis, run_rules

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return FileAnalysis(diagnostics=(_syntax_error(error, text, path),), syntax_error=True)
    except (RecursionError, MemoryError) as error:  # pathological nesting
        return FileAnalysis(
            diagnostics=(
                Diagnostic(
                    code=SYNTAX_ERROR_CODE,
                    name=SYNTAX_ERROR_NAME,
                    message=f"could not parse: {type(error).__name__}",
                    path=path,
                    location=Location(1, 1),
                    end_location=Location(1, 1),
                ),
            ),
            syntax_error=True,
        )

    if project is None:
        from cachelint.resolve.project import project_for

        project = project_for(path)
    return run_rules(module, text, path, options, project)


def _syntax_error(error, source: str, path: str) -> Diagnostic:
    """CL000 at the error's position, with CPython's own wording when it agrees the file is
    invalid (its positions and messages are the ones users know); libcst's otherwise."""
    row, column, message = _cpython_syntax_error(error, source)
    return Diagnostic(
        code=SYNTAX_ERROR_CODE,
        name=SYNTAX_ERROR_NAME,
        message=f"SyntaxError: {message}",
        path=path,
        location=Location(row, column),
        end_location=Location(row, column),
    )


def _cpython_syntax_error(error, source: str) -> Tuple[int, int, str]:
    try:
        compile(source, "<cachelint>", "exec", dont_inherit=True)
    except SyntaxError as cpython:
        return max(1, cpython.lineno or 1), max(1, cpython.offset or 1), cpython.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    text = str(getattr(error, "message", error))
    match = re.search(r"error at (\d+):(\d+): (.*)", text)
    if match:
        detail = match.group(3)
        if len(detail) > 80:
            detail = detail[:77] + "..."
        return max(1, int(match.group(1))), int(match.group(2)) + 1, detail
    first = text.strip().splitlines()[0] if text.strip() else "invalid syntax"
    return max(1, int(getattr(error, "raw_line", 1) or 1)), 1, first
