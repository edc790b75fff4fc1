"""Orchestration: discover -> read -> analyse -> select / noqa -> fix loop -> results.

Usable without click: `check_paths`, `fix_paths` and `lint_stdin` take Settings and return a
frozen RunResult. Linting one file is the pure function `lint_source` (a SourceFile and a
LintRequest in, a FileResult out; no I/O), and `_lint_files` is the one per-file loop, so a
process pool, a result cache or a byte prefilter can be added in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

from cachelint.config.settings import Config, Settings, build_settings
from cachelint.core.diagnostics import Diagnostic, UnknownSite
from cachelint.core.errors import DEBUG_ENV, CachelintError, FileError, FileWarning
from cachelint.fix.apply import AppliedFix, RejectedFix, fix_text, is_applicable
from cachelint.core.options import AnalysisOptions
from cachelint.source.files import SourceFile, decode_source

if TYPE_CHECKING:
    from cachelint.run.scheduler import RunOptions

STDIN_PATH = "-"


@dataclass(frozen=True)
class LintRequest:
    """What linting one file needs: small, hashable and picklable."""

    options: AnalysisOptions
    reportable_codes: FrozenSet[str]
    fix: bool = False
    unsafe_fixes: bool = False


@dataclass(frozen=True)
class FileResult:
    path: str  # display path (relative to the working directory when inside it)
    absolute_path: str  # for machine formats; "-" for stdin without --stdin-filename
    diagnostics: Tuple[Diagnostic, ...] = ()  # what remains, sorted
    unknown_sites: Tuple[UnknownSite, ...] = ()
    original_text: Optional[str] = None
    text: Optional[str] = None  # after fixes (== original_text when nothing was fixed)
    fixed: Tuple[AppliedFix, ...] = ()
    rejected_fixes: Tuple[RejectedFix, ...] = ()
    warnings: Tuple[FileWarning, ...] = ()
    error: Optional[FileError] = None
    encoding: str = "utf-8"

    @property
    def changed(self) -> bool:
        return (
            self.text is not None
            and self.original_text is not None
            and self.text != self.original_text
        )

    @classmethod
    def nothing_to_report(cls, path: str, absolute_path: str) -> "FileResult":
        """`FileResult(path, absolute_path)`: a file checked without a finding (the prefilter
        skipped it). A big run makes thousands of these after its last file is read; filling
        the instance's dict at once costs a fifth of the frozen `__init__`'s setattr per field."""
        result = object.__new__(cls)
        fields = result.__dict__
        fields.update(_RESULT_DEFAULTS)
        fields["path"] = path
        fields["absolute_path"] = absolute_path
        return result


_RESULT_DEFAULTS = {
    name: getattr(FileResult, name)
    for name in FileResult.__dataclass_fields__
    if name not in ("path", "absolute_path")
}


@dataclass(frozen=True)
class RunResult:
    files: Tuple[FileResult, ...] = ()
    discovery_errors: Tuple[FileError, ...] = ()

    @property
    def diagnostics(self) -> Tuple[Diagnostic, ...]:
        return tuple(sorted((d for f in self.files for d in f.diagnostics), key=diagnostic_order))

    @property
    def errors(self) -> Tuple[FileError, ...]:
        file_errors = [f.error for f in self.files if f.error is not None]
        return tuple(self.discovery_errors) + tuple(file_errors)

    @property
    def warnings(self) -> Tuple[FileWarning, ...]:
        return tuple(w for f in self.files for w in f.warnings)

    @property
    def fixed(self) -> Tuple[Tuple[str, AppliedFix], ...]:
        return tuple((f.path, fix) for f in self.files for fix in f.fixed)

    @property
    def changed_files(self) -> Tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.changed)

    @property
    def unknown_sites(self) -> Tuple[UnknownSite, ...]:
        sites = (s for f in self.files for s in f.unknown_sites)
        return tuple(
            sorted(sites, key=lambda s: (s.path, s.location.row, s.location.column, s.method))
        )

    @property
    def checked_files(self) -> int:
        return sum(1 for f in self.files if f.error is None)


def diagnostic_order(diagnostic: Diagnostic) -> tuple:
    return diagnostic.sort_key


def display_path(path: str, cwd: Optional[str] = None) -> str:
    """Relative to the working directory when inside it, else absolute (like ruff)."""
    if path == STDIN_PATH:
        return path
    cwd = os.path.abspath(cwd or os.getcwd())
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, cwd)
    if relative.startswith(os.pardir):
        return absolute
    return relative


# -- one file ------------------------------------------------------------------------------------


class _RemainingFindings:
    """text -> the findings left after selection and `# noqa`; remembers the last analysis."""

    def __init__(self, path: str, request: LintRequest):
        self.path = path
        self.request = request
        self.last_analysis = None

    def __call__(self, text: str) -> Tuple[Diagnostic, ...]:
        from cachelint.run.analysis import analyze_text
        from cachelint.run.noqa import unsuppressed

        self.last_analysis = analyze_text(text, self.path, self.request.options)
        reportable = (
            d for d in self.last_analysis.diagnostics if d.code in self.request.reportable_codes
        )
        return tuple(sorted(unsuppressed(reportable, text), key=diagnostic_order))


def lint_source(
    source: SourceFile, request: LintRequest, absolute_path: Optional[str] = None
) -> FileResult:
    """Analyse (and, when asked, fix) one decoded file. Pure: reads and writes nothing."""
    from cachelint.source.notebook import is_notebook_path

    if is_notebook_path(source.path):
        from cachelint.run.notebooks import lint_notebook

        return lint_notebook(source, request, absolute_path)
    remaining = _RemainingFindings(source.path, request)
    diagnostics = remaining(source.text)
    text = source.text
    fixed: Tuple[AppliedFix, ...] = ()
    rejected: Tuple[RejectedFix, ...] = ()
    warnings: List[FileWarning] = []
    if request.fix and any(is_applicable(d.fix, request.unsafe_fixes) for d in diagnostics):
        outcome = fix_text(
            source.text,
            remaining,
            unsafe_fixes=request.unsafe_fixes,
            newline=source.newline,
            diagnostics=diagnostics,
        )
        text, diagnostics, fixed, rejected = (
            outcome.text,
            outcome.remaining,
            outcome.applied,
            outcome.rejected,
        )
        warnings.extend(
            FileWarning(
                source.path,
                f"{r.code} fix at {r.location.row}:{r.location.column} dropped: {r.reason}",
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
    return FileResult(
        path=source.path,
        absolute_path=absolute_path or source.path,
        diagnostics=diagnostics,
        unknown_sites=remaining.last_analysis.unknown_sites,
        original_text=source.text,
        text=text,
        fixed=fixed,
        rejected_fixes=rejected,
        warnings=tuple(warnings),
        encoding=source.encoding,
    )


def lint_bytes(
    path: str, raw: bytes, request: LintRequest, absolute_path: Optional[str] = None
) -> FileResult:
    """`lint_source` for data that did not come from a file on disk (stdin, tests)."""
    try:
        source = decode_source(raw, path)
    except CachelintError as error:
        return FileResult(
            path=path, absolute_path=absolute_path or path, error=FileError(path, error.reason)
        )
    return lint_source(source, request, absolute_path)


def request_for(
    settings: Settings, path: str, fix: bool = False, unsafe_fixes: bool = False
) -> LintRequest:
    absolute = os.path.abspath(path)
    return LintRequest(
        options=settings.options_for(absolute),
        reportable_codes=settings.codes_for(absolute),
        fix=fix,
        unsafe_fixes=unsafe_fixes,
    )


# -- many files ----------------------------------------------------------------------------------


def check_paths(
    paths: Sequence[str],
    settings: Union[Settings, Config],
    *,
    force_exclude: bool = False,
    run_options: Optional["RunOptions"] = None,
) -> RunResult:
    """Lint the Python files under `paths` (a Config is resolved with its own selection only)."""
    return _run(
        paths,
        _settings(settings),
        fix=False,
        unsafe_fixes=False,
        write=False,
        force_exclude=force_exclude,
        run_options=run_options,
    )


def fix_paths(
    paths: Sequence[str],
    settings: Union[Settings, Config],
    *,
    unsafe_fixes: bool = False,
    write: bool = True,
    force_exclude: bool = False,
    run_options: Optional["RunOptions"] = None,
) -> RunResult:
    """Fix files in place (write=False: compute the fixes only, e.g. for --diff)."""
    return _run(
        paths,
        _settings(settings),
        fix=True,
        unsafe_fixes=unsafe_fixes,
        write=write,
        force_exclude=force_exclude,
        run_options=run_options,
    )


def _settings(value: Union[Settings, Config]) -> Settings:
    return build_settings(value) if isinstance(value, Config) else value


def lint_stdin(
    raw: bytes,
    settings: Union[Settings, Config],
    *,
    filename: Optional[str] = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
    force_exclude: bool = False,
) -> RunResult:
    """Lint source read from stdin; `filename` (--stdin-filename) names it and picks settings."""
    settings = _settings(settings)
    path = filename or STDIN_PATH
    shown = display_path(path) if filename else STDIN_PATH
    absolute = os.path.abspath(path) if filename else STDIN_PATH
    if filename and force_exclude and _is_excluded(filename, settings):
        text = _lossless_text(raw)
        return RunResult(
            files=(FileResult(path=shown, absolute_path=absolute, original_text=text, text=text),)
        )
    request = request_for(settings, path, fix=fix, unsafe_fixes=unsafe_fixes)
    result = _guarded(shown, lambda: lint_bytes(shown, raw, request, absolute))
    return RunResult(files=(result,))


def _lossless_text(raw: bytes) -> Optional[str]:
    try:
        return decode_source(raw, STDIN_PATH).text
    except CachelintError:
        return None


def _is_excluded(path: str, settings: Settings) -> bool:
    from cachelint.source.discover import is_excluded

    return is_excluded(path, settings.root, settings.exclude)


def _run(
    paths: Sequence[str],
    settings: Settings,
    *,
    fix: bool,
    unsafe_fixes: bool,
    write: bool,
    force_exclude: bool,
    run_options: Optional["RunOptions"] = None,
) -> RunResult:
    from cachelint.source.discover import discover

    found = discover(
        list(paths) or ["."], settings.root, settings.exclude, force_exclude=force_exclude
    )
    requests = _requests(settings, found.files, fix=fix, unsafe_fixes=unsafe_fixes)
    results = _lint_files(requests, write=write, run_options=run_options)
    errors = tuple(FileError(display_path(error.path), error.reason) for error in found.errors)
    return RunResult(files=tuple(results), discovery_errors=errors)


def _requests(
    settings: Settings, paths: Sequence[str], *, fix: bool, unsafe_fixes: bool
) -> List[Tuple[str, LintRequest]]:
    """Each file with its LintRequest. Only per-file-ignores make them differ: without any, one
    request serves every file (thousands of files: no pattern matching, no `abspath` each)."""
    if settings.per_file_ignores or not paths:
        return [(path, request_for(settings, path, fix=fix, unsafe_fixes=unsafe_fixes)) for path in paths]
    shared = request_for(settings, paths[0], fix=fix, unsafe_fixes=unsafe_fixes)
    return [(path, shared) for path in paths]


def _lint_files(
    requests: Iterable[Tuple[str, LintRequest]],
    *,
    write: bool,
    run_options: Optional["RunOptions"] = None,
) -> List[FileResult]:
    """The per-file loop: read, prefilter, lint (cached, in worker processes), write. The only
    place that iterates over files; see `cachelint.run.scheduler`."""
    from cachelint.run.scheduler import RunOptions, lint_files

    return lint_files(list(requests), write=write, options=run_options or RunOptions())


def _guarded(shown: str, work: Callable[[], FileResult]) -> FileResult:
    """Turn an unexpected exception into a one-line error for this file; the run goes on."""
    try:
        return work()
    except Exception as error:  # the user gets one line, not a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        reason = f"internal error: {type(error).__name__}: {error}"
        return FileResult(
            path=shown, absolute_path=os.path.abspath(shown), error=FileError(shown, reason)
        )
