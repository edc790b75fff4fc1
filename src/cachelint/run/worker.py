"""One file of a run, in a worker process or in this one: triage its bytes, else analyse it
(through the result cache) and keep what a fix must write.

Per run, each process holds the run's state (`start_run`): its files (a forked worker inherits
them, so a message names files by index only), how to run, and the module resolver for the
wrapper-caller imports. `run_batch` answers one message: the files skipped by triage, and an
`Outcome` for each of the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

from cachelint.core.errors import DEBUG_ENV, CachelintError, FileError
from cachelint.resolve.modules import ModuleResolver
from cachelint.run.jobs import FileJob
from cachelint.run.lint_file import lint_source
from cachelint.run.results import FileResult, LintRequest
from cachelint.run.triage import Triage, project_imports, triage
from cachelint.source.fastread import read_bytes
from cachelint.source.filekinds import is_notebook_path
from cachelint.source.files import RawFile, SourceFile, decode_file, read_raw


@dataclass(frozen=True)
class WorkerSettings:
    """How each process treats the run's files."""

    prefilter: bool  # False: analyse every file (a debugging aid; results are the same)
    cache_dir: Optional[str]  # None: no result cache


class SkippedFile(NamedTuple):
    """A file triage skipped (a named tuple: thousands of these cross from the workers per run)."""

    index: int
    imported: Tuple[str, ...]  # the project modules (files) its `from X import` lines name
    size: int


@dataclass(frozen=True)
class Outcome:
    """What became of a file that was not simply skipped (see `SkippedFile` for those)."""

    index: int
    result: Optional[FileResult] = None  # None: not analysed
    candidate: bool = False  # the file must be analysed (set by triage)
    requests: bool = False  # its bytes may hold SDK requests: callers of its functions may matter
    source: Optional[SourceFile] = None  # fix mode: the file as read, to write its fixed text
    size: int = 0


class Batch(NamedTuple):
    """What one message's files gave."""

    skipped: List[SkippedFile]
    outcomes: List[Outcome]


class _RunState:
    """The run as this process knows it (reset by `start_run`)."""

    settings = WorkerSettings(prefilter=True, cache_dir=None)
    jobs: Sequence[FileJob] = ()
    modules = ModuleResolver()
    cache_opened = False
    cache = None  # run.cache.ResultCache


_RUN = _RunState()


def start_run(settings: WorkerSettings, jobs: Sequence[FileJob] = ()) -> None:
    """Per run, in this process and in each worker: the settings and the run's files; fresh
    per-run caches."""
    _RUN.settings = settings
    _RUN.jobs = jobs
    _RUN.modules = ModuleResolver()  # the file system may have changed since the last run
    _RUN.cache_opened = False
    _RUN.cache = None


def end_run() -> None:
    """Nothing of the run kept alive by this module."""
    _RUN.jobs = ()


def run_modules() -> ModuleResolver:
    """The run's module resolver (the wrapper-caller check resolves the same imports again)."""
    return _RUN.modules


def _result_cache():
    """The result cache, opened at the first file that needs analysing (a run whose files all
    fail the prefilter never loads it); None when disabled or not writable."""
    if not _RUN.cache_opened:
        _RUN.cache_opened = True
        if _RUN.settings.cache_dir is not None:
            from cachelint.run.cache import DependencyRecorder, ResultCache

            _RUN.cache = ResultCache.open(_RUN.settings.cache_dir)
            if _RUN.cache is not None:
                DependencyRecorder.install()
    return _RUN.cache


def run_batch(indices: Sequence[int], triage_only: bool, force: bool) -> Batch:
    """The files `indices` of the run. `triage_only`: read and triage only; `force`: analyse
    whatever triage says."""
    jobs = _RUN.jobs
    skipped: List[SkippedFile] = []
    outcomes: List[Outcome] = []
    for index in indices:
        done = _run_guarded(jobs[index], triage_only, force)
        if isinstance(done, Outcome):
            outcomes.append(done)
        else:
            skipped.append(done)
    return Batch(skipped, outcomes)


