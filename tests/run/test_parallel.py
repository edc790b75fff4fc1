"""Worker processes: the same results in the same order as one process, for check and fix."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint.run import runner
from cachelint.run import scheduler
from cachelint.run import worker
from cachelint.cli.commands import cli
from cachelint.config.settings import discover_config
from cachelint.run.scheduler import RunOptions

REPO = Path(__file__).resolve().parents[2]
TREES = [REPO / "tests" / "fixtures", REPO / "examples"]


@pytest.fixture
def always_pool(monkeypatch):
    """Use the pool even for these small trees."""
    monkeypatch.setattr(scheduler, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(scheduler, "POOL_MIN_BYTES", 0)


def summary(result):
    """Everything a report shows (absolute paths differ between the two copies of a tree)."""
    return (
        [(f.path, f.diagnostics, f.unknown_sites, f.text, f.error, f.fixed, f.warnings) for f in result.files],
        result.discovery_errors,
    )


@pytest.mark.slow
def test_the_pool_gives_the_results_of_one_process(monkeypatch, always_pool):
    monkeypatch.chdir(REPO)
    paths = [str(p.relative_to(REPO)) for p in TREES]
    config = discover_config(paths)
    alone = runner.check_paths(paths, config, run_options=RunOptions(jobs=1))
    pooled = runner.check_paths(paths, config, run_options=RunOptions(jobs=2))
    assert summary(pooled) == summary(alone)
    shown = [f.path for f in pooled.files]
    assert shown == sorted(shown, key=lambda p: (os.path.abspath(p), p))  # discovery order
    assert len(pooled.diagnostics) > 100


@pytest.mark.slow
def test_fix_in_the_pool_writes_what_one_process_writes(tmp_path, monkeypatch, always_pool):
    trees = {}
    for name in ("alone", "pooled"):
        root = tmp_path / name
        shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns(".*"))
        shutil.copytree(REPO / "tests" / "fixtures" / "cli" / "project", root / "project")
        monkeypatch.chdir(root)
        jobs = 1 if name == "alone" else 2
        result = runner.fix_paths(
            ["examples", "project"], discover_config(["."]), unsafe_fixes=True,
            run_options=RunOptions(jobs=jobs),
        )
        files = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}
        trees[name] = (summary(result), files)
    assert trees["pooled"] == trees["alone"]
    assert trees["alone"][0][0]  # something was linted
    assert any(entry[5] for entry in trees["alone"][0][0])  # and something was fixed


@pytest.mark.slow
def test_a_dead_worker_does_not_lose_files(monkeypatch, always_pool):
    monkeypatch.chdir(REPO)
    parent = os.getpid()
    real = worker.process

    def dying(job, triage_only, force):
        if os.getpid() != parent and job.shown.endswith("bot.py"):
            os._exit(3)  # a worker killed mid-run (out of memory, a signal)
        return real(job, triage_only, force)

    monkeypatch.setattr(worker, "process", dying)
    paths = ["tests/fixtures/cli/project", "examples"]
    config = discover_config(paths)
    pooled = runner.check_paths(paths, config, run_options=RunOptions(jobs=2))
    monkeypatch.setattr(worker, "process", real)
    alone = runner.check_paths(paths, config, run_options=RunOptions(jobs=1))
    assert summary(pooled) == summary(alone)


@pytest.mark.slow
def test_jobs_flag(monkeypatch):
    monkeypatch.chdir(REPO / "tests" / "fixtures" / "cli" / "project")
    try:
        cli_runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2
        cli_runner = CliRunner()
    env = {"CACHELINT_OUTPUT_FORMAT": None}
    assert cli_runner.invoke(cli, ["check", "--no-cache", "-j", "2", "."], env=env).exit_code == 1
    assert cli_runner.invoke(cli, ["check", "--no-cache", "--jobs", "1", "."], env=env).exit_code == 1
    assert cli_runner.invoke(cli, ["check", "--no-cache", "--jobs", "0", "."], env=env).exit_code == 2


def test_available_cpus_follows_the_affinity_mask():
    if hasattr(os, "sched_getaffinity"):
        assert scheduler.available_cpus() == len(os.sched_getaffinity(0))
    assert scheduler.available_cpus() >= 1
