"""The command line never imports pygls unless `cachelint server` runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

PROBE = """
import json, sys
from cachelint.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps([code, sorted(m for m in ("pygls", "lsprotocol", "cachelint.server") if m in sys.modules)]))
"""


def _loaded(tmp_path, *args):
    process = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_check_help_and_a_real_check_do_not_load_the_server(tmp_path):
    (tmp_path / "bot.py").write_text(
        "import anthropic\n\nanthropic.Anthropic().messages.create(model='m', max_tokens=1, messages=[])\n"
    )
    assert _loaded(tmp_path, "check", "--no-cache", "bot.py") == [0, []]
    assert _loaded(tmp_path, "--help") == [0, []]
    assert _loaded(tmp_path, "server", "--help") == [0, []]
