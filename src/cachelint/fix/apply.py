"""Applying fixes: non-overlapping fixes per pass, re-lint, repeat (bounded), never break syntax.

Works on decoded text only; reading and writing files is the runner's job. `lint` is passed in
(text -> remaining diagnostics after selection and `# noqa`), so this module knows nothing about
configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Set, Tuple

from cachelint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from cachelint.source.files import with_newline_style

MAX_PASSES = 10

LintFunction = Callable[[str], Tuple[Diagnostic, ...]]


@dataclass(frozen=True)
class AppliedFix:
    code: str
    name: str
    message: str  # the fix's message ("Convert to a cached text block")
    location: Location  # the diagnostic's position in the text the fix was applied to


@dataclass(frozen=True)
class RejectedFix:
    code: str
    name: str
    message: str
    location: Location
    reason: str


@dataclass(frozen=True)
class FixOutcome:
    text: str
    applied: Tuple[AppliedFix, ...]
    rejected: Tuple[RejectedFix, ...]
    remaining: Tuple[Diagnostic, ...]  # what the final text still reports
    passes: int
    converged: bool  # False when fixable findings were still left after MAX_PASSES


def is_applicable(fix: Optional[Fix], unsafe_fixes: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe_fixes and fix.applicability is Applicability.UNSAFE


def fix_text(
    text: str,
    lint: LintFunction,
    *,
    unsafe_fixes: bool = False,
    newline: str = "\n",
    max_passes: int = MAX_PASSES,
    diagnostics: Optional[Tuple[Diagnostic, ...]] = None,
) -> FixOutcome:
    """Apply every applicable fix to `text`, re-linting after each pass.

    `diagnostics` may carry the findings for `text` when the caller already has them.
    """
    remaining = lint(text) if diagnostics is None else diagnostics
    applied: List[AppliedFix] = []
    rejected: List[RejectedFix] = []
    rejected_keys: Set[tuple] = set()
    passes = 0
    converged = True
    while True:
        fixable = [
            d
            for d in remaining
            if is_applicable(d.fix, unsafe_fixes) and _fix_key(d, text) not in rejected_keys
        ]
        if not fixable:
            break
        if passes == max_passes:
            converged = False
            break
        passes += 1
        new_text, applied_now, rejected_now = apply_one_pass(text, fixable, newline)
        for diagnostic, reason in rejected_now:
            rejected_keys.add(_fix_key(diagnostic, text))
            rejected.append(
                RejectedFix(
                    diagnostic.code,
                    diagnostic.name,
                    diagnostic.fix.message,
                    diagnostic.location,
                    reason,
                )
            )
        if not applied_now or new_text == text:
            break
        applied.extend(AppliedFix(d.code, d.name, d.fix.message, d.location) for d in applied_now)
        text = new_text
        remaining = lint(text)
    return FixOutcome(
        text=text,
        applied=tuple(applied),
        rejected=tuple(rejected),
        remaining=tuple(remaining),
        passes=passes,
        converged=converged,
    )


def apply_one_pass(
    text: str, fixable: Sequence[Diagnostic], newline: str = "\n"
) -> Tuple[str, List[Diagnostic], List[Tuple[Diagnostic, str]]]:
    """Apply the fixes that do not overlap (the rest wait for the next pass).

    Returns the new text, the diagnostics whose fixes were applied, and those whose fix was
    dropped because the result would not parse.
    """
    chosen = select_non_overlapping(fixable)
    if not chosen:
        return text, [], []
    edits = [edit for diagnostic in _distinct_fixes(chosen) for edit in diagnostic.fix.edits]
    candidate = apply_edits(text, edits, newline)
    if parses(candidate):
        return candidate, chosen, []
    # Some fix breaks the syntax: apply them one at a time, last first (earlier offsets stay
    # valid), keeping each only if the result still parses.
    kept: List[Diagnostic] = []
    dropped: List[Tuple[Diagnostic, str]] = []
    current = text
    for diagnostic in sorted(_distinct_fixes(chosen), key=_fix_start, reverse=True):
        attempt = apply_edits(current, diagnostic.fix.edits, newline)
        if parses(attempt):
            current = attempt
            kept.append(diagnostic)
        else:
            dropped.append((diagnostic, "the fixed code would not parse; fix not applied"))
    kept_fixes = {_edits_identity(d) for d in kept}
    kept = [d for d in chosen if _edits_identity(d) in kept_fixes]
    return current, kept, dropped


def select_non_overlapping(diagnostics: Iterable[Diagnostic]) -> List[Diagnostic]:
    """Fixes whose edits overlap an earlier chosen fix are left for the next pass.

    Two insertions at the same offset count as overlapping (their order would be arbitrary).
    Identical fixes reported by several diagnostics are chosen together and applied once.
    """
    chosen: List[Diagnostic] = []
    chosen_identities: Set[tuple] = set()
    last_end = -1
    last_was_insertion_at_end = False
    for diagnostic in sorted(diagnostics, key=lambda d: (_fix_start(d), _fix_end(d), d.code)):
        identity = _edits_identity(diagnostic)
        if identity in chosen_identities:
            chosen.append(diagnostic)
            continue
        edits = sorted(diagnostic.fix.edits, key=lambda e: (e.start_offset, e.end_offset))
        if not _edits_are_disjoint(edits):
            continue
        first = edits[0]
        if first.start_offset < last_end:
            continue
        if first.start_offset == last_end and last_was_insertion_at_end and _is_insertion(first):
            continue
        chosen.append(diagnostic)
        chosen_identities.add(identity)
        last_end = max(edit.end_offset for edit in edits)
        final = max(edits, key=lambda e: (e.end_offset, e.start_offset))
        last_was_insertion_at_end = _is_insertion(final) and final.end_offset == last_end
    return chosen


def apply_edits(text: str, edits: Iterable[Edit], newline: str = "\n") -> str:
    """Apply disjoint edits end-first, so each edit's offsets still index the original text."""
    ordered = sorted(edits, key=lambda e: (e.start_offset, e.end_offset), reverse=True)
    for edit in ordered:
        content = with_newline_style(edit.content, newline)
        text = text[: edit.start_offset] + content + text[edit.end_offset :]
    return text


