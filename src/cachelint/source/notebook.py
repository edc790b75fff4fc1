"""Jupyter notebooks (nbformat 4 JSON): read cells, write fixed sources back, locate positions.

Writing never re-serialises the document: only the `source` values of the cells that changed
are replaced, in place, in the original JSON text, formatted like the list they replace (its
indentation, separators and escaping), and unchanged lines keep their original JSON spelling.
Outputs, metadata, cell ids, key order, the file's indentation and its trailing newline are
therefore kept byte for byte.

Cells are numbered like ruff numbers them: 1-based over every cell of the notebook, markdown and
raw cells included, so `cell 3` is the third cell from the top whatever its type.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Tuple

from cachelint.core.diagnostics import Location
from cachelint.core.errors import CachelintError

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotebookError(CachelintError):
    """A file named .ipynb that is not an nbformat 4 notebook."""


def is_python_language(language: Optional[str]) -> bool:
    """None (not recorded) counts as Python, the default kernel; so do "python3", "ipython"."""
    return language is None or language.startswith("python") or language == "ipython"


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based position among all cells (what reports call `cell N`)
    cell_type: str  # "code", "markdown", "raw"
    source: str  # the lines joined
    source_is_list: bool  # nbformat allows a list of lines or one string
    source_span: Tuple[int, int]  # where the source value sits in the JSON text
    item_spans: Tuple[Tuple[int, int], ...]  # each string token of the value, in order
    items: Tuple[str, ...]  # the decoded strings of those tokens
    language: Optional[str] = None  # a per-cell language (VS Code's `languageId`), lowercased

    @property
    def is_python_code(self) -> bool:
        return self.cell_type == "code" and is_python_language(self.language)


@dataclass(frozen=True)
class Notebook:
    text: str
    cells: Tuple[Cell, ...]
    language: Optional[str]  # the kernel's language, lowercased; None when not recorded

    @property
    def is_python(self) -> bool:
        return is_python_language(self.language)

    @property
    def code_cells(self) -> Tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.cell_type == "code")

    def cell(self, number: int) -> Optional[Cell]:
        if 1 <= number <= len(self.cells):
            return self.cells[number - 1]
        return None


# -- reading -------------------------------------------------------------------------------------


def parse_notebook(text: str) -> Notebook:
    """Parse nbformat 4 JSON. Raises NotebookError with a one-line reason for anything else."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"not a valid notebook: invalid JSON at line {error.lineno} column {error.colno}: "
            f"{error.msg}"
        ) from None
    except RecursionError:
        raise NotebookError("not a valid notebook: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise NotebookError("not a valid notebook: the JSON document is not an object")
    major = document.get("nbformat")
    if isinstance(major, int) and major < 4:
        raise NotebookError(
            f"nbformat {major} notebooks are not supported; "
            "convert with `jupyter nbconvert --to notebook --nbformat 4`"
        )
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: no `cells` list")
    spans = _cell_source_spans(text)
    parsed = []
    for number, (cell, span) in enumerate(zip(cells, spans), start=1):
        parsed.append(_cell(number, cell, span))
    if len(spans) != len(cells):  # cannot happen for JSON that json.loads accepted
        raise NotebookError("not a valid notebook: could not locate the cells")
    return Notebook(text=text, cells=tuple(parsed), language=_language(document))


def _cell(number: int, cell, span) -> Cell:
    if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
        raise NotebookError(f"not a valid notebook: cell {number} has no `cell_type`")
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        items = tuple(source)
        is_list = True
    elif isinstance(source, str):
        items = (source,)
        is_list = False
    else:
        raise NotebookError(f"not a valid notebook: cell {number} has a malformed `source`")
    source_span, item_spans = span if span is not None else ((-1, -1), ())
    metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    vscode = metadata.get("vscode") if isinstance(metadata.get("vscode"), dict) else {}
    language = vscode.get("languageId")
    return Cell(
        number=number,
        cell_type=cell["cell_type"],
        source="".join(items),
        source_is_list=is_list,
        source_span=source_span,
        item_spans=item_spans,
        items=items,
        language=language.lower() if isinstance(language, str) else None,
    )


def _language(document: dict) -> Optional[str]:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        table = metadata.get(key)
        if isinstance(table, dict) and isinstance(table.get(field), str):
            return table[field].lower()
    return None


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()


def _members(text: str, position: int):
    """Yield (key, value_start) for an object at `position`; the caller moves past each value."""
    position = _skip(text, position + 1)
    if text.startswith("}", position):
        return position + 1
    while True:
        key, position = json.decoder.scanstring(text, position + 1)
        position = _skip(text, position)
        position = _skip(text, position + 1)  # past ':'
        end = yield key, position
        position = _skip(text, end)
        if text.startswith("}", position):
            return position + 1
        position = _skip(text, position + 1)  # past ','


def _elements(text: str, position: int):
    """Yield each element start of an array at `position`; the caller sends each element's end."""
    position = _skip(text, position + 1)
    if text.startswith("]", position):
        return position + 1
    while True:
        end = yield position
        position = _skip(text, end)
        if text.startswith("]", position):
            return position + 1
        position = _skip(text, position + 1)


def _value_end(text: str, position: int) -> int:
    return _DECODER.raw_decode(text, position)[1]


def _walk(generator, on_item) -> int:
    """Drive a _members/_elements generator: on_item(item) returns where that item's value ends.

    Returns where the object or array ends.
    """
    try:
        item = next(generator)
        while True:
            item = generator.send(on_item(item))
    except StopIteration as stop:
        return stop.value


def _cell_source_spans(text: str) -> List[Optional[tuple]]:
    """For each cell, ((source start, end), (string token spans...)) in the JSON text."""
    start = _skip(text, 0)
    spans: List[Optional[tuple]] = []

    def root_member(item):
        key, value_start = item
        if key != "cells":
            return _value_end(text, value_start)
        spans.clear()

        def cell_element(element_start):
            found = [None]

            def cell_member(member):
                name, member_start = member
                end = _value_end(text, member_start)
                if name == "source":
                    found[0] = ((member_start, end), _string_tokens(text, member_start, end))
                return end

            spans.append(None)
            if not text.startswith("{", element_start):
                return _value_end(text, element_start)
            end = _walk(_members(text, element_start), cell_member)
            spans[-1] = found[0]
            return end

        return _walk(_elements(text, value_start), cell_element)

    _walk(_members(text, start), root_member)
    return spans


def _string_tokens(text: str, start: int, end: int) -> Tuple[Tuple[int, int], ...]:
    if text.startswith('"', start):
        return ((start, end),)
    if not text.startswith("[", start):
        return ()  # not a source nbformat allows; reported when the cell is read
    tokens = []

    def element(position):
        token_end = _value_end(text, position)
        tokens.append((position, token_end))
        return token_end

    _walk(_elements(text, start), element)
    return tuple(tokens)


# -- writing -------------------------------------------------------------------------------------


def with_sources(notebook: Notebook, sources: Dict[int, str]) -> str:
    """The notebook's JSON text with the given cells' sources replaced (by cell number)."""
    text = notebook.text
    ascii_only = _uses_ascii_escapes(text)
    replacements = []
    for number, source in sources.items():
        cell = notebook.cell(number)
        if cell is None or cell.source == source:
            continue
        start, end = cell.source_span
        if start < 0:  # a cell without a `source` key holds no code, so no fix reaches it
            continue
        replacements.append((start, end, _source_value(text, cell, source, ascii_only)))
    for start, end, value in sorted(replacements, reverse=True):
        text = text[:start] + value + text[end:]
    return text


def _uses_ascii_escapes(text: str) -> bool:
    """Was the file written with ensure_ascii (non-ASCII characters as \\uXXXX escapes)?"""
    return (
        text.isascii()
        and re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])", text) is not None
    )


