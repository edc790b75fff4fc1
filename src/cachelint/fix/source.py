"""What a fix builder reads of the file it edits: its text, and where each node sits in it.

The rule context provides it (`cachelint.rules.context.RuleContext`); builders only read.
"""

from __future__ import annotations

from typing import Dict, Protocol, Sequence, Tuple

import libcst as cst


class LineStarts(Protocol):
    starts: Sequence[int]  # the offset where each line begins


class SourceFile(Protocol):
    text: str
    lines: LineStarts
    positions: object  # node -> libcst CodeRange, for the nodes of this file (`in` tells which)
    parents: Dict[cst.CSTNode, cst.CSTNode]

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Start and end offsets of the node in `text`."""

    def code(self, node: cst.CSTNode) -> str:
        """The node's code as libcst generates it."""
