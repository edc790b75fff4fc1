"""`resolve.modules.ModuleResolver`: a snapshot (one run) and a live resolver (the project, which
outlives runs) find the same files; only the live one sees a module created afterwards."""

from __future__ import annotations

from cachelint.resolve.modules import ModuleResolver
from cachelint.resolve.project import Project

KEYS = [(0, "pkg"), (0, "pkg.mod"), (1, ""), (1, "mod"), (2, "top"), (0, "top"), (0, "missing"), (0, "src_mod")]


def layout(root):
    for relative in ("pkg/__init__.py", "pkg/mod.py", "pkg/user.py", "top.py", "src/src_mod.py"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x = 1\n")


def test_snapshot_and_live_agree(tmp_path):
    layout(tmp_path)
    directory = str((tmp_path / "pkg").resolve())
    snapshot, live = ModuleResolver([str(tmp_path)]), ModuleResolver([str(tmp_path)], snapshot=False)
    for key in KEYS:
        assert snapshot.module_file(directory, key) == live.module_file(directory, key), key
    assert live.module_file(directory, (0, "src_mod")) == str((tmp_path / "src" / "src_mod.py").resolve())


def test_only_the_live_resolver_sees_new_modules(tmp_path):
    layout(tmp_path)
    directory = str((tmp_path / "pkg").resolve())
    snapshot, live = ModuleResolver(), ModuleResolver(snapshot=False)
    assert snapshot.module_file(directory, (1, "new")) is None
    assert live.module_file(directory, (1, "new")) is None
    (tmp_path / "pkg" / "new.py").write_text("x = 1\n")
    assert snapshot.module_file(directory, (1, "new")) is None  # the run's view of the tree
    assert live.module_file(directory, (1, "new")) == str((tmp_path / "pkg" / "new.py").resolve())


def test_the_project_resolves_through_it(tmp_path):
    layout(tmp_path)
    importer = (tmp_path / "pkg" / "user.py").resolve()
    project = Project([tmp_path])
    assert project.module_file(importer, "mod", 1) == (tmp_path / "pkg" / "mod.py").resolve()
    assert project.module_file(importer, "src_mod", 0) == (tmp_path / "src" / "src_mod.py").resolve()
    (tmp_path / "pkg" / "later.py").write_text("x = 1\n")
    assert project.module_file(importer, "later", 1) == (tmp_path / "pkg" / "later.py").resolve()
