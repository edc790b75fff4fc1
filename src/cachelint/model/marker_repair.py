"""The unambiguous correction of an invalid `cache_control` marker, worked out where it is read.

A correction exists when the intent is clear: the string "ephemeral" means {"type": "ephemeral"},
a misspelled key means `cache_control`, a missing or mis-cased `type` means "ephemeral", and a
TTL that is exactly 5 minutes or 1 hour (`300`, `3600`, "60m", "1hr"...) means "5m" / "1h".
Other values ({"type": "persistent"}, a TTL of 10 minutes, unknown keys) have no single right
replacement. Every step edits a node of this module (`MarkerEdit`); `cachelint.fix` writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst

from cachelint.model.request import MarkerCorrection, MarkerEdit, MarkerEditKind
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import TextValue
from cachelint.resolve.value import Const, DictVal

CACHE_CONTROL = "cache_control"
ACCEPTED_TTLS = ("5m", "1h")
# A TTL written another way that means exactly one of the accepted values.
TTL_SECONDS = {300: "5m", 3600: "1h"}
_UNIT_SECONDS = {
    "": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
}
_DURATION = re.compile(r"\s*(\d+)\s*([a-z]*)\s*")


@dataclass
class _Repair:
    """What it takes to make a marker value valid: edits, or why it cannot be done."""

    edits: List[MarkerEdit] = field(default_factory=list)
    fixable: bool = True  # False: known invalid with no single right replacement
    known: bool = True  # False: the value cannot be read (a key rename is still right)


def marker_correction(
    resolver: Resolver, node: Optional[cst.CSTNode], key_node: Optional[cst.CSTNode], key: str
) -> Optional[MarkerCorrection]:
    """The correction of an invalid marker whose value is `node`, carried by `key_node` under
    `key`; None when there is no single right one."""
    reader = _CorrectionReader(resolver)
    repair = reader.value(node)
    if key != CACHE_CONTROL:
        rename = reader.rename_key(key_node)
        if rename is None or not repair.fixable:
            return None
        return MarkerCorrection((rename,) + tuple(repair.edits))
    if not repair.fixable or not repair.known or not repair.edits:
        return None
    return MarkerCorrection(tuple(repair.edits))


class _CorrectionReader:
    def __init__(self, resolver: Resolver):
        self.resolver = resolver

    def in_module(self, node: cst.CSTNode) -> bool:
        """A node of this module (a value may be defined in another one: never edited)."""
        return node is self.resolver.module or node in self.resolver.parents

    def rename_key(self, key_node: Optional[cst.CSTNode]) -> Optional[MarkerEdit]:
        if key_node is None or not self.in_module(key_node):
            return None
        if isinstance(key_node, cst.DictElement) and isinstance(key_node.key, cst.SimpleString):
            parent = self.resolver.parent(key_node)
            if isinstance(parent, cst.Dict) and any(
                _literal_key(element) == CACHE_CONTROL for element in parent.elements
            ):
                return None  # both spellings present: which one to keep is the author's call
            return MarkerEdit(MarkerEditKind.RENAME_KEY, CACHE_CONTROL, key_node.key, key_node.key)
        if isinstance(key_node, cst.Arg) and key_node.keyword is not None:
            return MarkerEdit(MarkerEditKind.RENAME_KEYWORD, CACHE_CONTROL, key_node.keyword)
        return None

    def value(self, node: Optional[cst.CSTNode]) -> _Repair:
        if node is None:
            return _Repair(known=False)
        text = _literal_string(node)
        if text is not None:
            if text.strip().lower() == "ephemeral" and self.in_module(node):
                return _Repair([MarkerEdit(MarkerEditKind.WRITE_DICT, "ephemeral", node, node)])
            return _Repair(fixable=False)
        if isinstance(node, cst.Dict):
            return self.dict(node)
        if isinstance(node, cst.Name):
            value = self.resolver.resolve(node)
            if isinstance(value, TextValue):
                if value.text is None:
                    return _Repair(known=False)
                if value.text.strip().lower() == "ephemeral" and self.in_module(node):
                    return _Repair([MarkerEdit(MarkerEditKind.WRITE_DICT, "ephemeral", node)])
                return _Repair(fixable=False)
            if isinstance(value, DictVal) and isinstance(value.node, cst.Dict):
                return self.dict(value.node)
        return _Repair(known=False)

    def dict(self, node: cst.Dict) -> _Repair:
        if not self.in_module(node):
            return _Repair(known=False)  # defined in another module
        elements = {}
        for element in node.elements:
            key = _literal_key(element)
            if key is None:
                return _Repair(known=False)  # a `**splat` or a computed key
            elements[key] = element
        if set(elements) - {"type", "ttl"}:
            return _Repair(fixable=False)
        repair = _Repair()
        kind = elements.get("type")
        if kind is None:
            if node.elements:
                first = node.elements[0]
                assert isinstance(first, cst.DictElement)
                repair.edits.append(MarkerEdit(MarkerEditKind.INSERT_TYPE, "ephemeral", first.key, first.key))
            else:
                repair.edits.append(MarkerEdit(MarkerEditKind.WRITE_DICT, "ephemeral", node))
        else:
            kind_text = _literal_string(kind.value)
            if kind_text is None:
                return _Repair(known=False)
            if kind_text != "ephemeral":
                if kind_text.strip().lower() != "ephemeral":
                    return _Repair(fixable=False)
                repair.edits.append(MarkerEdit(MarkerEditKind.SET_TYPE, "ephemeral", kind.value, kind.value))
        ttl = elements.get("ttl")
        if ttl is not None:
            current = _literal_string(ttl.value)
            if current is None and isinstance(ttl.value, cst.Name):
                resolved = self.resolver.resolve(ttl.value)
                current = resolved.text if isinstance(resolved, TextValue) else None
            if current not in ACCEPTED_TTLS:
                wanted = self.normalised_ttl(ttl.value)
                if wanted is None:
                    return _Repair(fixable=False)
                repair.edits.append(MarkerEdit(MarkerEditKind.SET_TTL, wanted, ttl.value, ttl.key))
        return repair

    def normalised_ttl(self, node: cst.BaseExpression) -> Optional[str]:
        """"5m" / "1h" when the written TTL means exactly that duration, else None."""
        seconds: Optional[int] = None
        if isinstance(node, cst.Integer):
            seconds = int(node.evaluated_value)
        else:
            text = _literal_string(node)
            if text is None and isinstance(node, cst.Name):
                value = self.resolver.resolve(node)
                if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
                    seconds = value.value
                elif isinstance(value, TextValue):
                    text = value.text
            if text is not None:
                match = _DURATION.fullmatch(text.lower())
                if match and match.group(2) in _UNIT_SECONDS:
                    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        return TTL_SECONDS.get(seconds) if seconds is not None else None


def _literal_key(element: cst.BaseDictElement) -> Optional[str]:
    if isinstance(element, cst.DictElement):
        return _literal_string(element.key)
    return None


def _literal_string(node: Optional[cst.CSTNode]) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes: not a value we can reason about
            return None
        return value if isinstance(value, str) else None
    return None
