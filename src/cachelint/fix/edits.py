"""Intents to edits: where each node the rule named sits in the file's text.

A rule's `FixSpec` names nodes; this turns each intent into an `Edit` (offsets into the text plus
1-based locations), so a `Fix` holds no CST node and can cross process boundaries.
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

import libcst as cst

from cachelint.core.diagnostics import Edit, Fix, Location
from cachelint.fix.intents import FixSpec, InsertAfter, Remove, Replace

Span = Callable[[cst.CSTNode], Tuple[int, int]]


def resolve_fix(
    spec: FixSpec,
    module: cst.Module,
    span: Span,
    parents: Dict[cst.CSTNode, cst.CSTNode],
    location: Callable[[int], Location],
) -> Fix:
    """The rule's intents as offset edits of the file's text, sorted by position."""
    edits = []
    for edit in spec.edits:
        if isinstance(edit, Replace):
            start, end = span(edit.node)
            content = (
                edit.replacement
                if isinstance(edit.replacement, str)
                else module.code_for_node(edit.replacement)
            )
        elif isinstance(edit, InsertAfter):
            start = end = span(edit.node)[1]
            content = edit.text
        elif isinstance(edit, Remove):
            start, end = _removal_span(edit.node, module, span, parents)
            content = ""
        else:  # pragma: no cover - programming error
            raise TypeError(edit)
        edits.append(
            Edit(
                start_offset=start,
                end_offset=end,
                content=content,
                location=location(start),
                end_location=location(end),
            )
        )
    edits.sort(key=lambda e: (e.start_offset, e.end_offset))
    return Fix(message=spec.message, applicability=spec.applicability, edits=tuple(edits))


def _removal_span(
    node: cst.CSTNode, module: cst.Module, span: Span, parents: Dict[cst.CSTNode, cst.CSTNode]
) -> Tuple[int, int]:
    """A node of a comma-separated sequence, removed with the comma that separates it."""
    parent = parents.get(node)
    siblings = None
    if isinstance(parent, cst.Call):
        siblings = list(parent.args)
    elif isinstance(parent, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
        siblings = list(parent.elements)
    start, end = span(node)
    if not siblings or node not in siblings:
        return start, end
    index = siblings.index(node)
    if index + 1 < len(siblings):
        return start, span(siblings[index + 1])[0]
    if index > 0:
        previous_end = span(siblings[index - 1])[1]
        comma = getattr(node, "comma", None)
        if isinstance(comma, cst.Comma):
            # keep a trailing comma's own layout: drop "<, node>" and leave node's comma
            return previous_end, end
        return previous_end, end
    comma = getattr(node, "comma", None)
    if isinstance(comma, cst.Comma):
        end = end + len(module.code_for_node(comma))
    return start, end
