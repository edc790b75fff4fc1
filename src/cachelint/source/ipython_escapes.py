"""IPython syntax in notebook cells, turned into Python of the same shape (and back).

Notebook cells are IPython, not Python: `%pip install anthropic`, `!ls`, `files = !ls`, `obj?`,
`%%time` cell magics. `neutralise` replaces each such escape with a placeholder that parses as
Python and keeps every line where it was, so a finding's row (and, outside the escape, its
column) in the neutral text is its row in the cell. The placeholder is an undefined name
(`PLACEHOLDER`): value resolution treats it as unknown, never as a prompt, and a fix is never
allowed to touch it (the caller restores the original lines by finding the placeholders again).

Timing magics that wrap a statement (`%time response = client.messages.create(...)`) keep the
statement: only the `%time ` prefix is replaced, by `PLACEHOLDER; `, so the call is still
analysed. Cells whose cell magic runs something other than Python (`%%bash`, `%%html`,
`%%writefile`...) are not Python at all and are left out of the analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, NamedTuple, Optional, Tuple

PLACEHOLDER = "_cachelint_ipython_escape_"
PAYLOAD_PREFIX = PLACEHOLDER + "; "

# Cell magics whose body is Python run in the notebook's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
# Line magics followed by a Python statement that IPython executes in the notebook's namespace.
STATEMENT_LINE_MAGICS = frozenset({"time", "timeit", "prun", "debug", "memit"})
# A statement after `%time` that cannot follow `PLACEHOLDER; ` on one line.
_COMPOUND_KEYWORDS = frozenset(
    "if elif else for while with def class try except finally async match case @".split()
)

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
_MAGIC_NAME = re.compile(r"%{1,2}([A-Za-z_][\w.]*)")
# IPython's own shape for `files = !ls` / `out = %timeit -o f()`: simple targets, then `= !`/`= %`.
_ASSIGNED_ESCAPE = re.compile(r"^\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(?=[!%])")
_AUTOCALL = re.compile(r"^[/,;][A-Za-z_]")
# IPython's automagic: line magics work without `%` (`pip install anthropic`, `cd data`). Only
# tried for a cell that does not parse otherwise, and only on a line that is not Python by itself.
AUTOMAGICS = frozenset(
    "pip conda mamba cd ls env set_env load_ext reload_ext unload_ext matplotlib "
    "autoreload time timeit prun run pwd mkdir cat cp mv rm rmdir store who whos history "
    "config xmode precision pylab sx system alias bookmark pushd popd dhist reset pinfo "
    "pinfo2 psearch pycat load save edit recall rerun".split()
)
_WORD_THEN_ARGUMENT = re.compile(r"([A-Za-z_]\w*)[ \t]+\S")


@dataclass(frozen=True)
class Escape:
    """One IPython escape and what replaced it.

    `row` is the 1-based row in the cell of its first line. `original` and `neutral` hold its
    lines without line endings (as many of one as of the other). For a statement magic
    (`%time stmt`) only the first line is an escape: `payload_column` is the 0-based column in
    the neutral line where the statement starts, which sits `shift` columns right of where it
    starts in the original line.
    """

    row: int
    original: Tuple[str, ...]
    neutral: Tuple[str, ...]
    payload_column: Optional[int] = None
    shift: int = 0

    @property
    def is_statement(self) -> bool:
        return self.payload_column is not None

    def matches(self, lines: Tuple[str, ...]) -> bool:
        """Whether `lines` are this escape's neutral lines (a statement's may have been fixed)."""
        if self.is_statement:
            return len(lines) == 1 and lines[0].startswith(self.neutral[0][: self.payload_column])
        return tuple(lines) == self.neutral

    def restored(self, line_offset: int, current: str) -> str:
        """The original text of one of the escape's lines, given what that line is now."""
        if self.is_statement:
            prefix = self.original[0][: self.payload_column - self.shift]
            return prefix + current[self.payload_column :]
        return self.original[line_offset]

    def original_column(self, line_offset: int, neutral_column: int) -> int:
        """The 0-based column in the original cell for a column on one of the neutral lines."""
        original = self.original[line_offset]
        if self.is_statement:
            if neutral_column >= self.payload_column:
                return neutral_column - self.shift  # in the statement, which fixes may change
            neutral_column = len(original) - len(original.lstrip())
            return min(neutral_column, len(original))
        neutral_column = len(original) - len(original.lstrip())  # the escape's start
        return min(neutral_column, len(original))


