"""Notebooks over stdio (LSP 3.17 notebook sync): findings on each cell's own document, as
`cachelint check` reports them for the .ipynb file."""

from __future__ import annotations

import json
import shutil

import pytest
from lsprotocol import types

from .conftest import REPO, apply_edits, cli_findings

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

NOTEBOOKS = REPO / "tests" / "fixtures" / "notebooks"


def _open_notebook(lsp, name):
    path = lsp.root / name
    document = json.loads(path.read_text())
    notebook_uri = path.as_uri()
    cells, items = [], []
    for index, cell in enumerate(document["cells"]):
        uri = f"vscode-notebook-cell:{path}#cell{index}"
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        code = cell["cell_type"] == "code"
        cells.append(
            types.NotebookCell(
                kind=types.NotebookCellKind.Code if code else types.NotebookCellKind.Markup,
                document=uri,
            )
        )
        items.append(
            types.TextDocumentItem(uri=uri, language_id="python" if code else "markdown", version=1, text=source)
        )
    lsp.client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook_uri, notebook_type="jupyter-notebook", version=1, cells=cells
            ),
            cell_text_documents=items,
        )
    )
    return notebook_uri, [item.uri for item in items], [item.text for item in items]


async def test_notebook_cells_get_their_own_diagnostics(lsp):
    shutil.copyfile(NOTEBOOKS / "support_bot.ipynb", lsp.root / "bot.ipynb")
    expected = cli_findings(lsp.root / "bot.ipynb")
    assert expected
    notebook_uri, cell_uris, texts = _open_notebook(lsp, "bot.ipynb")
    for finding in expected:
        uri = cell_uris[finding["cell"] - 1]
        found = await lsp.diagnostics_for(uri, lambda f: len(f) > 0)
        starts = [(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in found]
        assert (finding["code"], finding["location"]["row"], finding["location"]["column"]) in starts

    # a quick fix edits the cell's own document; applied, the finding goes away
    first = expected[0]
    uri = cell_uris[first["cell"] - 1]
    [shown] = [d for d in lsp.client.diagnostics[uri] if d.code == first["code"]]
    actions = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=shown.range,
            context=types.CodeActionContext(diagnostics=[shown]),
        )
    )
    [fix] = [a for a in actions if a.title.startswith(first["code"] + ":")]
    assert list(fix.edit.changes) == [uri]
    fixed = apply_edits(texts[first["cell"] - 1], fix.edit.changes[uri])
    lsp.client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook_uri),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                            changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
                        )
                    ]
                )
            ),
        )
    )
    await lsp.diagnostics_for(uri, lambda f: all(d.code != first["code"] for d in f))

    hover = await lsp.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(cell_uris[expected[-1]["cell"] - 1]),
                          types.Position(expected[-1]["location"]["row"] - 1, expected[-1]["location"]["column"] - 1))
    )
    assert hover is not None and f"({expected[-1]['code']})" in hover.contents.value

    lsp.client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=notebook_uri),
            cell_text_documents=[types.TextDocumentIdentifier(u) for u in cell_uris],
        )
    )
    await lsp.diagnostics_for(cell_uris[expected[-1]["cell"] - 1], lambda f: len(f) == 0)
