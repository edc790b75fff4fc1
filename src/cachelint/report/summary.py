"""The wording shared by the human formats: footer, fixed-findings list, unknown sites."""

from __future__ import annotations

from collections import Counter
from typing import List

from cachelint.fix.apply import is_applicable

FIX_COMMAND = "`cachelint fix`"
UNSAFE_FIX_COMMAND = "`cachelint fix --unsafe-fixes`"


def cost_phrase(cost) -> str:
    """What a finding costs, as every human-facing output words it (`= cost: ...`, the editor)."""
    model = f"{cost.model}, assumed" if cost.model_assumed else cost.model
    phrase = f"~{cost.tokens_per_call:,} tokens per call ({model})"
    if cost.usd_per_1k_calls is not None:
        phrase += f", ~${cost.usd_per_1k_calls:,.2f} per 1k calls"
    return phrase + " (estimate)"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def position(diagnostic) -> str:
    """`row:column`, or `cell N:row:column` in a notebook (rows then count within the cell)."""
    where = f"{diagnostic.location.row}:{diagnostic.location.column}"
    return f"cell {diagnostic.cell}:{where}" if diagnostic.cell is not None else where


def footer(result, context) -> str:
    """ "Found 3 errors (2 fixable with `cachelint fix`)." or "All checks passed!"."""
    remaining = result.diagnostics
    fixed = len(result.fixed)
    safe = sum(1 for d in remaining if is_applicable(d.fix, False))
    with_unsafe = sum(1 for d in remaining if is_applicable(d.fix, True))
    hidden = with_unsafe - safe
    unchecked = len(result.errors)
    tail = f" {plural(unchecked, 'path')} could not be checked." if unchecked else ""
    if not remaining and not fixed:
        return ("No errors found." + tail) if unchecked else "All checks passed!"
    total = len(remaining) + fixed
    details: List[str] = []
    if context.fix_mode:
        details.append(f"{fixed} fixed, {len(remaining)} remaining")
        if hidden and not context.unsafe_fixes:
            details.append(f"{hidden} fixable with {UNSAFE_FIX_COMMAND}")
    elif context.unsafe_fixes:
        if with_unsafe:
            details.append(f"{with_unsafe} fixable with {UNSAFE_FIX_COMMAND}")
    else:
        if safe:
            details.append(f"{safe} fixable with {FIX_COMMAND}")
        if hidden:
            more = "more " if safe else ""
            details.append(f"{hidden} {more}fixable with {UNSAFE_FIX_COMMAND}")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"Found {plural(total, 'error')}{suffix}.{tail}"


def fixed_listing(result) -> str:
    """ruff's --show-fixes list: per file, how many of each code were fixed."""
    if not result.fixed:
        return "No errors fixed."
    lines = [f"Fixed {plural(len(result.fixed), 'error')}:"]
    by_file = {}
    for path, fix in result.fixed:
        by_file.setdefault(path, Counter())[(fix.code, fix.name)] += 1
    for path in sorted(by_file):
        lines.append(f"- {path}:")
        for (code, name), count in sorted(by_file[path].items()):
            lines.append(f"    {count} \u00d7 {code} ({name})")
    return "\n".join(lines)


def unknown_sites_listing(result) -> str:
    """--explain-unknown: the recognised calls that could not be judged, and why."""
    sites = result.unknown_sites
    if not sites:
        return "No unjudged SDK calls."
    lines = [f"{plural(len(sites), 'SDK call')} could not be judged:"]
    for site in sites:
        reasons = "; ".join(site.reasons) if site.reasons else "no reason recorded"
        lines.append(
            f"{site.path}:{site.location.row}:{site.location.column} {site.method}: {reasons}"
        )
    return "\n".join(lines)
