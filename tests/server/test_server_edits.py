"""Minimal edits between two texts, and `# noqa` insertion the product's noqa reader accepts."""

from __future__ import annotations

import pytest

from cachelint.core.diagnostics import Diagnostic, Location
from cachelint.run.noqa import find_directives, is_suppressed
from cachelint.server.edits import minimal_edits, noqa_edit


def _apply(text, edits):
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


@pytest.mark.parametrize(
    "before, after",
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\n", "a\nc\n"),
        ("a\nc", "a\nb\nc"),
        ("system=X,\n", 'system=[{"text": X}],\n'),
        ("", "x\n"),
        ("x\r\ny\r\n", "x\r\nz\r\ny\r\n"),
        ("one\ntwo\nthree\nfour\n", "ONE\ntwo\nthree\nFOUR\n"),
    ],
)
def test_minimal_edits_rebuild_the_new_text(before, after):
    edits = minimal_edits(before, after)
    assert _apply(before, edits) == after
    assert sum(len(e.content) for e in edits) <= len(after)


def test_far_apart_changes_stay_separate_and_small():
    before = "".join(f"line {i}\n" for i in range(100))
    after = before.replace("line 3\n", "line three\n").replace("line 90\n", "line ninety\n")
    edits = minimal_edits(before, after)
    assert len(edits) == 2 and all(len(e.content) < 8 for e in edits)


def _finding(row, noqa_row=None, code="CL001"):
    return Diagnostic(code, "name", "message", "f.py", Location(row, 1), Location(row, 2), noqa_row=noqa_row)


def _suppressed(text, finding):
    edit = noqa_edit(text, finding)
    assert edit is not None
    fixed = _apply(text, [edit])
    return fixed, is_suppressed(finding, find_directives(fixed))


def test_noqa_goes_on_the_call_line_and_suppresses():
    text = "client.messages.create(\n    system=PROMPT,\n)\n"
    fixed, suppressed = _suppressed(text, _finding(2, noqa_row=1))
    assert fixed.splitlines()[0] == "client.messages.create(  # noqa: CL001"
    assert suppressed


def test_noqa_joins_an_existing_directive_or_comment():
    fixed, suppressed = _suppressed("call(x)  # noqa: CL003\n", _finding(1))
    assert fixed == "call(x)  # noqa: CL003, CL001\n" and suppressed
    fixed, suppressed = _suppressed("call(x)  # why\n", _finding(1))
    assert fixed == "call(x)  # why  # noqa: CL001\n" and suppressed
    fixed, suppressed = _suppressed("call(x)   \n", _finding(1))
    assert fixed == "call(x)  # noqa: CL001\n" and suppressed


def test_noqa_never_lands_inside_a_string():
    text = 'create(system="""\nlong\n""",\n  model=M)\n'
    # the call's first line ends inside the string: the finding's own row is used instead
    fixed, suppressed = _suppressed(text, _finding(4, noqa_row=1))
    assert fixed.splitlines()[3] == "  model=M)  # noqa: CL001" and suppressed
    assert noqa_edit(text, _finding(2, noqa_row=1)) is None
    assert noqa_edit("x = 1 + \\\n    2\n", _finding(1)) is None
