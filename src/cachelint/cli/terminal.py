"""Where the command line's text goes, and whether stdout gets colour: shared by the click
commands and the start-up fast path (so it imports nothing but `os` and `sys`; click is loaded
only when something is printed through it)."""

from __future__ import annotations

import os
import sys

NO_FILES_WARNING = "cachelint: warning: no Python files found under the given paths"


def stdout_wants_color() -> bool:
    """NO_COLOR wins, then FORCE_COLOR, else whether stdout is a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def emit(text: str, to_stderr: bool) -> None:
    if text:
        import click

        click.echo(text, nl=False, err=to_stderr)


def err(line: str) -> None:
    import click

    click.echo(line, err=True)
