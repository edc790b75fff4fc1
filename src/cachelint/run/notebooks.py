"""Linting a notebook: its code cells joined into one module, findings and fixes mapped to cells.

The code cells, with their IPython escapes neutralised (`cachelint.source.ipython_escapes`), are joined
in order into one module, so a prompt defined in cell 3 is resolved where cell 7 sends it. A
comment line (`MARKER`) separates consecutive cells; it keeps each cell's text recoverable from
the joined text after fixes have added or removed lines, and comments change nothing the rules
see. The module is analysed and fixed exactly like a .py file (same `analyze_text`, same
`# noqa`, same fix loop), with two restrictions on fixes: a fix whose edits leave one cell, touch
an IPython escape line or land in a cell that is not analysed is reported without its fix.

A cell that is not valid Python (after neutralising) is left out of the joined module and gets
one CL000 at its own syntax error; the other cells are still analysed. Cells that are not Python
at all (`%%bash`, a VS Code cell in another language, any cell of a non-Python kernel) are
skipped silently.

Findings leave here in cell coordinates: `Diagnostic.cell` is the cell's number (1-based over all
cells, as ruff counts), rows count within the cell, and fix edits are offsets into the cell's
source.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

from cachelint.core.codes import SYNTAX_ERROR_CODE
from cachelint.core.diagnostics import Diagnostic, Edit, Fix, Location, UnknownSite
from cachelint.core.errors import FileError, FileWarning
from cachelint.source.ipython_escapes import (
    Escape,
    NeutralCell,
    locate_escapes,
    neutralise,
    restore,
    split_lines,
)
from cachelint.source.notebook import Notebook, NotebookError, parse_notebook, with_sources

MARKER = "# cachelint: notebook cell boundary"


@dataclass(frozen=True)
class CodeCell:
    number: int  # the cell's number in the notebook
    original: str  # its source as stored
    neutral: Optional[NeutralCell]  # None: not analysed (not Python, or not valid Python)

    @property
    def analysed(self) -> bool:
        return self.neutral is not None

    @property
    def segment(self) -> str:
        """The cell's text in the joined module (always ending a line, so the marker does)."""
        if self.neutral is None:
            return ""
        text = self.neutral.text
        if text and not text.endswith(("\n", "\r")):
            text += "\n"
        return text


def code_cells(notebook: Notebook) -> List[CodeCell]:
    cells = []
    for cell in notebook.code_cells:
        neutral = None
        if notebook.is_python and cell.is_python_code:
            neutral = neutralise(cell.source)
            if not neutral.is_python:
                neutral = None
        cells.append(CodeCell(cell.number, cell.source, neutral))
    return cells


def choose_marker(cells: List[CodeCell]) -> str:
    """A boundary comment that no cell contains (so it can only mean a boundary)."""
    marker = MARKER
    suffix = 1
    while any(marker in cell.original for cell in cells):
        suffix += 1
        marker = f"{MARKER} {suffix}"
    return marker


def join_cells(cells: List[CodeCell], marker: str) -> str:
    return (marker + "\n").join(cell.segment for cell in cells)


