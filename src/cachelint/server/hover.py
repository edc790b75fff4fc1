"""Hover on a finding: the rule's documentation (`cachelint rule CODE`) and the estimated cost."""

from __future__ import annotations

from typing import List, Optional

from lsprotocol import types

from cachelint.core.diagnostics import Diagnostic
from cachelint.report.catalogue import RuleEntry, find_entry
from cachelint.report.summary import cost_phrase
from cachelint.server.diagnostics import text_of_target
from cachelint.server.linting import LintOutcome
from cachelint.server.positions import UTF16, LineIndex, position_in_range


def rule_markdown(entry: RuleEntry) -> str:
    """The rule as `cachelint rule CODE` prints it (ruff's headings)."""
    parts = [f"# {entry.name} ({entry.code})", entry.summary, entry.fix_phrase, entry.documentation]
    return "\n\n".join(parts).rstrip()


def finding_markdown(diagnostic: Diagnostic) -> str:
    lines = [f"**{diagnostic.code}** {diagnostic.message}"]
    if diagnostic.cost is not None:
        lines.append(f"**Estimated cost:** {cost_phrase(diagnostic.cost)}")
    if diagnostic.fix is not None:
        lines.append(f"**Fix ({diagnostic.fix.applicability.value}):** {diagnostic.fix.message}")
    entry = find_entry(diagnostic.code)
    if entry is not None:
        lines.append(rule_markdown(entry))
    return "\n\n".join(lines)


def hover_at(
    outcome: LintOutcome, uri: str, position: types.Position, encoding: str = UTF16
) -> Optional[types.Hover]:
    """Markdown for every finding under the cursor, or None when there is none."""
    parts: List[str] = []
    span: Optional[types.Range] = None
    for diagnostic in outcome.diagnostics:
        target = text_of_target(outcome.snapshot, diagnostic)
        if target is None or target[0] != uri:
            continue
        found = LineIndex.of(target[1], encoding).range_of_locations(
            diagnostic.location, diagnostic.end_location
        )
        if position_in_range(position, found):
            parts.append(finding_markdown(diagnostic))
            span = span or found
    if not parts:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=span,
    )
