"""Text positions in LSP terms: lines and code units in the negotiated position encoding.

The product locates findings by 1-based row and 1-based column counted in characters (code
points), and fix edits by offsets into the decoded text. LSP counts lines from 0 and columns in
code units of the encoding agreed at `initialize`: UTF-16 unless the client offers another one.
LSP ends a line at "\\r\\n", "\\n" or "\\r", as the product does.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Tuple

from lsprotocol import types

from cachelint.core.diagnostics import Location

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

UTF16 = "utf-16"
UTF8 = "utf-8"
UTF32 = "utf-32"


def code_units(text: str, encoding: str) -> int:
    """How many code units `text` takes in the position encoding."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _characters_for_units(line: str, units: int, encoding: str) -> int:
    """The character index in `line` at `units` code units (clamped to the line)."""
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        counted += code_units(char, encoding)
    return len(line)


@dataclass(frozen=True)
class LineIndex:
    """Where each line of one text starts, for converting positions both ways."""

    text: str
    line_starts: Tuple[int, ...]
    encoding: str = UTF16

    @classmethod
    def of(cls, text: str, encoding: str = UTF16) -> "LineIndex":
        starts = [0]
        starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
        return cls(text, tuple(starts), encoding)

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_text(self, line: int) -> str:
        """Line `line` (0-based) without its line ending."""
        if line < 0 or line >= len(self.line_starts):
            return ""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        body = self.text[start:end]
        return body.rstrip("\r\n")

    def position_at_offset(self, offset: int) -> types.Position:
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        # an offset between "\r" and "\n" is the end of the line that pair ends
        prefix = self.text[start:offset].rstrip("\r\n")
        return types.Position(line=line, character=code_units(prefix, self.encoding))

    def position_at_location(self, location: Location) -> types.Position:
        """A product Location (1-based row, 1-based column in characters) as an LSP Position."""
        line = min(max(location.row - 1, 0), max(self.line_count - 1, 0))
        body = self.line_text(line)
        prefix = body[: max(location.column - 1, 0)]
        return types.Position(line=line, character=code_units(prefix, self.encoding))

    def offset_at_position(self, position: types.Position) -> int:
        if position.line >= len(self.line_starts):
            return len(self.text)
        body = self.line_text(position.line)
        column = _characters_for_units(body, position.character, self.encoding)
        return self.line_starts[position.line] + column

    def range_of_offsets(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position_at_offset(start), end=self.position_at_offset(end))

    def range_of_locations(self, start: Location, end: Location) -> types.Range:
        return types.Range(
            start=self.position_at_location(start), end=self.position_at_location(end)
        )


def position_in_range(position: types.Position, span: types.Range) -> bool:
    here = (position.line, position.character)
    return (span.start.line, span.start.character) <= here <= (span.end.line, span.end.character)


def ranges_overlap(first: types.Range, second: types.Range) -> bool:
    return not (
        (first.end.line, first.end.character) < (second.start.line, second.start.character)
        or (second.end.line, second.end.character) < (first.start.line, first.start.character)
    )
