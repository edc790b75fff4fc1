"""Errors the command line reports as one line and exit status 2.

Every problem that is not a finding (bad configuration, a file that cannot be read or written, an
unknown rule code) is one of these. They carry just enough to print
`cachelint: error: <path>: <reason>` and nothing the user has to decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

PROGRAM = "cachelint"
# Set this environment variable to get the traceback of an unexpected exception instead of one line.
DEBUG_ENV = "CACHELINT_DEBUG"


class CachelintError(Exception):
    """A problem to report as one line; the run then ends with exit status 2."""

    def __init__(self, reason: str, path: Optional[str] = None):
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def one_line(self) -> str:
        return format_error(self.reason, self.path)


class ConfigError(CachelintError):
    """Invalid configuration: unreadable or invalid TOML, unknown keys, bad values."""


class SelectorError(CachelintError):
    """A rule code or prefix (from the command line or the configuration) that matches nothing."""


class SourceError(CachelintError):
    """A file that cannot be read, decoded or written."""


@dataclass(frozen=True)
class FileError:
    """A per-file problem recorded during a run; the other files are still reported."""

    path: str
    reason: str

    def one_line(self) -> str:
        return format_error(self.reason, self.path)


@dataclass(frozen=True)
class FileWarning:
    """Something the user should know about a file that does not make the run fail."""

    path: str
    reason: str

    def one_line(self) -> str:
        return f"{PROGRAM}: warning: {self.path}: {self.reason}"


def format_error(reason: str, path: Optional[str] = None) -> str:
    reason = " ".join(str(reason).split())  # always exactly one line
    if path:
        return f"{PROGRAM}: error: {path}: {reason}"
    return f"{PROGRAM}: error: {reason}"