def parses(text: str) -> bool:
    import libcst as cst

    try:
        cst.parse_module(text)
    except Exception:  # ParserSyntaxError, or RecursionError on absurd nesting
        return False
    return True


def _edits_are_disjoint(edits: Sequence[Edit]) -> bool:
    for previous, current in zip(edits, edits[1:]):
        if current.start_offset < previous.end_offset:
            return False
        if (
            current.start_offset == previous.end_offset
            and _is_insertion(current)
            and _is_insertion(previous)
        ):
            return False
    return True


def _is_insertion(edit: Edit) -> bool:
    return edit.start_offset == edit.end_offset


def _fix_start(diagnostic: Diagnostic) -> int:
    return min(edit.start_offset for edit in diagnostic.fix.edits)


def _fix_end(diagnostic: Diagnostic) -> int:
    return max(edit.end_offset for edit in diagnostic.fix.edits)


def _edits_identity(diagnostic: Diagnostic) -> tuple:
    return tuple((e.start_offset, e.end_offset, e.content) for e in diagnostic.fix.edits)


def _distinct_fixes(diagnostics: Iterable[Diagnostic]) -> List[Diagnostic]:
    seen: Set[tuple] = set()
    distinct = []
    for diagnostic in diagnostics:
        identity = _edits_identity(diagnostic)
        if identity not in seen:
            seen.add(identity)
            distinct.append(diagnostic)
    return distinct


def _fix_key(diagnostic: Diagnostic, text: str) -> tuple:
    """Identifies a fix across passes (offsets move when earlier fixes change the text)."""
    return (
        diagnostic.code,
        diagnostic.fix.message,
        tuple((e.content, text[e.start_offset : e.end_offset]) for e in diagnostic.fix.edits),
    )
