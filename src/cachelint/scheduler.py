"""Linting many files: byte prefilter, wrapper callers, result cache, worker processes, progress.

The per-file work is `runner.lint_source` (pure). Around it, for each file:
1. read its bytes; unless it is a notebook (always analysed) or the prefilter is off, a file
   whose bytes cannot hold a finding (`prefilter.may_have_findings`: no SDK request call, no
   marker of a rule that reports outside requests) is not decoded or parsed. Its
   `from X import` lines are resolved to project files for step 3.
2. a file that passes is looked up in the result cache, else decoded, analysed and stored.
3. wrapper callers: a skipped file that imports from a project module whose bytes may hold
   requests (`importscan`) can still get findings at its calls of that module's wrappers, so
   it is analysed too. Modules outside the run (pre-commit passes only the changed files) are
   read to decide; the result is the same as without the prefilter.

CL000 follows from step 1: syntax errors are reported only in files that pass the prefilter, and
undecodable files are reported only then too (ruff and CPython report them everywhere).

Files run in worker processes (`jobs` > 1) when that pays: a run over many files triages and
analyses in the pool; a small run triages in this process and uses the pool only when at least
two files need analysing and they are big enough. Output order is the discovery order whatever
finishes first. Fixes are computed in the workers and written here, after every file has been
analysed, so no file's analysis sees another file half-fixed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from cachelint import runner
from cachelint.errors import DEBUG_ENV, CachelintError, FileError
from cachelint.importscan import ModuleFinder, calls_wrapper_of, from_imports
from cachelint.prefilter import has_module_rule_marker, may_contain_requests
from cachelint.progress import Progress
from cachelint.source import RawFile, SourceFile, decode_file, read_raw, write_source

# A run over at least this many files reads and triages them in the pool. Measured on 2 cores
# (files without SDK calls, from the standard library): the pool's start and messaging cost
# more than it saves below about 2,000 files (50 files: 0.09 s here vs 0.15 s in the pool; 2,000:
# 0.29 s vs 0.31 s; 4,000: 0.88 s vs 0.66 s).
POOL_MIN_FILES = 2000
# Otherwise the files to analyse go to the pool when there are at least two of them and they add
# up to this many bytes. Measured on 2 cores with files of the dense tree: 4 files of 10 kB in
# all took the same time either way, 2 files of 17 kB 0.47 s here vs 0.44 s in the pool, 4 files
# of 112 kB 2.98 s vs 2.11 s.
POOL_MIN_BYTES = 16_000
NOTEBOOK_SUFFIX = ".ipynb"
# The result cache's default place, in the project root (discovery never walks into it).
DEFAULT_CACHE_DIR_NAME = ".cachelint_cache"


@dataclass(frozen=True)
class RunOptions:
    """How to run (not what to report): workers, prefilter, cache, progress."""

    jobs: int = 1  # worker processes; 1 runs everything in this process
    prefilter: bool = True  # False: analyse every file (a debugging aid; results are the same)
    cache_dir: Optional[str] = None  # None: no result cache
    progress: bool = False  # a progress bar on stderr for long runs (the CLI decides when)


def available_cpus() -> int:
    """The CPUs this process may run on (respects affinity masks, e.g. `taskset`)."""
    if hasattr(os, "sched_getaffinity"):
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except OSError:
            pass
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class FileJob:
    index: int
    path: str
    shown: str
    absolute: str
    request: "runner.LintRequest"


@dataclass(frozen=True)
class Outcome:
    index: int
    result: Optional["runner.FileResult"] = None  # None: not analysed
    candidate: bool = False  # the file must be analysed (set by triage)
    requests: bool = False  # its bytes may hold SDK requests: callers of its functions may matter
    imported: Tuple[str, ...] = ()  # a skipped file's `from X import` project modules (files)
    source: Optional[SourceFile] = None  # fix mode: the file as read, to write its fixed text
    size: int = 0


@dataclass(frozen=True)
class _Task:
    job: FileJob
    triage_only: bool  # read and prefilter only
    force: bool  # analyse whatever the prefilter says


@dataclass(frozen=True)
class _Context:
    prefilter: bool
    cache_dir: Optional[str]


# -- one file (runs in a worker or here) -------------------------------------------------------

_STATE: Dict[str, object] = {}


def _init_process(context: _Context) -> None:
    """Per run, in this process and in each worker: the context; fresh per-run caches."""
    _STATE["context"] = context
    _STATE["finder"] = ModuleFinder()  # the file system may have changed since the last run
    _STATE.pop("cache", None)


def _result_cache():
    """The result cache, opened at the first file that needs analysing (a run whose files all
    fail the prefilter never loads it); None when disabled or not writable."""
    if "cache" not in _STATE:
        context = _STATE["context"]
        assert isinstance(context, _Context)
        cache = None
        if context.cache_dir is not None:
            from cachelint.resultcache import DependencyRecorder, ResultCache

            cache = ResultCache.open(context.cache_dir)
            if cache is not None:
                DependencyRecorder.install()
        _STATE["cache"] = cache
    return _STATE["cache"]


def _run_tasks(tasks: Sequence[_Task]) -> List[Outcome]:
    return [_run_task(task) for task in tasks]


def _run_task(task: _Task) -> Outcome:
    job = task.job
    try:
        return _process(task)
    except Exception as error:  # one line for this file; the run goes on
        if os.environ.get(DEBUG_ENV):
            raise
        reason = f"internal error: {type(error).__name__}: {error}"
        result = runner.FileResult(
            path=job.shown, absolute_path=job.absolute, error=FileError(job.shown, reason)
        )
        return Outcome(job.index, result=result)


def _process(task: _Task) -> Outcome:
    job = task.job
    context = _STATE["context"]
    assert isinstance(context, _Context)
    absolute = job.absolute
    try:
        raw = read_raw(job.path, job.shown)
    except CachelintError as error:
        failed = runner.FileResult(
            path=job.shown, absolute_path=absolute, error=FileError(job.shown, error.reason)
        )
        return Outcome(job.index, result=failed)
    requests = False
    if not task.force and context.prefilter and not _always_analysed(job.path):
        requests = may_contain_requests(raw.raw)
        if not requests and not has_module_rule_marker(raw.raw):
            finder = _STATE["finder"]
            assert isinstance(finder, ModuleFinder)
            imported = finder.targets(job.absolute, from_imports(raw.raw))
            return Outcome(job.index, imported=imported, size=len(raw.raw))
    if task.triage_only:
        return Outcome(job.index, candidate=True, requests=requests, size=len(raw.raw))
    result = _lint(job, raw, absolute)
    to_write = None
    if result.changed:
        to_write = decode_file(raw)
    return Outcome(
        job.index, result=result, candidate=True, requests=requests, source=to_write, size=len(raw.raw)
    )


def _always_analysed(path: str) -> bool:
    # Notebooks are JSON: the prefilter's patterns do not apply to their escaped cell sources.
    return path.lower().endswith(NOTEBOOK_SUFFIX)


def _lint(job: FileJob, raw: RawFile, absolute: str) -> "runner.FileResult":
    cache = _result_cache()
    request = job.request
    key = None
    if cache is not None and not _always_analysed(job.path):
        from cachelint.resultcache import digest

        key = cache.key(request.options, request.reportable_codes, job.shown, absolute, digest(raw.raw))  # type: ignore[attr-defined]
        hit = cache.load(key)  # type: ignore[attr-defined]
        if hit is not None and not _would_fix(hit.diagnostics, request):
            return _from_cache(job, raw, absolute, hit)
    try:
        source = decode_file(raw)
    except CachelintError as error:
        return runner.FileResult(
            path=job.shown, absolute_path=absolute, error=FileError(job.shown, error.reason)
        )
    if key is None:
        return runner.lint_source(source, request, absolute)
    from cachelint.resultcache import CachedResult, DependencyRecorder, describe_dependencies

    DependencyRecorder.start()
    try:
        result = runner.lint_source(source, request, absolute)
    finally:
        read = DependencyRecorder.stop()
    if _cacheable(result):
        dependencies = describe_dependencies(read, exclude=absolute)
        if dependencies is not None:
            entry = CachedResult(result.diagnostics, result.unknown_sites, result.warnings)
            cache.store(key, entry, dependencies)  # type: ignore[attr-defined]
    return result


def _would_fix(diagnostics, request) -> bool:
    if not request.fix:
        return False
    from cachelint.fixer import is_applicable

    return any(is_applicable(d.fix, request.unsafe_fixes) for d in diagnostics)


def _cacheable(result: "runner.FileResult") -> bool:
    """Only results that a check run would give: nothing fixed, attempted or failed."""
    return (
        result.error is None
        and not result.changed
        and not result.fixed
        and not result.rejected_fixes
        and not result.warnings
    )


def _from_cache(job: FileJob, raw: RawFile, absolute: str, hit) -> "runner.FileResult":
    source = decode_file(raw)  # the same bytes decoded when the entry was stored
    return runner.FileResult(
        path=job.shown,
        absolute_path=absolute,
        diagnostics=hit.diagnostics,
        unknown_sites=hit.unknown_sites,
        original_text=source.text,
        text=source.text,
        warnings=hit.warnings,
        encoding=source.encoding,
    )


# -- many files ----------------------------------------------------------------------------


class _Executor:
    """Runs tasks here or in a lazily started pool; yields outcomes as they finish."""

    def __init__(self, workers: int, context: _Context):
        self.workers = workers
        self.context = context
        self._pool = None
        _init_process(context)

    def run(self, tasks: Sequence[_Task], parallel: bool, chunk: int = 1) -> Iterator[Outcome]:
        if not tasks:
            return
        if not parallel or self.workers <= 1 or len(tasks) < 2:
            for task in tasks:
                yield _run_task(task)
            return
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        pool = self._ensure_pool()
        batches = [list(tasks[i : i + chunk]) for i in range(0, len(tasks), chunk)]
        pending = {pool.submit(_run_tasks, batch): batch for batch in batches}
        finished = set()
        try:
            for future in as_completed(pending):
                for outcome in future.result():
                    finished.add(outcome.index)
                    yield outcome
        except BrokenProcessPool:
            # A worker died (killed, out of memory): finish the rest here, one file at a time.
            self.close()
            self.workers = 1
            for task in tasks:
                if task.job.index not in finished:
                    yield _run_task(task)

    def _ensure_pool(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork shares what this process already imported; elsewhere workers start fresh
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_process,
                initargs=(self.context,),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def lint_files(
    items: Sequence[Tuple[str, "runner.LintRequest"]], *, write: bool, options: RunOptions
) -> List["runner.FileResult"]:
    """Lint (and, for fix requests, fix) every file; results in the order of `items`."""
    cwd = os.getcwd()
    jobs = []
    for index, (path, request) in enumerate(items):
        shown = _display_path(path, cwd)
        absolute = os.path.join(cwd, shown) if not os.path.isabs(shown) else shown
        jobs.append(FileJob(index, path, shown, absolute, request))
    outcomes: List[Optional[Outcome]] = [None] * len(jobs)
    workers = max(1, options.jobs)
    context = _Context(prefilter=options.prefilter, cache_dir=options.cache_dir)
    executor = _Executor(workers, context)
    progress = Progress(len(jobs), options.progress)
    try:
        # 1. Triage: read every file, keep those that may have findings. Many files: in the
        # pool, where a kept file is analysed at once (while the other workers go on reading).
        # Few files: here, deciding from what is kept whether the pool pays for step 2.
        in_pool = workers > 1 and len(jobs) >= POOL_MIN_FILES
        triage = [_Task(job, not in_pool, False) for job in jobs]
        chunk = max(1, min(32, len(jobs) // (workers * 16)))
        for outcome in executor.run(triage, in_pool, chunk):
            outcomes[outcome.index] = outcome
            if outcome.result is not None or not outcome.candidate:
                progress.advance()
        # 2. Analyse the rest of the kept files, and the files that call wrappers from them,
        # biggest first (a long file started last would leave the other workers idle).
        to_lint = [
            job
            for job in jobs
            if outcomes[job.index].candidate and outcomes[job.index].result is None  # type: ignore[union-attr]
        ]
        if options.prefilter:
            callers = _wrapper_callers(jobs, outcomes)
            progress.total += len(callers)  # counted once as skipped, once more when analysed
            to_lint += callers
        sizes = {job.index: outcomes[job.index].size for job in to_lint}  # type: ignore[union-attr]
        to_lint.sort(key=lambda job: -sizes[job.index])
        parallel = len(to_lint) >= 2 and sum(sizes.values()) >= POOL_MIN_BYTES
        for outcome in executor.run([_Task(job, False, True) for job in to_lint], parallel):
            outcomes[outcome.index] = outcome
            progress.advance()
    finally:
        progress.close()
        executor.close()
    results = []
    for job, outcome in zip(jobs, outcomes):
        assert outcome is not None
        result = outcome.result
        if result is None:  # skipped by the prefilter: checked, nothing to report
            result = runner.FileResult(path=job.shown, absolute_path=job.absolute)
        elif write and outcome.source is not None:
            result = _write(job, outcome.source, result)
        results.append(result)
    return results


def _display_path(path: str, cwd: str) -> str:
    """`runner.display_path`, without its per-call `abspath`s for the common relative path."""
    if not os.path.isabs(path):
        normal = os.path.normpath(path)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return normal
    return runner.display_path(path, cwd)


def _write(job: FileJob, source: SourceFile, result: "runner.FileResult") -> "runner.FileResult":
    try:
        write_source(source, result.text)
    except CachelintError as error:
        # Nothing was written: report the file as it is on disk.
        unfixed = runner.lint_source(source, replace(job.request, fix=False), job.absolute)
        return replace(unfixed, error=FileError(job.shown, error.reason), warnings=result.warnings)
    return result


def _wrapper_callers(jobs: Sequence[FileJob], outcomes: Sequence[Optional[Outcome]]) -> List[FileJob]:
    """Skipped files that call a function they import from a module that may hold requests."""
    in_run: Dict[str, bool] = {}
    for job in jobs:
        outcome = outcomes[job.index]
        if outcome is not None and (outcome.candidate or outcome.result is None):
            # Keyed by the path as found: in a symlinked folder a lookup misses and the module
            # is read again below (the same answer, a little slower).
            in_run[job.absolute] = outcome.requests
    elsewhere: Dict[str, bool] = {}

    def is_request_module(target: str) -> bool:
        known = in_run.get(target)
        if known is not None:
            return known
        if target not in elsewhere:
            try:
                with open(target, "rb") as handle:
                    elsewhere[target] = may_contain_requests(handle.read())
            except OSError:
                elsewhere[target] = False
        return elsewhere[target]

    finder = _STATE["finder"]
    assert isinstance(finder, ModuleFinder)
    callers = []
    for job in jobs:
        outcome = outcomes[job.index]
        if outcome is None or outcome.candidate or not outcome.imported:
            continue
        if not any(is_request_module(target) for target in outcome.imported):
            continue
        # A few files: read again to see whether an imported name is called at all.
        try:
            with open(job.path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if calls_wrapper_of(job.absolute, data, finder, is_request_module):
            callers.append(job)
    return callers
