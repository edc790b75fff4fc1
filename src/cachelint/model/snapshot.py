"""The request model as plain data: what a rule can rely on, written out for golden snapshots.

`snapshot(value)` turns model objects into JSON-able data generically, field by field, so a fact
added to the model shows up in every snapshot without a change here. Fields declared with
`compare=False` are left out: they hold the CST nodes a request came from (places to report and
fix, not facts), and the model already compares and hashes without them. Enums whose values are
strings (`BlockKind.TEXT`, `Ttl.ONE_HOUR`) are written as their values, the spelling users and
the API know; other enums (`Staticness`, an IntEnum) by name, since their numbers mean nothing
to a reader. Strings longer than `LONG_TEXT` are abbreviated to their start and their length:
a prompt's size is a fact the model carries anyway (`chars`), and its full text is in the
source the snapshot was taken from.

`file_snapshot(text, path)` builds the requests of one file the way an analysis does and
snapshots them with the line each request starts on.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Any, Dict, Iterable, List, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.request import Request
from cachelint.resolve.project import project_for
from cachelint.syntax.positions import LazyPositions

_SCALARS = (str, int, float, bool, type(None))
LONG_TEXT = 120
_KEPT_START = 60


def snapshot(value: Any, where: str = "value") -> Any:
    """`value` as JSON-able data: dataclasses as objects of their compared fields, tuples and
    lists as lists, sets sorted, mappings by key. Anything else is not model data: TypeError,
    naming the field (`where`) that holds it."""
    if isinstance(value, enum.Enum):
        return value.value if isinstance(value.value, str) else value.name
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return f"{value[:_KEPT_START]}... ({len(value)} chars)"
    if isinstance(value, _SCALARS):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: snapshot(getattr(value, field.name), f"{where}.{field.name}")
            for field in dataclasses.fields(value)
            if field.compare
        }
    if isinstance(value, (tuple, list)):
        return [snapshot(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        items = [snapshot(item, f"{where}{{}}") for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, dict):
        return {str(key): snapshot(value[key], f"{where}[{key!r}]") for key in sorted(value, key=str)}
    raise TypeError(
        f"{where} holds a {type(value).__name__}, which is not model data "
        "(declare fields that keep CST nodes with compare=False)"
    )


def requests_snapshot(requests: Iterable[Request], positions: Optional[LazyPositions] = None) -> List[Dict[str, Any]]:
    """One entry per request, in the order they were built; `line` when positions are given."""
    entries = []
    for index, request in enumerate(requests):
        entry: Dict[str, Any] = {}
        where = request.node if request.node is not None else request.call.node
        if positions is not None and where is not None:
            entry["line"] = positions[where].start.line
        entry["request"] = snapshot(request, f"requests[{index}]")
        entries.append(entry)
    return entries


def file_snapshot(text: str, path: str, options: AnalysisOptions = AnalysisOptions()) -> Dict[str, Any]:
    """The requests of one file's text as the rules receive them (same project lookup as the
    analysis: the file's own project when `path` exists)."""
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    built = build_requests(wrapper, path, options, project_for(path))
    positions = LazyPositions(wrapper.module, built.index.parents) if built.index is not None else None
    return {"requests": requests_snapshot(built.requests, positions)}


def to_json(data: Any) -> str:
    """The golden file's text: stable key order (the fields' own), one value per line."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
