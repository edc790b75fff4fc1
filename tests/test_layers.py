"""The import contracts of `.importlinter` (stages import downward only; no two sibling modules
or packages import each other, imports inside functions included) hold: `pytest` alone catches
a broken layer, as `.ci/run`'s `lint-imports` does."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / ".importlinter"

LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))\n"
)


def test_the_contracts_cover_layers_and_cycles():
    config = configparser.ConfigParser()
    config.read(CONFIG)
    types = {config[section]["type"] for section in config.sections() if section.startswith("importlinter:contract:")}
    assert {"layers", "acyclic_siblings"} <= types


@pytest.mark.skipif(sys.version_info < (3, 11), reason="import-linter 2.17 (acyclic_siblings) needs Python 3.11")
def test_every_import_contract_is_kept():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src")] + [p for p in [env.get("PYTHONPATH")] if p])
    process = subprocess.run(
        [sys.executable, "-c", LINT, str(CONFIG)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert "0 broken" in process.stdout
