from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from cachelint.core.api import MAX_BREAKPOINTS
from cachelint.core import modeldata
from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Block, BlockKind, Marker, Request, SegmentForm, Ttl
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import (
    EPHEMERAL,
    block_varies,
    dict_with_marker,
    size_gate,
    tokens_phrase,
    value_expression,
    varying_pieces_that_matter,
)
from cachelint.fix.intents import EditSpec, FixSpec, Remove, Replace
from cachelint.rules.base import Example, Rule

MANUAL = '"""' + "Answer strictly from the product manual below and quote the section you used. " * 80 + '"""'


class BreakpointOnChangingBlock(Rule):
    code = "CL201"
    name = "breakpoint-on-changing-block"
    summary = "The last cache breakpoint sits on a block that changes every call: every call writes, none reads"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks for a request whose last cache breakpoint (an explicit `cache_control` marker, or
    top-level `cache_control=`, which lands on the last block) sits on a message that differs on
    every call, such as the user's question, while the large static prefix before it (the tool
    definitions and the system prompt) has no breakpoint of its own.

    Conversations are not reported: when the history is appended and re-sent, a breakpoint on the
    newest turn is exactly right, because the next turn reads everything up to it.

    ## Why is this bad?
    A breakpoint caches the prefix up to and including its block. When that block changes on
    every call, every call writes a new cache entry (1.25x the input price, 2x for the 1-hour
    TTL) and no call ever reads one, so the static instructions that could be read back at a
    tenth of the price are re-written at a premium instead.

    ## Example
    ```python
    def ask(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=[{"type": "text", "text": MANUAL}],
            messages=[{"role": "user", "content": question}],
            cache_control={"type": "ephemeral"},
        )
    ```

    ## Use instead
    ```python
    def ask(question):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": question}],
        )
    ```

    ## Fix safety
    The fix moves the marker (same TTL) from the changing block to the last static block: it
    removes top-level `cache_control=` or the block's `cache_control` key and adds the marker to
    the last static tool, system block or message; a plain-string `system=` becomes a one-block
    list with the same text. The model receives exactly the same text, so the fix is safe. When
    the static block is not written in this file as a dict (or a plain string), the advice is
    display-only.
    """

    VALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": question}}],
                )
            """
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def chat():
                history = []
                while True:
                    history.append({{"role": "user", "content": input("> ")}})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        system=[{{"type": "text", "text": MANUAL}}],
                        messages=history,
                        cache_control={{"type": "ephemeral"}},
                    )
                    history.append({{"role": "assistant", "content": reply.content}})
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(question):
                # nothing static is large enough to cache: the marker costs little and the rule is quiet
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system="Be brief.",
                    messages=[{"role": "user", "content": question}],
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL}}],
                    messages=[{{"role": "user", "content": question}}],
                    cache_control={{"type": "ephemeral"}},
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": question}}],
                )
            """,
            message="`question`",
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=MANUAL,
                    messages=[
                        {{
                            "role": "user",
                            "content": [
                                {{
                                    "type": "text",
                                    "text": question,
                                    "cache_control": {{"type": "ephemeral", "ttl": "1h"}},
                                }},
                            ],
                        }},
                    ],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            MANUAL = {MANUAL}
            def ask(question):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{{"type": "text", "text": MANUAL, "cache_control": {{"type": "ephemeral", "ttl": "1h"}}}}],
                    messages=[
                        {{
                            "role": "user",
                            "content": [
                                {{
                                    "type": "text",
                                    "text": question,
                                }},
                            ],
                        }},
                    ],
                )
            """,
            message="2x",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        found = _find(ctx, request)
        if found is None:
            return
        ordered, target_index, marker, top_level, run_end = found
        static = ordered[:run_end]
        gate, _ = size_gate(ctx, request.model)
        chars = sum(_chars(b) for b in static)
        tokens = ctx.tokens(chars)
        if tokens < gate:
            return  # too small to cache (or not known to be large enough): moving the marker buys nothing
        size = tokens_phrase(tokens)
        if not all(b.chars is not None for b in static):
            size = f"at least {size}"
        changing = [b for b in ordered[run_end : target_index + 1] if block_varies(ctx, request, b)]
        what = _changing_words(ctx, request, changing)
        write = modeldata.WRITE_1H_MULTIPLIER if marker.ttl is Ttl.ONE_HOUR else modeldata.WRITE_5M_MULTIPLIER
        info = ctx.model_info(request.model)
        read = info.cache_read_multiplier if info else modeldata.DEFAULT_READ_MULTIPLIER
        where = "top-level `cache_control` lands on" if top_level else "the last `cache_control` marker is on"
        if any(b is ordered[target_index] for b in changing):
            where += " a block that changes on every call"
        else:
            where += " a block whose prefix changes on every call"
        message = (
            f"{where} ({what}): every call writes a new cache entry "
            f"and none reads it; the static prefix before it ({_prefix_words(static)}, {size}) has "
            f"no breakpoint of its own, so it is re-written at {write:g}x on every call instead of read at {read:g}x"
        )
        element = _marker_element(ctx, marker)
        anchor = element if element is not None else request.call.node
        ctx.report(
            anchor,
            message,
            fix=_fix(ctx, request, ordered[run_end - 1], marker),
            cost=ctx.cost(tokens, request.model, write),
            noqa_node=request.call.node,
        )


