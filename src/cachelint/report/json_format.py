"""`--output-format json`: one JSON array of ruff-shaped objects."""

from __future__ import annotations

import json

from cachelint.report.serialize import diagnostic_objects


def render(result, context) -> str:
    return (
        json.dumps(diagnostic_objects(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
