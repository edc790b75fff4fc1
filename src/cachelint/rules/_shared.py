"""Facts and fix builders several rules share (size gates, token wording, block rewrites)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.core import modeldata
from cachelint.model.request import Block, Request, Segment, SegmentForm
from cachelint.resolve.text import Staticness, TextValue

EPHEMERAL = '{"type": "ephemeral"}'

# When the model is unknown the size gate must not shrink: use the largest known minimum.
UNKNOWN_MODEL_GATE = max(
    info.min_cache_tokens for info in modeldata.MODELS.values() if info.min_cache_tokens is not None
)


def size_gate(ctx, model: Optional[str]) -> Tuple[int, str]:
    """The minimum cacheable prefix in tokens for the call's model, and how it was chosen."""
    minimum = ctx.min_cache_tokens(model)
    if minimum is not None:
        return minimum, (model or ctx.options.default_model or "")
    return UNKNOWN_MODEL_GATE, "an unknown model (using the largest minimum)"


def tokens_phrase(tokens: int) -> str:
    return f"~{tokens:,} tokens"


def value_expression(segment: Segment) -> Optional[cst.BaseExpression]:
    """The expression to rewrite for a segment, when it is written in this file."""
    node = segment.node
    if isinstance(node, (cst.DictElement, cst.Arg)):
        node = node.value
    return node if isinstance(node, cst.BaseExpression) else None


def breakpoints_may_come_later(request: Request) -> bool:
    """A marker at or after the system prompt (which caches it too), or one we cannot see."""
    if request.top_level_cache_control is not None:
        return True
    if any(b.marker is not None for b in request.system.blocks + request.messages.blocks):
        return True
    return request.top_level_cache_control_unknown


def varying_pieces_that_matter(ctx, request: Request, text: TextValue):
    """Pieces that differ between calls, minus per-call values constant over the loop around the
    call (a document reused across chunks: the marker pays there)."""
    found = []
    loop = request.repetition.loop_node
    for piece in text.varying_pieces:
        if piece.staticness is Staticness.PER_CALL and loop is not None:
            if request.repetition.invariant_in_loop(piece.node):
                continue
        found.append(piece)
    return found


def block_varies(ctx, request: Request, block: Block) -> bool:
    if block.text is not None and block.kind.value in ("text", "other"):
        return bool(varying_pieces_that_matter(ctx, request, block.text))
    if block.content.varies:
        if block.content is Staticness.PER_CALL and request.repetition.loop_node is not None:
            return not request.repetition.invariant_in_loop(block.node)
        return True
    return False


# -- fix builders --------------------------------------------------------------------------------


def text_block(text_code: str, cached: bool) -> str:
    marker = f', "cache_control": {EPHEMERAL}' if cached else ""
    return f'{{"type": "text", "text": {text_code}{marker}}}'


def dict_with_marker(ctx, node: cst.Dict) -> Optional[str]:
    """The source of `node` with `"cache_control": {"type": "ephemeral"}` added as its last key,
    in the dict's own layout (one line, or one key per line)."""
    start, end = ctx.span(node)
    code = ctx.text[start:end]  # the source as written: code_for_node drops the block indent
    if not node.elements:
        return "{" + f'"cache_control": {EPHEMERAL}' + "}"
    last = node.elements[-1]
    inner_end = code.rstrip()
    if not inner_end.endswith("}"):
        return None
    body = inner_end[:-1]
    trailing_comma = isinstance(last.comma, cst.Comma)
    stripped = body.rstrip()
    if "\n" in code and "\n" in body[len(stripped.rstrip(",")) :] + "\n":
        # multi-line: reuse the indentation of the last element
        lines = body.rstrip().splitlines()
        last_line = lines[-1]
        indent = last_line[: len(last_line) - len(last_line.lstrip())]
        closing_indent = body[len(stripped) :]
        separator = "" if stripped.endswith(",") else ","
        return f'{stripped}{separator}\n{indent}"cache_control": {EPHEMERAL},{closing_indent}}}'
    if trailing_comma:
        return f'{stripped} "cache_control": {EPHEMERAL}' + "}"
    return f'{stripped}, "cache_control": {EPHEMERAL}' + "}"


