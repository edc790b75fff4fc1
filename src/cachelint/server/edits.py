"""Text edits for the editor: the product's fix edits, `# noqa` comments and minimal diffs.

Everything is computed on offsets into one document's text and turned into LSP ranges at the
end (`positions.LineIndex`), so the edits are small replacements, never the whole document.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

from lsprotocol import types

from cachelint.core.diagnostics import Diagnostic, Fix
from cachelint.run.noqa import parse_directive
from cachelint.server.positions import LineIndex

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class OffsetEdit:
    """Replace text[start:end] with `content`."""

    start: int
    end: int
    content: str

    def to_lsp(self, lines: LineIndex) -> types.TextEdit:
        return types.TextEdit(range=lines.range_of_offsets(self.start, self.end), new_text=self.content)


def fix_edits(fix: Fix) -> List[OffsetEdit]:
    return [OffsetEdit(edit.start_offset, edit.end_offset, edit.content) for edit in fix.edits]


def minimal_edits(before: str, after: str) -> List[OffsetEdit]:
    """The changed stretches between two texts, each trimmed to what differs (line diff
    first, so far-apart changes stay separate edits)."""
    old_lines = before.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    old_starts = _starts(old_lines)
    new_starts = _starts(new_lines)
    edits: List[OffsetEdit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = old_starts[i1], old_starts[i2]
        content = after[new_starts[j1] : new_starts[j2]]
        old = before[start:end]
        prefix = _common_prefix(old, content)
        suffix = _common_suffix(old[prefix:], content[prefix:])
        edits.append(OffsetEdit(start + prefix, end - suffix, content[prefix : len(content) - suffix]))
    return edits


def _starts(lines: Sequence[str]) -> List[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _common_prefix(first: str, second: str) -> int:
    count = 0
    for a, b in zip(first, second):
        if a != b:
            break
        count += 1
    return count


def _common_suffix(first: str, second: str) -> int:
    count = 0
    for a, b in zip(reversed(first), reversed(second)):
        if a != b:
            break
        count += 1
    return count


# -- `# noqa` ------------------------------------------------------------------------------------


def noqa_edit(text: str, diagnostic: Diagnostic) -> Optional[OffsetEdit]:
    """The edit that adds `diagnostic.code` to a `# noqa` comment on a row that suppresses it
    (the call's first row, else the finding's row): merged into a `# noqa: ...` already there,
    else appended to the line. None when neither row can take a comment (its end lies inside a
    multi-line string, or it continues with a backslash)."""
    rows = []
    for row in (diagnostic.noqa_row, diagnostic.location.row):
        if row is not None and row not in rows:
            rows.append(row)
    open_rows = _rows_ending_inside_tokens(text)
    comments = _comments_by_row(text)
    lines = LineIndex.of(text)
    for row in rows:
        if row in open_rows or row > lines.line_count:
            continue
        edit = _noqa_on_row(lines, row, diagnostic.code, comments.get(row))
        if edit is not None:
            return edit
    return None


def _noqa_on_row(lines: LineIndex, row: int, code: str, comment) -> Optional[OffsetEdit]:
    line_start = lines.line_starts[row - 1]
    body = lines.line_text(row - 1)
    if comment is not None:
        column, comment_text = comment
        directive = parse_directive(comment_text, row)
        if directive is not None and directive.codes is not None:
            match = re.search(r"noqa\s*:\s*[A-Za-z]+[0-9]+(?:(?:\s*,\s*|\s+)[A-Za-z]+[0-9]+)*", comment_text, re.IGNORECASE)
            if match is not None:
                at = line_start + column + match.end()
                return OffsetEdit(at, at, f", {code}")
        if directive is not None:  # a bare `# noqa` already silences every code
            return None
        at = line_start + column + len(comment_text)
        return OffsetEdit(at, at, f"  # noqa: {code}")
    content = body.rstrip()
    if content.endswith("\\"):
        return None
    at = line_start + len(content)
    return OffsetEdit(at, line_start + len(body), f"  # noqa: {code}")


def _tokens(text: str) -> Iterable[tokenize.TokenInfo]:
    try:
        yield from tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return


def _rows_ending_inside_tokens(text: str) -> set:
    """Rows whose line break lies inside a token (a triple-quoted string, an f-string)."""
    rows = set()
    for token in _tokens(text):
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            continue
        for row in range(token.start[0], token.end[0]):
            rows.add(row)
    return rows


def _comments_by_row(text: str) -> dict:
    """row -> (column of the comment in characters, the comment's text)."""
    return {
        token.start[0]: (token.start[1], token.string)
        for token in _tokens(text)
        if token.type == tokenize.COMMENT
    }
