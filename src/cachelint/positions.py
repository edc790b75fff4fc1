"""libcst positions, one top-level statement at a time, only for the statements asked about.

libcst's `PositionProvider` generates the code of the whole module while recording every
node's range, behind a metadata visitor pass: about twice a parse. A file is asked for the
position of a few nodes (its findings, its unresolved calls), so this generates, with the same
codegen state libcst uses, only the top-level statements that hold them; the lines before a
statement are counted from plain code generation of the statements above it (a fraction of
the cost), done once and only as far as needed. Results are identical to PositionProvider's.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from cachelint.scopes import TRIVIA

_NEWLINES = re.compile(r"\r\n?|\n")


class _Collector:
    """The `provider` a libcst position codegen state writes into."""

    def __init__(self) -> None:
        self._computed: Dict[cst.CSTNode, CodeRange] = {}


class LazyPositions:
    """A mapping node -> CodeRange for the nodes of one module, computed on demand.

    `parents` maps code nodes to their parents (scopes.ModuleIndex / treewalk.parent_map);
    nodes it does not know (whitespace, punctuation, nodes of other modules) are answered from
    a whole-module pass, done at most once."""

    def __init__(self, module: cst.Module, parents: Dict[cst.CSTNode, cst.CSTNode]):
        self.module = module
        self.parents = parents
        self._known: Dict[cst.CSTNode, CodeRange] = {}
        self._statement_lines: List[int] = []  # first line of module.body[i]'s code
        self._lines_state: Optional[CodegenState] = None
        self._done_statements: set = set()
        self._whole_module = False

    # -- mapping protocol ---------------------------------------------------------------------
    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._known.get(node)
        if found is None:
            self._compute_for(node)
            found = self._known[node]  # KeyError: not a node of this module
        return found

    def get(self, node: cst.CSTNode, default=None):
        try:
            return self[node]
        except KeyError:
            return default

    def __contains__(self, node: object) -> bool:
        if node in self._known:
            return True
        if not isinstance(node, cst.CSTNode):
            return False
        if node is self.module or node in self.parents:
            return True
        if not isinstance(node, TRIVIA) or self._whole_module:
            return False  # a node of another module
        self._compute_whole_module()  # a comment or comma: the parent map does not hold them
        return node in self._known

    # -- computing ---------------------------------------------------------------------------
    def _compute_for(self, node: cst.CSTNode) -> None:
        if node is not self.module and node not in self.parents and not isinstance(node, TRIVIA):
            return  # a node of another module: not in the mapping
        statement = self._top_statement(node)
        if statement is None:
            self._compute_whole_module()
            return
        index = self._statement_index(statement)
        if index is None or statement in self._done_statements:
            self._compute_whole_module()
            return
        line = self._first_line(index)
        collector = _Collector()
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=collector,  # type: ignore[arg-type]
        )
        state.line = line
        statement._codegen(state)
        self._known.update(collector._computed)
        self._done_statements.add(statement)

    def _top_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        if node is self.module:
            return None
        current = node
        while True:
            parent = self.parents.get(current)
            if parent is None:
                return None
            if parent is self.module:
                return current
            current = parent

    def _statement_index(self, statement: cst.CSTNode) -> Optional[int]:
        for index, candidate in enumerate(self.module.body):
            if candidate is statement:
                return index
        return None

    def _first_line(self, index: int) -> int:
        """The line where module.body[index]'s code starts (its leading comment lines included)."""
        lines = self._statement_lines
        if self._lines_state is None:
            state = CodegenState(default_indent=self.module.default_indent, default_newline=self.module.default_newline)
            for empty in self.module.header:
                empty._codegen(state)
            self._lines_state = state
            lines.append(1 + _count_newlines(state.tokens))
            state.tokens.clear()
        state = self._lines_state
        while len(lines) <= index:
            self.module.body[len(lines) - 1]._codegen(state)
            lines.append(lines[-1] + _count_newlines(state.tokens))
            state.tokens.clear()
        return lines[index]

    def _compute_whole_module(self) -> None:
        if self._whole_module:
            return
        collector = _Collector()
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=collector,  # type: ignore[arg-type]
        )
        self.module._codegen(state)
        self._known.update(collector._computed)
        self._whole_module = True


def _count_newlines(tokens: List[str]) -> int:
    return len(_NEWLINES.findall("".join(tokens)))
