"""Product findings as LSP diagnostics: range, code, severity, rule link, cost line.

A notebook's findings carry their cell (`Diagnostic.cell`, 1-based over all cells) and rows
within it; each is published on that cell's own text document.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from lsprotocol import types

from cachelint.core.codes import SYNTAX_ERROR_CODE
from cachelint.core.diagnostics import Diagnostic
from cachelint.report.sarif import INFORMATION_URI
from cachelint.report.summary import cost_phrase
from cachelint.server.documents import NotebookSnapshot
from cachelint.server.linting import AnySnapshot
from cachelint.server.positions import UTF16, LineIndex

SOURCE = "cachelint"
# The project publishes its rule documentation in the README's "Rules" table (and in
# `cachelint rule CODE`); the hover shows the full text.
RULES_URL = INFORMATION_URI + "#rules"


def rule_url(code: str) -> str:
    return RULES_URL


def severity_of(diagnostic: Diagnostic) -> types.DiagnosticSeverity:
    # A file that does not parse was not checked at all: an error. Findings are warnings, as
    # editors show linters' findings (ruff's server does the same).
    if diagnostic.code == SYNTAX_ERROR_CODE:
        return types.DiagnosticSeverity.Error
    return types.DiagnosticSeverity.Warning


def message_of(diagnostic: Diagnostic) -> str:
    if diagnostic.cost is None:
        return diagnostic.message
    return f"{diagnostic.message}\ncost: {cost_phrase(diagnostic.cost)}"


def to_lsp(diagnostic: Diagnostic, lines: LineIndex) -> types.Diagnostic:
    span = lines.range_of_locations(diagnostic.location, diagnostic.end_location)
    return types.Diagnostic(
        range=span,
        message=message_of(diagnostic),
        severity=severity_of(diagnostic),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule_url(diagnostic.code)),
        source=SOURCE,
        data={"name": diagnostic.name, "fixable": diagnostic.fix is not None},
    )


def text_of_target(snapshot: AnySnapshot, diagnostic: Diagnostic) -> Optional[Tuple[str, str]]:
    """(uri, text) of the document a finding belongs to: the buffer, or the finding's cell."""
    if isinstance(snapshot, NotebookSnapshot):
        cell = snapshot.cell(diagnostic.cell or 0)
        if cell is None:
            return None
        return cell.uri, cell.text
    return snapshot.uri, snapshot.text


def publishable(
    snapshot: AnySnapshot, diagnostics: Tuple[Diagnostic, ...], encoding: str = UTF16
) -> Dict[str, List[types.Diagnostic]]:
    """uri -> its LSP diagnostics. Every document of the snapshot is present (an empty list
    clears what an earlier lint published there)."""
    if isinstance(snapshot, NotebookSnapshot):
        published: Dict[str, List[types.Diagnostic]] = {cell.uri: [] for cell in snapshot.cells}
    else:
        published = {snapshot.uri: []}
    indexes: Dict[str, LineIndex] = {}
    for diagnostic in diagnostics:
        target = text_of_target(snapshot, diagnostic)
        if target is None:
            continue
        uri, text = target
        lines = indexes.get(uri)
        if lines is None:
            lines = indexes[uri] = LineIndex.of(text, encoding)
        published.setdefault(uri, []).append(to_lsp(diagnostic, lines))
    return published
