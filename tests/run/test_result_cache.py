"""The result cache: same results warm and cold, invalidated by what a result depended on, never
a crash on a bad entry, and placed where the user says."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cachelint.run import runner, worker
from cachelint.cli.commands import cli
from cachelint.config.settings import discover_config
from cachelint.run.scheduler import RunOptions

LONG = "You are the assistant of a bicycle shop; answer about orders, returns and repairs. " * 3

PROJECT_FILES = {
    "pyproject.toml": (
        "[tool.cachelint]\n"
        'default-model = "claude-sonnet-4-5"\n\n'
        '[tool.cachelint.models."claude-sonnet-4-5"]\n'
        "min-cache-tokens = 16\n"
    ),
    "app/__init__.py": "",
    "app/prompts.py": f"SYSTEM = {LONG!r}\n",
    "app/guide.md": LONG,
    "app/bot.py": (
        "from pathlib import Path\n\n"
        "import anthropic\n\n"
        "from .prompts import SYSTEM\n\n"
        "client = anthropic.Anthropic()\n"
        'GUIDE = (Path(__file__).parent / "guide.md").read_text()\n\n\n'
        "def answer(question):\n"
        "    return client.messages.create(\n"
        '        model="claude-sonnet-4-5",\n'
        "        max_tokens=512,\n"
        "        system=SYSTEM,\n"
        '        messages=[{"role": "user", "content": question}],\n'
        "    )\n\n\n"
        "def guide(question):\n"
        "    return client.messages.create(\n"
        '        model="claude-sonnet-4-5",\n'
        "        max_tokens=512,\n"
        "        system=GUIDE,\n"
        '        messages=[{"role": "user", "content": question}],\n'
        "    )\n"
    ),
    "app/plain.py": "def add(a, b):\n    return a + b\n",
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    for relative, text in PROJECT_FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def analyses(monkeypatch):
    """Counts the files actually analysed (not served from the cache)."""
    seen = []
    real = worker.lint_source  # the per-file step of a run

    def counting(source, request, absolute_path=None):
        seen.append(source.path)
        return real(source, request, absolute_path)

    monkeypatch.setattr(worker, "lint_source", counting)
    return seen


def check(cache_dir, jobs=1):
    result = runner.check_paths(
        ["."], discover_config(["."]), run_options=RunOptions(jobs=jobs, cache_dir=cache_dir and str(cache_dir))
    )
    return result


def findings(result):
    return [(d.path, d.location.row, d.code) for d in result.diagnostics]


def same(a, b):
    assert [(f.path, f.diagnostics, f.unknown_sites, f.text, f.error) for f in a.files] == [
        (f.path, f.diagnostics, f.unknown_sites, f.text, f.error) for f in b.files
    ]


def test_a_warm_run_gives_the_cold_results_without_analysing(project, tmp_path, analyses):
    cache = tmp_path / "cache"
    cold = check(cache)
    assert findings(cold) == [("app/bot.py", 15, "CL001"), ("app/bot.py", 24, "CL001")]
    assert sorted(analyses) == ["app/bot.py"]  # the others never pass the prefilter
    del analyses[:]
    warm = check(cache)
    same(cold, warm)
    assert analyses == []
    same(cold, check(None))  # and both equal a run without any cache


@pytest.mark.parametrize(
    "changed, content, gone_row",
    [
        ("app/prompts.py", "SYSTEM = 'Be brief.'\n", 15),  # an imported constant
        ("app/guide.md", "Be brief.", 24),  # a prompt file read at import time
    ],
)
def test_a_changed_dependency_invalidates_the_entry(project, tmp_path, analyses, changed, content, gone_row):
    cache = tmp_path / "cache"
    cold = check(cache)
    (project / changed).write_text(content)
    del analyses[:]
    warm = check(cache)
    assert analyses == ["app/bot.py"]
    expected = [f for f in findings(cold) if f[1] != gone_row]
    assert findings(warm) == expected
    same(warm, check(None))


def test_changed_settings_do_not_reuse_entries(project, tmp_path):
    cache = tmp_path / "cache"
    check(cache)
    result = runner.check_paths(
        ["."],
        discover_config(["."]),
        run_options=RunOptions(jobs=1, cache_dir=str(cache)),
    )
    from cachelint.config.settings import SelectionLayer, build_settings

    only_cl003 = build_settings(discover_config(["."]), SelectionLayer(select=("CL003",)))
    narrowed = runner.check_paths(["."], only_cl003, run_options=RunOptions(jobs=1, cache_dir=str(cache)))
    assert findings(result) and findings(narrowed) == []


def _entries(cache: Path):
    return sorted(p for p in cache.rglob("*.json"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.write_bytes(b"\x00\xff garbage"),
        lambda p: p.write_text(json.dumps({"dependencies": [], "diagnostics": "nope"})),
        lambda p: p.write_text(json.dumps([1, 2, 3])),
        lambda p: p.write_text(
            json.dumps(
                {
                    "dependencies": [],
                    "diagnostics": [{"@type": "system", "fields": {"command": "echo hi"}}],
                    "unknown_sites": [],
                    "warnings": [],
                }
            )
        ),
        lambda p: p.write_text(
            json.dumps({"dependencies": [], "diagnostics": [{"@type": "Location", "fields": {"row": 1, "column": 1}}],
                        "unknown_sites": [], "warnings": []})
        ),
        lambda p: (p.unlink(), p.mkdir()),
    ],
    ids=["empty", "truncated", "binary", "wrong-shape", "not-an-object", "unknown-type", "wrong-type", "directory"],
)
def test_a_damaged_entry_is_a_miss_never_a_crash(project, tmp_path, damage, analyses):
    cache = tmp_path / "cache"
    cold = check(cache)
    entries = _entries(cache)
    assert entries
    for entry in entries:
        damage(entry)
    del analyses[:]
    warm = check(cache)
    same(cold, warm)
    assert analyses == ["app/bot.py"]


def test_an_unusable_cache_directory_is_ignored(project, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache should go")
    same(check(blocker), check(None))


def test_fix_applies_fixes_even_when_the_check_result_is_cached(project, tmp_path):
    cache = tmp_path / "cache"
    bot = project / "app" / "bot.py"
    check(cache)
    original = bot.read_text()
    fixed = runner.fix_paths(["."], discover_config(["."]), run_options=RunOptions(jobs=1, cache_dir=str(cache)))
    assert fixed.fixed and bot.read_text() != original
    after = bot.read_text()
    bot.write_text(original)
    runner.fix_paths(["."], discover_config(["."]), run_options=RunOptions(jobs=1))
    assert bot.read_text() == after  # the same fix as without a cache


# -- where the cache goes ------------------------------------------------------------------


def run_cli(args, env=None):
    try:
        cli_runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2
        cli_runner = CliRunner()
    base = {"CACHELINT_CACHE_DIR": None, "CACHELINT_NO_CACHE": None, "CACHELINT_OUTPUT_FORMAT": None}
    base.update(env or {})
    result = cli_runner.invoke(cli, args, env=base)
    return result.exit_code


def test_default_place_is_the_project_root(project):
    os.chdir(project / "app")
    assert run_cli(["check", "."]) == 1
    assert (project / ".cachelint_cache" / "CACHEDIR.TAG").is_file()
    assert (project / ".cachelint_cache" / ".gitignore").read_text().strip().endswith("*")
    assert _entries(project / ".cachelint_cache")


def test_no_cache_writes_nothing(project):
    assert run_cli(["check", "--no-cache", "."]) == 1
    assert run_cli(["check", "."], env={"CACHELINT_NO_CACHE": "1"}) == 1
    assert not (project / ".cachelint_cache").exists()


def test_cache_dir_from_flag_environment_and_configuration(project, tmp_path):
    assert run_cli(["check", "--cache-dir", str(tmp_path / "flag"), "."]) == 1
    assert _entries(tmp_path / "flag")
    assert run_cli(["check", "."], env={"CACHELINT_CACHE_DIR": str(tmp_path / "env")}) == 1
    assert _entries(tmp_path / "env")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.cachelint]\n", '[tool.cachelint]\ncache-dir = "build/lint-cache"\n'))
    assert run_cli(["check", "."]) == 1
    assert _entries(project / "build" / "lint-cache")
    assert not (project / ".cachelint_cache").exists()
