"""Fix builders for beta flags and namespaces: rewrite an `anthropic-beta` header, move a call
to or off the beta namespace, rename `beta.prompt_caching` references."""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from cachelint.fix.arguments import remove_dict_entry
from cachelint.fix.intents import EditSpec, InsertAfter, Replace
from cachelint.fix.source import SourceFile
from cachelint.model.calls import BetaHeader


def namespace_attribute(func: cst.CSTNode, attr: str) -> Optional[cst.Attribute]:
    """The `X.<attr>` node of a callee chain such as `X.messages.with_raw_response.create`
    (the one nearest the method, so `self.messages.messages.create` picks the right one)."""
    node = func
    while True:
        if isinstance(node, cst.Attribute):
            if node.attr.value == attr:
                return node
            node = node.value
        elif isinstance(node, cst.Call):  # `.with_options(...)` inside the chain
            node = node.func
        else:
            return None


def move_to_beta_namespace(source: SourceFile, func: Optional[cst.CSTNode]) -> Optional[EditSpec]:
    """`client.messages.create` -> `client.beta.messages.create`; None when the callee has no
    `messages` step in this file."""
    messages = namespace_attribute(func, "messages") if func is not None else None
    if messages is None or messages not in source.positions:
        return None
    return InsertAfter(messages.value, ".beta")


def leave_prompt_caching_namespace(
    source: SourceFile, func: Optional[cst.CSTNode], to_stable: bool
) -> Optional[EditSpec]:
    """Rewrite `X.beta.prompt_caching` in a callee to `X` (`to_stable`) or to `X.beta`."""
    if func is None:
        return None
    attribute = namespace_attribute(func, "prompt_caching")
    if attribute is None or attribute not in source.positions:
        return None
    beta = attribute.value
    if not isinstance(beta, cst.Attribute):
        return None
    keep = beta.value if to_stable else beta
    return Replace(attribute, source.text[slice(*source.span(keep))])


def rename_prompt_caching_reference(
    source: SourceFile, attribute: cst.Attribute, beta: cst.CSTNode
) -> EditSpec:
    """`X.beta.prompt_caching` -> `X.beta` (`....prompt_caching.messages` becomes `beta.messages`)."""
    return Replace(attribute, source.text[slice(*source.span(beta))])


def drop_header_values(
    source: SourceFile, header: BetaHeader, remaining: Sequence[str], keyword: str
) -> Optional[List[EditSpec]]:
    """Edits leaving `remaining` in an `anthropic-beta` header: the string rewritten, or the
    entry removed when nothing remains (the whole `keyword=` argument when it held only that).
    None when the header is not a dict entry of this file or its string cannot be rewritten."""
    entry = header.entry_node
    if not isinstance(entry, cst.DictElement) or entry not in source.positions:
        return None
    if remaining:
        literal = _header_literal(entry.value, list(remaining))
        return [Replace(entry.value, literal)] if literal is not None else None
    return [remove_dict_entry(source, entry, keyword)]


def _header_literal(node: cst.CSTNode, remaining: List[str]) -> Optional[str]:
    """The source of a plain string literal holding `remaining` comma-separated values, written
    with the literal's own prefix, quotes and separator; None for f-strings and the like."""
    if not isinstance(node, cst.SimpleString) or "f" in node.prefix.lower():
        return None
    body = node.value[len(node.prefix) + len(node.quote) : -len(node.quote)]
    separator = ", " if ", " in body else ","
    return f"{node.prefix}{node.quote}{separator.join(remaining)}{node.quote}"
