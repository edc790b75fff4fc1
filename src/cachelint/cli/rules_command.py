"""`cachelint rule`: print a rule's documentation (or every rule's), as text, Markdown on a
terminal, or JSON."""

from __future__ import annotations

from typing import Optional

import click

from cachelint.cli.invocation import EXIT_CLEAN
from cachelint.cli.terminal import stdout_wants_color
from cachelint.core.errors import CachelintError


def print_rules(code: Optional[str], show_all: bool, output_format: str) -> int:
    """`cachelint rule CODE` / `cachelint rule --all`: the rules' docs, as text or JSON."""
    from cachelint.report.catalogue import find_entry, rule_entries

    if show_all:
        entries = list(rule_entries())
    else:
        entry = find_entry(code)
        if entry is None:
            raise CachelintError(f"unknown rule code `{code}` (see `cachelint rule --all`)")
        entries = [entry]
    if output_format == "json":
        import json

        objects = [
            {
                "code": e.code,
                "name": e.name,
                "summary": e.summary,
                "fix": e.fix_phrase,
                "fix_availability": e.fix_availability,
                "explanation": e.documentation,
            }
            for e in entries
        ]
        click.echo(json.dumps(objects if show_all else objects[0], indent=2))
        return EXIT_CLEAN
    if stdout_wants_color():
        _print_rules_rich(entries)
    else:
        click.echo("\n\n".join(_plain_rule(e) for e in entries))
    return EXIT_CLEAN


def _plain_rule(entry) -> str:
    parts = [f"# {entry.name} ({entry.code})", entry.summary, entry.fix_phrase, entry.documentation]
    return "\n\n".join(parts).rstrip()


def _print_rules_rich(entries) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console()
    for index, entry in enumerate(entries):
        if index:
            console.rule()
        console.print(Markdown(_plain_rule(entry)))
