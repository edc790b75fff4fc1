"""libcst positions, one statement at a time, only for the statements asked about.

libcst's `PositionProvider` generates the code of the whole module while recording every
node's range, behind a metadata visitor pass: about twice a parse. A file is asked for the
position of a few nodes (its findings, its unresolved calls). This finds the line where each
statement starts (and the indentation around it) with plain code generation, which is several
times cheaper and done once, only as far into the module as needed; then it generates, with
the codegen state libcst's PositionProvider uses, just the innermost statement that holds the
node. The ranges are identical to PositionProvider's.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from cachelint.syntax.treewalk import TRIVIA

_NEWLINES = re.compile(r"\r\n?|\n")


class _StatementLocator(CodegenState):
    """Plain code generation that notes where every statement starts: (line, indentation)."""

    def __init__(self, default_indent: str, default_newline: str):
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.line = 1
        self.starts: Dict[cst.CSTNode, Tuple[int, Tuple[str, ...]]] = {}

    def add_token(self, value: str) -> None:
        # only line breaks matter; tokens are not kept
        if "\n" in value or "\r" in value:
            self.line += len(_NEWLINES.findall(value))

    def add_indent_tokens(self) -> None:
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.BaseStatement):
            self.starts[node] = (self.line, tuple(self.indent_tokens))


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
        self._locator: Optional[_StatementLocator] = None
        self._located = 0  # module.body[:_located] have been through the locator
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
        statement = self._statement_of(node)
        start = self._start_of(statement) if statement is not None else None
        if start is None or statement in self._done_statements:
            self._compute_whole_module()
            return
        line, indentation = start
        collector = _Collector()
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=collector,  # type: ignore[arg-type]
            indent_tokens=list(indentation),
        )
        state.line = line
        parent = self.parents.get(statement)
        if isinstance(statement, cst.If) and isinstance(parent, cst.If) and parent.orelse is statement:
            statement._codegen(state, is_elif=True)  # an `elif` is an If in its parent's orelse
        else:
            statement._codegen(state)
        self._known.update(collector._computed)
        self._done_statements.add(statement)

    def _statement_of(self, node: cst.CSTNode) -> Optional[cst.BaseStatement]:
        """The innermost statement holding the node (the node itself when it is one)."""
        current: Optional[cst.CSTNode] = node
        while current is not None and current is not self.module:
            if isinstance(current, cst.BaseStatement):
                return current
            current = self.parents.get(current)
        return None

    def _start_of(self, statement: cst.BaseStatement) -> Optional[Tuple[int, Tuple[str, ...]]]:
        """(first line of the statement's code, its leading comment lines included; the
        indentation in force), locating statements in module order until it is found."""
        if self._locator is None:
            self._locator = _StatementLocator(self.module.default_indent, self.module.default_newline)
            for empty in self.module.header:
                empty._codegen(self._locator)
        locator = self._locator
        body = self.module.body
        while statement not in locator.starts and self._located < len(body):
            body[self._located]._codegen(locator)
            self._located += 1
        return locator.starts.get(statement)

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
