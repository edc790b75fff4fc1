"""The walk reads each directory once: what it learns from the listing (virtualenv marker,
.gitignore, entry types) and the paths it builds per directory give the same files as asking
the file system about each path."""

from __future__ import annotations

import os

import pytest

from cachelint.source.discover import discover

symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")


def make_tree(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def found(root, paths, project_root=None, **kwargs):
    result = discover([str(p) for p in paths], str(project_root or root), **kwargs)
    return [os.path.relpath(path, root).replace(os.sep, "/") for path in result.files]


def test_a_virtualenv_is_skipped_while_walking_but_walked_when_named(tmp_path):
    make_tree(tmp_path, {"env/pyvenv.cfg": "", "env/lib/m.py": "", "app.py": ""})
    assert found(tmp_path, [tmp_path]) == ["app.py"]
    assert found(tmp_path, [tmp_path, tmp_path / "env"]) == ["app.py", "env/lib/m.py"]
    assert found(tmp_path, [tmp_path / "env"]) == ["env/lib/m.py"]


def test_only_a_pyvenv_cfg_file_marks_a_virtualenv(tmp_path):
    make_tree(tmp_path, {"a/pyvenv.cfg/x.txt": "", "a/m.py": ""})
    assert found(tmp_path, [tmp_path]) == ["a/m.py"]


@symlinks
def test_a_linked_pyvenv_cfg_marks_a_virtualenv(tmp_path):
    make_tree(tmp_path, {"cfg": "", "b/m.py": "", "c/m.py": ""})
    os.symlink(tmp_path / "cfg", tmp_path / "b" / "pyvenv.cfg")
    os.symlink(tmp_path / "missing", tmp_path / "c" / "pyvenv.cfg")
    assert found(tmp_path, [tmp_path]) == ["c/m.py"]


def test_a_gitignore_that_is_a_directory_is_no_gitignore(tmp_path):
    (tmp_path / ".git").mkdir()
    make_tree(tmp_path, {"pkg/.gitignore/x": "", "pkg/m.py": ""})
    assert found(tmp_path, [tmp_path]) == ["pkg/m.py"]


def test_excludes_relative_to_the_root_and_by_name_outside_it(tmp_path):
    make_tree(
        tmp_path,
        {
            "proj/gen/a.py": "", "proj/src/gen/b.py": "", "proj/top.py": "", "proj/src/top.py": "",
            "proj/src/keep.py": "", "other/gen/c.py": "", "other/keep.py": "",
        },
    )
    exclude = ("gen", "/top.py", "src/keep.py")
    # inside the root, anchored patterns are relative to it; outside, only names are matched
    assert found(tmp_path, [tmp_path], project_root=tmp_path / "proj", exclude=exclude) == [
        "other/keep.py", "proj/src/top.py",
    ]
    inside = found(tmp_path, [tmp_path / "proj" / "src"], project_root=tmp_path / "proj", exclude=exclude)
    assert inside == ["proj/src/top.py"]


def test_relative_and_absolute_paths_find_the_same_files_in_the_same_order(tmp_path, monkeypatch):
    make_tree(tmp_path, {"a/b.py": "", "a.py": "", "a/b/c.py": "", "a-b/x.py": "", "a_b.py": ""})
    monkeypatch.chdir(tmp_path)
    relative = discover(["."], str(tmp_path)).files
    absolute = discover([str(tmp_path)], str(tmp_path)).files
    assert [os.path.abspath(p) for p in relative] == list(absolute)
    expected = ["a-b/x.py", "a.py", "a/b.py", "a/b/c.py", "a_b.py"]  # by path, not walk order
    assert [os.path.relpath(p, tmp_path) for p in absolute] == expected
