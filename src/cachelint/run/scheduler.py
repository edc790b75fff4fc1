"""Linting many files: byte prefilter, wrapper callers, result cache, worker processes, progress.

The per-file work is `runner.lint_source` (pure). Around it, for each file:
1. read its bytes (`fastread`); unless it is a notebook (always analysed) or the prefilter is
   off, a file whose bytes cannot hold a finding (`prefilter.may_have_findings`: no SDK request
   call, no marker of a rule that reports outside requests) is not decoded or parsed. Its
   `from X import` lines are resolved to project files for step 3.
2. a file that passes is read again by `source.read_raw` (a few files per run), looked up in
   the result cache, else decoded, analysed and stored.
3. wrapper callers: a skipped file that imports from a project module whose bytes may hold
   requests (`importscan`) can still get findings at its calls of that module's wrappers, so
   it is analysed too. Modules outside the run (pre-commit passes only the changed files) are
   read to decide; the result is the same as without the prefilter.

CL000 follows from step 1: syntax errors are reported only in files that pass the prefilter, and
undecodable files are reported only then too (ruff and CPython report them everywhere).

Files run in worker processes (`jobs` > 1) when that pays: a run over many files triages and
analyses in the pool; a small run triages in this process and uses the pool only when at least
two files need analysing and they are big enough. Workers are forked (`forkpool`) on Linux and
inherit the run's files, so a message to them is a batch of indices and the answer for the
skipped files is a marshalled list of tuples; elsewhere they are spawned (`concurrent.futures`).
Output order is the discovery order whatever finishes first. Fixes are computed in the workers
and written here, after every file has been analysed, so no file's analysis sees another file
half-fixed.
"""

from __future__ import annotations

import marshal
import os
import sys
from dataclasses import dataclass, replace
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from cachelint.run import runner
from cachelint.core.errors import DEBUG_ENV, CachelintError, FileError
from cachelint.source.fastread import read_bytes
from cachelint.resolve.importscan import ModuleFinder, RequestModules, calls_wrapper_of, from_imports
from cachelint.source.prefilter import has_module_rule_marker, may_contain_requests
from cachelint.run.progress import Progress
from cachelint.source.files import RawFile, SourceFile, decode_file, read_raw, write_source

# A run over at least this many files reads and triages them in the pool. Measured on 2 cores
# (whole runs over files without SDK calls, from site-packages and the standard library): the
# pool's start and messaging cost what it saves at about 1,000 files (1,004 files: 0.144 s either
# way; 1,785: 0.176 s here, 0.156 s in the pool; 3,086: 0.249 s vs 0.213 s).
POOL_MIN_FILES = 1000
# Otherwise the files to analyse go to the pool when there are at least two of them and they add
# up to this many bytes. Measured on 2 cores with files of the dense tree: 4 files of 10 kB in
# all took the same time either way, 2 files of 17 kB 0.47 s here vs 0.44 s in the pool, 4 files
# of 112 kB 2.98 s vs 2.11 s.
POOL_MIN_BYTES = 16_000
# Files per message when the pool triages: enough to make the messaging cheap, few enough that
# the files of a worker busy analysing a big file wait little (the others take the next batch).
TRIAGE_CHUNK = 32
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


class FileJob(NamedTuple):
    """A file of the run (a named tuple: a run makes one per file before its workers start)."""

    index: int
    path: str
    shown: str
    absolute: str
    request: "runner.LintRequest"


@dataclass(frozen=True)
class Outcome:
    """What became of a file that was not simply skipped (see `Skip` for those)."""

    index: int
    result: Optional["runner.FileResult"] = None  # None: not analysed
    candidate: bool = False  # the file must be analysed (set by triage)
    requests: bool = False  # its bytes may hold SDK requests: callers of its functions may matter
    source: Optional[SourceFile] = None  # fix mode: the file as read, to write its fixed text
    size: int = 0


# A file the prefilter skipped: (index, the project modules (files) its `from X import` lines
# name, its size). A plain tuple: thousands of these cross from the workers per run.
Skip = Tuple[int, Tuple[str, ...], int]
# What one batch of files gave: the skipped ones and the others.
Batch = Tuple[List[Skip], List[Outcome]]


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


