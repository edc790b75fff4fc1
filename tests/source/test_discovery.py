"""File discovery: what is walked, what is skipped, and paths named explicitly.

Trees are built in a temporary directory because they need `.git` directories, virtualenvs and
symlinks, which do not belong in the repository's fixtures.
"""

from __future__ import annotations

import os

import pytest

from cachelint.source.discover import PatternSet, discover
from cachelint.source.filekinds import PYTHON_EXTENSIONS


def make_tree(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def found(root, paths=None, **kwargs):
    result = discover([str(p) for p in (paths or [root])], str(root), **kwargs)
    return [
        os.path.relpath(path, root).replace(os.sep, "/") for path in result.files
    ], result.errors


def test_only_python_files_sorted(tmp_path):
    make_tree(
        tmp_path,
        {"b.py": "", "a/z.py": "", "a/y.txt": "", "notes.md": "", "stub.pyi": "", "c.ipynb": "{}"},
    )
    assert PYTHON_EXTENSIONS == (".py", ".ipynb")  # notebooks are linted too, as in ruff
    assert found(tmp_path) == (["a/z.py", "b.py", "c.ipynb"], ())


def test_always_skipped_directories(tmp_path):
    skipped = [
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "build",
        "dist",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".eggs",
        "pkg.egg-info",
    ]
    make_tree(tmp_path, {f"{name}/m.py": "" for name in skipped})
    make_tree(
        tmp_path,
        {
            "src/build/m.py": "",
            "env/pyvenv.cfg": "",
            "env/lib/m.py": "",
            "keep/m.py": "",
            "build.py": "",
        },
    )
    assert found(tmp_path)[0] == ["build.py", "keep/m.py"]


def test_gitignore_files_apply_to_their_directory(tmp_path):
    (tmp_path / ".git").mkdir()
    make_tree(
        tmp_path,
        {
            ".gitignore": "generated_*.py\n/top_only.py\nignored_dir/\n",
            "generated_a.py": "",
            "top_only.py": "",
            "pkg/top_only.py": "",
            "ignored_dir/m.py": "",
            "pkg/.gitignore": "local.py\n!generated_keep.py\n",
            "pkg/local.py": "",
            "pkg/generated_keep.py": "",
            "pkg/generated_b.py": "",
            "other/local.py": "",
        },
    )
    assert found(tmp_path)[0] == ["other/local.py", "pkg/generated_keep.py", "pkg/top_only.py"]


def test_gitignore_of_parent_directories_applies_when_walking_a_subdirectory(tmp_path):
    (tmp_path / ".git").mkdir()
    make_tree(tmp_path, {".gitignore": "secret.py\n", "pkg/secret.py": "", "pkg/ok.py": ""})
    assert found(tmp_path, [tmp_path / "pkg"])[0] == ["pkg/ok.py"]


def test_exclude_patterns(tmp_path):
    make_tree(
        tmp_path,
        {
            "generated/a.py": "",
            "src/generated/b.py": "",
            "legacy/old.py": "",
            "legacy/sub/new.py": "",
            "src/m.py": "",
        },
    )
    files, _ = found(tmp_path, exclude=("generated", "legacy/*.py"))
    assert files == ["legacy/sub/new.py", "src/m.py"]


def test_explicit_files_are_linted_even_when_excluded_unless_force_exclude(tmp_path):
    (tmp_path / ".git").mkdir()
    make_tree(
        tmp_path,
        {
            ".gitignore": "ignored.py\n",
            "ignored.py": "",
            "generated/g.py": "",
            "build/b.py": "",
            "notes.txt": "",
        },
    )
    explicit = [
        tmp_path / "ignored.py",
        tmp_path / "generated" / "g.py",
        tmp_path / "build" / "b.py",
        tmp_path / "notes.txt",
    ]
    files, errors = found(tmp_path, explicit, exclude=("generated",))
    assert (files, errors) == (["build/b.py", "generated/g.py", "ignored.py", "notes.txt"], ())
    files, errors = found(tmp_path, explicit, exclude=("generated",), force_exclude=True)
    assert (files, errors) == (["notes.txt"], ())


def test_force_exclude_of_a_file_inside_an_ignored_directory(tmp_path):
    (tmp_path / ".git").mkdir()
    make_tree(tmp_path, {".gitignore": "out/\n", "out/deep/m.py": ""})
    assert found(tmp_path, [tmp_path / "out" / "deep" / "m.py"], force_exclude=True)[0] == []


def test_missing_path_is_an_error_and_the_rest_is_still_found(tmp_path):
    make_tree(tmp_path, {"a.py": ""})
    files, errors = found(tmp_path, [tmp_path / "missing.py", tmp_path])
    assert files == ["a.py"]
    assert [e.one_line() for e in errors] == [
        f"cachelint: error: {tmp_path / 'missing.py'}: no such file or directory"
    ]


def test_each_file_once(tmp_path):
    make_tree(tmp_path, {"pkg/a.py": ""})
    assert found(tmp_path, [tmp_path, tmp_path / "pkg", tmp_path / "pkg" / "a.py"])[0] == [
        "pkg/a.py"
    ]


symlinks = pytest.mark.skipif(
    not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks"
)


@symlinks
def test_symlink_loop_does_not_hang(tmp_path):
    make_tree(tmp_path, {"pkg/a.py": ""})
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    os.symlink(tmp_path / "pkg" / "self", tmp_path / "pkg" / "self")  # points at itself
    files, errors = found(tmp_path)
    assert files == ["pkg/a.py"]
    assert errors == ()


@symlinks
def test_directory_symlinks_are_not_followed_while_walking_but_followed_when_named(tmp_path):
    make_tree(tmp_path, {"real/a.py": "", "project/m.py": ""})
    os.symlink(tmp_path / "real", tmp_path / "project" / "linked")
    assert found(tmp_path, [tmp_path / "project"])[0] == ["project/m.py"]
    assert found(tmp_path, [tmp_path / "project" / "linked"])[0] == ["project/linked/a.py"]


@symlinks
def test_broken_symlinks_are_reported(tmp_path):
    make_tree(tmp_path, {"ok.py": ""})
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")
    files, errors = found(tmp_path)
    assert files == ["ok.py"]
    assert [e.reason for e in errors] == ["broken symbolic link"]
    files, errors = found(tmp_path, [tmp_path / "dangling.py"])
    assert files == [] and [e.reason for e in errors] == ["broken symbolic link"]


def test_pattern_set_semantics(tmp_path):
    patterns = PatternSet(str(tmp_path), ["*_pb2.py", "docs/", "/scripts/*.py"])
    assert patterns.matches(str(tmp_path / "a" / "x_pb2.py"))
    assert patterns.matches(str(tmp_path / "docs"), is_dir=True)
    assert patterns.matches(str(tmp_path / "docs" / "conf.py"))
    assert patterns.matches(str(tmp_path / "scripts" / "run.py"))
    assert not patterns.matches(str(tmp_path / "pkg" / "scripts" / "run.py"))
    assert not PatternSet(str(tmp_path), []).matches(str(tmp_path / "x.py"))


def test_is_excluded_works_for_paths_that_do_not_exist(tmp_path):
    from cachelint.source.discover import is_excluded

    (tmp_path / ".gitignore").write_text("ignored/\n")
    assert is_excluded(str(tmp_path / "generated" / "new.py"), str(tmp_path), ["generated"])
    assert is_excluded(str(tmp_path / "ignored" / "new.py"), str(tmp_path))
    assert is_excluded(str(tmp_path / ".venv" / "new.py"), str(tmp_path))
    assert not is_excluded(str(tmp_path / "src" / "new.py"), str(tmp_path), ["generated"])
