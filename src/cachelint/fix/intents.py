"""What a rule asks a fix to do, in terms of the nodes it was handed: replace, insert, remove.

Rules describe edits as intents on nodes of the request model; `cachelint.fix.edits` turns them
into offset-based `Edit`s once positions are known, and `cachelint.fix.apply` applies them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Sequence, Union

import libcst as cst

from cachelint.core.diagnostics import Applicability


class Replace:
    """Replace a node's source with a new node or with text."""

    def __init__(self, node: cst.CSTNode, replacement: Union[cst.CSTNode, str]):
        self.node = node
        self.replacement = replacement


class InsertAfter:
    """Insert text right after a node (e.g. `, cache_control=...` after the last argument)."""

    def __init__(self, node: cst.CSTNode, text: str):
        self.node = node
        self.text = text


class Remove:
    """Remove a node (an Arg or a list element) together with its separating comma."""

    def __init__(self, node: cst.CSTNode):
        self.node = node


EditSpec = Union[Replace, InsertAfter, Remove]


@dataclass
class FixSpec:
    message: str
    applicability: Applicability
    edits: Sequence[EditSpec] = field(default_factory=list)


class BreakpointPlace(str, enum.Enum):
    """Where the rule wants the breakpoint."""

    SYSTEM = "the end of the system prompt"  # CL001: a plain system prompt
    LAST_STATIC_BLOCK = "the last static block of the prefix"  # CL003, CL201: `block` names it
    HISTORY = "the newest turn of the conversation"  # CL302
