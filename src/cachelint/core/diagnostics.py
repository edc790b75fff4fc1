"""The data that leaves the analysis: findings, their fixes and their costs.

Everything here is a frozen dataclass holding plain values (no CST nodes), so results can cross
process boundaries, be cached on disk and be serialised to JSON without touching libcst.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple


class Applicability(str, enum.Enum):
    """How far a fix may be trusted, as in ruff."""

    SAFE = "safe"  # the model receives exactly the same text; only caching metadata changes
    UNSAFE = "unsafe"  # block structure or order changes; applied only with --unsafe-fixes
    DISPLAY_ONLY = "display-only"  # shown as advice, never applied

    @property
    def rank(self) -> int:
        return {"safe": 0, "unsafe": 1, "display-only": 2}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A position in a file: 1-based row and 1-based column (in characters)."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two offsets of the decoded source with ``content``.

    Offsets index the decoded text (str), so applying edits needs no positions arithmetic;
    ``location``/``end_location`` are kept for reporting.
    """

    start_offset: int
    end_offset: int
    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    message: str
    applicability: Applicability
    edits: Tuple[Edit, ...]


@dataclass(frozen=True)
class Cost:
    """An estimate of what a finding wastes per call, at the assumed model's prices."""

    tokens_per_call: int
    model: str  # the model id whose prices were used (resolved or the configured default)
    model_assumed: bool  # True when the call's model could not be resolved
    usd_per_1k_calls: Optional[float]  # None when the model's prices are unknown


@dataclass(frozen=True)
class Diagnostic:
    code: str  # "CL001"
    name: str  # "plain-string-system"
    message: str
    path: str  # as given / discovered (display path)
    location: Location
    end_location: Location
    fix: Optional[Fix] = None
    noqa_row: Optional[int] = None  # the row a `# noqa` must sit on (first line of the call)
    cost: Optional[Cost] = None
    cell: Optional[int] = None  # notebooks: the cell's 1-based position among all cells, as ruff counts (rows then count in the cell)

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.location.row, self.location.column, self.code)


@dataclass(frozen=True)
class UnknownSite:
    """A recognised SDK call that could not be judged, and why (for --explain-unknown)."""

    path: str
    location: Location
    method: str
    reasons: Tuple[str, ...] = field(default_factory=tuple)
