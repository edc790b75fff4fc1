"""Immutable snapshots of what the editor has open: Python buffers and notebooks.

A lint works on a snapshot taken in the server's event loop, so the worker thread never sees a
buffer change under it, and a result can be matched to the version it was computed for.
Notebooks arrive as LSP 3.17 notebook documents (one text document per cell); the product lints
`.ipynb` JSON, so a snapshot renders its cells as an nbformat 4 document, cell for cell, so
that the product's cell numbers (1-based over all cells) index the snapshot's cells.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from pygls.uris import from_fs_path, to_fs_path

PYTHON_LANGUAGE_IDS = frozenset({"python", "python3", "ipython"})
UNTITLED_NAME = "untitled.py"


def path_of_uri(uri: str, fallback_directory: Optional[str] = None) -> str:
    """The file system path a document stands for. A buffer that is no file (`untitled:`) is
    linted as a file named `untitled.py` in the first workspace folder (or the working
    directory), so settings and sibling imports are looked up there."""
    if uri.startswith("file:"):
        path = to_fs_path(uri)
        if path:
            return os.path.abspath(path)
    base = fallback_directory or os.getcwd()
    name = os.path.basename(uri.split(":", 1)[-1]) or UNTITLED_NAME
    if not name.endswith((".py", ".pyi", ".ipynb")):
        name = UNTITLED_NAME
    return os.path.join(os.path.abspath(base), name)


def uri_of_path(path: str) -> str:
    return from_fs_path(path) or Path(path).as_uri()


@dataclass(frozen=True)
class TextSnapshot:
    """One open Python buffer at one version."""

    uri: str
    path: str  # absolute file system path (see `path_of_uri`)
    version: Optional[int]
    text: str


@dataclass(frozen=True)
class CellSnapshot:
    """One cell of an open notebook."""

    uri: str  # the cell's own text document (where its diagnostics and edits go)
    number: int  # 1-based position among all cells, as the product numbers cells
    is_code: bool
    language_id: str
    text: str
    version: Optional[int] = None

    @property
    def is_python(self) -> bool:
        return self.is_code and self.language_id.lower() in PYTHON_LANGUAGE_IDS


@dataclass(frozen=True)
class NotebookSnapshot:
    """One open notebook at one version, its cells in order."""

    uri: str
    path: str
    version: Optional[int]
    cells: Tuple[CellSnapshot, ...]

    def cell(self, number: int) -> Optional[CellSnapshot]:
        if 1 <= number <= len(self.cells):
            return self.cells[number - 1]
        return None

    def cell_by_uri(self, uri: str) -> Optional[CellSnapshot]:
        for cell in self.cells:
            if cell.uri == uri:
                return cell
        return None

    def as_ipynb(self) -> str:
        """The cells as nbformat 4 JSON. Markup cells keep their place (cell numbers count
        every cell) as markdown; a code cell keeps its language as VS Code records it."""
        cells = []
        for cell in self.cells:
            if cell.is_code:
                cells.append(
                    {
                        "cell_type": "code",
                        "execution_count": None,
                        "metadata": {"vscode": {"languageId": cell.language_id}},
                        "outputs": [],
                        "source": cell.text,
                    }
                )
            else:
                cells.append({"cell_type": "markdown", "metadata": {}, "source": cell.text})
        document = {
            "cells": cells,
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"




def overlay_of(buffers: Mapping[str, TextSnapshot]) -> Dict[Path, str]:
    """Resolved path -> text of every open Python buffer backed by a file: what the project's
    import resolution reads instead of the file on disk."""
    overlay: Dict[Path, str] = {}
    for snapshot in buffers.values():
        if snapshot.uri.startswith("file:") and snapshot.path.endswith((".py", ".pyi")):
            overlay[Path(snapshot.path).resolve()] = snapshot.text
    return overlay
