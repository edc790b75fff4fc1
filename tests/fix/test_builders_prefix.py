"""The fix builders for breakpoints and prompt blocks (fix/markers, fix/split, fix/reorder,
fix/arguments), run on requests built by the product and applied through its own edit code."""

from __future__ import annotations

import textwrap
from typing import List, Sequence, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.diagnostics import Applicability
from cachelint.core.options import AnalysisOptions
from cachelint.fix.arguments import zero_max_tokens
from cachelint.fix.edits import resolve_fix
from cachelint.fix.intents import EditSpec, FixSpec
from cachelint.fix.markers import add_marker, as_cached_block_list, dict_with_marker, move_marker
from cachelint.fix.reorder import move_after_static
from cachelint.fix.split import split_block, split_into_blocks
from cachelint.model.requests import build_requests
from cachelint.model.request import Request
from cachelint.rules.context import RuleContext

HEADER = """\
import anthropic
client = anthropic.Anthropic()
GUIDE = "Answer from the guide."
"""


def built(source: str) -> Tuple[List[Request], RuleContext]:
    text = HEADER + textwrap.dedent(source).lstrip("\n")
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    requests = build_requests(wrapper, "example.py", AnalysisOptions())
    ctx = RuleContext(wrapper.module, wrapper, text, "example.py", AnalysisOptions())
    ctx.resolver = requests.resolver
    ctx.built = requests
    return requests.requests, ctx


def applied(ctx: RuleContext, edits: Sequence[EditSpec]) -> str:
    """The file's text after the edits, converted to offsets by the product's own code."""
    fix = resolve_fix(FixSpec("", Applicability.SAFE, list(edits)), ctx.module, ctx.span, ctx.parents, ctx.lines.location)
    text = ctx.text
    for edit in reversed(fix.edits):
        text = text[: edit.start_offset] + edit.content + text[edit.end_offset :]
    return text[len(HEADER) :]


def test_add_marker_to_a_one_line_dict():
    (request,), ctx = built(
        """
        client.messages.create(model="m", max_tokens=8, system=[{"type": "text", "text": GUIDE}], messages=[])
        """
    )
    edit = add_marker(ctx, request.prefix.last_static_block.node)
    assert applied(ctx, [edit]) == (
        'client.messages.create(model="m", max_tokens=8, system=[{"type": "text", "text": GUIDE, '
        '"cache_control": {"type": "ephemeral"}}], messages=[])\n'
    )


def test_add_marker_keeps_a_multi_line_dict_layout():
    (request,), ctx = built(
        """
        client.messages.create(
            model="m",
            max_tokens=8,
            system=[
                {
                    "type": "text",
                    "text": GUIDE,
                },
            ],
            messages=[],
        )
        """
    )
    node = request.prefix.last_static_block.node
    assert dict_with_marker(ctx, node).endswith('"text": GUIDE,\n            "cache_control": {"type": "ephemeral"},\n        }')


def test_add_marker_needs_a_dict_literal():
    (request,), ctx = built(
        """
        BLOCK = {"type": "text", "text": GUIDE}
        client.messages.create(model="m", max_tokens=8, system=[BLOCK], messages=[])
        """
    )
    name = request.prefix.system_list.element_values[0]
    assert add_marker(ctx, name) is None


def test_a_string_system_as_one_cached_block():
    (request,), ctx = built(
        """
        client.messages.create(model="m", max_tokens=8, system=GUIDE, messages=[])
        """
    )
    edit = as_cached_block_list(ctx, request.prefix.system_expression)
    assert applied(ctx, [edit]) == (
        'client.messages.create(model="m", max_tokens=8, system=[{"type": "text", "text": GUIDE, '
        '"cache_control": {"type": "ephemeral"}}], messages=[])\n'
    )


def test_split_a_string_system_before_its_first_per_call_placeholder():
    (request,), ctx = built(
        """
        def ask(name):
            client.messages.create(model="m", max_tokens=8, system=f"{GUIDE} Hello {name}.", messages=[])
        """
    )
    prefix = request.prefix
    edit = split_into_blocks(ctx, prefix.system_expression, prefix.system_varying_parts)
    assert 'system=[{"type": "text", "text": f"{GUIDE} Hello ", "cache_control": {"type": "ephemeral"}}, ' \
           '{"type": "text", "text": f"{name}."}]' in applied(ctx, [edit])


def test_no_split_when_the_text_starts_with_a_per_call_part():
    (request,), ctx = built(
        """
        def ask(name):
            client.messages.create(model="m", max_tokens=8, system=f"{name}: {GUIDE}", messages=[])
        """
    )
    prefix = request.prefix
    assert split_into_blocks(ctx, prefix.system_expression, prefix.system_varying_parts) is None


def test_split_a_marked_block_in_place():
    (request,), ctx = built(
        """
        def ask(name):
            client.messages.create(model="m", max_tokens=8, system=[
                {"type": "text", "text": GUIDE + name, "cache_control": {"type": "ephemeral"}},
            ], messages=[])
        """
    )
    block = request.prefix.tools_and_system[0]
    edits = split_block(ctx, request.prefix.of(block))
    assert applied(ctx, edits) == textwrap.dedent(
        """\
        def ask(name):
            client.messages.create(model="m", max_tokens=8, system=[
                {"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": name},
            ], messages=[])
        """
    )


def test_move_per_call_blocks_after_the_last_static_one_keeping_comments():
    (request,), ctx = built(
        """
        def ask(name):
            client.messages.create(model="m", max_tokens=8, system=[
                # who is asking
                {"type": "text", "text": name},
                {"type": "text", "text": GUIDE},  # the guide
            ], messages=[])
        """
    )
    listing = request.prefix.system_list
    static = [not request.prefix.varies(b) for b in request.system.blocks]
    edit = move_after_static(ctx, listing.node, static)
    assert applied(ctx, [edit]) == textwrap.dedent(
        """\
        def ask(name):
            client.messages.create(model="m", max_tokens=8, system=[
                {"type": "text", "text": GUIDE},  # the guide
                # who is asking
                {"type": "text", "text": name},
            ], messages=[])
        """
    )


def test_move_a_top_level_marker_to_the_last_static_block():
    (request,), ctx = built(
        """
        def ask(q):
            client.messages.create(model="m", max_tokens=8, system=[{"type": "text", "text": GUIDE}],
                                   messages=[{"role": "user", "content": q}], cache_control={"type": "ephemeral"})
        """
    )
    prefix = request.prefix
    edits = move_marker(ctx, request, prefix.breakpoints[-1], prefix.last_static_block, ctx.built.requests)
    assert applied(ctx, edits) == textwrap.dedent(
        """\
        def ask(q):
            client.messages.create(model="m", max_tokens=8, system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}}],
                                   messages=[{"role": "user", "content": q}])
        """
    )


def test_zero_max_tokens_only_for_a_value_in_this_file():
    (request,), ctx = built(
        """
        client.messages.create(model="m", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
        """
    )
    edit = zero_max_tokens(ctx, request.max_tokens_node)
    assert "max_tokens=0" in applied(ctx, [edit])
    assert zero_max_tokens(ctx, None) is None
    assert zero_max_tokens(ctx, cst.Integer("1")) is None  # a node of no file