@dataclass(frozen=True)
class NeutralCell:
    text: str  # parses as Python when the cell is valid IPython; same line count as the cell
    escapes: Tuple[Escape, ...] = ()
    is_python: bool = True  # False: a cell magic runs it as something else (`%%bash`)


@dataclass
class _Line:
    body: str
    ending: str


class TextLine(NamedTuple):
    body: str
    ending: str  # "\r\n", "\r", "\n" or "" (the last line)


def split_lines(text: str) -> List[TextLine]:
    """The lines of `text`, broken where libcst breaks them (\\r\\n, \\r, \\n)."""
    pairs = []
    position = 0
    while position < len(text):
        match = _LINE.match(text, position)
        pairs.append(TextLine(match.group(1), match.group(2)))
        position = match.end()
    return pairs


def neutralise(source: str, keep_statements: bool = True, automagic: bool = False) -> NeutralCell:
    """Replace the IPython escapes of one cell by Python placeholders of the same shape.

    keep_statements=False replaces `%time stmt` wholly (the fallback when keeping the statement
    does not parse, e.g. `%time for ...:` bodies). automagic=True also takes `pip install x`
    (a magic without its `%`) for IPython when that line is not valid Python on its own.
    """
    lines = [_Line(body, ending) for body, ending in split_lines(source)]
    originals = [line.body for line in lines]
    escapes: List[Escape] = []
    first_code = next((i for i, line in enumerate(lines) if line.body.strip()), None)
    start = 0
    if first_code is not None and lines[first_code].body.lstrip().startswith("%%"):
        match = _MAGIC_NAME.match(lines[first_code].body.lstrip())
        if match is None or match.group(1) not in PYTHON_CELL_MAGICS:
            return NeutralCell(source, (), is_python=False)
        escapes.append(_replace_whole(lines, originals, first_code, first_code))
        start = first_code + 1

    quote: Optional[str] = None
    depth = 0
    continued = False
    logical_start = start
    saw_question = False
    index = start
    while index < len(lines):
        body = lines[index].body
        if quote is None and depth == 0 and not continued:
            logical_start = index
            saw_question = False
            handled = _escape_at(lines, originals, index, keep_statements, automagic)
            if handled is not None:
                escape, next_index = handled
                escapes.append(escape)
                if escape.payload_column is None:
                    index = next_index
                    continue
                body = lines[index].body  # the statement after `%time` is scanned as Python
        quote, depth, continued, question = _scan_line(body, quote, depth)
        saw_question = saw_question or question
        if saw_question and quote is None and depth == 0 and not continued:
            # `obj?`, `obj.method??`: help, never valid Python; the whole logical line goes.
            escapes = [e for e in escapes if e.row - 1 < logical_start]
            escapes.append(_replace_whole(lines, originals, logical_start, index))
            saw_question = False
        index += 1
    text = "".join(line.body + line.ending for line in lines)
    return NeutralCell(text, tuple(sorted(escapes, key=lambda e: e.row)), is_python=True)


def _escape_at(
    lines: List[_Line], originals: List[str], index: int, keep_statements: bool, automagic: bool
) -> Optional[Tuple[Escape, int]]:
    """The escape starting a logical line at `index`, applied to `lines`, and the next index."""
    body = lines[index].body
    stripped = body.lstrip()
    if not stripped:
        return None
    last = _backslash_extent(lines, index)
    head = stripped[0]
    if head == "%":
        magic = _MAGIC_NAME.match(stripped)
        if (
            keep_statements
            and last == index
            and magic is not None
            and not stripped.startswith("%%")
            and magic.group(1) in STATEMENT_LINE_MAGICS
        ):
            statement = stripped[magic.end() :].lstrip()
            first_word = re.split(r"[\s(:]", statement, maxsplit=1)[0] if statement else ""
            if (
                statement
                and not statement.startswith("-")
                and first_word not in _COMPOUND_KEYWORDS
                and not statement.startswith("@")
            ):
                return _replace_prefix(
                    lines, originals, index, len(body) - len(statement)
                ), index + 1
        return _replace_whole(lines, originals, index, last), last + 1
    if head in "!?" or _AUTOCALL.match(stripped):
        return _replace_whole(lines, originals, index, last), last + 1
    assigned = _ASSIGNED_ESCAPE.match(body)
    if assigned is not None:
        return _replace_assigned(lines, originals, index, last, assigned.end()), last + 1
    if automagic and last == index and _is_automagic(stripped):
        return _replace_whole(lines, originals, index, index), index + 1
    return None


