"""Running batches of a run's files: here, or in a pool of worker processes started on demand.

Workers are forked (`run.pool.ForkPool`) on Linux, where forking is safe and cheap: they share
what this process imported and the run's files, so a message names files by index and the
answer for the skipped files is a marshalled list of tuples. Elsewhere they are spawned
(`concurrent.futures`, behind the same interface). A worker that dies loses its message: the
files of that message are redone here, one at a time.
"""

from __future__ import annotations

import marshal
import os
import sys
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from cachelint.run import worker
from cachelint.run.jobs import FileJob
from cachelint.run.worker import Batch, SkippedFile, WorkerSettings

FORK = sys.platform.startswith("linux") and hasattr(os, "fork")


class Executor:
    """Runs batches of files here or in a lazily started pool; yields them as they finish."""

    def __init__(self, workers: int, settings: WorkerSettings, jobs: Sequence[FileJob]):
        self.workers = workers
        self.settings = settings
        self.jobs = jobs
        self._pool = None
        self._released: List[object] = []
        worker.start_run(settings, jobs)

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
                yield worker.run_batch((index,), triage_only, force)
            return
        pool = self._ensure_pool()
        for start in range(0, len(indices), chunk):
            _submit(pool, tuple(indices[start : start + chunk]), triage_only, force)
        for (batch, batch_triage_only, batch_force), answer in pool.results():  # type: ignore[attr-defined]
            if answer is None:
                # Its worker died (killed, out of memory): redo it here, one file at a time.
                for index in batch:
                    yield worker.run_batch((index,), batch_triage_only, batch_force)
                continue
            done = _decode(answer)
            if analyse_kept:
                for outcome in done.outcomes:
                    if outcome.candidate and outcome.result is None:
                        _submit(pool, (outcome.index,), False, True, first=True)
            yield done

    def _ensure_pool(self):
        if self._pool is None:
            if FORK:
                from cachelint.run.pool import ForkPool

                self._pool = ForkPool(self.workers, _serve)
            else:
                self._pool = _SpawnPool(self.workers, self.settings, self.jobs)
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
        worker.end_run()


def _submit(pool, batch: Tuple[int, ...], triage_only: bool, force: bool, first: bool = False) -> None:
    key = (batch, triage_only, force)
    pool.submit(key, marshal.dumps(key), first=first)


def _serve(message: bytes) -> bytes:
    """A batch in a worker: indices in, what became of the files out. marshal, not pickle, for
    the thousands of skipped files (plain tuples of ints and strings); the rare Outcome is pickled."""
    indices, triage_only, force = marshal.loads(message)
    skipped, outcomes = worker.run_batch(indices, triage_only, force)
    plain = [tuple(file) for file in skipped]  # marshal takes no tuple subclass
    return marshal.dumps((plain, _pickle().dumps(outcomes) if outcomes else b""))


def _decode(answer: bytes) -> Batch:
    skipped, outcomes = marshal.loads(answer)
    return Batch(list(map(SkippedFile._make, skipped)), _pickle().loads(outcomes) if outcomes else [])


def _pickle():
    import pickle  # only for runs that analyse a file in a worker

    return pickle


class _SpawnPool:
    """`concurrent.futures` behind ForkPool's interface, where workers are spawned. Only a few
    messages are handed to the executor at a time, so that one submitted `first` goes next."""

    def __init__(self, workers: int, settings: WorkerSettings, jobs: Sequence[FileJob]):
        import multiprocessing
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor

        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.start_run,
            initargs=(settings, jobs),
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
