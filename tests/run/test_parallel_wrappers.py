"""In the pool, a file that triage keeps is analysed at once, before triage ends; the files that
call wrappers of such a module must still be found and analysed afterwards."""

from __future__ import annotations

from pathlib import Path

from cachelint.run import runner
from cachelint.run import scheduler
from cachelint.config.settings import discover_config
from cachelint.run.scheduler import RunOptions

WRAPPERS = Path(__file__).resolve().parents[1] / "fixtures" / "speed" / "wrappers"


def test_wrapper_callers_are_analysed_after_the_pool_analysed_the_wrappers(monkeypatch):
    monkeypatch.chdir(WRAPPERS)
    monkeypatch.setattr(scheduler, "POOL_MIN_FILES", 1)  # triage in the pool, as in a big tree
    result = runner.check_paths(["."], discover_config(["."]), run_options=RunOptions(jobs=2))
    found = [(d.path, d.location.row, d.code) for d in result.diagnostics]
    assert found == [
        ("app/aliased.py", 10, "CL001"), ("app/main.py", 7, "CL001"), ("shop/support.py", 7, "CL001"),
    ]
