"""The start-up fast path (`cachelint.cli.fastpath`) answers exactly as the click command line would.

Each case runs the entry point (`cachelint.cli.main.main`, fast path first) and the click command
line alone (`cachelint.cli.commands.main`) in fresh processes with the same arguments, and compares
exit status, stdout and stderr. Each case also says whether the fast path must answer it itself
or leave it to the command line, so that "the same output" is not merely the fallback talking.
"""

from __future__ import annotations

import json
import os
import pathlib
import pty
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # every case runs the entry point in a subprocess

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "fastpath"

# Runs the entry point and records, in the file named by FASTPATH_PROBE, which heavy modules it
# loaded: the click command line always loads click.
ENTRY_POINT = """
import json, os, sys
from cachelint.cli.main import main
try:
    main(sys.argv[1:])
finally:
    heavy = ("click", "rich", "libcst", "pathspec", "dataclasses", "typing", "tomllib",
             "cachelint.cli.commands", "cachelint.config.settings", "cachelint.run.scheduler", "cachelint.run.runner",
             "cachelint.rules", "cachelint.run.cache")
    with open(os.environ["FASTPATH_PROBE"], "w") as probe:
        json.dump(sorted(name for name in heavy if name in sys.modules), probe)
"""
COMMAND_LINE = "import sys\nfrom cachelint.cli.commands import main\nmain(sys.argv[1:])\n"

FAST = "fast"  # the fast path answers
FALLS_BACK = "falls back"  # the click command line answers


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    root = tmp_path_factory.mktemp("fastpath")
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    # Kept under other names in the repository: a real .gitignore would keep files out of it,
    # and an SDK-free broken.py would be reported only without the prefilter.
    shutil.copy(root / "project" / "gitignore", root / "project" / ".gitignore")
    shutil.copy(root / "project" / "broken.py.txt", root / "project" / "broken.py")
    return root


def environment(**overrides):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CACHELINT_") and name not in ("NO_COLOR", "FORCE_COLOR")
    }
    env.update(overrides)
    return env


def run(script, args, cwd, env, probe=None, stdout=subprocess.PIPE):
    if probe is not None:
        env = dict(env, FASTPATH_PROBE=str(probe))
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def both(args, cwd, tmp_path, **env_overrides):
    """(entry point, command line) results, and the heavy modules the entry point loaded."""
    env = environment(**env_overrides)
    probe = tmp_path / "probe.json"
    entry = run(ENTRY_POINT, args, cwd, env, probe)
    command_line = run(COMMAND_LINE, args, cwd, env)
    return entry, command_line, json.loads(probe.read_text())


def outcome(process):
    return process.returncode, process.stdout.decode(), process.stderr.decode()


