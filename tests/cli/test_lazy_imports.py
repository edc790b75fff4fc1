"""A run over files without SDK calls (the usual pre-commit run) loads neither libcst nor rich,
nor the result cache; a run that analyses a file does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every case starts a fresh interpreter

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("libcst", "rich", "cachelint.run.cache", "cachelint.run.engine", "cachelint.rules", "pathspec")

PROBE = """
import json, sys
from cachelint.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps([code, sorted(m for m in {heavy!r} if m in sys.modules)]))
"""


def loaded_after(tmp_path, *args):
    process = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, modules = json.loads(process.stdout.strip().splitlines()[-1])
    return code, modules


def test_files_without_sdk_calls_load_nothing_heavy(tmp_path):
    (tmp_path / "plain.py").write_text("import os\n\n\ndef main():\n    return os.getcwd()\n")
    (tmp_path / "docs.py").write_text('"""Call `client.messages.create(...)` to ask."""\n')
    assert loaded_after(tmp_path, "check", "plain.py", "docs.py") == (0, [])
    assert loaded_after(tmp_path, "check", ".") == (0, [])  # the default cache is on: not loaded
    assert loaded_after(tmp_path, "check", "--output-format", "json", ".") == (0, [])


def test_a_file_with_an_sdk_call_is_analysed(tmp_path):
    (tmp_path / "bot.py").write_text(
        "import anthropic\n\nanthropic.Anthropic().messages.create(model='m', max_tokens=1, messages=[])\n"
    )
    code, modules = loaded_after(tmp_path, "check", "--no-cache", "bot.py")
    assert "libcst" in modules and "cachelint.rules" in modules


def test_help_and_version_load_nothing_heavy(tmp_path):
    assert loaded_after(tmp_path, "--version") == (0, [])
    assert loaded_after(tmp_path, "check", "--help") == (0, [])
