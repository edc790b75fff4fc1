"""`cli.terminal`: the colour decision the click commands and the fast path share."""

from __future__ import annotations

import io
import sys

import pytest

from cachelint.cli import terminal


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    "env, tty, wanted",
    [({}, True, True), ({}, False, False), ({"NO_COLOR": "1"}, True, False),
     ({"FORCE_COLOR": "1"}, False, True), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False)],
)
def test_stdout_wants_color(monkeypatch, env, tty, wanted):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdout", Stream(tty))
    assert terminal.stdout_wants_color() is wanted
