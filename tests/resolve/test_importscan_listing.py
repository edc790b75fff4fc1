"""`ModuleResolver` answers "is there a file here" from one listing per directory; it must find
what `Project.module_file` (one `is_file` per path) finds, whatever the entries are."""

from __future__ import annotations

import os

import pytest

from cachelint.resolve.modules import ModuleResolver
from cachelint.resolve.project import Project

symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")

KEYS = [
    (0, "pkg"), (0, "pkg.mod"), (0, "pkg.dir_named_py"), (0, "pkg.linked"), (0, "pkg.dangling"),
    (0, "pkg.init_is_dir"), (0, "pkg.alias.mod"), (0, "missing.deep.name"), (1, ""), (1, "mod"),
    (2, "top"), (0, "top"), (0, "pkg.mod.not_a_package"), (3, "x"),
]


def layout(root):
    files = ("pkg/__init__.py", "pkg/mod.py", "pkg/sub/__init__.py", "pkg/sub/user.py", "top.py", "real.py")
    for relative in files:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x = 1\n")
    (root / "pkg" / "dir_named_py.py").mkdir()
    (root / "pkg" / "init_is_dir" / "__init__.py").mkdir(parents=True)


def assert_agrees(importer):
    finder, project = ModuleResolver(), Project()
    for level, name in KEYS:
        expected = project.module_file(importer, name, level)
        found = finder.module_file(str(importer.parent), (level, name))
        assert found == (str(expected) if expected is not None else None), (level, name)


def test_plain_layout(tmp_path):
    layout(tmp_path)
    assert_agrees((tmp_path / "pkg" / "sub" / "user.py").resolve())


@symlinks
def test_links_among_the_entries(tmp_path):
    layout(tmp_path)
    os.symlink(tmp_path / "real.py", tmp_path / "pkg" / "linked.py")
    os.symlink(tmp_path / "gone.py", tmp_path / "pkg" / "dangling.py")
    os.symlink(tmp_path / "pkg" / "sub", tmp_path / "pkg" / "alias", target_is_directory=True)
    (tmp_path / "pkg" / "sub" / "mod.py").write_text("x = 1\n")
    assert_agrees((tmp_path / "pkg" / "sub" / "user.py").resolve())


@symlinks
def test_the_link_hint_gives_what_asking_gives(tmp_path):
    layout(tmp_path)
    os.symlink(tmp_path / "pkg" / "sub" / "user.py", tmp_path / "user_link.py")
    keys = [(1, "mod"), (0, "pkg.mod"), (0, "top")]
    for path, is_link in [(tmp_path / "user_link.py", True), (tmp_path / "pkg" / "sub" / "user.py", False)]:
        assert ModuleResolver().targets(str(path), keys, is_link) == ModuleResolver().targets(str(path), keys)
    assert ModuleResolver().targets(str(tmp_path / "user_link.py"), [(1, "")], True) == (
        str((tmp_path / "pkg" / "sub" / "__init__.py").resolve()),
    )
