"""Hover over stdio: the rule's documentation and the estimated cost of the finding."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from .conftest import EXAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]


async def test_hover_on_a_finding_shows_the_rule_and_its_cost(lsp):
    shutil.copyfile(EXAMPLES / "support_bot.py", lsp.root / "bot.py")
    uri = lsp.open("bot.py")
    [finding] = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
    hover = await lsp.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), finding.range.start)
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert "# plain-string-system (CL001)" in text
    for heading in ("## What it does", "## Why is this bad?"):
        assert heading in text
    assert "**Estimated cost:** ~1,904 tokens per call" in text
    assert hover.range == finding.range

    elsewhere = await lsp.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 0))
    )
    assert elsewhere is None