def source_lines(source: str) -> List[str]:
    """nbformat's list form: every line keeps its "\\n" except the last."""
    return [line for line in re.split(r"(?<=\n)", source) if line]


def _source_value(text: str, cell: Cell, source: str, ascii_only: bool) -> str:
    if not cell.source_is_list:
        return json.dumps(source, ensure_ascii=ascii_only)
    spelled: Dict[str, str] = {}
    for item, (start, end) in zip(cell.items, cell.item_spans):
        spelled.setdefault(item, text[start:end])  # keep how unchanged lines were escaped
    lines = source_lines(source)
    if not lines:
        return "[]"
    tokens = [spelled.get(line) or json.dumps(line, ensure_ascii=ascii_only) for line in lines]
    opening, separator, closing = _list_layout(text, cell)
    return "[" + opening + separator.join(tokens) + closing + "]"


def _list_layout(text: str, cell: Cell) -> Tuple[str, str, str]:
    """The whitespace after `[`, between items (with the comma) and before `]` of a source list."""
    start, end = cell.source_span
    spans = cell.item_spans
    if spans:
        opening = text[start + 1 : spans[0][0]]
        closing = text[spans[-1][1] : end - 1]
        if len(spans) > 1:
            separator = text[spans[0][1] : spans[1][0]]
        else:
            separator = "," + opening if "\n" in opening else ", "
        return opening, separator, closing
    # An empty list: indent one level deeper than the `"source"` key's line, as json.dumps does.
    line_start = text.rfind("\n", 0, start) + 1
    key_indent = re.match(r"[ \t]*", text[line_start:]).group(0)
    if "\n" not in text[:start]:
        return "", ", ", ""
    unit = _indent_unit(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    inner = newline + key_indent + unit
    return inner, "," + inner, newline + key_indent


def _indent_unit(text: str) -> str:
    match = re.match(r"\s*\{\r?\n([ \t]+)", text)
    return match.group(1) if match else " "


# -- locating ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def cached_notebook(text: str) -> Optional[Notebook]:
    """The parsed notebook for reporters (None when `text` is not one)."""
    try:
        return parse_notebook(text)
    except NotebookError:
        return None


def cell_source(text: Optional[str], number: int) -> Optional[str]:
    """The source of cell `number` of the notebook whose JSON is `text`."""
    notebook = cached_notebook(text) if text is not None else None
    cell = notebook.cell(number) if notebook is not None else None
    return cell.source if cell is not None else None


def file_location(text: Optional[str], number: int, location: Location) -> Optional[Location]:
    """Where a cell position (1-based row and column in the cell) is in the .ipynb file itself.

    This is what tools that show the file as it is on disk (GitHub annotations, SARIF viewers)
    need: the JSON line holding that source line, and the column of that character in it.
    """
    notebook = cached_notebook(text) if text is not None else None
    cell = notebook.cell(number) if notebook is not None else None
    if cell is None or not cell.item_spans:
        return None
    offset = _cell_offset(cell.source, location)
    consumed = 0
    for item, (start, end) in zip(cell.items, cell.item_spans):
        if offset < consumed + len(item) or (start, end) == cell.item_spans[-1]:
            raw = start + _raw_index(text[start:end], offset - consumed)
            line = text.count("\n", 0, raw) + 1
            column = raw - (text.rfind("\n", 0, raw) + 1) + 1
            return Location(line, column)
        consumed += len(item)
    return None


def _cell_offset(source: str, location: Location) -> int:
    from cachelint.source.ipython_escapes import split_lines

    offset = 0
    for row, (body, ending) in enumerate(split_lines(source), start=1):
        if row == location.row:
            return offset + min(max(location.column - 1, 0), len(body))
        offset += len(body) + len(ending)
    return offset


def _raw_index(token: str, wanted: int) -> int:
    """The index in a JSON string token (quotes included) of its `wanted`-th decoded character."""
    index = 1
    decoded = 0
    while index < len(token) - 1 and decoded < wanted:
        if token[index] == "\\":
            if token[index + 1] == "u":
                high = int(token[index + 2 : index + 6], 16)
                pair = 0xD800 <= high < 0xDC00 and token[index + 6 : index + 8] == "\\u"
                index += 12 if pair else 6
            else:
                index += 2
        else:
            index += 1
        decoded += 1
    return min(index, len(token) - 1)


class ChangedCell(NamedTuple):
    number: int
    before: str  # its source before the fixes
    after: str


def changed_cells(original: str, fixed: str) -> List[ChangedCell]:
    """Each cell a fix changed (for --diff)."""
    before, after = cached_notebook(original), cached_notebook(fixed)
    if before is None or after is None or len(before.cells) != len(after.cells):
        return []
    return [
        ChangedCell(old.number, old.source, new.source)
        for old, new in zip(before.cells, after.cells)
        if old.source != new.source
    ]
