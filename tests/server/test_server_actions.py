"""Code actions over stdio: quick fix, ignore for this line, fix all; the edit applied clears
the finding."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from .conftest import EXAMPLES, apply_edits, cli_fixed

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]


def _edits_of(action, uri):
    assert action.edit is not None and action.edit.changes is not None
    assert list(action.edit.changes) == [uri]
    return action.edit.changes[uri]


async def test_quick_fix_applied_clears_the_finding(lsp):
    shutil.copyfile(EXAMPLES / "support_bot.py", lsp.root / "bot.py")
    text = (lsp.root / "bot.py").read_text()
    uri = lsp.open("bot.py")
    [finding] = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)

    actions = await lsp.code_actions(uri, finding.range, only=[types.CodeActionKind.QuickFix])
    fixes = [a for a in actions if a.title.startswith("CL001:")]
    assert len(fixes) == 1 and fixes[0].is_preferred and "unsafe" not in fixes[0].title
    edits = _edits_of(fixes[0], uri)
    assert all(len(e.new_text) < len(text) / 4 for e in edits)  # minimal edits, not the document
    fixed = apply_edits(text, edits)
    assert fixed == cli_fixed(lsp.root / "bot.py", "--select", "CL001")

    lsp.change(uri, fixed, version=2)
    assert await lsp.diagnostics_for(uri, lambda f: len(f) == 0) == []


async def test_ignore_for_this_line_adds_noqa(lsp):
    shutil.copyfile(EXAMPLES / "helpdesk_chat.py", lsp.root / "chat.py")
    text = (lsp.root / "chat.py").read_text()
    uri = lsp.open("chat.py")
    found = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
    cl003 = next(d for d in found if d.code == "CL003")
    actions = await lsp.code_actions(uri, cl003.range)
    [ignore] = [a for a in actions if a.title == "Ignore CL003 for this line"]
    edits = _edits_of(ignore, uri)
    assert [e.new_text for e in edits] == ["  # noqa: CL003"]
    silenced = apply_edits(text, edits)
    lsp.change(uri, silenced, version=2)
    remaining = await lsp.diagnostics_for(uri, lambda f: all(d.code != "CL003" for d in f))
    assert [d.code for d in remaining] == [d.code for d in found if d.code != "CL003"]

    # a second code on the same line joins the comment: `# noqa: CL003, CL302`
    cl302 = next((d for d in remaining if d.code == "CL302"), None)
    if cl302 is not None:
        actions = await lsp.code_actions(uri, cl302.range)
        [ignore] = [a for a in actions if a.title == "Ignore CL302 for this line"]
        twice = apply_edits(silenced, _edits_of(ignore, uri))
        lsp.change(uri, twice, version=3)
        assert await lsp.diagnostics_for(uri, lambda f: all(d.code != "CL302" for d in f)) is not None


async def test_fix_all_is_what_cachelint_fix_writes(lsp):
    for name in ("support_bot.py", "travel_concierge.py", "helpdesk_chat.py"):
        shutil.copyfile(EXAMPLES / name, lsp.root / name)
        text = (lsp.root / name).read_text()
        uri = lsp.open(name)
        await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
        expected = cli_fixed(lsp.root / name)
        actions = await lsp.code_actions(uri, types.Range(types.Position(0, 0), types.Position(0, 0)), only=["source.fixAll"])
        fix_all = [a for a in actions if a.kind == "source.fixAll.cachelint"]
        if expected == text:
            assert list(fix_all) == [], name
            continue
        [action] = fix_all
        edits = _edits_of(action, uri)
        assert apply_edits(text, edits) == expected, name
        assert sum(len(e.new_text) for e in edits) < len(text) / 2


async def test_unsafe_fix_is_labelled_and_not_preferred(lsp):
    shutil.copyfile(EXAMPLES / "travel_concierge.py", lsp.root / "travel.py")
    uri = lsp.open("travel.py")
    [finding] = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
    actions = await lsp.code_actions(uri, finding.range)
    fixes = [a for a in actions if a.title.startswith(f"{finding.code}:")]
    assert fixes and all(a.title.endswith("(unsafe fix)") and not a.is_preferred for a in fixes)
    # "fix all" applies safe fixes only: nothing here
    actions = await lsp.code_actions(uri, finding.range, only=["source.fixAll.cachelint"])
    assert list(actions or []) == []
