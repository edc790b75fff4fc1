"""Meaning-preserving (or at least syntax-preserving) edits of a Python source, for property tests.

Each mutation takes the source and a `choose(n)` callable returning an index in range(n) (the
property test passes Hypothesis draws), and returns new source, or the source unchanged when it
offers nothing to mutate. Mutations work on libcst trees, so comments and layout (and the
fixtures' `# CL001` markers) survive.

- `rename_variable`: rename one binding everywhere it is used (never imports, attributes,
  keyword-argument names, builtins, `self` / `cls`);
- `resize_string`: repeat or halve the text of one long string literal;
- `insert_statement`: insert a harmless statement or a comment line into some block;
- `wrap_statement`: put one statement inside `for _round in range(2):`, or (at module level)
  inside a new function.
"""

from __future__ import annotations

import builtins
from typing import Callable, List, Optional, Sequence, Set

import libcst as cst

Choose = Callable[[int], int]

PROTECTED_NAMES = frozenset(dir(builtins)) | {"self", "cls"}


def _names_in_imports(module: cst.Module) -> Set[str]:
    found: Set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            for alias in node.names:
                found.add(_alias_binding(alias))
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    found.add(_alias_binding(alias))
            return False

    module.visit(Collector())
    return found


def _alias_binding(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


class _NameCensus(cst.CSTVisitor):
    """Every plain Name, and the names that also serve as attributes or keyword arguments."""

    def __init__(self) -> None:
        self.names: List[str] = []
        self.not_renamable: Set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self.names:
            self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.not_renamable.add(node.attr.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.not_renamable.add(node.keyword.value)


class _Rename(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == self.old:
            return updated_node.with_changes(value=self.new)
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)


def renamable_names(source: str) -> List[str]:
    module = cst.parse_module(source)
    census = _NameCensus()
    module.visit(census)
    excluded = census.not_renamable | _names_in_imports(module) | PROTECTED_NAMES
    return [name for name in census.names if name not in excluded and not name.startswith("__")]


def rename_variable(source: str, choose: Choose) -> str:
    candidates = renamable_names(source)
    if not candidates:
        return source
    old = candidates[choose(len(candidates))]
    new = old + "_renamed"
    while new in candidates:
        new += "_"
    return cst.parse_module(source).visit(_Rename(old, new)).code


# -- strings ------------------------------------------------------------------------------------------


class _StringCollector(cst.CSTVisitor):
    def __init__(self, minimum: int) -> None:
        self.minimum = minimum
        self.found: List[cst.SimpleString] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "b" in node.prefix.lower():
            return
        if len(node.value) - len(node.prefix) - 2 * len(node.quote) >= self.minimum:
            self.found.append(node)


class _ReplaceNode(cst.CSTTransformer):
    def __init__(self, target: cst.CSTNode, replacement: cst.CSTNode) -> None:
        self.target = target
        self.replacement = replacement

    def on_leave(self, original_node, updated_node):
        if original_node is self.target:
            return self.replacement
        return updated_node


def resize_string(source: str, choose: Choose) -> str:
    module = cst.parse_module(source)
    collector = _StringCollector(minimum=40)
    module.visit(collector)
    if not collector.found:
        return source
    node = collector.found[choose(len(collector.found))]
    start = len(node.prefix) + len(node.quote)
    body = node.value[start : len(node.value) - len(node.quote)]
    factor = (0, 2, 3)[choose(3)]
    if factor == 0:
        cut = len(body) // 2
        # never cut an escape sequence in two
        while cut > 0 and "\\" in body[max(0, cut - 12) : cut + 1]:
            cut -= 1
        new_body = body[:cut]
    else:
        new_body = body * factor
    replacement = node.with_changes(value=node.value[:start] + new_body + node.quote)
    return module.visit(_ReplaceNode(node, replacement)).code


# -- statements ---------------------------------------------------------------------------------------


def _is_future_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.ImportFrom)
        and isinstance(small.module, cst.Name)
        and small.module.value == "__future__"
        for small in statement.body
    )


def _first_free_index(module: cst.Module) -> int:
    """Module-level statements may only go after the docstring and `from __future__` imports."""
    index = 0
    for position, statement in enumerate(module.body):
        if _is_future_import(statement):
            index = position + 1
    return index


class _BlockCollector(cst.CSTVisitor):
    """Every statement list: the module's and each indented block's."""

    def __init__(self) -> None:
        self.blocks: List[cst.CSTNode] = []

    def visit_Module(self, node: cst.Module) -> None:
        self.blocks.append(node)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node)


class _EditBlock(cst.CSTTransformer):
    def __init__(self, target: cst.CSTNode, edit: Callable[[Sequence[cst.CSTNode]], List[cst.CSTNode]]) -> None:
        self.target = target
        self.edit = edit

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if original_node is self.target:
            return updated_node.with_changes(body=self.edit(updated_node.body))
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if original_node is self.target:
            return updated_node.with_changes(body=self.edit(updated_node.body))
        return updated_node


INSERTIONS = (
    "_probe = len('cachelint')\n",
    "pass\n",
    "# a comment inserted by a property test\npass\n",
    "if False:\n    _probe = None\n",
)


def insert_statement(source: str, choose: Choose) -> str:
    module = cst.parse_module(source)
    collector = _BlockCollector()
    module.visit(collector)
    block = collector.blocks[choose(len(collector.blocks))]
    lowest = _first_free_index(module) if block is module else 0
    body = list(block.body)
    index = lowest + choose(len(body) - lowest + 1) if len(body) >= lowest else len(body)
    statement = cst.parse_module(INSERTIONS[choose(len(INSERTIONS))]).body
    return module.visit(_EditBlock(block, lambda old: list(old[:index]) + list(statement) + list(old[index:]))).code


def _wrap_in_loop(statement: cst.BaseStatement) -> cst.BaseStatement:
    return cst.For(
        target=cst.Name("_round"),
        iter=cst.parse_expression("range(2)"),
        body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=[])]),
        leading_lines=statement.leading_lines,
    )


def _wrap_in_function(statement: cst.BaseStatement) -> cst.BaseStatement:
    return cst.FunctionDef(
        name=cst.Name("_wrapped"),
        params=cst.Parameters(),
        body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=[])]),
        leading_lines=statement.leading_lines,
    )


def wrap_statement(source: str, choose: Choose) -> str:
    module = cst.parse_module(source)
    collector = _BlockCollector()
    module.visit(collector)
    block = collector.blocks[choose(len(collector.blocks))]
    lowest = _first_free_index(module) if block is module else 0
    body = list(block.body)
    if len(body) <= lowest:
        return source
    index = lowest + choose(len(body) - lowest)
    wrappers = [_wrap_in_loop] + ([_wrap_in_function] if block is module else [])
    wrap = wrappers[choose(len(wrappers))]

    def edit(old: Sequence[cst.CSTNode]) -> List[cst.CSTNode]:
        new = list(old)
        new[index] = wrap(new[index])
        return new

    return module.visit(_EditBlock(block, edit)).code


MUTATIONS = {
    "rename_variable": rename_variable,
    "resize_string": resize_string,
    "insert_statement": insert_statement,
    "wrap_statement": wrap_statement,
}


def compiles(source: str) -> bool:
    try:
        compile(source, "<mutated>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def first_difference(a: str, b: str) -> Optional[int]:
    """The first line (1-based) where two sources differ, for readable failure messages."""
    for number, (left, right) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
        if left != right:
            return number
    return None if a == b else min(len(a.splitlines()), len(b.splitlines())) + 1
