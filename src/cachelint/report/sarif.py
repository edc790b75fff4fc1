"""`--output-format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.

URIs are relative to the working directory (forward slashes) with `uriBaseId` %SRCROOT%, so
uploads from the repository root line up with the checkout. Columns count code points, which the
run declares with `columnKind`.

Notebook findings: `region` points into the .ipynb file itself (the JSON line holding the source
line, and the column there), because viewers such as GitHub code scanning show the file as it is
on disk; the message starts with `cell N:row:col: `, and `properties` carries
`{"cell": N, "cellRegion": {"startLine", "startColumn", "endLine", "endColumn"}}` with rows and
columns counted within that cell.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Dict, List
from urllib.parse import quote

import cachelint
from cachelint.report.catalogue import rule_entries

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/cachelint/"
SOURCE_ROOT = "%SRCROOT%"


def _rule_descriptor(entry) -> Dict[str, Any]:
    return {
        "id": entry.code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.documentation or entry.summary},
        "help": {
            "text": entry.documentation or entry.summary,
            "markdown": entry.documentation or entry.summary,
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"fix_availability": entry.fix_availability},
    }


def _artifact_location(absolute_path: str, cwd: str) -> Dict[str, str]:
    absolute = os.path.abspath(absolute_path)
    relative = os.path.relpath(absolute, cwd)
    if relative.startswith(os.pardir):
        return {"uri": pathlib.Path(absolute).as_uri()}
    return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": SOURCE_ROOT}


def _region(start, end) -> Dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def _notebook_region(d, text):
    """The finding's place in the .ipynb file's own lines (None when it cannot be located)."""
    from cachelint.source.notebook import file_location

    start = file_location(text, d.cell, d.location)
    end = file_location(text, d.cell, d.end_location)
    if start is None:
        return None
    return _region(start, end if end is not None and end >= start else start)


def render(result, context) -> str:
    cwd = os.path.abspath(context.cwd)
    entries = rule_entries()
    index_by_code = {entry.code: index for index, entry in enumerate(entries)}
    absolute = {f.path: f.absolute_path for f in result.files}
    texts = {f.path: f.text for f in result.files}
    results: List[Dict[str, Any]] = []
    for d in result.diagnostics:
        item: Dict[str, Any] = {"ruleId": d.code}
        if d.code in index_by_code:
            item["ruleIndex"] = index_by_code[d.code]
        region = _region(d.location, d.end_location)
        message = d.message
        if d.cell is not None:
            region = _notebook_region(d, texts.get(d.path)) or region
            message = f"cell {d.cell}:{d.location.row}:{d.location.column}: {message}"
        item.update(
            {
                "level": "error",
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact_location(
                                absolute.get(d.path, d.path), cwd
                            ),
                            "region": region,
                        }
                    }
                ],
            }
        )
        if d.cell is not None:
            item["properties"] = {
                "cell": d.cell,
                "cellRegion": _region(d.location, d.end_location),
            }
        results.append(item)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cachelint",
                        "version": cachelint.__version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(entry) for entry in entries],
                    }
                },
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": pathlib.Path(cwd).as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