def split_expression(ctx, expression: cst.BaseExpression, varies) -> Optional[Tuple[str, str]]:
    """Split a string expression written in place into (static prefix code, dynamic suffix code)
    whose concatenation is the same text. Supports f-strings and `+` chains; None otherwise.

    `varies(node) -> bool` tells whether an interpolated node changes between calls.
    """
    if isinstance(expression, cst.FormattedString):
        return _split_fstring(ctx, expression, varies)
    if isinstance(expression, cst.ConcatenatedString) and not expression.lpar:
        return _split_concatenated(ctx, expression, varies)
    if isinstance(expression, cst.BinaryOperation) and isinstance(expression.operator, cst.Add):
        operands = _flatten_add(expression)
        for index, operand in enumerate(operands):
            if varies(operand):
                if index == 0:
                    return None
                static = " + ".join(ctx.code(o).strip() for o in operands[:index])
                dynamic = " + ".join(ctx.code(o).strip() for o in operands[index:])
                if index > 1:
                    static = f"({static})" if "\n" in static else static
                return static, dynamic
        return None
    return None


def _split_concatenated(ctx, node: cst.ConcatenatedString, varies) -> Optional[Tuple[str, str]]:
    """`f"{STATIC}\\n" f"Hello {name}."`: split between (or inside) the implicit parts."""
    parts: List[cst.BaseExpression] = []

    def flatten(item: cst.BaseExpression) -> None:
        if isinstance(item, cst.ConcatenatedString):
            flatten(item.left)
            flatten(item.right)
        else:
            parts.append(item)

    flatten(node)
    for index, part in enumerate(parts):
        if isinstance(part, cst.FormattedString):
            inner = _split_fstring(ctx, part, varies)
            first_varying = next(
                (p for p in part.parts if isinstance(p, cst.FormattedStringExpression) and varies(p)), None
            )
            if first_varying is None:
                continue
            before = [ctx.code(p).strip() for p in parts[:index]]
            after = [ctx.code(p).strip() for p in parts[index + 1 :]]
            if before:  # split between the implicit parts: the layout stays as written
                static_code = " ".join(before)
                dynamic_code = " ".join([ctx.code(part).strip()] + after)
            elif inner is not None:  # the first part itself starts static: split inside it
                static_code = inner[0]
                dynamic_code = " ".join([inner[1]] + after)
            else:
                return None
            return static_code, dynamic_code
    return None


def _flatten_add(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and not node.lpar:
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _split_fstring(ctx, node: cst.FormattedString, varies) -> Optional[Tuple[str, str]]:
    parts = list(node.parts)
    split_at = None
    for index, part in enumerate(parts):
        if isinstance(part, cst.FormattedStringExpression) and varies(part):
            split_at = index
            break
    if split_at is None or split_at == 0:
        return None
    return _fstring_code(ctx, node, parts[:split_at]), _fstring_code(ctx, node, parts[split_at:])


def _fstring_code(ctx, node: cst.FormattedString, parts: Sequence[cst.BaseFormattedStringContent]) -> str:
    body = "".join(ctx.code(p) for p in parts)
    start = node.start  # the prefix and the opening quotes, e.g. `rf"""`
    if not any(isinstance(p, cst.FormattedStringExpression) for p in parts):
        # no placeholders left: a plain string literal with the same escapes, braces unescaped
        start = start.replace("f", "").replace("F", "")
        body = body.replace("{{", "{").replace("}}", "}")
    return f"{start}{body}{node.end}"


def expression_piece_varies(ctx, request: Request):
    """A `varies(node)` callback for split_expression, answering from the resolver."""
    resolver = ctx.resolver

    def varies(node: cst.CSTNode) -> bool:
        target = node.expression if isinstance(node, cst.FormattedStringExpression) else node
        value = resolver.resolve_text(target)
        pieces = varying_pieces_that_matter(ctx, request, value)
        return bool(pieces)

    return varies


def system_is_string(request: Request) -> bool:
    return request.system.form is SegmentForm.STRING
