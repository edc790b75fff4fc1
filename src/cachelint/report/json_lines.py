"""`--output-format json-lines`: one compact JSON object per line."""

from __future__ import annotations

import json

from cachelint.report.serialize import diagnostic_objects


def render(result, context) -> str:
    lines = [
        json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for item in diagnostic_objects(result)
    ]
    return "".join(line + "\n" for line in lines)
