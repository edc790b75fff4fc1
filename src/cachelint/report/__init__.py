"""Output formats: one module per format, each a `render(result, context) -> str` function.

Human formats (full, concise) end with a summary line; machine formats (json, json-lines,
github, sarif) produce only data. Nothing here writes to a stream: the CLI decides where text goes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Tuple

HUMAN_FORMATS: Tuple[str, ...] = ("full", "concise")
MACHINE_FORMATS: Tuple[str, ...] = ("json", "json-lines", "github", "sarif")
OUTPUT_FORMATS: Tuple[str, ...] = HUMAN_FORMATS + MACHINE_FORMATS

_MODULES = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "json-lines": "json_lines",
    "github": "github",
    "sarif": "sarif",
}


@dataclass(frozen=True)
class ReportContext:
    """How the run was invoked, as far as the report wording depends on it."""

    fix_mode: bool = False  # `cachelint fix`: the footer counts fixed and remaining
    unsafe_fixes: bool = False
    show_fixes: bool = False
    color: bool = False
    cwd: str = "."


def is_human(output_format: str) -> bool:
    return output_format in HUMAN_FORMATS


def render(output_format: str, result, context: ReportContext) -> str:
    """The report for `result` in `output_format` (imports only that format's module)."""
    module = importlib.import_module(f"cachelint.report.{_MODULES[output_format]}")
    return module.render(result, context)