def _init_process(context: _Context, jobs: Sequence[FileJob] = ()) -> None:
    """Per run, in this process and in each worker: the context and the run's files (a forked
    worker inherits them, so a task names files by index only); fresh per-run caches."""
    _STATE["context"] = context
    _STATE["jobs"] = jobs
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
            from cachelint.run.cache import DependencyRecorder, ResultCache

            cache = ResultCache.open(context.cache_dir)
            if cache is not None:
                DependencyRecorder.install()
        _STATE["cache"] = cache
    return _STATE["cache"]


def _run_batch(indices: Sequence[int], triage_only: bool, force: bool) -> Batch:
    """The files `indices` of the run (in a worker: one message there, one back)."""
    jobs = _STATE["jobs"]
    assert isinstance(jobs, (list, tuple))
    skipped: List[Skip] = []
    outcomes: List[Outcome] = []
    for index in indices:
        done = _run_task(_Task(jobs[index], triage_only, force))
        if isinstance(done, Outcome):
            outcomes.append(done)
        else:
            skipped.append(done)
    return skipped, outcomes


def _run_task(task: _Task) -> Union[Outcome, Skip]:
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


def _process(task: _Task) -> Union[Outcome, Skip]:
    job = task.job
    context = _STATE["context"]
    assert isinstance(context, _Context)
    requests = False
    size = None
    prefiltered = not task.force and context.prefilter and not _always_analysed(job.path)
    if prefiltered or task.triage_only:
        # Triage: the bytes only, read the cheap way; most files end here.
        try:
            data, is_link = read_bytes(job.path, job.shown)
        except CachelintError as error:
            return _failed(job, error)
        size = len(data)
        if prefiltered:
            requests = may_contain_requests(data)
            if not requests and not has_module_rule_marker(data):
                finder = _STATE["finder"]
                assert isinstance(finder, ModuleFinder)
                keys = from_imports(data)
                imported = finder.targets(job.absolute, keys, is_link) if keys else ()
                return (job.index, imported, size)
        if task.triage_only:
            return Outcome(job.index, candidate=True, requests=requests, size=size)
    # A file to analyse (a few per run in a big tree) is read by `source.read_raw`, the one
    # reader of what is analysed, cached and fixed (with the times and mode a fix needs).
    try:
        raw = read_raw(job.path, job.shown)
    except CachelintError as error:
        return _failed(job, error)
    result = _lint(job, raw, job.absolute)
    to_write = None
    if result.changed:
        to_write = decode_file(raw)
    if size is None:
        size = len(raw.raw)
    return Outcome(job.index, result=result, candidate=True, requests=requests, source=to_write, size=size)


def _failed(job: FileJob, error: CachelintError) -> Outcome:
    failed = runner.FileResult(
        path=job.shown, absolute_path=job.absolute, error=FileError(job.shown, error.reason)
    )
    return Outcome(job.index, result=failed)


def _always_analysed(path: str) -> bool:
    # Notebooks are JSON: the prefilter's patterns do not apply to their escaped cell sources.
    return path.lower().endswith(NOTEBOOK_SUFFIX)


def _lint(job: FileJob, raw: RawFile, absolute: str) -> "runner.FileResult":
    cache = _result_cache()
    request = job.request
    key = None
    if cache is not None and not _always_analysed(job.path):
        from cachelint.run.cache import digest

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
    from cachelint.run.cache import CachedResult, DependencyRecorder, describe_dependencies

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
    from cachelint.fix.apply import is_applicable

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


# Workers are forked where forking is safe and cheap (they share what this process imported and
# the run's files, so a message names files by index); elsewhere they are spawned.
_FORK = sys.platform.startswith("linux") and hasattr(os, "fork")


