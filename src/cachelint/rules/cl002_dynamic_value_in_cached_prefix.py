from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from cachelint.core import modeldata
from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Block, Request, SegmentForm
from cachelint.resolve.text import Piece, Staticness
from cachelint.rules._shared import (
    expression_piece_varies,
    split_expression,
    text_block,
    tokens_phrase,
    varying_pieces_that_matter,
)
from cachelint.fix.intents import FixSpec, InsertAfter, Replace
from cachelint.rules.base import Example, Rule

POLICY = '"""' + "Refunds are issued within 14 days of purchase when the item is unused. " * 90 + '"""'


class DynamicValueInCachedPrefix(Rule):
    code = "CL002"
    name = "dynamic-value-in-cached-prefix"
    summary = "A per-call value inside or before a cached block: the breakpoint writes every call and never reads"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a value that changes between calls (a parameter, request data, `datetime.now()`,
    `uuid4()`, `random`, ...) interpolated into a block that carries `cache_control`, or into any
    part of the prompt before a breakpoint (tools come before system, system before messages).

    ## Why is this bad?
    A breakpoint caches the exact bytes of the whole prefix up to it. When any of those bytes
    change on every call, every call writes a new cache entry (billed at 1.25x the input price,
    2x for the 1-hour TTL) and no call ever reads one: the marker makes the request dearer than
    not caching at all.

    Interpolating static values (module constants, files read once) is fine, and so is a per-call
    value that stays the same across the loop around the call (one document reused for many
    questions): those prefixes are read back.

    ## Example
    ```python
    system=[{
        "type": "text",
        "text": f"{POLICY}\\nToday is {datetime.now():%A}. The customer is {name}.",
        "cache_control": {"type": "ephemeral"},
    }]
    ```

    ## Use instead
    ```python
    system=[
        {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": f"Today is {datetime.now():%A}. The customer is {name}."},
    ]
    ```

    ## Fix safety
    When the changing parts form a suffix of an f-string or `+` chain written at the call, the
    fix splits the block into a cached static block followed by an uncached dynamic block. The
    model receives the same text, but in two blocks instead of one, so the fix is unsafe.
    Otherwise the advice is display-only.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}},
                        {{"type": "text", "text": f"The customer is {{name}}."}},
                    ],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            HEADER = "Policy version 3"
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"{{HEADER}}\\n{{POLICY}}", "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def summarize(document, questions):
                for question in questions:
                    client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=512,
                        system=[{"type": "text", "text": f"Answer from this document:\\n{document}", "cache_control": {"type": "ephemeral"}}],
                        messages=[{"role": "user", "content": question}],
                    )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            from datetime import datetime
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"{{POLICY}}\\nThe customer is {{name}}, it is {{datetime.now()}}.", "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            from datetime import datetime
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(name, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"{{POLICY}}\\nThe customer is ", "cache_control": {{"type": "ephemeral"}}}}, {{"type": "text", "text": f"{{name}}, it is {{datetime.now()}}."}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            applicability=Applicability.UNSAFE,
            message="`name`",
        ),
        Example(
            f"""
            import anthropic, uuid
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=f"Request {{uuid.uuid4()}}\\n{{POLICY}}",
                    messages=[{{"role": "user", "content": q}}],
                    cache_control={{"type": "ephemeral"}},
                )
            """,
            message="uuid4()",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        if request.call.is_free or not request.has_any_breakpoint:
            return
        prefix = _prefix_blocks(request)
        if prefix is None:
            return
        for index, (block, marked, text_pieces) in enumerate(prefix):
            # set order is CL202's finding (with a safe `sorted()` fix), not this rule's
            pieces = [p for p in _varying(ctx, request, block, text_pieces) if p.description != "iteration over a set"]
            if not pieces:
                continue
            if not marked and _static_block_follows(block, prefix[index + 1 :]):
                return  # a per-call block before static ones in its segment: CL203 moves it
            self._report(request, ctx, block, marked, pieces)
            return  # the first changing block spoils everything after it: one finding per call

    def _report(self, request: Request, ctx, block: Block, marked: bool, pieces: List[Piece]) -> None:
        names = _names(pieces)
        cached_tokens = ctx.tokens(_cached_prefix_chars(request))
        where = "the cached block" if marked else f"the {block.segment} before a cache breakpoint"
        plural = " and " in names
        if any(p.staticness is Staticness.VOLATILE for p in pieces):
            reason = "change on every call" if plural else "changes on every call"
        else:
            reason = "differ per call" if plural else "differs per call"
        message = (
            f"{names} {reason} and {'are' if plural else 'is'} part of {where}: the prefix is never the same twice, so the "
            f"breakpoint writes a new cache entry every call (1.25x) and never reads one"
        )
        cost = None
        if cached_tokens > 0:
            message += f"; {tokens_phrase(cached_tokens)} re-written on every call"
            info = ctx.model_info(request.model)
            multiplier = modeldata.WRITE_5M_MULTIPLIER
            cost = ctx.cost(cached_tokens, request.model, multiplier) if info or ctx.options.default_model else ctx.cost(cached_tokens, request.model, multiplier)
        anchor = _anchor(pieces, block, request)
        ctx.report(anchor, message, fix=self._fix(request, ctx, block, marked), cost=cost,
                   noqa_node=request.call.node)

    def _fix(self, request: Request, ctx, block: Block, marked: bool) -> Optional[FixSpec]:
        advice = FixSpec(
            "Move the per-call parts into an uncached block after the last cached static block",
            Applicability.DISPLAY_ONLY,
        )
        varies = expression_piece_varies(ctx, request)
        if block.segment == "system" and request.system.form is SegmentForm.STRING:
            expression = request.system.node
            if request.system.arg is None or not isinstance(expression, cst.BaseExpression):
                return advice
            if not _static_start_is_cacheable(ctx, request, block):
                return advice
            split = split_expression(ctx, expression, varies)
            if split is None:
                return advice
            static_code, dynamic_code = split
            return FixSpec(
                "Split the system prompt into a cached static block and an uncached per-call block",
                Applicability.UNSAFE,
                [Replace(expression, f"[{text_block(static_code, True)}, {text_block(dynamic_code, False)}]")],
            )
        if not marked or block.text is None or not isinstance(block.node, cst.Dict):
            return advice
        if not _static_start_is_cacheable(ctx, request, block):
            return advice
        text_element = _text_element(block.node)
        if text_element is None:
            return advice
        split = split_expression(ctx, text_element.value, varies)
        if split is None:
            return advice
        static_code, dynamic_code = split
        # Edit in place so the block keeps its layout and comments: the text keeps its static
        # start, and the per-call end follows in a new block without a marker.
        return FixSpec(
            "Split the block into a cached static block and an uncached per-call block after it",
            Applicability.UNSAFE,
            [
                Replace(text_element.value, static_code),
                InsertAfter(block.node, _sibling_separator(ctx, block.node) + text_block(dynamic_code, False)),
            ],
        )


def _static_start_is_cacheable(ctx, request: Request, block: Block) -> bool:
    """Splitting pays only when the static start (with what precedes it) reaches the minimum."""
    from cachelint.rules._shared import size_gate

    gate, _ = size_gate(ctx, request.model)
    before = 0
    for other in request.tools.blocks + request.system.blocks:
        if other is block:
            break
        before += other.chars or 0
    start = block.text.static_prefix_chars if block.text is not None else 0
    return ctx.tokens(before + start) >= gate


def _sibling_separator(ctx, node: cst.CSTNode) -> str:
    """`, ` on one line, or a newline and the element's own indentation in a multi-line list."""
    position = ctx.positions[node]
    line_start = ctx.lines.starts[position.start.line - 1]
    leading = ctx.text[line_start : line_start + position.start.column]
    if leading.strip() == "":
        return ",\n" + leading
    return ", "


def _prefix_blocks(request: Request) -> Optional[List[Tuple[Block, bool, object]]]:
    """Blocks of tools and system that lie before or on a breakpoint, with whether each is marked.

    Messages are left to CL201: in a conversation the marker on the newest turn is right.
    """
    blocks: List[Tuple[Block, bool, object]] = []
    ordered: List[Block] = list(request.tools.blocks)
    system = request.system
    system_string_block = None
    if system.form is SegmentForm.STRING and system.text is not None:
        from cachelint.model.request import BlockKind

        system_string_block = Block("system", BlockKind.TEXT, system.text.staticness, text=system.text, node=system.node)
        ordered.append(system_string_block)
    else:
        ordered.extend(system.blocks)
    # The last breakpoint among tools/system, or any later one (messages or top level).
    later = request.top_level_cache_control is not None or any(b.marker for b in request.messages.blocks)
    last_marked = -1
    for index, block in enumerate(ordered):
        if block.marker is not None and block.marker.valid is not False:
            last_marked = index
    limit = len(ordered) - 1 if later else last_marked
    if limit < 0:
        return None
    for index, block in enumerate(ordered[: limit + 1]):
        blocks.append((block, block.marker is not None, block.text))
    return blocks


def _static_block_follows(block: Block, later) -> bool:
    return any(other.segment == block.segment and other.content is Staticness.STATIC for other, _, _ in later)


def _varying(ctx, request: Request, block: Block, text) -> List[Piece]:
    if text is not None:
        return varying_pieces_that_matter(ctx, request, text)
    if block.content.varies:
        loop = request.repetition.loop_node
        if block.content is Staticness.PER_CALL and loop is not None and request.repetition.invariant_in_loop(block.node):
            return []
        return [Piece(block.content, None, None, f"the {block.kind.value} block", block.node)]
    return []


def _names(pieces: List[Piece]) -> str:
    names = []
    for piece in pieces:
        name = piece.description or "a per-call value"
        if name not in names:
            names.append(name)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _anchor(pieces: List[Piece], block: Block, request: Request):
    for piece in pieces:
        if piece.node is not None:
            return piece.node
    return block.node or request.call.node


def _cached_prefix_chars(request: Request) -> int:
    total = 0
    for block in request.tools.blocks + request.system.blocks:
        total += block.chars or (block.text.known_chars if block.text else 0)
    if request.system.form is SegmentForm.STRING and request.system.text is not None:
        total += request.system.text.known_chars
    return total


def _text_element(node: cst.Dict) -> Optional[cst.DictElement]:
    for element in node.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            if element.key.evaluated_value == "text":
                return element
    return None
