"""The run API: discover -> read -> analyse -> select / noqa -> fix loop -> results.

Usable without click (the command line and editor integrations call it): `check_paths`,
`fix_paths` and `lint_stdin` take Settings and return a frozen RunResult. Linting one file is
the pure function `lint_source` (a SourceFile and a LintRequest in, a FileResult out; no I/O;
`run.lint_file`), and `scheduler.lint_files` is the one per-file loop (prefilter, result cache,
worker processes). The values it takes and gives are defined in `run.results`.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, List, Optional, Sequence, Union

from cachelint.config.settings import Config, Settings, build_settings
from cachelint.core.errors import DEBUG_ENV, CachelintError, FileError
from cachelint.run.jobs import STDIN_PATH, FileToLint, display_path
from cachelint.run.lint_file import lint_bytes, lint_source
from cachelint.run.results import FileResult, LintRequest, RunResult
from cachelint.run.scheduler import RunOptions, lint_files
from cachelint.source.files import decode_source

# The names editor integrations and the command line build on.
__all__ = [
    "LintRequest",
    "FileResult",
    "RunResult",
    "RunOptions",
    "lint_source",
    "lint_bytes",
    "request_for",
    "check_paths",
    "fix_paths",
    "lint_stdin",
]


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
    run_options: Optional[RunOptions] = None,
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
    run_options: Optional[RunOptions] = None,
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
    run_options: Optional[RunOptions] = None,
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
) -> List[FileToLint]:
    """Each file with its LintRequest. Only per-file-ignores make them differ: without any, one
    request serves every file (thousands of files: no pattern matching, no `abspath` each)."""
    if settings.per_file_ignores or not paths:
        return [FileToLint(path, request_for(settings, path, fix=fix, unsafe_fixes=unsafe_fixes)) for path in paths]
    shared = request_for(settings, paths[0], fix=fix, unsafe_fixes=unsafe_fixes)
    return [FileToLint(path, shared) for path in paths]


def _lint_files(
    requests: Iterable[FileToLint],
    *,
    write: bool,
    run_options: Optional[RunOptions] = None,
) -> List[FileResult]:
    """The per-file loop: read, prefilter, lint (cached, in worker processes), write. The only
    place that iterates over files; see `cachelint.run.scheduler`."""
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
