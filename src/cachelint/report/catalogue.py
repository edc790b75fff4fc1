"""The rule catalogue as plain data, CL000 included, for `cachelint rule` and SARIF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from cachelint.core.codes import SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME, SYNTAX_ERROR_SUMMARY

SYNTAX_ERROR_DOCS = """\
## What it does
Reports a file that cannot be parsed as Python.

## Why is this bad?
Nothing in a file that does not parse can be checked, so a prompt-caching mistake in it would go
unnoticed. The finding points at the first syntax error.

## Fix safety
There is no fix; correct the syntax error. This finding cannot be silenced with `# noqa`
(exclude the file or use `per-file-ignores` instead)."""

_FIX_PHRASES = {
    "always": "Fix is always available.",
    "sometimes": "Fix is sometimes available.",
    "none": "Fix is not available.",
}


@dataclass(frozen=True)
class RuleEntry:
    code: str
    name: str
    summary: str
    fix_availability: str  # "always" | "sometimes" | "none"
    documentation: str

    @property
    def fix_phrase(self) -> str:
        return _FIX_PHRASES.get(
            self.fix_availability, f"Fix availability: {self.fix_availability}."
        )


def rule_entries() -> Tuple[RuleEntry, ...]:
    from cachelint import rules

    entries = [
        RuleEntry(
            code=SYNTAX_ERROR_CODE,
            name=SYNTAX_ERROR_NAME,
            summary=SYNTAX_ERROR_SUMMARY,
            fix_availability="none",
            documentation=SYNTAX_ERROR_DOCS,
        )
    ]
    for rule in rules.RULES:
        entries.append(
            RuleEntry(
                code=rule.code,
                name=rule.name,
                summary=rule.summary,
                fix_availability=getattr(rule, "fix_availability", "none"),
                documentation=rule.documentation(),
            )
        )
    return tuple(sorted(entries, key=lambda entry: entry.code))


def find_entry(code: str) -> Optional[RuleEntry]:
    wanted = code.strip().upper()
    for entry in rule_entries():
        if entry.code == wanted or entry.name == code.strip().lower():
            return entry
    return None