# -- mapping joined positions to cells ------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """One cell's part of a joined text (which may have been changed by fixes)."""

    cell: CodeCell
    start: int  # offset of the segment in the joined text
    end: int  # offset where the marker after it starts (or the end of the text)
    first_row: int  # joined row of its first line
    line_starts: Tuple[int, ...]  # offsets (in the segment) of its lines
    line_ends: Tuple[int, ...]  # offsets (in the segment) after each line's ending
    original_starts: Tuple[int, ...]  # offsets of the same lines once escapes are restored
    escape_lines: Dict[int, Tuple[Escape, int]]  # 0-based line -> (escape, its line within it)
    bodies: Tuple[str, ...]  # its lines without line endings
    source_length: int  # the length of the cell's source it stands for (escapes restored)

    def row_of(self, local_offset: int) -> int:
        return max(0, bisect.bisect_right(self.line_starts, local_offset) - 1)

    def touches_escape(self, edit_start: int, edit_end: int, content: str) -> bool:
        """Whether an edit of [edit_start, edit_end) (segment offsets) would change IPython text.

        The statement after `%time` may be edited within its line; everything else an escape
        replaced, and the line breaks around it, may not.
        """
        for line, (escape, _) in self.escape_lines.items():
            line_start, line_end = self.line_starts[line], self.line_ends[line]
            if escape.is_statement and edit_start >= line_start + escape.payload_column:
                body_end = line_start + len(self.bodies[line])
                if (
                    edit_start <= body_end
                    and edit_end <= body_end
                    and "\n" not in content
                    and "\r" not in content
                ):
                    continue
            if edit_start == edit_end:
                if line_start < edit_start < line_end:
                    return True
            elif edit_start < line_end and edit_end > line_start:
                return True
        return False

    def original_column(self, line: int, column: int) -> int:
        """0-based column in the cell as stored, for a 0-based column on a segment line."""
        if line in self.escape_lines:
            escape, offset = self.escape_lines[line]
            return escape.original_column(offset, column)
        return min(column, len(self.bodies[line]))

    def cell_location(self, location: Location) -> Location:
        line = location.row - self.first_row
        count = len(self.line_starts)
        if count == 0:
            return Location(1, 1)
        if line >= count:  # past the last line (the joined module's end)
            line = count - 1
            column = self.line_ends[line] - self.line_starts[line]
        else:
            column = location.column - 1
        line = max(line, 0)
        return Location(line + 1, self.original_column(line, column) + 1)

    def cell_offset(self, joined_offset: int) -> int:
        local = min(max(joined_offset - self.start, 0), self.end - self.start)
        if not self.line_starts:
            return 0
        line = self.row_of(local)
        column = self.original_column(line, local - self.line_starts[line])
        return min(self.original_starts[line] + column, self.source_length)


class JoinedView:
    """The segments of one joined text, for mapping its positions to cells."""

    def __init__(self, text: str, segments: List[_Segment]):
        self.text = text
        self.segments = segments
        self._first_rows = [segment.first_row for segment in segments]

    def segment_at_row(self, row: int) -> _Segment:
        index = max(0, bisect.bisect_right(self._first_rows, row) - 1)
        # The row of an empty cell is the marker line after it: it belongs to the cell before.
        while index > 0 and not self.segments[index].line_starts:
            index -= 1
        return self.segments[index]

    def segment_of_edit(self, edit: Edit) -> Optional[_Segment]:
        for segment in self.segments:
            if segment.start <= edit.start_offset and edit.end_offset <= segment.end:
                return segment
        return None

    def fix_stays_in_cell(self, fix: Fix) -> bool:
        segments = set()
        for edit in fix.edits:
            segment = self.segment_of_edit(edit)
            if segment is None or not segment.cell.analysed:
                return False
            local_start, local_end = (
                edit.start_offset - segment.start,
                edit.end_offset - segment.start,
            )
            if segment.touches_escape(local_start, local_end, edit.content):
                return False
            segments.add(segment.cell.number)
        return len(segments) == 1

    def to_cell(self, diagnostic: Diagnostic) -> Diagnostic:
        """A diagnostic of the joined text in its cell's coordinates."""
        segment = self.segment_at_row(diagnostic.location.row)
        location = segment.cell_location(diagnostic.location)
        end = diagnostic.end_location
        if self.segment_at_row(end.row) is not segment:
            last = max(len(segment.line_starts), 1)
            end = Location(segment.first_row + last - 1, 10**9)
        end_location = max(segment.cell_location(end), location)
        noqa_row = None
        if diagnostic.noqa_row is not None:
            noqa_row = segment.cell_location(Location(diagnostic.noqa_row, 1)).row
        fix = diagnostic.fix
        if fix is not None:
            fix = replace(fix, edits=tuple(self._edit_to_cell(segment, e) for e in fix.edits))
        return replace(
            diagnostic,
            location=location,
            end_location=end_location,
            noqa_row=noqa_row,
            fix=fix,
            cell=segment.cell.number,
        )

    def _edit_to_cell(self, segment: _Segment, edit: Edit) -> Edit:
        return Edit(
            start_offset=segment.cell_offset(edit.start_offset),
            end_offset=segment.cell_offset(edit.end_offset),
            content=edit.content,
            location=segment.cell_location(edit.location),
            end_location=segment.cell_location(edit.end_location),
        )

    def site_to_cell(self, site: UnknownSite) -> UnknownSite:
        # UnknownSite has no `cell` field: the cell goes into the path, as text reports show it.
        segment = self.segment_at_row(site.location.row)
        return replace(
            site,
            path=f"{site.path}:cell {segment.cell.number}",
            location=segment.cell_location(site.location),
        )

    def cell_sources(self) -> Optional[Dict[int, str]]:
        """Each analysed cell's source as it now stands in the joined text, escapes restored."""
        sources = {}
        for segment in self.segments:
            cell = segment.cell
            if not cell.analysed:
                continue
            text = self.text[segment.start : segment.end]
            text = restore(text, cell.neutral.escapes)
            if text is None:
                return None
            if not cell.original.endswith(("\n", "\r")):
                text = _drop_final_line_break(text)
            sources[cell.number] = text
        return sources