def _find(ctx, request: Request) -> Optional[Tuple[List[Block], int, Marker, bool, int]]:
    """(blocks in prompt order, index of the breakpoint's block, its marker, top-level?, length of
    the static run before it), when the request has the shape this rule reports."""
    repetition = request.repetition
    if not repetition.repeats or repetition.conversation or request.messages.history_name is not None:
        return None  # in a conversation the marker on the newest turn is read by the next turn
    if request.has_unknown_splat or request.top_level_cache_control_unknown:
        return None
    messages = request.messages
    if messages.form is not SegmentForm.BLOCKS or not messages.complete or not messages.blocks:
        return None
    for segment in (request.tools, request.system):
        if segment.form is SegmentForm.UNKNOWN or (segment.present and not segment.complete):
            return None
    ordered = _ordered_blocks(request)
    explicit = [i for i, b in enumerate(ordered) if b.marker is not None]
    if any(ordered[i].marker.valid is False for i in explicit):  # type: ignore[union-attr]
        return None  # an invalid marker is a 400 (CL103) before it is a cache question
    top = request.top_level_cache_control
    if top is not None:
        if top.valid is not True:
            return None
        call = request.call
        if call.platform.supports_automatic_caching is False or (call.method == "parse" and not call.is_beta):
            return None  # top-level cache_control is ignored or rejected there: CL107's finding
        target_index = len(ordered) - 1
        earlier = [i for i in explicit if i != target_index]  # a marker on the last block too moves with it
        marker = top
    else:
        if not explicit:
            return None
        target_index = explicit[-1]
        earlier = explicit[:-1]
        marker = ordered[target_index].marker  # type: ignore[assignment]
        if marker.valid is not True:
            return None
    if ordered[target_index].segment != "messages" or earlier:
        return None  # markers in tools/system are CL002's; an earlier breakpoint already reads
    if any(b.marker_unknown for b in ordered[: target_index + 1]):
        return None
    run_end = 0
    while run_end < target_index and _reusable(ctx, request, ordered[run_end]):
        run_end += 1
    prefix_blocks = len(ordered) - len(messages.blocks)
    if run_end == 0 or run_end < prefix_blocks:
        return None  # a changing tools/system block is CL002's finding
    if not any(block_varies(ctx, request, b) for b in ordered[run_end : target_index + 1]):
        return None
    return ordered, target_index, marker, top is not None, run_end


def _ordered_blocks(request: Request) -> List[Block]:
    blocks = list(request.tools.blocks)
    system = request.system
    if system.form is SegmentForm.STRING and system.text is not None:
        text = system.text
        blocks.append(
            Block("system", BlockKind.TEXT, text.staticness, text=text,
                  chars=text.known_chars if text.size_is_exact else None, node=system.node)
        )
    else:
        blocks.extend(system.blocks)
    return blocks + list(request.messages.blocks)


def _reusable(ctx, request: Request, block: Block) -> bool:
    """Same bytes on the calls that follow: static, or per-call but fixed over the loop around the call."""
    if block.content is Staticness.STATIC:
        return True
    return block.content.varies and not block_varies(ctx, request, block)


def _chars(block: Block) -> int:
    if block.chars is not None:
        return block.chars
    if block.text is not None:
        return block.text.known_chars
    return 0


def _changing_words(ctx, request: Request, changing: List[Block]) -> str:
    names: List[str] = []
    volatile = False
    for block in changing:
        pieces = varying_pieces_that_matter(ctx, request, block.text) if block.text is not None else []
        for piece in pieces:
            volatile = volatile or piece.staticness is Staticness.VOLATILE
            name = piece.description or "a per-call value"
            if name not in names:
                names.append(name)
        if not pieces:
            volatile = volatile or block.content is Staticness.VOLATILE
            name = f"the {block.kind.value.replace('_', ' ')} block"
            if name not in names:
                names.append(name)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    plural = len(names) > 1
    if volatile:
        verb = "change on every call" if plural else "changes on every call"
    else:
        verb = "differ per call" if plural else "differs per call"
    return f"{listed} {verb}"


