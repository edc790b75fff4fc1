"""The workspace over stdio: imports resolved through open buffers, dependents refreshed,
configuration from the client and from pyproject.toml, a clean shutdown."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from .conftest import EXAMPLES, apply_edits, cli_fixed, start_session

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

LONG_HANDBOOK = "HANDBOOK = '''\n" + (
    "Shop assistant handbook. Answer questions about orders, returns and shipping, quote the\n"
    "returns policy clause that applies and never invent tracking numbers.\n" * 60
) + "'''\n"
SHORT_HANDBOOK = 'HANDBOOK = "Be brief."\n'
BOT = '''import anthropic

from prompts import HANDBOOK

client = anthropic.Anthropic()


def ask(question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=HANDBOOK,
        messages=[{"role": "user", "content": question}],
    )
'''


def _codes(found):
    return [d.code for d in found]


def _watched(session, name, kind=types.FileChangeType.Changed):
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=session.uri(name), type=kind)])
    )


async def test_imports_follow_open_buffers_and_dependents_refresh(workspace):
    (workspace / "prompts.py").write_text(SHORT_HANDBOOK)
    (workspace / "bot.py").write_text(BOT)
    lsp = await start_session(workspace)
    try:
        bot = lsp.open("bot.py")
        assert await lsp.diagnostics_for(bot) == []

        # an unsaved edit of the prompt module wins over the file on disk, and refreshes bot.py
        prompts = lsp.open("prompts.py")
        lsp.change(prompts, LONG_HANDBOOK, version=2)
        assert _codes(await lsp.diagnostics_for(bot, lambda f: len(f) > 0)) == ["CL001"]

        # closed without saving: the file on disk counts again
        lsp.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(prompts))
        )
        assert await lsp.diagnostics_for(bot, lambda f: len(f) == 0) == []

        # changed on disk (the editor's file watcher tells the server)
        (workspace / "prompts.py").write_text(LONG_HANDBOOK)
        _watched(lsp, "prompts.py")
        assert _codes(await lsp.diagnostics_for(bot, lambda f: len(f) > 0)) == ["CL001"]

        # the client's settings add a selection layer, as --ignore does
        lsp.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"cachelint": {"ignore": ["CL001"]}})
        )
        assert await lsp.diagnostics_for(bot, lambda f: len(f) == 0) == []
        lsp.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"cachelint": {"ignore": []}})
        )
        assert _codes(await lsp.diagnostics_for(bot, lambda f: len(f) > 0)) == ["CL001"]

        # pyproject.toml changes: per-file settings are read again
        (workspace / "pyproject.toml").write_text('[tool.cachelint]\nignore = ["CL001"]\n')
        _watched(lsp, "pyproject.toml", types.FileChangeType.Created)
        assert await lsp.diagnostics_for(bot, lambda f: len(f) == 0) == []
        (workspace / "pyproject.toml").write_text(
            '[tool.cachelint]\nper-file-ignores = { "other_*.py" = ["CL001"] }\n'
        )
        _watched(lsp, "pyproject.toml")
        assert _codes(await lsp.diagnostics_for(bot, lambda f: len(f) > 0)) == ["CL001"]
    finally:
        await lsp.client.shutdown_session()
    assert lsp.client._server.returncode == 0  # shutdown, then exit: status 0


async def test_noqa_and_per_file_ignores_are_the_files_own(workspace):
    (workspace / "pyproject.toml").write_text('[tool.cachelint]\nper-file-ignores = { "quiet_*.py" = ["CL001"] }\n')
    shutil.copyfile(EXAMPLES / "support_bot.py", workspace / "quiet_bot.py")
    shutil.copyfile(EXAMPLES / "support_bot.py", workspace / "loud_bot.py")
    lsp = await start_session(workspace)
    try:
        assert await lsp.diagnostics_for(lsp.open("quiet_bot.py")) == []
        assert _codes(await lsp.diagnostics_for(lsp.open("loud_bot.py"), lambda f: len(f) > 0)) == ["CL001"]
    finally:
        await lsp.client.shutdown_session()


async def test_unsafe_fixes_from_initialization_options(workspace):
    shutil.copyfile(EXAMPLES / "travel_concierge.py", workspace / "travel.py")
    text = (workspace / "travel.py").read_text()
    lsp = await start_session(workspace, {"cachelint": {"unsafeFixes": True}})
    try:
        uri = lsp.open("travel.py")
        [finding] = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
        actions = await lsp.code_actions(uri, finding.range, only=["source.fixAll.cachelint"])
        [action] = actions
        assert "unsafe" in action.title
        fixed = apply_edits(text, action.edit.changes[uri])
        assert fixed == cli_fixed(workspace / "travel.py", "--unsafe-fixes")
        lsp.change(uri, fixed, version=2)
        assert await lsp.diagnostics_for(uri, lambda f: len(f) == 0) == []
    finally:
        await lsp.client.shutdown_session()
