"""Offsets and product rows/columns as LSP positions, in UTF-16 (the default) and the others."""

from __future__ import annotations

from lsprotocol import types

from cachelint.core.diagnostics import Location
from cachelint.server.positions import UTF8, UTF16, UTF32, LineIndex, code_units


def test_utf16_counts_astral_characters_twice():
    text = 'x = "😀é"  # ok\ny = 1\n'
    lines = LineIndex.of(text)
    after_emoji = text.index("é")
    assert lines.position_at_offset(after_emoji) == types.Position(0, 7)
    assert LineIndex.of(text, UTF32).position_at_offset(after_emoji) == types.Position(0, 6)
    assert LineIndex.of(text, UTF8).position_at_offset(after_emoji) == types.Position(0, 9)
    assert lines.position_at_location(Location(1, 8)) == types.Position(0, 8)  # after "é"
    assert code_units("😀", UTF16) == 2


def test_offsets_round_trip_over_every_line_ending():
    text = "a = 1\r\nb = '😀'\rc = 3\nlast"
    for encoding in (UTF8, UTF16, UTF32):
        lines = LineIndex.of(text, encoding)
        assert lines.line_count == 4
        for offset in range(len(text) + 1):
            if text[offset - 1 : offset + 1] == "\r\n":
                continue  # between "\r" and "\n": not a position of its own
            if 0 < offset < len(text) and "\ud800" <= text[offset] <= "\udfff":
                continue
            assert lines.offset_at_position(lines.position_at_offset(offset)) == offset


def test_location_past_the_end_is_clamped():
    lines = LineIndex.of("x = 1\n")
    assert lines.position_at_location(Location(9, 1)) == types.Position(1, 0)
    assert lines.position_at_location(Location(1, 99)) == types.Position(0, 5)
