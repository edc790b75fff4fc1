"""The paths a run shows and the absolute paths it keys files by: worked out once per directory
(`jobs.file_jobs`), they are what working them out for each file gives."""

from __future__ import annotations

import os

import pytest

from cachelint.run import jobs

DIRECTORIES = [
    "", ".", "..", "../x", "a", "a/b", "a//b", "a/..", "..foo", "sub/../sub", "../sub/",
    "{cwd}", "{cwd}/", "{cwd}/sub", "{cwd}/sub/..bar", "{cwd}/../other", "{cwd}x", "/{cwd}",
    "{cwd}//sub", "/", "//", "///tmp",
]
NAMES = ["m.py", "..m.py", ".hidden.py", "nb.ipynb", "...py"]


def paths(cwd):
    for directory in DIRECTORIES:
        directory = directory.format(cwd=cwd)
        for name in NAMES:
            yield os.path.join(directory, name) if directory else name


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_per_directory_equals_per_file(tmp_path, monkeypatch, depth):
    cwd = str(tmp_path.joinpath(*["sub"] * depth)) if depth else os.sep
    os.makedirs(cwd, exist_ok=True)
    monkeypatch.chdir(cwd)
    items = [(path, None) for path in paths(cwd)]
    for job, (path, _) in zip(jobs.file_jobs(items, cwd), items):
        shown = jobs.shown_path(path, cwd)
        assert (job.path, job.shown) == (path, shown)
        assert job.absolute == (shown if os.path.isabs(shown) else os.path.join(cwd, shown))


def test_agrees_with_runner_display_path(tmp_path, monkeypatch):
    cwd = str(tmp_path)
    monkeypatch.chdir(cwd)
    for path in ["m.py", "a/b/m.py", "./a/m.py", f"{cwd}/a/m.py", f"{cwd}/m.py", "/elsewhere/m.py",
                 f"{cwd}x/m.py", f"/{cwd}/m.py", f"{cwd}/a/../m.py", "../m.py", f"{cwd}//a/m.py"]:
        assert jobs.shown_path(path, cwd) == jobs.display_path(path, cwd), path