class _Executor:
    """Runs batches of files here or in a lazily started pool; yields them as they finish."""

    def __init__(self, workers: int, context: _Context, jobs: Sequence[FileJob]):
        self.workers = workers
        self.context = context
        self.jobs = jobs
        self._pool = None
        self._released: List[object] = []
        _init_process(context, jobs)

    def run(
        self,
        indices: Sequence[int],
        triage_only: bool,
        force: bool,
        parallel: bool,
        chunk: int = 1,
        analyse_kept: bool = False,
    ) -> Iterator[Batch]:
        """The files `indices`, in batches of `chunk` in the pool when `parallel`.
        `analyse_kept` (in the pool): a file that triage keeps is analysed at once, in a message
        of its own that goes ahead of the triage still waiting, by the next free worker."""
        if not indices:
            return
        if not parallel or self.workers <= 1 or len(indices) < 2:
            for index in indices:
                yield _run_batch((index,), triage_only, force)
            return
        pool = self._ensure_pool()
        for start in range(0, len(indices), chunk):
            _submit(pool, tuple(indices[start : start + chunk]), triage_only, force)
        for (batch, batch_triage_only, batch_force), answer in pool.results():  # type: ignore[attr-defined]
            if answer is None:
                # Its worker died (killed, out of memory): redo it here, one file at a time.
                for index in batch:
                    yield _run_batch((index,), batch_triage_only, batch_force)
                continue
            skipped, outcomes = _decode(answer)
            if analyse_kept:
                for outcome in outcomes:
                    if outcome.candidate and outcome.result is None:
                        _submit(pool, (outcome.index,), False, True, first=True)
            yield skipped, outcomes

    def _ensure_pool(self):
        if self._pool is None:
            if _FORK:
                from cachelint.run.pool import ForkPool

                self._pool = ForkPool(self.workers, _serve)
            else:
                self._pool = _SpawnPool(self.workers, self.context, self.jobs)
        return self._pool

    def release(self) -> None:
        """Let the pool's workers exit without waiting for them (`close` waits)."""
        if self._pool is not None:
            self._pool.release()
            self._released.append(self._pool)
            self._pool = None

    def close(self, abort: bool = False) -> None:
        """Wait for the workers to exit; `abort`: stop them first (an error, Ctrl-C)."""
        self.release()
        for pool in self._released:
            if abort:
                pool.terminate()  # type: ignore[attr-defined]
            else:
                pool.close()  # type: ignore[attr-defined]
        self._released = []


def _submit(pool, batch: Tuple[int, ...], triage_only: bool, force: bool, first: bool = False) -> None:
    key = (batch, triage_only, force)
    pool.submit(key, marshal.dumps(key), first=first)


def _serve(message: bytes) -> bytes:
    """A batch in a worker: indices in, what became of the files out. marshal, not pickle, for
    the thousands of skipped files (tuples of ints and strings); the rare Outcome is pickled."""
    indices, triage_only, force = marshal.loads(message)
    skipped, outcomes = _run_batch(indices, triage_only, force)
    return marshal.dumps((skipped, _pickle().dumps(outcomes) if outcomes else b""))


def _decode(answer: bytes) -> Batch:
    skipped, outcomes = marshal.loads(answer)
    return skipped, (_pickle().loads(outcomes) if outcomes else [])


def _pickle():
    import pickle  # only for runs that analyse a file in a worker

    return pickle


