from __future__ import annotations

from typing import List, Optional, Sequence

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec
from cachelint.fix.reorder import move_after_static
from cachelint.model.request import Block, BlockList, PrefixSize, Request, Segment, SegmentForm
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

POLICY = '"""' + "Escalate any refund above 500 EUR to a human agent before replying. " * 90 + '"""'


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
        blocks = segment.blocks
        kinds = [_kind(request, block) for block in blocks]
        if "unknown" in kinds or not segment.complete:
            return None
        if "varies" not in kinds:
            return static_before + PrefixSize.of(blocks).sized_chars
        first = kinds.index("varies")
        last_static = max((i for i, k in enumerate(kinds) if k == "static"), default=-1)
        if last_static < first:
            return None  # per-call blocks already come last
        stranded = PrefixSize.of(tuple(b for b, k in zip(blocks[first:], kinds[first:]) if k == "static"))
        known = static_before + PrefixSize.of(blocks[:first]).sized_chars + stranded.sized_chars
        marked = any(b.marker is not None for b in blocks[first:])
        gate, _ = size_gate(ctx, request.model)
        tokens = ctx.tokens(known)
        if tokens < gate and not (marked and not stranded.exact):
            return None  # too small to cache even in the right order
        dynamic = blocks[first]
        names = _names(request, dynamic)
        listing = request.prefix.list_of(segment.name)
        anchor = listing.element_values[first] if listing is not None else dynamic.node
        stranded_size = ctx.tokens(stranded.sized_chars)
        label = "tool definitions" if segment.name == "tools" else "system blocks"
        if stranded.exact:
            what = f"{tokens_phrase(stranded_size)} of static {label}"
        else:
            what = f"static {label} of unknown size"
        message = (
            f"{segment.name}[{first}] changes between calls ({names}) and comes before {what}: no "
            f"prefix holding them is ever the same twice, so they are never read from the cache; "
            f"move per-call blocks after the last static block"
        )
        cost = ctx.cost(tokens, request.model) if stranded.exact else None
        ctx.report(anchor if anchor is not None else request.call.node, message,
                   fix=self._fix(ctx, listing, kinds), cost=cost, noqa_node=request.call.node)
        return None

    def _fix(self, ctx, listing: Optional[BlockList], kinds: Sequence[str]) -> Optional[FixSpec]:
        advice = FixSpec("Move the per-call blocks after the last static block", Applicability.DISPLAY_ONLY)
        if listing is None:
            return advice
        edit = move_after_static(ctx, listing.node, [kind == "static" for kind in kinds])
        if edit is None:
            return advice
        return FixSpec("Move the per-call blocks after the last static block", Applicability.UNSAFE, [edit])


def _kind(request: Request, block: Block) -> str:
    if request.prefix.varies(block):
        return "varies"
    if block.content is Staticness.STATIC:
        return "static"
    if block.content.varies:
        return "static"  # per-call, but the same across the loop around the call
    return "unknown"


def _names(request: Request, block: Block) -> str:
    """How a user would name what changes in the block: `user_id`, date.today()..."""
    names: List[str] = []
    for piece in request.prefix.of(block).value_changes:
        if piece.description and piece.description not in names:
            names.append(piece.description)
    if not names:
        return f"its {block.kind.value} content"
    return ", ".join(names[:3])
