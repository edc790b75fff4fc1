"""Where workers cannot be forked they are spawned (`concurrent.futures`): the same results."""

from __future__ import annotations

from pathlib import Path

import pytest

from cachelint.run import runner
from cachelint.run import executor, scheduler, worker
from cachelint.config.settings import discover_config
from cachelint.run.scheduler import RunOptions

pytestmark = pytest.mark.slow  # spawns worker interpreters

REPO = Path(__file__).resolve().parents[2]


def test_spawned_workers_give_the_results_of_one_process(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(scheduler, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(scheduler, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(executor, "FORK", False)
    paths = ["tests/fixtures/speed", "tests/fixtures/cli/project"]
    config = discover_config(paths)
    alone = runner.check_paths(paths, config, run_options=RunOptions(jobs=1))
    here = []
    real = worker.run_batch
    monkeypatch.setattr(worker, "run_batch", lambda *args: here.append(args) or real(*args))
    spawned = runner.check_paths(paths, config, run_options=RunOptions(jobs=2))
    assert here == []  # every file went to the spawned workers (not patched there)
    assert [(f.path, f.diagnostics, f.error) for f in spawned.files] == [
        (f.path, f.diagnostics, f.error) for f in alone.files
    ]
    assert alone.diagnostics  # something was found both ways