def _is_automagic(stripped: str) -> bool:
    import ast

    word = _WORD_THEN_ARGUMENT.match(stripped)
    if word is None or word.group(1) not in AUTOMAGICS:
        return False
    quote, depth, continued, _ = _scan_line(stripped, None, 0)
    if quote is not None or depth or continued:
        return False  # the line opens something the next lines close: Python, not a magic
    try:
        ast.parse(stripped)
    except SyntaxError:
        return True
    except Exception:  # ValueError (NUL bytes), RecursionError: not ours to judge
        return False
    return False


def _backslash_extent(lines: List[_Line], index: int) -> int:
    last = index
    while last + 1 < len(lines) and lines[last].body.endswith("\\"):
        last += 1
    return last


def _indent(body: str) -> str:
    return body[: len(body) - len(body.lstrip())]


def _replace_whole(lines: List[_Line], originals: List[str], first: int, last: int) -> Escape:
    indent = _indent(originals[first])
    for index in range(first, last + 1):
        lines[index].body = indent + PLACEHOLDER
    return Escape(
        row=first + 1,
        original=tuple(originals[first : last + 1]),
        neutral=tuple(line.body for line in lines[first : last + 1]),
    )


def _replace_assigned(
    lines: List[_Line], originals: List[str], first: int, last: int, value_column: int
) -> Escape:
    indent = _indent(originals[first])
    lines[first].body = originals[first][:value_column] + PLACEHOLDER
    for index in range(first + 1, last + 1):
        lines[index].body = indent + PLACEHOLDER
    return Escape(
        row=first + 1,
        original=tuple(originals[first : last + 1]),
        neutral=tuple(line.body for line in lines[first : last + 1]),
    )


def _replace_prefix(
    lines: List[_Line], originals: List[str], index: int, statement_column: int
) -> Escape:
    original = originals[index]
    indent = _indent(original)
    neutral = indent + PAYLOAD_PREFIX + original[statement_column:]
    lines[index].body = neutral
    payload_column = len(indent) + len(PAYLOAD_PREFIX)
    return Escape(
        row=index + 1,
        original=(original,),
        neutral=(neutral,),
        payload_column=payload_column,
        shift=payload_column - statement_column,
    )


def _scan_line(
    body: str, quote: Optional[str], depth: int
) -> Tuple[Optional[str], int, bool, bool]:
    """Lex one physical line just enough to follow strings, brackets and continuations.

    Returns (the string still open at its end, bracket depth, whether a backslash continues the
    line, whether a `?` appeared outside strings and comments).
    """
    index = 0
    length = len(body)
    question = False
    while index < length:
        char = body[index]
        if quote is not None:
            if char == "\\":
                index += 2
                continue
            if body.startswith(quote, index):
                index += len(quote)
                quote = None
                continue
            index += 1
            continue
        if char == "#":
            return None, depth, False, question
        if char in "\"'":
            quote = body[index : index + 3] if body[index : index + 3] in ('"""', "'''") else char
            index += len(quote)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == "?":
            question = True
        index += 1
    if quote is not None and len(quote) == 1 and not body.endswith("\\"):
        quote = None  # an unterminated one-line string: a syntax error the parser will report
    continued = quote is None and body.endswith("\\")
    return quote, depth, continued, question


def locate_escapes(lines: List[str], escapes: Tuple[Escape, ...]) -> Optional[List[int]]:
    """The 0-based line index where each escape's neutral lines now sit, in order, or None.

    Fixes never touch escape lines (only the statement after `%time`), but they may add or
    remove other lines, so the escapes are found again by content, each after the previous one.
    """
    found: List[int] = []
    position = 0
    for escape in escapes:
        size = len(escape.neutral)
        while position + size <= len(lines):
            if escape.matches(tuple(lines[position : position + size])):
                break
            position += 1
        else:
            return None
        found.append(position)
        position += size
    return found


def restore(text: str, escapes: Tuple[Escape, ...]) -> Optional[str]:
    """Put the original IPython lines back into (possibly fixed) neutral text; None if lost."""
    if not escapes:
        return text
    pairs = split_lines(text)
    bodies = [body for body, _ in pairs]
    positions = locate_escapes(bodies, escapes)
    if positions is None:
        return None
    for escape, position in zip(escapes, positions):
        for offset in range(len(escape.neutral)):
            bodies[position + offset] = escape.restored(offset, bodies[position + offset])
    return "".join(body + ending for body, (_, ending) in zip(bodies, pairs))
