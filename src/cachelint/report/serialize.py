"""A diagnostic as ruff's JSON object (plus `cost` and `cell`), shared by json and json-lines.

`cell` is null for .py files. For a notebook it is the cell's number (1-based over every cell,
markdown included, as ruff counts), and `location`, `end_location`, `noqa_row` and the fix's edit
locations all count rows and columns within that cell, as in ruff's notebook output.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from cachelint.core.diagnostics import Cost, Diagnostic, Fix, Location


def location(value: Location) -> Dict[str, int]:
    return {"row": value.row, "column": value.column}


def fix_object(fix: Optional[Fix]) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": fix.message,
        "edits": [
            {
                "content": edit.content,
                "location": location(edit.location),
                "end_location": location(edit.end_location),
            }
            for edit in fix.edits
        ],
    }


def cost_object(cost: Optional[Cost]) -> Optional[Dict[str, Any]]:
    if cost is None:
        return None
    return {
        "tokens_per_call": cost.tokens_per_call,
        "model": cost.model,
        "model_assumed": cost.model_assumed,
        "usd_per_1k_calls": cost.usd_per_1k_calls,
        "estimate": True,
    }


def diagnostic_object(diagnostic: Diagnostic, filename: str) -> Dict[str, Any]:
    return {
        "cell": diagnostic.cell,
        "code": diagnostic.code,
        "cost": cost_object(diagnostic.cost),
        "end_location": location(diagnostic.end_location),
        "filename": filename,
        "fix": fix_object(diagnostic.fix),
        "location": location(diagnostic.location),
        "message": diagnostic.message,
        "name": diagnostic.name,
        "noqa_row": diagnostic.noqa_row
        if diagnostic.noqa_row is not None
        else diagnostic.location.row,
        "url": None,
    }


def diagnostic_objects(result):
    """Every remaining diagnostic of a run with its absolute filename, in report order."""
    absolute = {f.path: f.absolute_path for f in result.files}
    return [diagnostic_object(d, absolute.get(d.path, d.path)) for d in result.diagnostics]
