"""`--output-format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.

URIs are relative to the working directory (forward slashes) with `uriBaseId` %SRCROOT%, so
uploads from the repository root line up with the checkout. Columns count code points, which the
run declares with `columnKind`.
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


def render(result, context) -> str:
    cwd = os.path.abspath(context.cwd)
    entries = rule_entries()
    index_by_code = {entry.code: index for index, entry in enumerate(entries)}
    absolute = {f.path: f.absolute_path for f in result.files}
    results: List[Dict[str, Any]] = []
    for d in result.diagnostics:
        item: Dict[str, Any] = {"ruleId": d.code}
        if d.code in index_by_code:
            item["ruleIndex"] = index_by_code[d.code]
        item.update(
            {
                "level": "error",
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact_location(
                                absolute.get(d.path, d.path), cwd
                            ),
                            "region": {
                                "startLine": d.location.row,
                                "startColumn": d.location.column,
                                "endLine": d.end_location.row,
                                "endColumn": d.end_location.column,
                            },
                        }
                    }
                ],
            }
        )
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
