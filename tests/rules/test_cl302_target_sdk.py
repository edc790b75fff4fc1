"""CL302 picks its fix from `target-sdk`: top-level `cache_control=` exists only from anthropic 0.83."""

from __future__ import annotations

import textwrap

from cachelint.core.diagnostics import Applicability
from cachelint.core.options import AnalysisOptions
from tests.support.rule_harness import lint

CHAT = textwrap.dedent(
    """
    import anthropic
    client = anthropic.Anthropic()
    def chat():
        history = []
        while True:
            history.append({"role": "user", "content": input("> ")})
            reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=history)
            history.append({"role": "assistant", "content": reply.content})
    """
)


def _fix(options: AnalysisOptions):
    found = [d for d in lint(CHAT, options=options) if d.code == "CL302"]
    assert len(found) == 1
    return found[0].fix


def test_newest_sdk_gets_the_safe_top_level_fix():
    fix = _fix(AnalysisOptions())
    assert fix.applicability is Applicability.SAFE
    assert [e.content for e in fix.edits] == [', cache_control={"type": "ephemeral"}']


def test_sdk_with_automatic_caching_gets_the_safe_fix():
    assert _fix(AnalysisOptions(target_sdk=(0, 83, 0))).applicability is Applicability.SAFE


def test_older_sdk_gets_display_only_advice():
    fix = _fix(AnalysisOptions(target_sdk=(0, 82, 1)))
    assert fix.applicability is Applicability.DISPLAY_ONLY
    assert not fix.edits
    assert "0.83" in fix.message
