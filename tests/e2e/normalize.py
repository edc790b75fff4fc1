"""What a SAFE fix may change in the source, expressed as an AST normalisation.

SAFE means the model receives the same text in the same order; only caching metadata is added
or a crash is removed (shared/docs/rules.md). Two sources whose `normalized_dump` is equal differ
at most in:
- `cache_control` markers: dict entries (also misspelled `cacheControl` / `cache-control`, which
  CL103 renames), `cache_control=` keywords (top-level automatic caching, CL201 / CL302), and
  marker-shaped dicts kept elsewhere (`ONE_HOUR = {"type": "ephemeral", "ttl": 3600}`);
- a text given as a plain value or as the one text block `[{"type": "text", "text": X}]`
  (CL001, CL201), and `{**X}` (a marker added to a copy of X) versus X;
- CL202's canonical orders: `sort_keys=True` on `json.dumps(...)` / `dumps(...)` and `sorted(X)` versus X;
- the obsolete prompt-caching beta (CL104 / CL105): the string "prompt-caching-2024-07-31"
  in `betas=` lists and `anthropic-beta` header values (then-empty `betas=` keywords or `"betas"` entries / `extra_headers=`
  / `default_headers=` dropped, also `betas=NAME` of a module-level list holding only it), and the `.beta.prompt_caching` / `.beta` namespace hops in
  `client.beta.prompt_caching.messages` and `client.beta.messages`.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional

OBSOLETE_BETA = "prompt-caching-2024-07-31"
MARKER_KEYS = frozenset({"cache_control", "cacheControl", "cache-control", "CacheControl"})
HEADER_KEYWORDS = frozenset({"extra_headers", "default_headers", "headers"})
MARKER_PLACEHOLDER = "<cache marker>"


def _string(node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _function_name(func: ast.expr) -> Optional[str]:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _without_obsolete_beta(header_value: str) -> str:
    parts = [part.strip() for part in header_value.split(",")]
    return ",".join(part for part in parts if part and part != OBSOLETE_BETA)


def _beta_constants(tree: ast.Module) -> Dict[str, List[Optional[str]]]:
    """Module-level `NAME = ["beta", ...]`: what a `betas=NAME` argument holds."""
    found: Dict[str, List[Optional[str]]] = {}
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, (ast.List, ast.Tuple))
        ):
            found[statement.targets[0].id] = [_string(e) for e in statement.value.elts]
    return found


class _SafeFixNormalizer(ast.NodeTransformer):
    def __init__(self, beta_constants: Dict[str, List[Optional[str]]]) -> None:
        self.beta_constants = beta_constants

    def _only_obsolete_beta(self, value: ast.expr) -> bool:
        if isinstance(value, (ast.List, ast.Tuple)):
            return not value.elts
        if isinstance(value, ast.Name) and value.id in self.beta_constants:
            return all(item == OBSOLETE_BETA for item in self.beta_constants[value.id])
        return False

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        self.generic_visit(node)
        keys: List[Optional[ast.expr]] = []
        values: List[ast.expr] = []
        for key, value in zip(node.keys, node.values):
            name = _string(key)
            if name in MARKER_KEYS:
                continue
            if name == "betas" and self._only_obsolete_beta(value):
                continue
            if name is not None and name.lower() == "anthropic-beta" and _string(value) is not None:
                remaining = _without_obsolete_beta(_string(value) or "")
                if not remaining:
                    continue
                value = ast.Constant(remaining)
            keys.append(key)
            values.append(value)
        if len(keys) == 1 and keys[0] is None:
            return values[0]  # {**X} is X
        if _is_marker_shaped(keys, values):
            return ast.Constant(MARKER_PLACEHOLDER)
        single_text = _single_text_block_value(keys, values)
        if single_text is not None:
            return single_text
        return ast.Dict(keys=keys, values=values)

    def visit_List(self, node: ast.List) -> ast.AST:
        self.generic_visit(node)
        node.elts = [e for e in node.elts if _string(e) != OBSOLETE_BETA]
        if len(node.elts) == 1 and isinstance(node.elts[0], _TextBlock):
            return node.elts[0].text
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        keywords = []
        for keyword in node.keywords:
            if keyword.arg in MARKER_KEYS:
                continue
            if keyword.arg == "sort_keys" and _function_name(node.func) == "dumps":
                if isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                    continue
            if keyword.arg == "betas" and self._only_obsolete_beta(keyword.value):
                continue
            if keyword.arg in HEADER_KEYWORDS and isinstance(keyword.value, ast.Dict) and not keyword.value.keys:
                continue
            keywords.append(keyword)
        node.keywords = keywords
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "sorted"
            and len(node.args) == 1
            and not node.keywords
        ):
            return node.args[0]
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        # client.beta.prompt_caching.messages / client.beta.messages -> client.messages
        if node.attr == "messages" and isinstance(node.value, ast.Attribute):
            inner = node.value
            if inner.attr == "prompt_caching" and isinstance(inner.value, ast.Attribute) and inner.value.attr == "beta":
                return ast.Attribute(value=inner.value.value, attr="messages", ctx=node.ctx)
            if inner.attr == "beta":
                return ast.Attribute(value=inner.value, attr="messages", ctx=node.ctx)
        return node


class _TextBlock(ast.expr):
    """A `{"type": "text", "text": X}` dict with nothing else, on its way to becoming X."""

    _fields = ("text",)

    def __init__(self, text: ast.expr) -> None:
        super().__init__()
        self.text = text


def _is_marker_shaped(keys: List[Optional[ast.expr]], values: List[ast.expr]) -> bool:
    """A dict literal that can only be a cache marker (kept in a constant, fixed by CL103)."""
    names = [_string(key) for key in keys]
    if not names or None in names or not set(names) <= {"type", "ttl"}:
        return False
    entries = dict(zip(names, values))
    kind = _string(entries.get("type")) if "type" in entries else "ephemeral"
    return kind is not None and kind.lower() == "ephemeral"


def _single_text_block_value(keys: List[Optional[ast.expr]], values: List[ast.expr]) -> Optional[ast.expr]:
    entries = {}
    for key, value in zip(keys, values):
        name = _string(key)
        if name is None:
            return None
        entries[name] = value
    if set(entries) == {"type", "text"} and _string(entries["type"]) == "text":
        return _TextBlock(entries["text"])
    return None


class _UnwrapLeftoverTextBlocks(ast.NodeTransformer):
    """A text block that was not the only element of a list is a dict again."""

    def visit__TextBlock(self, node: _TextBlock) -> Any:
        return ast.Dict(keys=[ast.Constant("type"), ast.Constant("text")], values=[ast.Constant("text"), self.visit(node.text)])


def normalized_dump(source: str) -> str:
    """`ast.dump` of `source` with everything a SAFE fix may change normalised away."""
    tree = ast.parse(source)
    tree = _SafeFixNormalizer(_beta_constants(tree)).visit(tree)
    tree = _UnwrapLeftoverTextBlocks().visit(tree)
    return ast.dump(tree, annotate_fields=True, include_attributes=False)
