"""Code actions: a quick fix per fixable finding, "ignore for this line", and fix-all.

- Quick fix: the finding's own fix (its message as the title), as the product's edits. Unsafe
  fixes are offered too, titled "(unsafe fix)" and never preferred (an editor's auto-fix
  picks preferred actions only); display-only fixes are never offered.
- "Ignore CLxxx for this line": adds the code to a `# noqa` comment (not for CL000, which
  `# noqa` cannot silence).
- `source.fixAll.cachelint`: what `cachelint fix` would write (safe fixes; unsafe ones too
  when the client set `unsafeFixes`), sent as the few edits that differ.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from lsprotocol import types

from cachelint.core.diagnostics import Applicability, Diagnostic
from cachelint.run.noqa import UNSUPPRESSIBLE_CODES
from cachelint.server.diagnostics import text_of_target, to_lsp
from cachelint.server.documents import NotebookSnapshot
from cachelint.server.edits import OffsetEdit, fix_edits, minimal_edits, noqa_edit
from cachelint.server.linting import AnySnapshot, FixAllOutcome, LintOutcome
from cachelint.server.positions import UTF16, LineIndex, ranges_overlap

FIX_ALL_KIND = "source.fixAll.cachelint"
FIX_ALL_TITLE = "cachelint: fix all safe fixes"
FIX_ALL_UNSAFE_TITLE = "cachelint: fix all (unsafe fixes included)"
UNSAFE_SUFFIX = " (unsafe fix)"


def wants(kind: str, only: Optional[Sequence[str]]) -> bool:
    """Whether a requested `only` list admits an action kind (a prefix admits its children)."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def findings_in_range(
    outcome: LintOutcome, uri: str, span: types.Range, encoding: str = UTF16
) -> List[Diagnostic]:
    """The outcome's findings on document `uri` (a buffer or one cell) that touch `span`."""
    found = []
    lines: Optional[LineIndex] = None
    for diagnostic in outcome.diagnostics:
        target = text_of_target(outcome.snapshot, diagnostic)
        if target is None or target[0] != uri:
            continue
        if lines is None:
            lines = LineIndex.of(target[1], encoding)
        if ranges_overlap(lines.range_of_locations(diagnostic.location, diagnostic.end_location), span):
            found.append(diagnostic)
    return found


def quick_fixes(
    outcome: LintOutcome, uri: str, span: types.Range, encoding: str = UTF16
) -> List[types.CodeAction]:
    actions: List[types.CodeAction] = []
    ignores: List[types.CodeAction] = []
    for diagnostic in findings_in_range(outcome, uri, span, encoding):
        target = text_of_target(outcome.snapshot, diagnostic)
        if target is None:
            continue
        lines = LineIndex.of(target[1], encoding)
        shown = to_lsp(diagnostic, lines)
        fix = diagnostic.fix
        if fix is not None and fix.applicability != Applicability.DISPLAY_ONLY and fix.edits:
            safe = fix.applicability == Applicability.SAFE
            actions.append(
                types.CodeAction(
                    title=f"{diagnostic.code}: {fix.message}" + ("" if safe else UNSAFE_SUFFIX),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    is_preferred=safe,
                    edit=_workspace_edit({uri: fix_edits(fix)}, {uri: lines}),
                )
            )
        if diagnostic.code not in UNSUPPRESSIBLE_CODES:
            edit = noqa_edit(target[1], diagnostic)
            if edit is not None:
                ignores.append(
                    types.CodeAction(
                        title=f"Ignore {diagnostic.code} for this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[shown],
                        edit=_workspace_edit({uri: [edit]}, {uri: lines}),
                    )
                )
    return actions + _unique_titles(ignores)


def _unique_titles(actions: List[types.CodeAction]) -> List[types.CodeAction]:
    seen = set()
    unique = []
    for action in actions:
        if action.title not in seen:
            seen.add(action.title)
            unique.append(action)
    return unique


def has_applicable_fix(outcome: LintOutcome, unsafe_fixes: bool) -> bool:
    allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe_fixes else set())
    return any(d.fix is not None and d.fix.applicability in allowed for d in outcome.diagnostics)


def fix_all_action(
    snapshot: AnySnapshot, fixed: FixAllOutcome, unsafe_fixes: bool, encoding: str = UTF16
) -> Optional[types.CodeAction]:
    """The fix-all action for a snapshot, or None when nothing would change."""
    edits: Dict[str, List[OffsetEdit]] = {}
    indexes: Dict[str, LineIndex] = {}
    for uri, after in fixed.texts.items():
        before = _text_of_uri(snapshot, uri)
        if before is None or before == after:
            continue
        edits[uri] = minimal_edits(before, after)
        indexes[uri] = LineIndex.of(before, encoding)
    if not edits:
        return None
    return types.CodeAction(
        title=FIX_ALL_UNSAFE_TITLE if unsafe_fixes else FIX_ALL_TITLE,
        kind=FIX_ALL_KIND,
        edit=_workspace_edit(edits, indexes),
    )


def _text_of_uri(snapshot: AnySnapshot, uri: str) -> Optional[str]:
    if isinstance(snapshot, NotebookSnapshot):
        cell = snapshot.cell_by_uri(uri)
        return cell.text if cell is not None else None
    return snapshot.text if snapshot.uri == uri else None


def _workspace_edit(
    edits: Dict[str, List[OffsetEdit]], indexes: Dict[str, LineIndex]
) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(
        changes={
            uri: [edit.to_lsp(indexes[uri]) for edit in sorted(items, key=lambda e: (e.start, e.end))]
            for uri, items in edits.items()
        }
    )
