"""Where each file of a run stands, and which skipped files are analysed after all because
they call a wrapper.

Triage skips most files without analysing them (`run.triage`). A skipped file can still get
findings at its calls of a wrapper: a function it imports from a project module that may hold
requests. Once every file is triaged, the board knows which modules of the run may hold
requests; the modules a skipped file imports from outside the run (pre-commit passes only the
changed files) are read to decide. The result is the same as without the prefilter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

from cachelint.resolve.importscan import RequestModules
from cachelint.resolve.modules import ModuleResolver
from cachelint.run.jobs import FileJob
from cachelint.run.triage import calls_request_wrapper
from cachelint.run.worker import Batch, Outcome


class Board:
    """Where each file of the run stands: skipped by triage, or an Outcome."""

    def __init__(self, count: int):
        self.outcomes: List[Optional[Outcome]] = [None] * count
        self.imported: Dict[int, Tuple[str, ...]] = {}  # skipped files with project imports
        self.skipped_sizes: Dict[int, int] = {}

    def record(self, batch: Batch) -> int:
        """Store a batch; the number of files it finished (skipped or analysed)."""
        for skipped in batch.skipped:
            self.skipped_sizes[skipped.index] = skipped.size
            if skipped.imported:
                self.imported[skipped.index] = skipped.imported
        finished = len(batch.skipped)
        for outcome in batch.outcomes:
            previous = self.outcomes[outcome.index]
            if previous is not None and previous.requests and not outcome.requests:
                # analysed after triage (forced, so not triaged again): what triage saw holds
                outcome = replace(outcome, requests=True)
            self.outcomes[outcome.index] = outcome
            self.skipped_sizes.pop(outcome.index, None)
            if outcome.result is not None or not outcome.candidate:
                finished += 1
        return finished

    def size(self, index: int) -> int:
        outcome = self.outcomes[index]
        return outcome.size if outcome is not None else self.skipped_sizes.get(index, 0)

    def to_analyse(self) -> List[int]:
        """The files triage kept that are not analysed yet."""
        return [
            outcome.index
            for outcome in self.outcomes
            if outcome is not None and outcome.candidate and outcome.result is None
        ]

    def wrapper_callers(self, jobs: Sequence[FileJob], modules: ModuleResolver) -> List[int]:
        """Skipped files that call a function they import from a module that may hold requests."""
        # Keyed by the path as found: in a symlinked folder a lookup misses and the module is
        # read (the same answer, a little slower).
        request_free = {jobs[index].absolute for index in self.skipped_sizes}  # skipped: no request
        in_run_requests = set()
        for outcome in self.outcomes:
            if outcome is not None and outcome.candidate:
                absolute = jobs[outcome.index].absolute
                (in_run_requests if outcome.requests else request_free).add(absolute)
        is_request_module = RequestModules(in_run_requests, request_free)

        # Thousands of skipped files import a few thousand modules, hardly ever one with
        # requests: decide per module once, with set operations, before looking at any file.
        imported = set().union(*self.imported.values())
        request_modules = {target for target in imported - request_free if is_request_module(target)}
        if not request_modules:
            return []
        callers = []
        importers = sorted(
            index for index, targets in self.imported.items() if not request_modules.isdisjoint(targets)
        )
        for index in importers:
            job = jobs[index]
            # A few files: read again to see whether an imported name is called at all.
            try:
                with open(job.path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            if calls_request_wrapper(job.absolute, data, self.imported[index], modules, is_request_module):
                callers.append(index)
        return callers
