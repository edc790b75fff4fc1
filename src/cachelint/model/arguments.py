"""Read call facts (`cachelint.model.calls`) from resolved argument values."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from cachelint.model.calls import Argument, ArgumentSource, BetaFlag, BetaFlags, BetaHeader
from cachelint.resolve.text import TextValue
from cachelint.resolve.value import DictEntry, DictVal, ListVal, Value

BETA_HEADER = "anthropic-beta"
# Arguments whose dict value is sent as HTTP headers (a call's, a client constructor's).
HEADER_ARGUMENTS = ("extra_headers", "default_headers")


def argument(
    name: str,
    source: ArgumentSource,
    value: Value,
    value_node: Optional[cst.CSTNode],
    edit_node: Optional[cst.CSTNode],
) -> Argument:
    """The facts of one argument; the typed ones only for the names that carry them."""
    return Argument(
        name=name,
        source=source,
        value_node=value_node,
        edit_node=edit_node,
        beta_flags=beta_flags(value, value_node) if name == "betas" else None,
        beta_headers=beta_headers(value) if name in HEADER_ARGUMENTS else (),
    )


def keyword_argument(arg: cst.Arg, value: Value) -> Argument:
    assert arg.keyword is not None
    return argument(arg.keyword.value, ArgumentSource.KEYWORD, value, arg.value, arg)


def entry_argument(entry: DictEntry, source: ArgumentSource) -> Argument:
    """An argument that arrives as an entry of a dict (`**params`, a batch request's params)."""
    node = entry.node
    editable = node if isinstance(node, cst.DictElement) else None
    return argument(entry.key, source, entry.value, entry_value_node(entry), editable)


def entry_value_node(entry: DictEntry) -> Optional[cst.CSTNode]:
    node = entry.node
    if isinstance(node, (cst.DictElement, cst.Arg)):
        return node.value
    return node


def beta_flags(value: Value, value_node: Optional[cst.CSTNode]) -> BetaFlags:
    written_none = isinstance(value_node, cst.Name) and value_node.value == "None"
    if isinstance(value, ListVal):
        flags = tuple(
            BetaFlag(item.text if isinstance(item, TextValue) else None, getattr(item, "node", None))
            for item in value.items
        )
        return BetaFlags(flags, value.complete, written_none)
    if isinstance(value, TextValue):
        return BetaFlags((BetaFlag(value.text, value.node),), True, written_none)
    return BetaFlags((), False, written_none)


def beta_headers(value: Value) -> Tuple[BetaHeader, ...]:
    """The `anthropic-beta` entries (any case) of a resolved headers dict whose text is known."""
    if not isinstance(value, DictVal):
        return ()
    found = []
    for entry in value.entries:
        if entry.key.lower() != BETA_HEADER or not isinstance(entry.value, TextValue) or entry.value.text is None:
            continue
        node = entry.node
        value_node = node.value if isinstance(node, cst.DictElement) else node
        found.append(BetaHeader(entry.value.text, node, value_node))
    return tuple(found)
