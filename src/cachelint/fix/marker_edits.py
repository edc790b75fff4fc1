"""Write a marker correction (`cachelint.model.request.MarkerCorrection`) as edits."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from cachelint.fix.intents import EditSpec, Replace
from cachelint.fix.source import SourceFile
from cachelint.model.request import MarkerCorrection, MarkerEdit, MarkerEditKind


def correction_edits(source: SourceFile, correction: MarkerCorrection) -> List[EditSpec]:
    """One replacement per step, each new string in the quotes of the string it stands for."""
    return [_replacement(source, edit) for edit in correction.edits]


def _replacement(source: SourceFile, edit: MarkerEdit) -> Replace:
    quote = _quote_of(edit.quote_like)
    if edit.kind is MarkerEditKind.RENAME_KEYWORD:
        return Replace(edit.node, edit.text)
    if edit.kind is MarkerEditKind.WRITE_DICT:
        return Replace(edit.node, f"{{{quote}type{quote}: {quote}{edit.text}{quote}}}")
    if edit.kind is MarkerEditKind.INSERT_TYPE:
        return Replace(edit.node, f"{quote}type{quote}: {quote}{edit.text}{quote}, {source.code(edit.node)}")
    return Replace(edit.node, f"{quote}{edit.text}{quote}")  # a key, a type or a ttl string


def _quote_of(node: Optional[cst.CSTNode]) -> str:
    if isinstance(node, cst.SimpleString) and node.quote in ("'", '"'):
        return node.quote
    return '"'
