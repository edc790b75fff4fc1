"""One lint: a snapshot of a buffer or notebook in, a frozen outcome out (no LSP types here).

The work is the product's own per-file path, `run.runner.lint_source`, with the request
`cachelint check` builds for the file (`run.runner.request_for`), so the editor shows the same
findings as the command line. Imports of other project modules are resolved through a
`resolve.project.Project` whose overlay holds the open buffers: an unsaved edit to a prompt
module counts at once. The overlay notes every module path the resolution consulted; those
are the outcome's dependencies, for refreshing it when one of them changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, Mapping, Optional, Set, Tuple, Union

from cachelint.core.diagnostics import Diagnostic
from cachelint.resolve.project import Project, resolving_through
from cachelint.run.runner import FileResult, lint_source, request_for
from cachelint.server.config import ClientOptions, FileSettings
from cachelint.server.documents import NotebookSnapshot, TextSnapshot
from cachelint.source.files import SourceFile, detect_newline
from cachelint.source.notebook import parse_notebook

AnySnapshot = Union[TextSnapshot, NotebookSnapshot]


class ConsultedOverlay(Mapping):
    """The open buffers (resolved path -> text) as the project's overlay, noting each path the
    project asked about, found or not (a module created later is a dependency too)."""

    def __init__(self, texts: Mapping[Path, str]):
        self._texts = dict(texts)
        self.consulted: Set[Path] = set()

    def __getitem__(self, path: Path) -> str:
        self.consulted.add(path)
        return self._texts[path]

    def get(self, path: Path, default: Optional[str] = None) -> Optional[str]:
        self.consulted.add(path)
        return self._texts.get(path, default)

    def __contains__(self, path: object) -> bool:
        if isinstance(path, Path):
            self.consulted.add(path)
        return path in self._texts

    def __iter__(self) -> Iterator[Path]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


@dataclass(frozen=True)
class LintOutcome:
    """What one lint of one snapshot found."""

    snapshot: AnySnapshot
    diagnostics: Tuple[Diagnostic, ...] = ()
    dependencies: FrozenSet[str] = frozenset()  # module paths the resolution consulted
    error: Optional[str] = None  # the file could not be linted (shown in the log)
    settings_problem: Optional[str] = None

    @property
    def uri(self) -> str:
        return self.snapshot.uri

    @property
    def version(self) -> Optional[int]:
        return self.snapshot.version


@dataclass(frozen=True)
class FixAllOutcome:
    """The texts after every applicable fix, as `cachelint fix` would write them."""

    texts: Mapping[str, str]  # document uri -> its fixed text (only the documents that changed)
    error: Optional[str] = None


def source_of(snapshot: AnySnapshot) -> SourceFile:
    """The snapshot as the decoded file the product lints (a notebook as its JSON)."""
    text = snapshot.as_ipynb() if isinstance(snapshot, NotebookSnapshot) else snapshot.text
    return SourceFile(
        path=snapshot.path,
        raw=text.encode("utf-8", "surrogatepass"),
        text=text,
        encoding="utf-8",
        newline=detect_newline(text),
    )


def run_lint(
    snapshot: AnySnapshot,
    file_settings: FileSettings,
    options: ClientOptions,
    buffers: Mapping[Path, str],
    *,
    fix: bool = False,
) -> Tuple[FileResult, FrozenSet[str]]:
    """The product's FileResult for the snapshot, and the module paths resolution consulted."""
    request = request_for(
        file_settings.settings, snapshot.path, fix=fix, unsafe_fixes=options.unsafe_fixes
    )
    overlay = ConsultedOverlay(buffers)
    with resolving_through(Project(overlay=overlay)):
        result = lint_source(source_of(snapshot), request, snapshot.path)
    own = Path(snapshot.path).resolve()
    dependencies = frozenset(str(path) for path in overlay.consulted if path != own)
    return result, dependencies


def lint_snapshot(
    snapshot: AnySnapshot,
    file_settings: FileSettings,
    options: ClientOptions,
    buffers: Mapping[Path, str],
) -> LintOutcome:
    result, dependencies = run_lint(snapshot, file_settings, options, buffers)
    error = result.error.one_line() if result.error is not None else None
    return LintOutcome(
        snapshot=snapshot,
        diagnostics=result.diagnostics,
        dependencies=dependencies,
        error=error,
        settings_problem=file_settings.problem,
    )


def fix_all(
    snapshot: AnySnapshot,
    file_settings: FileSettings,
    options: ClientOptions,
    buffers: Mapping[Path, str],
) -> FixAllOutcome:
    """Every safe fix (and unsafe ones when the client enabled them), through the product's
    fix loop (bounded passes, re-lint after each, fixes that break the syntax dropped)."""
    result, _ = run_lint(snapshot, file_settings, options, buffers, fix=True)
    if result.error is not None or not result.changed or result.text is None:
        return FixAllOutcome({})
    if isinstance(snapshot, TextSnapshot):
        return FixAllOutcome({snapshot.uri: result.text})
    fixed_cells = parse_notebook(result.text).cells
    texts: Dict[str, str] = {}
    for cell, fixed in zip(snapshot.cells, fixed_cells):
        if fixed.source != cell.text:
            texts[cell.uri] = fixed.source
    return FixAllOutcome(texts)
