"""CL104 and CL105 share the prompt-caching beta: each call gets one finding and one fix."""

from __future__ import annotations

import textwrap

import libcst as cst

from cachelint.core.diagnostics import Applicability
from tests.support.rule_harness import fix_source, lint

SOURCE = textwrap.dedent(
    '''
    import anthropic
    client = anthropic.Anthropic()

    def stable(q):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            betas=["prompt-caching-2024-07-31"],
            extra_headers={"anthropic-beta": "prompt-caching-2024-07-31"},
            messages=[{"role": "user", "content": q}],
        )

    def stable_mixed(q):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            betas=["prompt-caching-2024-07-31", "files-api-2025-04-14"],
            messages=[{"role": "user", "content": q}],
        )

    def old_namespace(q):
        return client.beta.prompt_caching.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            betas=["prompt-caching-2024-07-31"],
            messages=[{"role": "user", "content": q}],
        )
    '''
).lstrip()

FIXED = textwrap.dedent(
    '''
    import anthropic
    client = anthropic.Anthropic()

    def stable(q):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            messages=[{"role": "user", "content": q}],
        )

    def stable_mixed(q):
        return client.beta.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            betas=["files-api-2025-04-14"],
            messages=[{"role": "user", "content": q}],
        )

    def old_namespace(q):
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            messages=[{"role": "user", "content": q}],
        )
    '''
).lstrip()


CODES = ("CL104", "CL105")


def _findings(source):
    return [(d.location.row, d.code) for d in lint(source) if d.code in CODES]



def test_betas_on_the_stable_client_belong_to_cl104_only():
    found = _findings(SOURCE)
    # stable(): CL104 for betas=, CL105 for the header; stable_mixed(): CL104; old_namespace(): CL105
    assert found == [(8, "CL104"), (9, "CL105"), (17, "CL104"), (22, "CL105")]


def test_both_rules_fixed_together_converge_to_clean_code():
    fixed = fix_source(SOURCE, {"CL104", "CL105"}, Applicability.UNSAFE).text
    assert fixed == FIXED
    cst.parse_module(fixed)
    assert _findings(fixed) == []


def test_safe_fixes_leave_the_mixed_call_for_review():
    fixed = fix_source(SOURCE, {"CL104", "CL105"}, Applicability.SAFE).text
    assert _findings(fixed) == [(15, "CL104")]
