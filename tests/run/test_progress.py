"""The progress bar: only for a person watching a long run, never in machine output."""

from __future__ import annotations

import io
import sys

import pytest

from cachelint.cli.invocation import Invocation, run_options
from cachelint.run import progress
from cachelint.config.settings import Config, build_settings


class FakeStream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def invocation(output_format: str) -> Invocation:
    return Invocation(
        paths=(".",), select=None, ignore=(), extend_select=(), output_format=output_format,
        statistics=False, show_fixes=False, exit_zero=False, exit_non_zero_on_fix=False,
        unsafe_fixes=False, stdin_filename=None, force_exclude=False, explain_unknown=False,
        config=None, fix=False, diff=False,
    )


@pytest.mark.parametrize(
    "output_format, tty, wanted",
    [("full", True, True), ("concise", True, True), ("full", False, False),
     ("json", True, False), ("sarif", True, False), ("github", True, False), ("json-lines", True, False)],
)
def test_only_human_formats_on_a_terminal_get_a_bar(monkeypatch, tmp_path, output_format, tty, wanted):
    monkeypatch.setattr(sys, "stderr", FakeStream(tty))
    settings = build_settings(Config(root=str(tmp_path)))
    assert run_options(invocation(output_format), settings).progress is wanted


def test_a_short_run_shows_nothing_and_loads_nothing(monkeypatch):
    monkeypatch.delitem(sys.modules, "rich.progress", raising=False)
    bar = progress.Progress(total=10, enabled=True)
    for _ in range(10):
        bar.advance()
    bar.close()
    assert bar._bar is None and "rich.progress" not in sys.modules


def test_a_long_run_shows_a_transient_bar_on_stderr(monkeypatch, capsys):
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    with progress.Progress(total=3, enabled=True) as bar:
        bar.advance()
        assert bar._bar is not None
        bar.advance(2)
    assert bar._bar is None
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout (the report) never gets it


def test_disabled_never_starts(monkeypatch):
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    bar = progress.Progress(total=3, enabled=False)
    bar.advance()
    assert bar._bar is None
