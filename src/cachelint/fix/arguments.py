"""Fix builders for request arguments."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from cachelint.fix.intents import Replace
from cachelint.fix.source import SourceFile


def zero_max_tokens(source: SourceFile, value_node: Optional[cst.CSTNode]) -> Optional[Replace]:
    """`max_tokens=1` -> `max_tokens=0`, when the value is written in this file."""
    if value_node is None or value_node not in source.positions:  # type: ignore[operator]
        return None
    return Replace(value_node, "0")
