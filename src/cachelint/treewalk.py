"""A fast walk over a libcst tree.

libcst's visitors rebuild every node they pass (`_visit_and_replace_children`), which makes a
plain traversal cost about as much as parsing. Reading the dataclass fields directly is several
times cheaper; this module does that for the indexes cachelint needs (parents, calls).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Type

import libcst as cst

_CHILD_FIELDS: Dict[Type[cst.CSTNode], Tuple[str, ...]] = {}


def _child_fields(kind: Type[cst.CSTNode]) -> Tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = tuple(f.name for f in dataclasses.fields(kind))
        _CHILD_FIELDS[kind] = fields
    return fields


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def parent_map(root: cst.CSTNode) -> Dict[cst.CSTNode, cst.CSTNode]:
    """Every node's parent, like libcst's ParentNodeProvider, without its visitor."""
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack: List[cst.CSTNode] = [root]
    fields_of = _child_fields
    node_type = cst.CSTNode
    while stack:
        node = stack.pop()
        for name in fields_of(type(node)):
            value = getattr(node, name)
            if isinstance(value, node_type):
                parents[value] = node
                stack.append(value)
            elif value.__class__ is tuple or value.__class__ is list:
                for item in value:
                    if isinstance(item, node_type):
                        parents[item] = node
                        stack.append(item)
    return parents


def find_all(root: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> List[cst.CSTNode]:
    """Nodes matching `predicate`, in source order."""
    found: List[cst.CSTNode] = []
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        if predicate(node):
            found.append(node)
        stack.extend(reversed(list(children(node))))
    return found


def first_ancestor(parents: Dict[cst.CSTNode, cst.CSTNode], node: cst.CSTNode, kinds) -> Optional[cst.CSTNode]:
    current = parents.get(node)
    while current is not None:
        if isinstance(current, kinds):
            return current
        current = parents.get(current)
    return None