def _run_guarded(job: FileJob, triage_only: bool, force: bool) -> Union[Outcome, SkippedFile]:
    try:
        return process(job, triage_only, force)
    except Exception as error:  # one line for this file; the run goes on
        if os.environ.get(DEBUG_ENV):
            raise
        reason = f"internal error: {type(error).__name__}: {error}"
        result = FileResult(path=job.shown, absolute_path=job.absolute, error=FileError(job.shown, reason))
        return Outcome(job.index, result=result)


def process(job: FileJob, triage_only: bool, force: bool) -> Union[Outcome, SkippedFile]:
    """One file: triaged from its bytes unless `force` (or the prefilter is off), analysed unless
    skipped or `triage_only`."""
    requests = False
    size = None
    prefiltered = not force and _RUN.settings.prefilter
    if prefiltered or triage_only:
        # Triage: the bytes only, read the cheap way; most files end here.
        try:
            data, is_link = read_bytes(job.path, job.shown)
        except CachelintError as error:
            return _failed(job, error)
        size = len(data)
        if prefiltered:
            verdict = triage(job.path, data)
            requests = verdict.may_hold_requests
            if verdict is Triage.ANALYSE_IF_WRAPPER_CALLER:
                return SkippedFile(job.index, project_imports(job.absolute, data, _RUN.modules, is_link), size)
        if triage_only:
            return Outcome(job.index, candidate=True, requests=requests, size=size)
    # A file to analyse (a few per run in a big tree) is read by `source.read_raw`, the one
    # reader of what is analysed, cached and fixed (with the times and mode a fix needs).
    try:
        raw = read_raw(job.path, job.shown)
    except CachelintError as error:
        return _failed(job, error)
    result = _lint(job, raw)
    to_write = None
    if result.changed:
        to_write = decode_file(raw)
    if size is None:
        size = len(raw.raw)
    return Outcome(job.index, result=result, candidate=True, requests=requests, source=to_write, size=size)


def _failed(job: FileJob, error: CachelintError) -> Outcome:
    failed = FileResult(path=job.shown, absolute_path=job.absolute, error=FileError(job.shown, error.reason))
    return Outcome(job.index, result=failed)


def _lint(job: FileJob, raw: RawFile) -> FileResult:
    cache = _result_cache()
    request = job.request
    absolute = job.absolute
    key = None
    # Notebook results are not cached.
    if cache is not None and not is_notebook_path(job.path):
        from cachelint.run.cache import digest

        key = cache.key(request.options, request.reportable_codes, job.shown, absolute, digest(raw.raw))
        hit = cache.load(key)
        if hit is not None and not _would_fix(hit.diagnostics, request):
            return _from_cache(job, raw, hit)
    try:
        source = decode_file(raw)
    except CachelintError as error:
        return FileResult(path=job.shown, absolute_path=absolute, error=FileError(job.shown, error.reason))
    if key is None:
        return lint_source(source, request, absolute)
    from cachelint.run.cache import CachedResult, DependencyRecorder, describe_dependencies

    DependencyRecorder.start()
    try:
        result = lint_source(source, request, absolute)
    finally:
        read = DependencyRecorder.stop()
    if _cacheable(result):
        dependencies = describe_dependencies(read, exclude=absolute)
        if dependencies is not None:
            entry = CachedResult(result.diagnostics, result.unknown_sites, result.warnings)
            cache.store(key, entry, dependencies)
    return result


def _would_fix(diagnostics, request: LintRequest) -> bool:
    if not request.fix:
        return False
    from cachelint.fix.apply import is_applicable

    return any(is_applicable(d.fix, request.unsafe_fixes) for d in diagnostics)


def _cacheable(result: FileResult) -> bool:
    """Only results that a check run would give: nothing fixed, attempted or failed."""
    return (
        result.error is None
        and not result.changed
        and not result.fixed
        and not result.rejected_fixes
        and not result.warnings
    )


def _from_cache(job: FileJob, raw: RawFile, hit) -> FileResult:
    source = decode_file(raw)  # the same bytes decoded when the entry was stored
    return FileResult(
        path=job.shown,
        absolute_path=job.absolute,
        diagnostics=hit.diagnostics,
        unknown_sites=hit.unknown_sites,
        original_text=source.text,
        text=source.text,
        warnings=hit.warnings,
        encoding=source.encoding,
    )