def _drop_final_line_break(text: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def view_of(text: str, cells: List[CodeCell], marker: str) -> Optional[JoinedView]:
    """Split a joined text at its markers; None when the markers are not all there."""
    bounds: List[Tuple[int, int, int]] = []  # (start, end, first row)
    start, row, first_row, offset = 0, 1, 1, 0
    for body, ending in split_lines(text):
        if body == marker:
            bounds.append((start, offset, first_row))
            start = offset + len(body) + len(ending)
            first_row = row + 1
        offset += len(body) + len(ending)
        row += 1
    bounds.append((start, len(text), first_row))
    if len(bounds) != len(cells):
        return None
    segments = [_segment(text, cell, *bound) for cell, bound in zip(cells, bounds)]
    if any(segment is None for segment in segments):
        return None
    return JoinedView(text, segments)


def _segment(text: str, cell: CodeCell, start: int, end: int, first_row: int) -> Optional[_Segment]:
    pairs = split_lines(text[start:end])
    escapes = cell.neutral.escapes if cell.neutral is not None else ()
    positions = locate_escapes([body for body, _ in pairs], escapes) if escapes else []
    if positions is None:
        return None
    escape_lines: Dict[int, Tuple[Escape, int]] = {}
    for escape, position in zip(escapes, positions):
        for offset in range(len(escape.neutral)):
            escape_lines[position + offset] = (escape, offset)
    line_starts, line_ends, original_starts = [], [], []
    offset = original = 0
    for index, (body, ending) in enumerate(pairs):
        line_starts.append(offset)
        original_starts.append(original)
        offset += len(body) + len(ending)
        line_ends.append(offset)
        if index in escape_lines:
            escape, within = escape_lines[index]
            original += len(escape.restored(within, body)) + len(ending)
        else:
            original += len(body) + len(ending)
    return _Segment(
        cell=cell,
        start=start,
        end=end,
        first_row=first_row,
        line_starts=tuple(line_starts),
        line_ends=tuple(line_ends),
        original_starts=tuple(original_starts),
        escape_lines=escape_lines,
        bodies=tuple(body for body, _ in pairs),
        source_length=original - _added_line_break(cell, pairs),
    )


def _added_line_break(cell: CodeCell, pairs) -> int:
    """The line break the joined module adds after a cell whose source does not end with one."""
    if pairs and pairs[-1][1] and not cell.original.endswith(("\n", "\r")):
        return len(pairs[-1][1])
    return 0


# -- linting ---------------------------------------------------------------------------------------


class _NotebookFindings:
    """joined text -> findings left after selection and `# noqa`, with cell-crossing fixes removed.

    The fixer's `lint` function: positions stay in joined coordinates until the end.
    """

    def __init__(self, path: str, request, cells: List[CodeCell], marker: str):
        self.path = path
        self.request = request
        self.cells = cells
        self.marker = marker
        self.last_analysis = None
        self.last_view: Optional[JoinedView] = None
        self.cell_locations: Dict[tuple, Tuple[int, Location]] = {}
        self.first = None  # (view, analysis) of the text before any fix

    def __call__(self, text: str, analysis=None) -> Tuple[Diagnostic, ...]:
        from cachelint.run.analysis import analyze_text
        from cachelint.run.noqa import unsuppressed
        from cachelint.run.results import diagnostic_order

        if analysis is None:
            analysis = analyze_text(text, self.path, self.request.options)
        view = view_of(text, self.cells, self.marker)
        if view is None:
            raise RuntimeError("notebook cell boundaries were lost while fixing")
        self.last_analysis, self.last_view = analysis, view
        if self.first is None:
            self.first = (view, analysis)
        reportable = (d for d in analysis.diagnostics if d.code in self.request.reportable_codes)
        kept = []
        for diagnostic in unsuppressed(reportable, text):
            if diagnostic.fix is not None and not view.fix_stays_in_cell(diagnostic.fix):
                diagnostic = replace(diagnostic, fix=None)
            kept.append(diagnostic)
            key = (diagnostic.code, diagnostic.location)
            if key not in self.cell_locations:  # for naming where applied / rejected fixes were
                mapped = view.to_cell(diagnostic)
                self.cell_locations[key] = (mapped.cell, mapped.location)
        return tuple(sorted(kept, key=diagnostic_order))

    def unknown_sites_of(self, view: JoinedView) -> Tuple[UnknownSite, ...]:
        analysis = self.last_analysis if view is self.last_view else self.first[1]
        return analysis.unknown_sites

    def where(self, code: str, location: Location) -> str:
        cell, cell_location = self.cell_locations.get((code, location), (None, location))
        prefix = f"cell {cell}:" if cell is not None else ""
        return f"{prefix}{cell_location.row}:{cell_location.column}"


def lint_notebook(source, request, absolute_path: Optional[str] = None):
    """`runner.lint_source` for a .ipynb file: a FileResult whose texts are the notebook JSON."""
    from cachelint.run.analysis import analyze_text
    from cachelint.fix.apply import fix_text, is_applicable
    from cachelint.run.results import FileResult, diagnostic_order

    absolute = absolute_path or source.path
    try:
        notebook = parse_notebook(source.text)
    except NotebookError as error:
        return FileResult(
            path=source.path, absolute_path=absolute, error=FileError(source.path, error.reason)
        )
    unchanged = FileResult(
        path=source.path,
        absolute_path=absolute,
        original_text=source.text,
        text=source.text,
        encoding=source.encoding,
    )
    cells = code_cells(notebook)
    if not any(cell.analysed for cell in cells):
        return unchanged

    marker = choose_marker(cells)
    analysis = analyze_text(join_cells(cells, marker), source.path, request.options)
    cell_errors: List[Diagnostic] = []
    if analysis.syntax_error:
        cells, cell_errors = _set_aside_invalid_cells(cells, source.path, request.options)
        analysis = analyze_text(join_cells(cells, marker), source.path, request.options)
    cell_errors = [d for d in cell_errors if d.code in request.reportable_codes]

    findings = _NotebookFindings(source.path, request, cells, marker)
    joined = join_cells(cells, marker)
    diagnostics = findings(joined, analysis)
    unfixed_view, unfixed = findings.last_view, diagnostics
    text = joined
    fixed: tuple = ()
    rejected: tuple = ()
    warnings: List[FileWarning] = []
    if (
        request.fix
        and not analysis.syntax_error
        and any(is_applicable(d.fix, request.unsafe_fixes) for d in diagnostics)
    ):
        outcome = fix_text(
            joined,
            findings,
            unsafe_fixes=request.unsafe_fixes,
            newline=_newline_of(cells),
            diagnostics=diagnostics,
        )
        text, diagnostics = outcome.text, outcome.remaining
        fixed, rejected = outcome.applied, outcome.rejected
        warnings.extend(
            FileWarning(
                source.path,
                f"{r.code} fix at {findings.where(r.code, r.location)} dropped: {r.reason}",
            )
            for r in rejected
        )
        if not outcome.converged:
            warnings.append(
                FileWarning(
                    source.path,
                    f"fixes did not converge after {outcome.passes} passes; some were not applied",
                )
            )

    view = findings.last_view
    if view.text != text:  # the fixer always lints the text it returns; this is a safeguard
        findings(text)
        view = findings.last_view
    new_json = source.text
    if text != joined:
        sources = view.cell_sources()
        if sources is None:  # cannot happen: fixes never touch IPython lines; never write then
            warnings.append(
                FileWarning(source.path, "IPython lines could not be restored; fixes not written")
            )
            view, diagnostics, fixed, rejected = unfixed_view, unfixed, (), ()
        else:
            new_json = with_sources(notebook, sources)
    mapped = [view.to_cell(d) for d in diagnostics] + cell_errors
    return FileResult(
        path=source.path,
        absolute_path=absolute,
        diagnostics=tuple(sorted(mapped, key=diagnostic_order)),
        unknown_sites=tuple(view.site_to_cell(s) for s in findings.unknown_sites_of(view)),
        original_text=source.text,
        text=new_json,
        fixed=fixed,
        rejected_fixes=rejected,
        warnings=tuple(warnings),
        encoding=source.encoding,
    )


def _newline_of(cells: List[CodeCell]) -> str:
    """The line ending fixes insert: the first one the notebook's code uses (nbformat's is \\n)."""
    from cachelint.source.files import detect_newline

    return next(
        (detect_newline(c.original) for c in cells if c.analysed and c.original.count("\n")),
        "\n",
    )


def _set_aside_invalid_cells(
    cells: List[CodeCell], path: str, options
) -> Tuple[List[CodeCell], List[Diagnostic]]:
    """Cells that do not parse on their own leave the module, each with its own CL000."""
    from cachelint.run.analysis import analyze_text
    from cachelint.fix.apply import parses

    kept: List[CodeCell] = []
    errors: List[Diagnostic] = []
    for cell in cells:
        if not cell.analysed or parses(cell.neutral.text):
            kept.append(cell)
            continue
        fallback = _first_parsing_fallback(cell.original, parses)
        if fallback is not None:
            kept.append(replace(cell, neutral=fallback))
            continue
        failure = analyze_text(cell.neutral.text, path, options)
        alone = replace(cell, neutral=None)
        for diagnostic in failure.diagnostics:
            if diagnostic.code == SYNTAX_ERROR_CODE:
                errors.append(_error_in_cell(diagnostic, cell))
        kept.append(alone)
    return kept, errors


def _first_parsing_fallback(source: str, parses) -> Optional[NeutralCell]:
    """Less literal readings of a cell that did not parse: `%time` statements replaced whole,
    then automagic lines (`pip install x`) taken for magics too."""
    for keep_statements, automagic in ((False, False), (True, True), (False, True)):
        neutral = neutralise(source, keep_statements=keep_statements, automagic=automagic)
        if neutral.is_python and parses(neutral.text):
            return neutral
    return None


def _error_in_cell(diagnostic: Diagnostic, cell: CodeCell) -> Diagnostic:
    text = cell.segment
    segment = _segment(text, cell, 0, len(text), 1)
    location = diagnostic.location
    if segment is not None and segment.line_starts:
        location = segment.cell_location(location)
    return replace(diagnostic, location=location, end_location=location, cell=cell.number)
