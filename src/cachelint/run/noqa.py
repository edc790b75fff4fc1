"""`# noqa` suppression comments: bare `# noqa` or `# noqa: CL001, CL002`.

Comments are found with the tokenizer, so `# noqa` inside a string is not a directive. A file the
tokenizer gives up on keeps the directives found before that point; lines after it are scanned
with a conservative line heuristic. Nothing here raises for bad input.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Optional

from cachelint.core.codes import SYNTAX_ERROR_CODE
from cachelint.core.diagnostics import Diagnostic

# Syntax errors cannot be silenced (as in ruff): a file that does not parse was not checked.
UNSUPPRESSIBLE_CODES = frozenset({SYNTAX_ERROR_CODE})

_DIRECTIVE = re.compile(
    r"#\s*noqa(?![\w-])"
    r"(?:(?P<colon>\s*:)\s*"
    r"(?P<codes>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+|\s+[A-Za-z]+[0-9]+)*)?)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class NoqaDirective:
    row: int
    codes: Optional[FrozenSet[str]]  # None: a bare noqa comment, which suppresses every code

    def suppresses(self, code: str) -> bool:
        return self.codes is None or code.upper() in self.codes


def parse_directive(comment: str, row: int) -> Optional[NoqaDirective]:
    """The directive in one comment, or None. `# noqa:` followed by no code is not a directive."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    if match.group("colon") is None:
        return NoqaDirective(row, None)
    codes = match.group("codes")
    if not codes:
        return None
    return NoqaDirective(row, frozenset(code.upper() for code in _CODE.findall(codes)))


def find_directives(text: str) -> Dict[int, NoqaDirective]:
    """Map row -> directive for every `# noqa` comment in `text`."""
    directives: Dict[int, NoqaDirective] = {}
    last_row = 0
    try:
        # newline=None: a file with bare "\r" line endings still yields one line per row.
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            last_row = token.end[0]
            if token.type == tokenize.COMMENT:
                directive = parse_directive(token.string, token.start[0])
                if directive is not None:
                    directives[directive.row] = directive
    except (tokenize.TokenError, SyntaxError, ValueError):
        directives.update(_scan_lines_after(text, last_row))
    return directives


def _scan_lines_after(text: str, after_row: int) -> Dict[int, NoqaDirective]:
    found: Dict[int, NoqaDirective] = {}
    for row, line in enumerate(_LINE_BREAK.split(text), start=1):
        if row <= after_row:
            continue
        comment = _comment_part(line)
        if comment is not None:
            directive = parse_directive(comment, row)
            if directive is not None:
                found[row] = directive
    return found


def _comment_part(line: str) -> Optional[str]:
    """The `#...` tail of a line, skipping `#` inside simple one-line string literals."""
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if line.startswith(quote, index):
                index += len(quote)
                quote = None
                continue
        elif char in "\"'":
            quote = line[index : index + 3] if line[index : index + 3] in ('"""', "'''") else char
            index += len(quote)
            continue
        elif char == "#":
            return line[index:]
        index += 1
    return None


def is_suppressed(diagnostic: Diagnostic, directives: Dict[int, NoqaDirective]) -> bool:
    if diagnostic.code in UNSUPPRESSIBLE_CODES or not directives:
        return False
    rows = {diagnostic.location.row}
    if diagnostic.noqa_row is not None:
        rows.add(diagnostic.noqa_row)
    return any(row in directives and directives[row].suppresses(diagnostic.code) for row in rows)


def unsuppressed(diagnostics: Iterable[Diagnostic], text: str) -> tuple:
    """The diagnostics no `# noqa` comment in `text` silences (the tokenizer runs only if needed)."""
    diagnostics = tuple(diagnostics)
    if not diagnostics or "noqa" not in text.lower():
        return diagnostics
    directives = find_directives(text)
    return tuple(d for d in diagnostics if not is_suppressed(d, directives))