def _prefix_words(static: List[Block]) -> str:
    segments = []
    for name, words in (("tools", "tools"), ("system", "system prompt"), ("messages", "first messages")):
        if any(b.segment == name for b in static):
            segments.append(words)
    return segments[0] if len(segments) == 1 else ", ".join(segments[:-1]) + " and " + segments[-1]


# -- the fix ---------------------------------------------------------------------------------------


def _fix(ctx, request: Request, static: Block, marker: Marker) -> FixSpec:
    advice = FixSpec(
        "Move the cache breakpoint to the last static block, before the part that changes",
        Applicability.DISPLAY_ONLY,
    )
    marker_code = _marker_code(ctx, marker)
    markers = [marker]
    last = request.messages.blocks[-1]
    if marker is request.top_level_cache_control and last.marker is not None:
        markers.append(last.marker)  # the last block's own marker goes too
    removals = [_removal(ctx, m) for m in markers]
    addition = _addition(ctx, request, static, marker_code)
    if any(r is None for r in removals) or addition is None:
        return advice
    return FixSpec(
        f"Move `cache_control` to the last static block ({static.segment})",
        Applicability.SAFE,
        removals + [addition],  # type: ignore[operator]
    )


def _in_file(ctx, node: Optional[cst.CSTNode]) -> bool:
    return node is not None and node in ctx.positions


def _marker_code(ctx, marker: Marker) -> str:
    if _in_file(ctx, marker.node):
        return ctx.code(marker.node).strip()  # type: ignore[arg-type]
    if marker.ttl is Ttl.ONE_HOUR:
        return '{"type": "ephemeral", "ttl": "1h"}'
    return EPHEMERAL


def _marker_element(ctx, marker: Marker) -> Optional[cst.CSTNode]:
    """The `cache_control=` argument or `"cache_control": ...` entry that carries the marker
    (for a `params` dict the model keeps only the value: its entry is the value's parent)."""
    if marker.key_node is not None:
        return marker.key_node
    holder = ctx.parents.get(marker.node) if _in_file(ctx, marker.node) else None
    if isinstance(holder, cst.DictElement) and holder.value is marker.node:
        return holder
    return None


def _removal(ctx, marker: Marker) -> Optional[EditSpec]:
    key = _marker_element(ctx, marker)
    if not _in_file(ctx, key) or not isinstance(key, (cst.Arg, cst.DictElement)):
        return None
    parent = ctx.parents.get(key)
    if isinstance(key, cst.Arg) and not isinstance(parent, cst.Call):
        return None
    if isinstance(key, cst.DictElement) and not isinstance(parent, cst.Dict):
        return None
    return Remove(key)


def _addition(ctx, request: Request, block: Block, marker_code: str) -> Optional[EditSpec]:
    if block.segment == "system" and request.system.form is SegmentForm.STRING:
        expression = value_expression(request.system)
        if request.system.arg is None or not _in_file(ctx, expression):
            return None
        return Replace(expression, f"[{_cached_text_block(ctx.code(expression).strip(), marker_code)}]")  # type: ignore[arg-type]
    node = block.node
    if _shared_with_full_request(ctx, request, node):
        return None
    if isinstance(node, cst.Dict) and _in_file(ctx, node):
        code = dict_with_marker(ctx, node)
        if code is None:
            return None
        plain = f'"cache_control": {EPHEMERAL}'
        index = code.rfind(plain)
        if index < 0:
            return None
        return Replace(node, code[:index] + f'"cache_control": {marker_code}' + code[index + len(plain) :])
    if block.segment == "messages" and block.kind is BlockKind.TEXT and _in_file(ctx, node):
        holder = ctx.parents.get(node)
        if (
            isinstance(holder, cst.DictElement)
            and holder.value is node
            and holder is not None
            and ctx.parents.get(holder) is block.message_node
            and isinstance(holder.key, cst.SimpleString)
            and holder.key.evaluated_value == "content"
        ):
            return Replace(node, f"[{_cached_text_block(ctx.code(node).strip(), marker_code)}]")  # type: ignore[arg-type]
    return None


def _shared_with_full_request(ctx, request: Request, node: Optional[cst.CSTNode]) -> bool:
    """The block (a module constant, say) is also sent by another request that already has four
    breakpoints: one more marker there would be a 400."""
    built = ctx.built
    if node is None or built is None:
        return False
    for other in built.requests:
        if other is request or not any(b.node is node for b in other.blocks):
            continue
        count = len(other.markers) + (1 if other.top_level_cache_control is not None else 0)
        if count >= MAX_BREAKPOINTS:
            return True
    return False


def _cached_text_block(text_code: str, marker_code: str) -> str:
    return f'{{"type": "text", "text": {text_code}, "cache_control": {marker_code}}}'
