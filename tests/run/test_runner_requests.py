"""What each file of a run is linted with: one shared request without per-file-ignores (no
pattern matching per file), and each file's own with them."""

from __future__ import annotations

from cachelint.run import runner
from cachelint.config.settings import Config, build_settings

PATHS = ["app/main.py", "tests/test_main.py", "scripts/run.py", "/elsewhere/x.py"]


def test_without_per_file_ignores_every_file_gets_the_same_request(tmp_path):
    settings = build_settings(Config(root=str(tmp_path)))
    requests = runner._requests(settings, PATHS, fix=True, unsafe_fixes=False)
    assert [path for path, _ in requests] == PATHS
    for path, request in requests:
        assert request == runner.request_for(settings, path, fix=True, unsafe_fixes=False)


def test_per_file_ignores_still_apply_per_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ignores = (("tests/**", ("CL001",)), ("scripts/*.py", ("CL0",)))
    config = Config(root=str(tmp_path), per_file_ignores=ignores)
    settings = build_settings(config)
    requests = dict(runner._requests(settings, PATHS, fix=False, unsafe_fixes=True))
    for path in PATHS:
        assert requests[path] == runner.request_for(settings, path, fix=False, unsafe_fixes=True)
    assert "CL001" in requests["app/main.py"].reportable_codes
    assert "CL001" not in requests["tests/test_main.py"].reportable_codes
    assert not any(code.startswith("CL0") for code in requests["scripts/run.py"].reportable_codes)


def test_no_files():
    settings = build_settings(Config(root="."))
    assert runner._requests(settings, [], fix=False, unsafe_fixes=False) == []