CASES = [
    # -- answered by the fast path ------------------------------------------------------------
    ("project", ["check", "clean.py"], FAST),
    ("project", ["check", "--no-cache", "clean.py", "docs.py", "broken.py", "legacy/old.py"], FAST),
    ("project", ["check", "importer.py", "clean.py"], FAST),  # imports the wrapper, never calls it
    ("project", ["check", "shop/prompts.py", "shop/__init__.py"], FAST),
    ("project", ["check", "--output-format", "concise", "clean.py"], FAST),
    ("project", ["check", "--output-format=json", "clean.py"], FAST),
    ("project", ["check", "--output-format", "json-lines", "clean.py"], FAST),
    ("project", ["check", "--output-format", "github", "clean.py"], FAST),
    ("project", ["check", "generated/plain.py"], FAST),  # excluded, but given explicitly
    ("project", ["check", "--force-exclude", "clean.py", "generated/plain.py"], FAST),
    ("project", ["check", "--force-exclude", "generated/bot_copy.py"], FAST),  # nothing left
    ("project", ["check", "--force-exclude", "ignored/plain.py", "build/lib.py"], FAST),
    ("project", ["check", "--force-exclude", "--no-force-exclude", "ignored/plain.py"], FAST),
    ("project", ["check", "--select", "CL001,CL1", "--ignore", "CL105", "clean.py"], FAST),
    ("project", ["check", "--extend-select=CL0", "--select", "ALL", "clean.py"], FAST),
    ("project", ["check", "--config", "cachelint.toml", "clean.py", "docs.py"], FAST),
    (
        "project",
        [
            "check",
            "clean.py",
            "-j",
            "2",
            "--jobs=1",
            "--exit-zero",
            "--show-fixes",
            "--unsafe-fixes",
            "--no-unsafe-fixes",
            "--cache-dir",
            "elsewhere",
            "--no-cache",
        ],
        FAST,
    ),
    ("project", ["check", "./clean.py", "../project/legacy/old.py", "--", "docs.py"], FAST),
    ("bare", ["check", "clean.py"], FAST),
    ("bare", ["check", "../project/clean.py", "clean.py"], FAST),  # settings of the first path
    # -- left to the click command line -------------------------------------------------------
    ("project", ["check", "bot.py"], FALLS_BACK),  # findings
    ("project", ["check", "--no-cache", "clean.py", "caller.py"], FALLS_BACK),  # calls the wrapper
    ("project", ["check", "--no-cache", "legacy/old_bot.py"], FALLS_BACK),  # analysed, ignored
    ("project", ["check", "--no-cache", "old_namespace.py"], FALLS_BACK),  # a module-rule marker
    ("project", ["check", "--no-cache", "generated/bot_copy.py"], FALLS_BACK),
    ("project", ["check", "--no-cache", "--output-format", "json", "bot.py"], FALLS_BACK),
    ("project", ["check", "--no-cache", "notebook.ipynb"], FALLS_BACK),
    ("project", ["check", "missing.py"], FALLS_BACK),
    ("project", ["check", "clean.py", "missing.py"], FALLS_BACK),
    ("project", ["check", "shop"], FALLS_BACK),  # a directory
    ("project", ["check", "--no-cache"], FALLS_BACK),  # the current directory
    ("project", ["check", "--output-format", "sarif", "clean.py"], FALLS_BACK),
    ("project", ["check", "--output-format", "JSON", "clean.py"], FALLS_BACK),  # usage error
    ("project", ["check", "--statistics", "clean.py"], FALLS_BACK),
    ("project", ["check", "--explain-unknown", "clean.py"], FALLS_BACK),
    ("project", ["check", "--select", "CL9Z", "clean.py"], FALLS_BACK),  # unknown selector
    ("project", ["check", "--jobs", "0", "clean.py"], FALLS_BACK),
    ("project", ["check", "-j3", "clean.py"], FALLS_BACK),
    ("project", ["check", "--config", "missing.toml", "clean.py"], FALLS_BACK),
    ("project", ["check", "--config", "--no-cache", "clean.py"], FALLS_BACK),
    ("project", ["check", "--no-cache=1", "clean.py"], FALLS_BACK),
    ("project", ["check", "--fix", "clean.py"], FALLS_BACK),
    ("project", ["check", "--diff", "clean.py"], FALLS_BACK),
    ("project", ["check", "-"], FALLS_BACK),  # standard input (empty here)
    ("project", ["check", "--stdin-filename", "clean.py"], FALLS_BACK),
    ("project", ["check", "--help"], FALLS_BACK),
    ("project", ["fix", "clean.py"], FALLS_BACK),
    ("project", ["--version"], FALLS_BACK),
    ("project", [], FALLS_BACK),
    ("bad_config", ["check", "clean.py"], FALLS_BACK),  # an unknown selector in the file
    ("bad_toml", ["check", "clean.py"], FALLS_BACK),  # invalid TOML
]


@pytest.mark.parametrize(
    "folder, args, expected", CASES, ids=[f"{c[0]}: {' '.join(c[1]) or '(none)'}" for c in CASES]
)
def test_same_result_as_the_command_line(trees, tmp_path, folder, args, expected):
    entry, command_line, loaded = both(args, trees / folder, tmp_path)
    assert outcome(entry) == outcome(command_line)
    answered = FALLS_BACK if "click" in loaded else FAST
    assert answered == expected, loaded


