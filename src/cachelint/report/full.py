"""`--output-format full` (the default): each finding with a code frame, its fix and its cost.

The only module besides `cachelint rule` that uses rich; it renders into a string, in colour
only when the CLI says the terminal wants it.
"""

from __future__ import annotations

import difflib
import io
import re
from typing import Dict, List, Optional

from cachelint.core.diagnostics import Applicability, Diagnostic
from cachelint.fix.apply import apply_edits, is_applicable
from cachelint.report import summary

CONTEXT_LINES = 2
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAB = "    "

_APPLICABILITY_LABELS = {
    Applicability.SAFE: "Safe fix",
    Applicability.UNSAFE: "Unsafe fix",
    Applicability.DISPLAY_ONLY: "Suggestion only",
}
_HELP_NOTES = {
    Applicability.UNSAFE: "unsafe fix: applied only with --unsafe-fixes",
    Applicability.DISPLAY_ONLY: "suggestion only: never applied automatically",
}


def render(result, context) -> str:
    if not result.diagnostics and not context.color and not (context.fix_mode and context.show_fixes):
        # Nothing to frame and no styling: the footer alone, without loading rich (the common
        # pre-commit run over files without SDK calls).
        return summary.footer(result, context) + "\n"
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=context.color,
        color_system="auto" if context.color else None,
        no_color=not context.color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=200,
    )
    texts: Dict[str, Optional[str]] = {f.path: f.text for f in result.files}
    for diagnostic in result.diagnostics:
        text = texts.get(diagnostic.path)
        if diagnostic.cell is not None:  # a notebook: frame and fix refer to the cell's source
            from cachelint.source.notebook import cell_source

            text = cell_source(text, diagnostic.cell)
        _render_diagnostic(console, Text, diagnostic, text, context)
        console.print()
    if context.fix_mode and context.show_fixes:
        console.print(Text(summary.fixed_listing(result)))
        console.print()
    console.print(Text(summary.footer(result, context), style="bold"))
    return buffer.getvalue()


def _render_diagnostic(console, Text, d: Diagnostic, text: Optional[str], context) -> None:
    heading = Text()
    heading.append(d.path, style="bold")
    heading.append(f":{summary.position(d)}: ", style="cyan")
    heading.append(d.code, style="bold red")
    if is_applicable(d.fix, context.unsafe_fixes):
        heading.append(" [*]", style="cyan")
    heading.append(" " + d.message)
    console.print(heading)
    if text is not None:
        for gutter, body, style in _code_frame(d, text):
            console.print(_styled(Text, gutter, body, style))
    if d.fix is not None:
        note = Text("  = help: ", style="bold cyan")
        note.append(d.fix.message)
        if d.fix.applicability in _HELP_NOTES:
            note.append(f" ({_HELP_NOTES[d.fix.applicability]})", style="dim")
        console.print(note)
    if d.cost is not None:
        console.print(Text("  = cost: ", style="bold cyan") + Text(summary.cost_phrase(d.cost)))
    if (
        context.show_fixes
        and not context.fix_mode
        and d.fix is not None
        and d.fix.edits
        and text is not None
    ):
        _render_fix_diff(console, Text, d, text)


def _styled(Text, gutter: str, body: str, style: Optional[str]):
    if not body.strip():
        gutter, body = gutter.rstrip(), ""
    line = Text(gutter, style="bold blue")
    line.append(body, style=style or "")
    return line


def _code_frame(d: Diagnostic, text: str) -> List[tuple]:
    row = d.location.row
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "" and row < len(lines):
        lines.pop()  # the empty "line" after a final newline, unless the finding is on it
    if not lines or row > len(lines):
        return []
    first = max(1, row - CONTEXT_LINES)
    last = min(len(lines), row + CONTEXT_LINES)
    width = len(str(last))
    blank_gutter = " " * (width + 1) + "|"
    frame = [(blank_gutter, "", None)]
    for number in range(first, last + 1):
        line = lines[number - 1]
        frame.append((f"{number:>{width}} | ", line.replace("\t", _TAB), None))
        if number == row:
            start = d.location.column - 1
            end = d.end_location.column - 1 if d.end_location.row == row else len(line)
            prefix = line[:start].replace("\t", _TAB)
            marked = line[start:end].replace("\t", _TAB)
            carets = "^" * max(1, len(marked))
            frame.append(
                (blank_gutter + " ", " " * len(prefix) + carets + " " + d.code, "bold red")
            )
    frame.append((blank_gutter, "", None))
    return frame


def _render_fix_diff(console, Text, d: Diagnostic, text: str) -> None:
    fixed = apply_edits(text, d.fix.edits)
    before = text.splitlines(keepends=True)
    after = fixed.splitlines(keepends=True)
    console.print(Text(f"  \u2139 {_APPLICABILITY_LABELS[d.fix.applicability]}", style="italic"))
    for line in list(difflib.unified_diff(before, after, n=1))[2:]:
        body = line.rstrip("\r\n")
        style = "green" if body.startswith("+") else ("red" if body.startswith("-") else "dim")
        console.print(Text("    " + body, style=style))
