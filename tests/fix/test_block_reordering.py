"""CL203's fix reorders list elements keeping each one's source, comments and the list's layout."""

from __future__ import annotations

import libcst as cst
import pytest

from cachelint.core.diagnostics import Applicability
from tests.support.rule_harness import fix_source, lint

POLICY_LINE = '"' + "Refunds are issued within 14 days of purchase when unused. " * 14 + '"'
HEAD = (
    "import anthropic\n"
    "client = anthropic.Anthropic()\n"
    "POLICY = (\n" + "\n".join([POLICY_LINE] * 8) + "\n)\n"
    "def ask(user, q):\n"
    "    return client.messages.create(\n"
    '        model="claude-sonnet-4-5",\n'
    "        max_tokens=512,\n"
    "        system=SYSTEM,\n"
    '        messages=[{"role": "user", "content": q}],\n'
    "    )\n"
)
DYNAMIC = '{"type": "text", "text": f"User {user}"}'
STATIC = '{"type": "text", "text": POLICY}'

CASES = [
    pytest.param(
        f"[\n        {DYNAMIC},\n        {STATIC}\n    ]",
        f"[\n        {STATIC},\n        {DYNAMIC},\n    ]",
        id="no-trailing-comma",
    ),
    pytest.param(
        f"[\n        # who is asking\n        {DYNAMIC},\n        {STATIC},  # the policy\n        # end\n    ]",
        f"[\n        {STATIC},  # the policy\n        # who is asking\n        {DYNAMIC},\n        # end\n    ]",
        id="comments-travel-with-their-element",
    ),
    pytest.param(
        f"[{DYNAMIC},\n        {STATIC}]",
        f"[{STATIC},\n        {DYNAMIC}]",
        id="first-element-on-the-bracket-line",
    ),
    pytest.param(
        f"[{DYNAMIC}, {STATIC}]",
        f"[{STATIC}, {DYNAMIC}]",
        id="one-line",
    ),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("written,expected", CASES)
def test_reorder_keeps_layout(written, expected, newline):
    source = HEAD.replace("system=SYSTEM", "system=" + written).replace("\n", newline)
    fixed = fix_source(source, {"CL203"}, Applicability.UNSAFE).text
    assert fixed == HEAD.replace("system=SYSTEM", "system=" + expected).replace("\n", newline)
    cst.parse_module(fixed)
    assert [d for d in lint(fixed) if d.code == "CL203"] == []


def test_a_comment_between_elements_on_shared_lines_gets_advice_only():
    source = HEAD.replace("system=SYSTEM", f"system=[{DYNAMIC},  # who\n        {STATIC}]")
    (finding,) = [d for d in lint(source) if d.code == "CL203"]
    assert finding.fix is not None and finding.fix.applicability is Applicability.DISPLAY_ONLY