def test_environment_variables_of_the_options(trees, tmp_path):
    project = trees / "project"
    for env, expected in [
        ({"CACHELINT_OUTPUT_FORMAT": "json"}, FAST),
        ({"CACHELINT_OUTPUT_FORMAT": "json-lines", "CACHELINT_NO_CACHE": " Yes "}, FAST),
        ({"CACHELINT_CACHE_DIR": "elsewhere", "CACHELINT_NO_CACHE": "0"}, FAST),
        ({"CACHELINT_OUTPUT_FORMAT": "sarif"}, FALLS_BACK),
        ({"CACHELINT_OUTPUT_FORMAT": "Full"}, FALLS_BACK),  # a usage error
        ({"CACHELINT_NO_CACHE": "maybe"}, FALLS_BACK),  # a usage error
    ]:
        entry, command_line, loaded = both(["check", "clean.py"], project, tmp_path, **env)
        assert outcome(entry) == outcome(command_line), env
        assert (FALLS_BACK if "click" in loaded else FAST) == expected, env
    # The flag wins over the variable, as in click.
    entry, command_line, loaded = both(
        ["check", "--output-format", "concise", "--no-cache", "clean.py"],
        project,
        tmp_path,
        CACHELINT_OUTPUT_FORMAT="sarif",
        CACHELINT_NO_CACHE="maybe",
    )
    assert outcome(entry) == outcome(command_line) == (0, "All checks passed!\n", "")
    assert "click" not in loaded


@pytest.mark.parametrize(
    "env",
    [
        {"FORCE_COLOR": "1"},  # colour asked for, but stdout is a pipe: click strips it
        {"FORCE_COLOR": "1", "NO_COLOR": "1"},
        {"FORCE_COLOR": "1", "TERM": "dumb"},
    ],
)
def test_colour_settings_without_a_terminal(trees, tmp_path, env):
    entry, command_line, loaded = both(["check", "clean.py"], trees / "project", tmp_path, **env)
    assert outcome(entry) == outcome(command_line) == (0, "All checks passed!\n", "")
    assert "click" not in loaded


def run_in_terminal(script, args, cwd, env, probe=None):
    """Run with stdout on a pseudo-terminal (as pre-commit runs hooks when it shows colour)."""
    controller, terminal = pty.openpty()
    try:
        process = run(script, args, cwd, env, probe, stdout=terminal)
    finally:
        os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal side is closed: everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.returncode, b"".join(chunks).replace(b"\r\n", b"\n").decode()


@pytest.mark.parametrize(
    "env, colored",
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "dumb"}, False),  # rich leaves the style out
        ({"TERM": "xterm", "NO_COLOR": "1"}, False),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, True),
    ],
)
def test_full_format_on_a_terminal(trees, tmp_path, env, colored):
    project = trees / "project"
    probe = tmp_path / "probe.json"
    full_env = environment(**env)
    entry = run_in_terminal(ENTRY_POINT, ["check", "clean.py"], project, full_env, probe)
    command_line = run_in_terminal(COMMAND_LINE, ["check", "clean.py"], project, full_env)
    assert entry == command_line
    assert ("\x1b[1m" in entry[1]) is colored
    assert "click" not in json.loads(probe.read_text())


def test_the_fast_path_loads_nothing_heavy(trees, tmp_path):
    """No click, rich, libcst, dataclasses or typing for SDK-free files in a project without a
    pyproject.toml; tomllib once there is one; the path matcher only when patterns matter."""
    _, _, loaded = both(["check", "clean.py"], trees / "bare", tmp_path)
    assert loaded == []
    _, _, loaded = both(["check", "clean.py", "importer.py"], trees / "project", tmp_path)
    assert "tomllib" in loaded or sys.version_info < (3, 11)
    assert not {"click", "rich", "libcst", "cachelint.cli.commands", "cachelint.config.settings"} & set(loaded)


def test_the_console_script_and_python_m(trees, tmp_path):
    """Both ways of starting cachelint reach the fast path and print the same."""
    env = environment()
    module = subprocess.run(
        [sys.executable, "-m", "cachelint", "check", "clean.py"],
        cwd=trees / "bare",
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert outcome(module) == (0, "All checks passed!\n", "")
    script = shutil.which("cachelint", path=os.path.dirname(sys.executable))
    if script is not None:  # installed (editable or not) in this interpreter's environment
        console = subprocess.run(
            [script, "check", "clean.py"],
            cwd=trees / "bare",
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert outcome(console) == outcome(module)
