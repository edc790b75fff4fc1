"""The scope pass (cachelint.syntax.scopes) against libcst's ScopeProvider, the reference it replaces.

For every name read in the fixture files (and in cachelint's own source, as a larger sample of
real code), the assignments it can see and the qualified names of every name and attribute
must be what libcst computes. Where libcst is wrong, cachelint deliberately differs, and each
difference has its own test below:
- evaluation order: `x = x + 1` reads the earlier `x`, and a comprehension's element reads the
  target its `for` binds (libcst visits the element first and finds nothing);
- `match` captures (`case {"k": kind}`) bind names (libcst records no assignment);
- a chain that starts with a literal (`"".join`) names nothing (libcst: `builtins.None`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Tuple

import libcst as cst
import pytest
from libcst.metadata import BuiltinAssignment as LibcstBuiltin
from libcst.metadata import MetadataWrapper, ScopeProvider

from cachelint.syntax.scopes import BuiltinAssignment, ImportAssignment, ModuleIndex, head_name
from cachelint.resolve.resolver import Resolver

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "scopes"
SAMPLES = sorted(FIXTURES.glob("*.py")) + sorted(
    path for path in (REPO / "src" / "cachelint").glob("*.py") if path.stat().st_size > 4000
)


def _label(assignment) -> Tuple[str, object]:
    if isinstance(assignment, (LibcstBuiltin, BuiltinAssignment)):
        return ("builtin", assignment.name)
    return ("node", id(assignment.node))


def _self_referencing(name: cst.Name, parents: Dict[cst.CSTNode, cst.CSTNode]) -> bool:
    """A read inside the value of an assignment to the same name (`x = x + 1`, `x += x`)."""
    node: cst.CSTNode = name
    while node in parents:
        parent = parents[node]
        if isinstance(parent, (cst.Assign, cst.AugAssign, cst.AnnAssign)) and node is parent.value:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
            return any(isinstance(t, cst.Name) and t.value == name.value for t in targets)
        node = parent
    return False


_PATTERNS = (cst.MatchAs, cst.MatchStar, cst.MatchMapping)


def _deliberately_different(name: cst.Name, index: ModuleIndex) -> bool:
    if _self_referencing(name, index.parents) or isinstance(index.parents.get(name), _PATTERNS):
        return True
    for assignment in index.accesses[name].referents if name in index.accesses else ():
        holder = index.parents.get(getattr(assignment, "node", None))
        if isinstance(holder, _PATTERNS):
            return True
        if isinstance(holder, cst.CompFor) and isinstance(index.scope(name).node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return True
    return False


def _libcst_referents(scopes, name: cst.Name):
    scope = scopes.get(name)
    if scope is None:
        return None
    for access in scope.accesses[name]:
        if access.node is name:
            return {_label(a) for a in access.referents}
    return None


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_read_sees_the_assignments_libcst_sees(path: Path):
    module = cst.parse_module(path.read_bytes())
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    index = ModuleIndex(module)
    compared = 0
    for name, access in index.accesses.items():
        expected = _libcst_referents(scopes, name)
        if expected is None or _deliberately_different(name, index):
            continue  # None: libcst moved a dotted-import read (`os.path`) to the Attribute
        assert {_label(a) for a in access.referents} == expected, (path.name, name.value)
        compared += 1
    assert compared > 3


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_qualified_names_match_libcst(path: Path):
    module = cst.parse_module(path.read_bytes())
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    index = ModuleIndex(module)
    compared = 0
    for node in index.nodes((cst.Name, cst.Attribute, cst.Call)):
        theirs = scopes.get(node)
        ours = index.scope(node)
        if theirs is None or ours is None:
            continue
        head = head_name(node)
        if head is None or _deliberately_different(head, index):
            continue
        expected = {q.name for q in theirs.get_qualified_names_for(node)}
        assert {q.name for q in index.qualified_names(node)} == expected, (path.name, index.module.code_for_node(node))
        compared += 1
    assert compared > 3


def test_an_assignment_reads_the_earlier_binding_not_itself():
    module = cst.parse_module('x = "a"\nx = x + "b"\nprint(x)\n')
    index = ModuleIndex(module)
    first, second = [a for a in index.global_scope.assignments["x"]]
    reads = [n for n in index.accesses if n.value == "x"]
    assert [a.node for a in index.accesses[reads[0]].referents] == [first.node]
    assert {a.node for a in index.accesses[reads[1]].referents} == {first.node, second.node}
    resolver = Resolver(MetadataWrapper(module, unsafe_skip_copy=True), "x.py")
    assert resolver.resolve(module.body[1].body[0].value).text == "ab"


def test_a_comprehension_element_reads_its_own_target():
    index = ModuleIndex(cst.parse_module("rows = [part.strip() for part in text.split(',') if part]\n"))
    reads = [n for n in index.accesses if n.value == "part"]
    assert len(reads) == 2
    for read in reads:
        (target,) = index.accesses[read].referents
        assert isinstance(index.parents[target.node], cst.CompFor)


def test_match_captures_bind_names():
    source = "match event:\n    case {'kind': kind, **rest}:\n        print(kind, rest)\n    case [first, *others]:\n        print(first)\n"
    index = ModuleIndex(cst.parse_module(source))
    for name in ("kind", "rest", "first"):
        read = [n for n in index.accesses if n.value == name][-1]
        assert len(index.accesses[read].referents) == 1, name
    assert "others" in index.global_scope.assignments


def test_a_chain_starting_with_a_literal_names_nothing():
    index = ModuleIndex(cst.parse_module("x = ''.join(parts)\n"))
    assert index.qualified_names(index.calls[0].func) == set()


def test_global_and_nonlocal_bind_in_the_declaring_scope():
    source = (
        "count = 0\n"
        "def bump():\n"
        "    global count\n"
        "    count = 1\n"
        "def outer():\n"
        "    items = []\n"
        "    def inner():\n"
        "        nonlocal items\n"
        "        items = [1]\n"
        "    return items\n"
    )
    index = ModuleIndex(cst.parse_module(source))
    assert len(index.global_scope.assignments["count"]) == 2
    returned = [n for n in index.accesses if n.value == "items"][-1]
    assert len(index.accesses[returned].referents) == 2


def test_imports_bind_their_names_and_qualify_through_them():
    source = "import os.path\nfrom .pkg import tool as t\nos.path.join\nt.run\n"
    index = ModuleIndex(cst.parse_module(source))
    scope = index.global_scope
    assert all(isinstance(a, ImportAssignment) for a in scope.assignments["os"])
    assert {q.name for q in scope.get_qualified_names_for("os.path.join")} == {"os.path.join"}
    assert {q.name for q in scope.get_qualified_names_for("t.run")} == {".pkg.tool.run"}
    assert {q.name for q in scope.get_qualified_names_for("len")} == {"builtins.len"}
    assert scope.get_qualified_names_for("undefined_name") == set()


def test_class_bodies_are_invisible_to_their_methods():
    source = "class K:\n    z = 1\n    def m(self):\n        return z\n"
    index = ModuleIndex(cst.parse_module(source))
    read = next(n for n in index.accesses if n.value == "z")
    assert index.accesses[read].referents == set()


def test_parents_and_calls_cover_the_code_in_source_order():
    source = (FIXTURES / "bindings.py").read_text()
    module = cst.parse_module(source)
    index = ModuleIndex(module)
    all_calls = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            all_calls.append(node)

    module.visit(Calls())
    assert index.calls == all_calls
    for call in all_calls:
        assert call in index.parents
        assert isinstance(index.parents[call.func], cst.Call)
