"""Linting many files: byte prefilter, wrapper callers, result cache, worker processes, progress.

The per-file work is `runner.lint_source` (pure). Around it, for each file:
1. read its bytes (`fastread`); unless the prefilter is off, `triage` decides: a file whose
   bytes cannot hold a finding (no SDK request call, no marker of a rule that reports outside
   requests; notebooks are always analysed) is not decoded or parsed. Its `from X import` lines
   are resolved to project files for step 3.
2. a file that passes is read again by `source.read_raw` (a few files per run), looked up in
   the result cache, else decoded, analysed and stored.
3. wrapper callers: a skipped file that imports from a project module whose bytes may hold
   requests can still get findings at its calls of that module's wrappers, so it is analysed
   too (`board`). Modules outside the run (pre-commit passes only the changed files) are
   read to decide; the result is the same as without the prefilter.

CL000 follows from step 1: syntax errors are reported only in files that pass the prefilter, and
undecodable files are reported only then too (ruff and CPython report them everywhere).

The jobs live in their own modules: the file list and shown paths (`jobs`), one file
(`worker`), worker processes (`executor`, `pool`), the board of skipped files and wrapper
callers (`board`), writing fixed files (`writing`). This module decides the order.

Files run in worker processes (`jobs` > 1) when that pays: a run over many files triages and
analyses in the pool; a small run triages in this process and uses the pool only when at least
two files need analysing and they are big enough. Workers are forked (`forkpool`) on Linux and
inherit the run's files; elsewhere they are spawned (`concurrent.futures`).
Output order is the discovery order whatever finishes first. Fixes are computed in the workers
and written here, after every file has been analysed, so no file's analysis sees another file
half-fixed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional, Sequence

from cachelint.run.board import Board
from cachelint.run.executor import Executor
from cachelint.run.jobs import FileToLint, file_jobs
from cachelint.run.progress import Progress
from cachelint.run.results import FileResult
from cachelint.run.worker import WorkerSettings, run_modules
from cachelint.run.writing import write_fixed

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


def lint_files(
    items: Sequence[FileToLint], *, write: bool, options: RunOptions
) -> List[FileResult]:
    """Lint (and, for fix requests, fix) every file; results in the order of `items`."""
    cwd = os.getcwd()
    jobs = file_jobs(items, cwd)
    workers = max(1, options.jobs)
    settings = WorkerSettings(prefilter=options.prefilter, cache_dir=options.cache_dir)
    executor = Executor(workers, settings, jobs)
    board = Board(len(jobs))
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
        to_lint = board.to_analyse()
        if options.prefilter and board.imported:
            callers = board.wrapper_callers(jobs, run_modules())
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
    results = []
    for job, outcome in zip(jobs, board.outcomes):
        if outcome is None or outcome.result is None:  # skipped: checked, nothing to report
            result = FileResult.nothing_to_report(job.shown, job.absolute)
        else:
            result = outcome.result
            if write and outcome.source is not None:
                result = write_fixed(job, outcome.source, result)
        results.append(result)
    return results
