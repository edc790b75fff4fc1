"""The values an expression can resolve to, and the views every stage takes of them.

A value is a string (`TextValue`, in `text.py`), a known constant (`Const`), a list or a dict
(`ListVal`, `DictVal`, with whether every item is known), or `Unknown` (with the reason kept so
`--explain-unknown` can show it). `staticness_of`, `size_of` and `as_text` look at any of them
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import libcst as cst

from cachelint.resolve.text import Cause, Origin, Piece, Staticness, TextValue



@dataclass(frozen=True)
class Unknown:
    staticness: Staticness = Staticness.UNKNOWN
    description: str = ""
    reason: str = ""
    origin: Origin = Origin.UNKNOWN
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)
    cause: Optional[Cause] = None  # why it varies, when the resolver can tell (text.Cause)


@dataclass(frozen=True)
class Const:
    value: object
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ListVal:
    items: Tuple["Value", ...]
    complete: bool = True
    grows: bool = False  # appended / extended somewhere: a conversation history
    rewritten: bool = False  # trimmed or replaced somewhere (for history rules)
    origin: Origin = Origin.LITERAL
    name: Optional[str] = None
    unordered: bool = False  # built by iterating a set
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class DictEntry:
    key: str
    value: "Value"
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class DictVal:
    entries: Tuple[DictEntry, ...]
    complete: bool = True  # False: a `**splat` or an update we could not read may add keys
    origin: Origin = Origin.LITERAL
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)

    def get(self, key: str) -> Optional["Value"]:
        found = None
        for entry in self.entries:
            if entry.key == key:
                found = entry.value
        return found

    def entry(self, key: str) -> Optional[DictEntry]:
        found = None
        for entry in self.entries:
            if entry.key == key:
                found = entry
        return found

    def keys(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(e.key for e in self.entries))


Value = Union[TextValue, Const, ListVal, DictVal, Unknown]


def staticness_of(value: "Value") -> Staticness:
    if isinstance(value, TextValue):
        return value.staticness
    if isinstance(value, Const):
        return Staticness.STATIC
    if isinstance(value, Unknown):
        return value.staticness
    if isinstance(value, ListVal):
        worst = max((staticness_of(v) for v in value.items), default=Staticness.STATIC)
        if value.unordered:
            worst = max(worst, Staticness.VOLATILE)
        if not value.complete:
            worst = max(worst, Staticness.UNKNOWN)
        return worst
    if isinstance(value, DictVal):
        worst = max((staticness_of(e.value) for e in value.entries), default=Staticness.STATIC)
        if not value.complete:
            worst = max(worst, Staticness.UNKNOWN)
        return worst
    return Staticness.UNKNOWN


def size_of(value: "Value") -> Optional[int]:
    """Known size in characters of the value's content, when every part of it is known."""
    if isinstance(value, TextValue):
        return value.known_chars if value.size_is_exact else None
    if isinstance(value, Const):
        return len(repr(value.value))
    if isinstance(value, ListVal):
        if not value.complete:
            return None
        total = 0
        for item in value.items:
            size = size_of(item)
            if size is None:
                return None
            total += size + 2
        return total
    if isinstance(value, DictVal):
        if not value.complete:
            return None
        total = 0
        for entry in value.entries:
            size = size_of(entry.value)
            if size is None:
                return None
            total += size + len(entry.key) + 6
        return total
    return None


def known_size_of(value: "Value") -> int:
    """A lower bound of the value's size in characters."""
    if isinstance(value, TextValue):
        return value.known_chars
    if isinstance(value, Const):
        return len(repr(value.value))
    if isinstance(value, ListVal):
        return sum(known_size_of(v) for v in value.items)
    if isinstance(value, DictVal):
        return sum(known_size_of(e.value) + len(e.key) for e in value.entries)
    return 0


def as_text(value: "Value", node: Optional[cst.CSTNode] = None) -> TextValue:
    """View any value as a text value (one piece when it is not a string)."""
    if isinstance(value, TextValue):
        return value
    if isinstance(value, Const):
        text = str(value.value)
        return TextValue((Piece(Staticness.STATIC, text, len(text), repr(value.value), node),), node)
    if isinstance(value, Unknown):
        return TextValue(
            (
                Piece(
                    value.staticness, None, None, value.description, value.node or node,
                    cause=value.cause, cause_node=(value.node or node) if value.cause else None,
                ),
            ),
            node,
            origin=value.origin,
        )
    found = cause_of(value)
    return TextValue(
        (
            Piece(
                staticness_of(value), None, size_of(value), "", node,
                cause=found.cause if found else None, cause_node=found.node if found else None,
            ),
        ),
        node,
        origin=Origin.CONTAINER,
    )


def static_text(text: str, node: Optional[cst.CSTNode], description: str = "") -> TextValue:
    return TextValue((Piece(Staticness.STATIC, text, len(text), description, node),), node)


def concat(values: Sequence[TextValue], node: cst.CSTNode, origin: Origin = Origin.LITERAL) -> TextValue:
    pieces: List[Piece] = []
    for value in values:
        pieces.extend(value.pieces)
    return TextValue(tuple(merge_static(pieces)), node, origin=origin)


def merge_static(pieces: Iterable[Piece]) -> List[Piece]:
    """Adjacent static pieces with known text become one (keeps piece lists short)."""
    merged: List[Piece] = []
    for piece in pieces:
        if (
            merged
            and piece.staticness is Staticness.STATIC
            and merged[-1].staticness is Staticness.STATIC
            and piece.text is not None
            and merged[-1].text is not None
        ):
            last = merged[-1]
            text = last.text + piece.text
            merged[-1] = Piece(Staticness.STATIC, text, len(text), last.description, last.node)
        else:
            merged.append(piece)
    return merged


def map_text(value: TextValue, transform, node: cst.CSTNode) -> TextValue:
    """Apply a text transform (strip, dedent) to a value: exact when all text is known."""
    text = value.text
    if text is not None:
        return TextValue((Piece(Staticness.STATIC, transform(text), len(transform(text)), "", node),), node, value.origin)
    return TextValue(value.pieces, node, value.origin)


@dataclass(frozen=True)
class CauseAt:
    """Why a value varies, and the node a fix of that cause rewrites."""

    cause: Cause
    node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False, repr=False)


def cause_of(value: "Value") -> Optional[CauseAt]:
    """The first cause found in the value (a piece's, an unknown's, a set's order), if any."""
    if isinstance(value, TextValue):
        for piece in value.pieces:
            if piece.cause is not None:
                return CauseAt(piece.cause, piece.cause_node)
        return None
    if isinstance(value, Unknown):
        return CauseAt(value.cause, value.node) if value.cause is not None else None
    if isinstance(value, ListVal):
        for item in value.items:
            found = cause_of(item)
            if found is not None:
                return found
        return CauseAt(Cause.SET_ORDER, value.node) if value.unordered else None
    if isinstance(value, DictVal):
        for entry in value.entries:
            found = cause_of(entry.value)
            if found is not None:
                return found
    return None
