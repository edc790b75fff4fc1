"""A real LSP client (pytest-lsp) driving `cachelint server` over stdio, as an editor does.

The server is started as the installed console script when there is one next to the running
interpreter (`.venv/bin/cachelint`), else as `python -m cachelint server`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
TIMEOUT = 60.0


def server_command() -> List[str]:
    script = Path(sys.executable).parent / "cachelint"
    if script.exists():
        return [str(script), "server"]
    return [sys.executable, "-m", "cachelint", "server"]


class Session:
    """One client and the workspace folder it opened."""

    def __init__(self, client: LanguageClient, root: Path):
        self.client = client
        self.root = root
        self.registrations: List[types.Registration] = []

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    def open(self, name: str, text: Optional[str] = None, version: int = 1) -> str:
        uri = self.uri(name)
        if text is None:
            text = (self.root / name).read_text()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
            )
        )
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def diagnostics_for(self, uri: str, where=lambda found: True, timeout: float = TIMEOUT):
        """Wait until `uri`'s published diagnostics satisfy `where`; return them."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = self.client.diagnostics.get(uri)
            if found is not None and where(found):
                return list(found)
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no matching diagnostics for {uri}: {found}")
            try:
                await asyncio.wait_for(
                    self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS),
                    timeout=min(remaining, 5.0),
                )
            except asyncio.TimeoutError:
                pass

    async def code_actions(self, uri: str, span: types.Range, only: Optional[Sequence[str]] = None):
        return await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri),
                range=span,
                context=types.CodeActionContext(diagnostics=[], only=list(only) if only else None),
            )
        )


async def start_session(root: Path, initialization_options=None) -> Session:
    """Start the server on workspace folder `root` and initialise it as VS Code would."""
    client = make_test_lsp_client()
    session = Session(client, root)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        session.registrations.extend(params.registrations)

    await client.start_io(*server_command(), env=dict(os.environ), cwd=str(root))
    capabilities = client_capabilities("visual-studio-code")
    # the recorded VS Code (1.65) predates LSP 3.17 notebooks; today's VS Code offers them
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities()
    )
    session.initialize_result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="workspace")],
            initialization_options=initialization_options,
        )
    )
    return session


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    return root


@pytest_asyncio.fixture
async def lsp(workspace):
    """An initialised session on a fresh workspace folder; shut down afterwards."""
    session = await start_session(workspace)
    yield session
    await session.client.shutdown_session()


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) the way an editor does, independently of the
    server's own position code."""

    def offset(position: types.Position) -> int:
        lines = text.splitlines(keepends=True)
        start = sum(len(line) for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        encoded = line.encode("utf-16-le")[: position.character * 2]
        return start + len(encoded.decode("utf-16-le"))

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def cli_findings(path: Path, *args: str) -> List[Dict]:
    """What `cachelint check --output-format json` reports for one file."""
    process = subprocess.run(
        [sys.executable, "-m", "cachelint", "check", "--no-cache", "--output-format", "json", *args, str(path)],
        cwd=str(path.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(process.stdout)


def cli_fixed(path: Path, *args: str) -> str:
    """The text `cachelint fix` writes for one file (on a copy)."""
    copy = path.with_name("copy_" + path.name)
    shutil.copyfile(path, copy)
    subprocess.run(
        [sys.executable, "-m", "cachelint", "fix", "--no-cache", *args, str(copy)],
        cwd=str(path.parent),
        capture_output=True,
        timeout=120,
    )
    fixed = copy.read_text()
    copy.unlink()
    return fixed
