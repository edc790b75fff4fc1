"""A fast walk over a libcst tree.

libcst's visitors rebuild every node they pass (`_visit_and_replace_children`), which makes a
plain traversal cost about as much as parsing. Reading the dataclass fields directly is several
times cheaper, and skipping whitespace and punctuation (about 70% of the nodes) cheaper still;
this module does that for the walks cachelint needs (parents, nodes of some kinds, and
`scopes.ModuleIndex`'s one walk per module).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Type

import libcst as cst

TRIVIA: Tuple[type, ...] = (
    cst.BaseParenthesizableWhitespace,
    cst.EmptyLine,
    cst.TrailingWhitespace,
    cst.Newline,
    cst.Comment,
    cst.Comma,
    cst.Dot,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Colon,
    cst.Semicolon,
    cst.AssignEqual,
    cst.Asynchronous,
)
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _only_trivia(annotation) -> bool:
    """Does a field's declared type hold nothing but whitespace and punctuation nodes?"""
    if isinstance(annotation, type):
        if issubclass(annotation, cst.CSTNode):
            return issubclass(annotation, TRIVIA)
        return True  # str, MaybeSentinel, ...
    arguments = typing.get_args(annotation)
    if not arguments:
        return annotation is type(None) or typing.get_origin(annotation) is typing.Literal
    if typing.get_origin(annotation) is typing.Literal:
        return True
    return all(_only_trivia(argument) for argument in arguments)


def child_fields(kind: Type[cst.CSTNode]) -> Tuple[str, ...]:
    """The fields of a node type that can hold code (not whitespace or punctuation)."""
    fields = _FIELDS.get(kind)
    if fields is None:
        try:
            hints = typing.get_type_hints(kind)
        except Exception:  # a forward reference Python cannot evaluate: keep every field
            hints = {}
        fields = tuple(
            f.name for f in dataclasses.fields(kind) if f.name not in hints or not _only_trivia(hints[f.name])
        )
        _FIELDS[kind] = fields
    return fields


def code_children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """A node's children that hold code, in source order."""
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif value.__class__ is tuple or value.__class__ is list:
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def parent_map(root: cst.CSTNode) -> Dict[cst.CSTNode, cst.CSTNode]:
    """Every code node's parent, like libcst's ParentNodeProvider without its visitor
    (whitespace and punctuation left out)."""
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack: List[cst.CSTNode] = [root]
    fields_of = child_fields
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


def walk(root: cst.CSTNode, prune: Optional[Callable[[cst.CSTNode], bool]] = None) -> Iterator[cst.CSTNode]:
    """`root` and the code nodes under it, in source order; below a node other than `root` for
    which `prune` is true nothing is visited (a nested function, say). Unlike a `CSTVisitor`,
    which rebuilds every node it passes, this only reads the tree."""
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        if prune is not None and node is not root and prune(node):
            continue
        stack.extend(reversed(list(code_children(node))))


def find_all(
    root: cst.CSTNode,
    predicate: Callable[[cst.CSTNode], bool],
    prune: Optional[Callable[[cst.CSTNode], bool]] = None,
) -> List[cst.CSTNode]:
    """Code nodes matching `predicate`, in source order (see `walk` for `prune`)."""
    return [node for node in walk(root, prune) if predicate(node)]


def implicit_string_parts(node: cst.ConcatenatedString) -> List[cst.BaseExpression]:
    """The parts of an implicitly joined string (`"a" f"{b}" "c"`), left to right."""
    parts: List[cst.BaseExpression] = []

    def flatten(item: cst.BaseExpression) -> None:
        if isinstance(item, cst.ConcatenatedString):
            flatten(item.left)
            flatten(item.right)
        else:
            parts.append(item)

    flatten(node)
    return parts
