from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Block, Request, Segment, SegmentForm
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import block_varies, size_gate, tokens_phrase, varying_pieces_that_matter
from cachelint.fix.intents import FixSpec, Replace
from cachelint.rules.base import Example, Rule
from cachelint.resolve.text import TextValue
from cachelint.resolve.value import DictVal, ListVal, Unknown, as_text

POLICY = '"""' + "Escalate any refund above 500 EUR to a human agent before replying. " * 90 + '"""'

_TRAILING = re.compile(r"[ \t]*,?[ \t]*(#[^\r\n]*)?(\r\n|\r|\n)")
_BLANK_OR_COMMENT = re.compile(r"([ \t]*(#[^\r\n]*)?(\r\n|\r|\n))*[ \t]*")


class DynamicBlockBeforeStatic(Rule):
    code = "CL203"
    name = "dynamic-block-before-static"
    summary = "A per-call block placed before static blocks in system or tools: the static content can never be a hit"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks `system=` and `tools=` lists for a block that changes between calls (today's date, the
    user's name, a request id) placed before blocks that are the same on every call, when those
    static blocks are large enough to cache (or carry a `cache_control` marker).

    ## Why is this bad?
    A cached prefix is everything from the start of the request up to a breakpoint. When a
    per-call block comes first, every prefix that contains the static content also contains the
    per-call block, so it is never the same twice: a breakpoint after it writes a new entry on
    every call (1.25x) and never reads one, and no breakpoint can be placed to cache the static
    content alone. Put the static blocks first and the per-call blocks after the last of them.

    ## Example
    ```python
    system=[
        {"type": "text", "text": f"Today is {date.today():%A %d %B}."},
        {"type": "text", "text": REFUND_POLICY, "cache_control": {"type": "ephemeral"}},
    ]
    ```

    ## Use instead
    ```python
    system=[
        {"type": "text", "text": REFUND_POLICY, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": f"Today is {date.today():%A %d %B}."},
    ]
    ```

    ## Fix safety
    The fix moves the per-call blocks after the last static block of the list (keeping each
    block's source, its comments and the list's layout). The model then reads the blocks in a
    different order, so the fix is unsafe. It is offered only for a list written out at the
    call or in a local or module-level list literal.

    A per-call value that stays the same across the loop around the call (one document reused
    for many questions) is not per-call here: the prefix is read back inside the loop.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            from datetime import date
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}},
                        {{"type": "text", "text": f"Today is {{date.today()}}."}},
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
            def review(document, questions):
                for q in questions:
                    client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=512,
                        system=[
                            {{"type": "text", "text": document}},
                            {{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}},
                        ],
                        messages=[{{"role": "user", "content": q}}],
                    )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            from datetime import date
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        # the date first, so the model sees it early
                        {{"type": "text", "text": f"Today is {{date.today()}}."}},
                        {{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}},  # 5k tokens
                    ],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            from datetime import date
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[
                        {{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}},  # 5k tokens
                        # the date first, so the model sees it early
                        {{"type": "text", "text": f"Today is {{date.today()}}."}},
                    ],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            applicability=Applicability.UNSAFE,
            message="date.today()",
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(user, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": f"The customer is {{user}}."}}, {{"type": "text", "text": POLICY}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            POLICY = {POLICY}
            def ask(user, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": POLICY}}, {{"type": "text", "text": f"The customer is {{user}}."}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            applicability=Applicability.UNSAFE,
            message="`user`",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        if not (request.repetition.repeats or request.has_any_breakpoint):
            return  # a call that runs once reads nothing back either way
        static_before = 0  # known chars of static blocks ahead of the segment (tools for system)
        for segment in (request.tools, request.system):
            if segment.form is not SegmentForm.BLOCKS:
                if segment.present:
                    return  # unknown or string: what follows cannot be judged
                continue
            found = self._segment(request, ctx, segment, static_before)
            if found is None:
                return  # a per-call or unknown block: nothing after it can be cached anyway
            static_before = found

    def _segment(self, request: Request, ctx, segment: Segment, static_before: int) -> Optional[int]:
        """Report the segment when it needs it; the static chars it adds, or None when it ends the
        cacheable prefix (something in it varies or is unknown)."""
        blocks = list(segment.blocks)
        kinds = [_kind(ctx, request, block) for block in blocks]
        if "unknown" in kinds or not segment.complete:
            return None
        if "varies" not in kinds:
            return static_before + sum(b.chars or 0 for b in blocks)
        first = kinds.index("varies")
        last_static = max((i for i, k in enumerate(kinds) if k == "static"), default=-1)
        if last_static < first:
            return None  # per-call blocks already come last
        stranded = [b for b, k in zip(blocks[first:], kinds[first:]) if k == "static"]
        sizes = [b.chars for b in stranded]
        known = static_before + sum(b.chars or 0 for b in blocks[:first]) + sum(s or 0 for s in sizes)
        marked = any(b.marker is not None for b in blocks[first:])
        gate, _ = size_gate(ctx, request.model)
        tokens = ctx.tokens(known)
        if tokens < gate and not (marked and any(s is None for s in sizes)):
            return None  # too small to cache even in the right order
        dynamic = blocks[first]
        names = _names(ctx, request, dynamic)
        literal = _list_literal(ctx, segment)
        anchor = literal.elements[first].value if literal is not None else dynamic.node
        stranded_size = ctx.tokens(sum(s or 0 for s in sizes))
        label = "tool definitions" if segment.name == "tools" else "system blocks"
        if all(s is not None for s in sizes):
            what = f"{tokens_phrase(stranded_size)} of static {label}"
        else:
            what = f"static {label} of unknown size"
        message = (
            f"{segment.name}[{first}] changes between calls ({names}) and comes before {what}: no "
            f"prefix holding them is ever the same twice, so they are never read from the cache; "
            f"move per-call blocks after the last static block"
        )
        cost = ctx.cost(tokens, request.model) if all(s is not None for s in sizes) else None
        ctx.report(anchor if anchor is not None else request.call.node, message,
                   fix=self._fix(ctx, literal, kinds), cost=cost, noqa_node=request.call.node)
        return None

    def _fix(self, ctx, node: Optional[cst.List], kinds: Sequence[str]) -> Optional[FixSpec]:
        advice = FixSpec("Move the per-call blocks after the last static block", Applicability.DISPLAY_ONLY)
        if node is None:
            return advice
        elements = list(node.elements)
        if len(elements) != len(kinds) or any(not isinstance(e, cst.Element) for e in elements):
            return advice
        last_static = max(i for i, k in enumerate(kinds) if k == "static")
        head = [i for i in range(last_static + 1) if kinds[i] == "static"]
        moved = [i for i in range(last_static + 1) if kinds[i] != "static"]
        order = head + moved + list(range(last_static + 1, len(elements)))
        text = _reordered(ctx, node, elements, order)
        if text is None:
            return advice
        return FixSpec("Move the per-call blocks after the last static block", Applicability.UNSAFE,
                       [Replace(node, text)])


def _kind(ctx, request: Request, block: Block) -> str:
    if block_varies(ctx, request, block):
        return "varies"
    if block.content is Staticness.STATIC:
        return "static"
    if block.content.varies:
        return "static"  # per-call, but the same across the loop around the call
    return "unknown"


def _names(ctx, request: Request, block: Block) -> str:
    """How a user would name what changes in the block: `user_id`, date.today()..."""
    names: List[str] = []
    texts = [block.text] if block.text is not None else []
    if not texts and block.node is not None and ctx.resolver is not None:
        texts = _texts_in(ctx.resolver.resolve(block.node))
    for text in texts:
        for piece in varying_pieces_that_matter(ctx, request, text):
            if piece.description and piece.description not in names:
                names.append(piece.description)
    if not names:
        return f"its {block.kind.value} content"
    return ", ".join(names[:3])


def _texts_in(value) -> List[TextValue]:
    if isinstance(value, TextValue):
        return [value]
    if isinstance(value, DictVal):
        return [t for entry in value.entries for t in _texts_in(entry.value)]
    if isinstance(value, ListVal):
        return [t for item in value.items for t in _texts_in(item)]
    if isinstance(value, Unknown) and value.staticness.varies:
        return [as_text(value)]
    return []


def _list_literal(ctx, segment: Segment) -> Optional[cst.List]:
    """The list literal the segment's blocks are the elements of, when written in this file."""
    node = segment.node
    if isinstance(node, (cst.Arg, cst.DictElement)):
        node = node.value
    if not isinstance(node, cst.List):
        value = ctx.resolver.resolve(node) if (node is not None and ctx.resolver is not None) else None
        if not isinstance(value, ListVal) or value.grows or not value.complete:
            return None
        node = value.node
    if not isinstance(node, cst.List) or node not in ctx.positions:
        return None
    values = [e.value for e in node.elements if isinstance(e, cst.Element)]
    if len(values) != len(node.elements) or len(values) != len(segment.blocks):
        return None
    for value, block in zip(values, segment.blocks):
        if value is not block.node and getattr(ctx.resolver.resolve(value), "node", None) is not block.node:
            return None  # the list is not the one the blocks came from
    return node


def _reordered(ctx, node: cst.List, elements: List[cst.Element], order: List[int]) -> Optional[str]:
    """The list's source with its elements in `order`, each keeping its own text and comments."""
    start, end = ctx.span(node)
    source = ctx.text[start:end]
    chunks = _line_chunks(ctx, start, source, elements)
    if chunks is not None:
        head, parts, tail = chunks
        pieces = [parts[i] for i in order]
        return head + "".join(pieces) + tail
    # one line (or a layout we cannot cut into lines): swap the element values in place, unless
    # a comment outside the values would end up next to another element
    spans = [ctx.span(e.value) for e in elements]
    outside = [(start, spans[0][0])] + [(spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]
    outside.append((spans[-1][1], end))
    if any(_has_comment(ctx.text[a:b]) for a, b in outside):
        return None
    texts = [ctx.text[s:e] for s, e in spans]
    out = []
    cursor = start
    for slot, (s, e) in enumerate(spans):
        out.append(ctx.text[cursor:s])
        out.append(texts[order[slot]])
        cursor = e
    out.append(ctx.text[cursor:end])
    return "".join(out)


def _line_chunks(ctx, start: int, source: str, elements: List[cst.Element]) -> Optional[Tuple[str, List[str], str]]:
    """Cut a one-element-per-line list into (head, one chunk per element, tail); each chunk runs
    from the comment lines above the element to the end of its line, and ends with a comma."""
    spans = [(s - start, e - start) for s, e in (ctx.span(el.value) for el in elements)]
    if "\n" not in source and "\r" not in source:
        return None
    first_line_end = _line_end(source, 0)
    if first_line_end is None or spans[0][0] < first_line_end:
        return None  # the first element shares the `[` line
    head = source[:first_line_end]
    chunks = []
    cursor = first_line_end
    for index, (s, e) in enumerate(spans):
        leading = source[cursor:s]
        if not _BLANK_OR_COMMENT.fullmatch(leading):
            return None
        trailing = _TRAILING.match(source, e)
        if trailing is None:
            return None
        chunk_end = trailing.end()
        text = source[cursor:chunk_end]
        if "," not in source[e:chunk_end].split("#", 1)[0]:
            if index != len(spans) - 1:
                return None
            text = source[cursor:e] + "," + source[e:chunk_end]
        chunks.append(text)
        cursor = chunk_end
    tail = source[cursor:]
    if not re.fullmatch(_BLANK_OR_COMMENT.pattern + r"\]", tail):
        return None
    return head, chunks, tail


def _line_end(source: str, offset: int) -> Optional[int]:
    match = re.compile(r"[^\r\n]*(\r\n|\r|\n)").match(source, offset)
    return match.end() if match else None


def _has_comment(text: str) -> bool:
    return "#" in text