class _SpawnPool:
    """`concurrent.futures` behind ForkPool's interface, where workers are spawned. Only a few
    messages are handed to the executor at a time, so that one submitted `first` goes next."""

    def __init__(self, workers: int, context: _Context, jobs: Sequence[FileJob]):
        import multiprocessing
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor

        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_process,
            initargs=(context, jobs),
        )
        self._limit = workers + 1
        self._waiting: deque = deque()
        self._running: Dict[object, object] = {}  # future -> key

    def submit(self, key: object, message: bytes, first: bool = False) -> None:
        if first:
            self._waiting.appendleft((key, message))
        else:
            self._waiting.append((key, message))

    def results(self) -> Iterator[Tuple[object, Optional[bytes]]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        while self._waiting or self._running:
            while self._waiting and len(self._running) < self._limit:
                key, message = self._waiting.popleft()
                try:
                    self._running[self._executor.submit(_serve, message)] = key
                except Exception:  # a broken pool takes nothing more: redone by the caller
                    yield key, None
            if not self._running:
                continue
            done, _ = wait(list(self._running), return_when=FIRST_COMPLETED)
            for future in done:
                key = self._running.pop(future)
                try:
                    answer = future.result()  # type: ignore[attr-defined]
                except Exception:  # a dead worker breaks the pool: every file left is redone here
                    answer = None
                yield key, answer

    def release(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    terminate = close


class _Board:
    """Where each file of the run stands: skipped by the prefilter, or an Outcome."""

    def __init__(self, count: int):
        self.outcomes: List[Optional[Outcome]] = [None] * count
        self.imported: Dict[int, Tuple[str, ...]] = {}  # skipped files with project imports
        self.skipped_sizes: Dict[int, int] = {}

    def record(self, batch: Batch) -> int:
        """Store a batch; the number of files it finished (skipped or analysed)."""
        skipped, outcomes = batch
        for index, imported, size in skipped:
            self.skipped_sizes[index] = size
            if imported:
                self.imported[index] = imported
        finished = len(skipped)
        for outcome in outcomes:
            previous = self.outcomes[outcome.index]
            if previous is not None and previous.requests and not outcome.requests:
                # analysed after triage (forced, so not prefiltered again): what triage saw holds
                outcome = replace(outcome, requests=True)
            self.outcomes[outcome.index] = outcome
            self.skipped_sizes.pop(outcome.index, None)
            if outcome.result is not None or not outcome.candidate:
                finished += 1
        return finished

    def size(self, index: int) -> int:
        outcome = self.outcomes[index]
        return outcome.size if outcome is not None else self.skipped_sizes.get(index, 0)


def lint_files(
    items: Sequence[Tuple[str, "runner.LintRequest"]], *, write: bool, options: RunOptions
) -> List["runner.FileResult"]:
    """Lint (and, for fix requests, fix) every file; results in the order of `items`."""
    cwd = os.getcwd()
    jobs = _jobs(items, cwd)
    workers = max(1, options.jobs)
    context = _Context(prefilter=options.prefilter, cache_dir=options.cache_dir)
    executor = _Executor(workers, context, jobs)
    board = _Board(len(jobs))
    progress = Progress(len(jobs), options.progress)
    aborted = True
    try:
        # 1. Triage: read every file, keep those that may have findings. Many files: in the
        # pool, where a kept file is analysed at once, by the next free worker (while the
        # others go on reading). Few files: here, deciding from what is kept whether the pool
        # pays for step 2.
        in_pool = workers > 1 and len(jobs) >= POOL_MIN_FILES
        chunk = max(1, min(TRIAGE_CHUNK, len(jobs) // (workers * 16)))
        everything = range(len(jobs))
        for batch in executor.run(everything, True, False, in_pool, chunk, analyse_kept=True):
            progress.advance(board.record(batch))
        if in_pool:
            executor.release()  # its workers exit while this process goes on (a new pool if need be)
        # 2. Analyse the kept files not analysed yet, and the files that call wrappers from
        # them, biggest first (a long file started last would leave the other workers idle).
        to_lint = [
            outcome.index
            for outcome in board.outcomes
            if outcome is not None and outcome.candidate and outcome.result is None
        ]
        if options.prefilter and board.imported:
            callers = _wrapper_callers(jobs, board)
            progress.total += len(callers)  # counted once as skipped, once more when analysed
            to_lint += callers
        if to_lint:
            to_lint.sort(key=lambda index: -board.size(index))
            parallel = len(to_lint) >= 2 and sum(map(board.size, to_lint)) >= POOL_MIN_BYTES
            for batch in executor.run(to_lint, False, True, parallel):
                progress.advance(board.record(batch))
        aborted = False
    finally:
        progress.close()
        executor.close(abort=aborted)
        _STATE["jobs"] = ()  # nothing of the run kept alive by this module
    results = []
    for job, outcome in zip(jobs, board.outcomes):
        if outcome is None or outcome.result is None:  # skipped: checked, nothing to report
            result = runner.FileResult.nothing_to_report(job.shown, job.absolute)
        else:
            result = outcome.result
            if write and outcome.source is not None:
                result = _write(job, outcome.source, result)
        results.append(result)
    return results


def _jobs(items: Sequence[Tuple[str, "runner.LintRequest"]], cwd: str) -> List[FileJob]:
    """The run's files with the paths to show and their absolute paths, worked out once per
    directory (a directory's files differ from it by their name only)."""
    jobs = []
    cwd_prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    places: Dict[str, Tuple[str, bool]] = {}  # directory -> (how it is shown, shown absolute)
    for index, (path, request) in enumerate(items):
        directory, _, name = path.rpartition(os.sep)
        derivable = directory and name and not path.startswith(os.sep * 2)
        place = places.get(directory) if derivable else None
        if place is None and derivable:
            shown_dir = _display_path(directory, cwd)
            place = places[directory] = (shown_dir, os.path.isabs(shown_dir))
        if place is None or (place[0] == os.curdir and name.startswith(os.pardir)):
            shown = _display_path(path, cwd)  # no directory part, or a name like `..x.py`
            absolute = shown if os.path.isabs(shown) else os.path.join(cwd, shown)
        else:
            shown_dir, is_absolute = place
            if shown_dir == os.curdir:
                shown = name
            else:
                shown = shown_dir + name if shown_dir.endswith(os.sep) else shown_dir + os.sep + name
            absolute = shown if is_absolute else cwd_prefix + shown
        jobs.append(FileJob(index, path, shown, absolute, request))
    return jobs


def _display_path(path: str, cwd: str) -> str:
    """`runner.display_path`, without its per-call `abspath` and `relpath` for the two common
    cases: a relative path inside the working directory, and a normalised absolute path."""
    if not os.path.isabs(path):
        normal = os.path.normpath(path)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return normal
    elif _normalised(path) and _normalised(cwd):
        prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
        if path.startswith(prefix):
            relative = path[len(prefix) :]
            return path if relative.startswith(os.pardir) else relative  # as display_path does
        if path != cwd:
            return path  # outside the working directory: shown absolute
    return runner.display_path(path, cwd)


def _normalised(path: str) -> bool:
    # `//x` is normal for POSIX but relpath reads it as `/x`: left to runner.display_path
    return os.path.normpath(path) == path and not path.startswith(os.sep * 2)


def _write(job: FileJob, source: SourceFile, result: "runner.FileResult") -> "runner.FileResult":
    try:
        write_source(source, result.text)
    except CachelintError as error:
        # Nothing was written: report the file as it is on disk.
        unfixed = runner.lint_source(source, replace(job.request, fix=False), job.absolute)
        return replace(unfixed, error=FileError(job.shown, error.reason), warnings=result.warnings)
    return result


def _wrapper_callers(jobs: Sequence[FileJob], board: _Board) -> List[int]:
    """Skipped files that call a function they import from a module that may hold requests."""
    # Keyed by the path as found: in a symlinked folder a lookup misses and the module is read
    # below (the same answer, a little slower).
    request_free = {jobs[index].absolute for index in board.skipped_sizes}  # skipped: no request
    in_run_requests = set()
    for outcome in board.outcomes:
        if outcome is not None and outcome.candidate:
            absolute = jobs[outcome.index].absolute
            (in_run_requests if outcome.requests else request_free).add(absolute)
    is_request_module = RequestModules(in_run_requests, request_free)

    # Thousands of skipped files import a few thousand modules, hardly ever one with requests:
    # decide per module once, with set operations, before looking at any file.
    imported = set().union(*board.imported.values())
    request_modules = {target for target in imported - request_free if is_request_module(target)}
    if not request_modules:
        return []
    finder = _STATE["finder"]
    assert isinstance(finder, ModuleFinder)
    callers = []
    importers = sorted(
        index for index, targets in board.imported.items() if not request_modules.isdisjoint(targets)
    )
    for index in importers:
        job = jobs[index]
        # A few files: read again to see whether an imported name is called at all.
        try:
            with open(job.path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if calls_wrapper_of(job.absolute, data, finder, is_request_module):
            callers.append(index)
    return callers
