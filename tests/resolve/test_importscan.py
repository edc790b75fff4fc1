"""Finding wrapper callers from bytes: `from X import` lines, their names, their module files."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest

from cachelint.resolve.modules import ModuleResolver
from cachelint.resolve.importscan import calls_any, calls_wrapper_of, from_imports, imported_names
from cachelint.resolve.project import Project

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROJECTS = [FIXTURES / "project", FIXTURES / "speed" / "wrappers"]


def test_from_imports_lists_each_module_once_in_order():
    data = (
        b"from a.b import x\n"
        b"from . import y\n"
        b"from ..pkg.mod import (z,\n  w)\n"
        b"from a.b import q\n"
        b"if t:\n    from  c  import d\n"
        b"from e \\\n   import f\n"
        b"import g\n"
        b"s = 'text' # from x.y import z, in a comment: kept (a superset is safe)\n"
        b"xfrom h import i\n"
    )
    assert from_imports(data) == ((0, "a.b"), (1, ""), (2, "pkg.mod"), (0, "c"), (0, "e"), (0, "x.y"))


def test_imported_names_reads_the_bound_names():
    data = (
        b"from shop.llm import ask\n"
        b"from shop.llm import (\n    stream as s,  # why\n    other,\n)\n"
        b"from .prompts import *\n"
        b"from pkg import a, \\\n    b\n"
        b"from weird import (a.b)\n"
    )
    names = imported_names(data)
    assert names[(0, "shop.llm")] == frozenset({"ask", "s", "other"})
    assert names[(1, "prompts")] == frozenset()  # a star binds no traceable name
    assert names[(0, "pkg")] == frozenset({"a", "b"})
    assert names[(0, "weird")] is None  # could not tell: treated as called


def test_calls_any_needs_a_call_of_the_bare_name():
    data = b"from m import ask\nask\nself.ask(1)\nmask(1)\nx = ask_more(2)\n"
    assert not calls_any(data, ["ask"])
    assert calls_any(data + b"y = ask (\n 1)\n", ["ask"])
    assert calls_any(b"@ask(1)\ndef f(): pass\n", ["ask"])
    assert not calls_any(data, [])


def _project_imports(root: Path):
    """(importer, level, module) for every `from X import` statement the parser sees."""
    for path in sorted(root.rglob("*.py")):
        module = cst.parse_module(path.read_bytes())
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.ImportFrom):
                    name = cst.Module([]).code_for_node(small.module) if small.module else ""
                    yield path, len(small.relative), name


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_module_finder_agrees_with_the_project(root):
    finder = ModuleResolver()
    project = Project()
    seen = 0
    for path, level, name in _project_imports(root):
        importer = path.resolve()
        expected = project.module_file(importer, name, level)
        found = finder.module_file(str(importer.parent), (level, name))
        assert found == (str(expected) if expected is not None else None), (path, level, name)
        seen += 1
        # the bytes scan finds the same statement
        assert (level, name) in from_imports(path.read_bytes())
    assert seen >= 5


def test_module_finder_agrees_on_odd_layouts(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for relative in ("pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/mod.py", "pkg/mod.py", "top.py"):
        (tmp_path / relative).write_text("x = 1\n")
    (tmp_path / "pkg" / "alias").symlink_to(tmp_path / "pkg" / "sub", target_is_directory=True)
    importer = tmp_path / "pkg" / "sub" / "mod.py"
    finder, project = ModuleResolver(), Project()
    for level, name in [(0, "pkg.sub.mod"), (0, "pkg"), (0, "top"), (1, ""), (1, "mod"), (2, "mod"),
                        (2, "sub.mod"), (3, "top"), (0, "missing"), (0, "pkg.alias.mod")]:
        expected = project.module_file(importer.resolve(), name, level)
        found = finder.module_file(str(importer.resolve().parent), (level, name))
        assert found == (str(expected) if expected is not None else None), (level, name)


def test_calls_wrapper_of_follows_the_project_layout():
    root = FIXTURES / "speed" / "wrappers"
    finder = ModuleResolver()
    request_modules = {str((root / "shop" / "llm.py").resolve())}

    def is_request_module(path: str) -> bool:
        return path in request_modules

    def calls(relative: str) -> bool:
        path = root / relative
        return calls_wrapper_of(os.path.abspath(path), path.read_bytes(), finder, is_request_module)

    assert calls("app/main.py")
    assert calls("app/aliased.py")
    assert calls("shop/support.py")
    assert not calls("app/reexport.py")  # imports it, never calls it
    assert not calls("app/unrelated.py")  # calls an `ask` of its own
    assert not calls("shop/llm.py")  # its own module
