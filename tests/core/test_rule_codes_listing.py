"""`core.codes` knows every rule code without importing the rules (nor libcst), from the
module names, whether the rules package is a plain directory or not (a zip, a frozen app)."""

from __future__ import annotations

import os
import subprocess
import sys
import types

from cachelint.core import codes


def test_the_import_system_listing_gives_the_directory_listing():
    assert codes._packaged_rule_codes() == codes._rule_codes()


def test_when_the_folder_cannot_be_listed_the_import_system_is_asked(monkeypatch):
    expected = codes._rule_codes()

    def unlistable(path):
        raise OSError("not a directory: a zip")

    # only codes' own listing fails (the import system lists the folder its own way)
    monkeypatch.setattr(codes, "os", types.SimpleNamespace(path=os.path, listdir=unlistable))
    assert codes._rule_codes() == expected


def test_listing_the_codes_imports_no_rule():
    probe = (
        "import sys\n"
        "from cachelint.core import codes\n"
        "codes._packaged_rule_codes()\n"
        "print(sorted(m for m in sys.modules if m.startswith('cachelint.rules') or m == 'libcst'))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
