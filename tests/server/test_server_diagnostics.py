"""Diagnostics over stdio: the same findings as `cachelint check`, on open, change and save."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from .conftest import EXAMPLES, cli_findings

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]


def _starts(diagnostics):
    return sorted((d.code, d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics)


async def test_open_reports_what_check_reports(lsp):
    for name in ("support_bot.py", "helpdesk_chat.py", "travel_concierge.py", "contract_review.py"):
        shutil.copyfile(EXAMPLES / name, lsp.root / name)
    for name in ("support_bot.py", "helpdesk_chat.py", "travel_concierge.py", "contract_review.py"):
        expected = cli_findings(lsp.root / name)
        uri = lsp.open(name)
        found = await lsp.diagnostics_for(uri)
        assert _starts(found) == sorted(
            (f["code"], f["location"]["row"], f["location"]["column"]) for f in expected
        ), name
        by_code = {d.code: d for d in found}
        for finding in expected:
            shown = by_code[finding["code"]]
            assert shown.message.startswith(finding["message"])
            assert shown.source == "cachelint"
            assert shown.severity == types.DiagnosticSeverity.Warning
            assert shown.code_description is not None and shown.code_description.href.startswith("https://")
            end = finding["end_location"]
            assert (shown.range.end.line + 1, shown.range.end.character + 1) == (end["row"], end["column"])
            if finding["cost"] is not None:
                assert "\ncost: ~" in shown.message and "tokens per call" in shown.message


async def test_change_lints_the_unsaved_buffer_and_save_relints(lsp):
    shutil.copyfile(EXAMPLES / "support_bot.py", lsp.root / "bot.py")
    original = (lsp.root / "bot.py").read_text()
    uri = lsp.open("bot.py")
    assert [d.code for d in await lsp.diagnostics_for(uri, lambda f: len(f) > 0)] == ["CL001"]

    # The fix typed by hand, not saved: the finding goes away for the buffer.
    edited = original.replace(
        "system=SUPPORT_POLICY,",
        'system=[{"type": "text", "text": SUPPORT_POLICY, "cache_control": {"type": "ephemeral"}}],',
    )
    assert edited != original
    lsp.change(uri, edited, version=2)
    assert await lsp.diagnostics_for(uri, lambda f: len(f) == 0) == []

    # Typing it back (several quick changes: debounced) brings the finding back.
    for version in range(3, 8):
        lsp.change(uri, original[: len(original) - (8 - version)] + original[len(original) - (8 - version):], version)
    found = await lsp.diagnostics_for(uri, lambda f: len(f) == 1)
    assert found[0].code == "CL001"

    lsp.client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri))
    )
    found = await lsp.diagnostics_for(uri, lambda f: len(f) == 1)
    assert found[0].code == "CL001"


async def test_a_file_that_does_not_parse_gives_one_cl000(lsp):
    uri = lsp.open("broken.py", "import anthropic\n\ndef ask(:\n    pass\n")
    found = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
    assert [d.code for d in found] == ["CL000"]
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert found[0].range.start.line == 2
    # the server goes on: the file fixed in the buffer is linted again
    lsp.change(uri, "import anthropic\n\ndef ask():\n    pass\n", version=2)
    assert await lsp.diagnostics_for(uri, lambda f: len(f) == 0) == []


async def test_capabilities_and_file_watching(lsp):
    capabilities = lsp.initialize_result.capabilities
    assert capabilities.hover_provider
    kinds = capabilities.code_action_provider.code_action_kinds
    assert "quickfix" in kinds and "source.fixAll.cachelint" in kinds
    assert capabilities.notebook_document_sync is not None
    assert lsp.initialize_result.server_info.name == "cachelint"
    # registered after `initialized`: pyproject.toml and Python files are watched
    for _ in range(50):
        if lsp.registrations:
            break
        import asyncio

        await asyncio.sleep(0.1)
    methods = [r.method for r in lsp.registrations]
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods
