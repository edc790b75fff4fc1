"""Fix builder: split a text into a cached static start and an uncached per-call end.

The model says which parts of the text as written differ between calls
(`BlockFacts.varying_parts`, `CachedPrefix.system_varying_parts`); this cuts the expression
before the first of them (inside an f-string, between implicitly joined strings, or between `+`
operands) so that the two halves joined give the same text.
"""

from __future__ import annotations

from typing import AbstractSet, Callable, List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.fix.intents import EditSpec, InsertAfter, Replace
from cachelint.fix.markers import text_block
from cachelint.syntax.treewalk import implicit_string_parts
from cachelint.fix.source import SourceFile
from cachelint.model.request import BlockFacts

Varies = Callable[[cst.CSTNode], bool]


def split_into_blocks(source: SourceFile, expression: cst.CSTNode, varying_parts: AbstractSet[cst.CSTNode]) -> Optional[Replace]:
    """A string expression (`system=f"..."`) as a cached static block followed by an uncached
    per-call block, or None when it cannot be cut so."""
    split = split_expression(source, expression, varying_parts.__contains__)
    if split is None:
        return None
    static_code, dynamic_code = split
    return Replace(expression, f"[{text_block(static_code, True)}, {text_block(dynamic_code, False)}]")


def split_block(source: SourceFile, facts: BlockFacts) -> Optional[List[EditSpec]]:
    """A marked text block (a dict literal) cut in place: its text keeps the static start, and the
    per-call end follows in a new block without a marker. Editing in place keeps the block's
    layout and comments."""
    element = facts.text_entry
    block_node = facts.block.node
    if not isinstance(element, cst.DictElement) or block_node is None:
        return None
    split = split_expression(source, element.value, facts.varying_parts.__contains__)
    if split is None:
        return None
    static_code, dynamic_code = split
    return [
        Replace(element.value, static_code),
        InsertAfter(block_node, _sibling_separator(source, block_node) + text_block(dynamic_code, False)),
    ]


def split_expression(source: SourceFile, expression: cst.CSTNode, varies: Varies) -> Optional[Tuple[str, str]]:
    """Split a string expression written in place into (static prefix code, dynamic suffix code)
    whose concatenation is the same text. Supports f-strings and `+` chains; None otherwise.

    `varies(node) -> bool` tells whether an interpolated node changes between calls.
    """
    if isinstance(expression, cst.FormattedString):
        return _split_fstring(source, expression, varies)
    if isinstance(expression, cst.ConcatenatedString) and not expression.lpar:
        return _split_concatenated(source, expression, varies)
    if isinstance(expression, cst.BinaryOperation) and isinstance(expression.operator, cst.Add):
        operands = _flatten_add(expression)
        for index, operand in enumerate(operands):
            if varies(operand):
                if index == 0:
                    return None
                static = " + ".join(source.code(o).strip() for o in operands[:index])
                dynamic = " + ".join(source.code(o).strip() for o in operands[index:])
                if index > 1:
                    static = f"({static})" if "\n" in static else static
                return static, dynamic
        return None
    return None


def _split_concatenated(source: SourceFile, node: cst.ConcatenatedString, varies: Varies) -> Optional[Tuple[str, str]]:
    """`f"{STATIC}\\n" f"Hello {name}."`: split between (or inside) the implicit parts."""
    parts = implicit_string_parts(node)
    for index, part in enumerate(parts):
        if isinstance(part, cst.FormattedString):
            inner = _split_fstring(source, part, varies)
            first_varying = next(
                (p for p in part.parts if isinstance(p, cst.FormattedStringExpression) and varies(p)), None
            )
            if first_varying is None:
                continue
            before = [source.code(p).strip() for p in parts[:index]]
            after = [source.code(p).strip() for p in parts[index + 1 :]]
            if before:  # split between the implicit parts: the layout stays as written
                static_code = " ".join(before)
                dynamic_code = " ".join([source.code(part).strip()] + after)
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


def _split_fstring(source: SourceFile, node: cst.FormattedString, varies: Varies) -> Optional[Tuple[str, str]]:
    parts = list(node.parts)
    split_at = None
    for index, part in enumerate(parts):
        if isinstance(part, cst.FormattedStringExpression) and varies(part):
            split_at = index
            break
    if split_at is None or split_at == 0:
        return None
    return _fstring_code(source, node, parts[:split_at]), _fstring_code(source, node, parts[split_at:])


def _fstring_code(source: SourceFile, node: cst.FormattedString, parts: Sequence[cst.BaseFormattedStringContent]) -> str:
    body = "".join(source.code(p) for p in parts)
    start = node.start  # the prefix and the opening quotes, e.g. `rf"""`
    if not any(isinstance(p, cst.FormattedStringExpression) for p in parts):
        # no placeholders left: a plain string literal with the same escapes, braces unescaped
        start = start.replace("f", "").replace("F", "")
        body = body.replace("{{", "{").replace("}}", "}")
    return f"{start}{body}{node.end}"


def _sibling_separator(source: SourceFile, node: cst.CSTNode) -> str:
    """`, ` on one line, or a newline and the element's own indentation in a multi-line list."""
    position = source.positions[node]  # type: ignore[index]
    line_start = source.lines.starts[position.start.line - 1]
    leading = source.text[line_start : line_start + position.start.column]
    if leading.strip() == "":
        return ",\n" + leading
    return ", "
