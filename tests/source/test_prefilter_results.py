"""The prefilter changes no result: every fixture and example, with and without it.

With the prefilter, files whose bytes cannot hold an SDK request are not analysed, and files that
call a wrapper imported from a module that may hold requests are analysed anyway (wrapper
findings are reported at the caller, see tests/fixtures/speed/wrappers). Both are checked on
whole trees and file by file, the way pre-commit passes only the changed files (the wrapper's
module is then outside the run).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cachelint.run import runner
from cachelint.config.settings import discover_config
from cachelint.run.scheduler import RunOptions

pytestmark = pytest.mark.slow  # every fixture and example, with and without the prefilter

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
WRAPPERS = FIXTURES / "speed" / "wrappers"
PROJECT = FIXTURES / "project"


def outcome(paths, prefilter: bool):
    paths = [str(p) for p in paths]
    result = runner.check_paths(
        paths, discover_config(paths), run_options=RunOptions(jobs=1, prefilter=prefilter)
    )
    return (
        [f.path for f in result.files],
        result.diagnostics,
        result.unknown_sites,
        result.errors,
        result.checked_files,
    )


def assert_same_with_and_without_prefilter(paths):
    with_prefilter = outcome(paths, True)
    assert with_prefilter == outcome(paths, False)
    return with_prefilter


def test_every_fixture_and_example(monkeypatch):
    monkeypatch.chdir(REPO)
    files, diagnostics, _, _, _ = assert_same_with_and_without_prefilter(
        [Path("tests/fixtures"), Path("examples")]
    )
    assert len(files) > 90 and len(diagnostics) > 100  # the trees really were linted


@pytest.mark.parametrize("root", [WRAPPERS, PROJECT], ids=lambda p: p.name)
def test_projects_whole_and_file_by_file(monkeypatch, root):
    monkeypatch.chdir(root)
    assert_same_with_and_without_prefilter([Path(".")])
    for path in sorted(Path(".").rglob("*.py")):
        assert_same_with_and_without_prefilter([path])


def test_rules_that_report_outside_requests_still_run(monkeypatch):
    monkeypatch.chdir(FIXTURES / "speed" / "module_rules")
    _, diagnostics, _, _, _ = assert_same_with_and_without_prefilter([Path(".")])
    assert [(d.path, d.code) for d in diagnostics] == [
        ("client_only.py", "CL105"),
        ("old_namespace_reference.py", "CL105"),
    ]


def test_wrapper_callers_that_never_mention_the_sdk_are_reported(monkeypatch):
    monkeypatch.chdir(WRAPPERS)
    expected = [("app/aliased.py", 10, "CL001"), ("app/main.py", 7, "CL001"), ("shop/support.py", 7, "CL001")]
    _, diagnostics, _, _, _ = outcome([Path(".")], True)
    assert [(d.path, d.location.row, d.code) for d in diagnostics] == expected
    # pre-commit: only the caller is passed; the wrapper's module is read to decide
    _, alone, _, _, _ = outcome([Path("app/main.py")], True)
    assert [(d.path, d.location.row, d.code) for d in alone] == expected[1:2]
