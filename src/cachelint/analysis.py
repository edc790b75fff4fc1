"""Analyse one file's text: parse -> resolve -> request model -> rules -> diagnostics.

This is the one entry point the runner calls per file (in-process or in a worker). It takes and
returns plain values only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

from cachelint.diagnostics import Diagnostic, Location, UnknownSite
from cachelint.options import AnalysisOptions


@dataclass(frozen=True)
class FileAnalysis:
    diagnostics: Tuple[Diagnostic, ...] = ()
    unknown_sites: Tuple[UnknownSite, ...] = ()
    recognised_calls: int = 0
    syntax_error: bool = False


def analyze_text(
    text: str,
    path: str,
    options: AnalysisOptions = AnalysisOptions(),
    project: Optional["object"] = None,
) -> FileAnalysis:
    """Lint `text` (the decoded contents of `path`). Never raises for bad Python: a file that does
    not parse yields one CL000 finding at the error position."""
    import libcst as cst

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return FileAnalysis(diagnostics=(_syntax_error(error, path, options),), syntax_error=True)
    except (RecursionError, MemoryError) as error:  # pathological nesting
        return FileAnalysis(
            diagnostics=(
                Diagnostic(
                    code="CL000",
                    name="invalid-syntax",
                    message=f"could not parse: {type(error).__name__}",
                    path=path,
                    location=Location(1, 1),
                    end_location=Location(1, 1),
                ),
            ),
            syntax_error=True,
        )

    from cachelint.engine import run_rules

    if project is None:
        from cachelint.project import project_for

        project = project_for(path)
    return run_rules(module, text, path, options, project)


def _syntax_error(error, path: str, options: AnalysisOptions) -> Diagnostic:
    message = str(error.message) if hasattr(error, "message") else str(error)
    first_line = message.strip().splitlines()[0] if message.strip() else "invalid syntax"
    row = max(1, int(getattr(error, "raw_line", 1) or 1))
    column = max(1, int(getattr(error, "raw_column", 0) or 0) + 1)
    return Diagnostic(
        code="CL000",
        name="invalid-syntax",
        message=f"SyntaxError: {first_line}",
        path=path,
        location=Location(row, column),
        end_location=Location(row, column),
    )
