"""`--statistics`: one line per code with its count, fixability and summed estimated waste."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import List, Optional

from cachelint.fix.apply import is_applicable


@dataclass(frozen=True)
class CodeStatistics:
    code: str
    name: str
    count: int
    fixable: int  # how many have a fix applicable with the current --unsafe-fixes setting
    tokens_per_call: Optional[
        int
    ]  # summed over findings with a cost estimate; None when none has one
    usd_per_1k_calls: Optional[float]  # summed over findings with a known price


def collect(result, unsafe_fixes: bool = False) -> List[CodeStatistics]:
    grouped = {}
    for d in result.diagnostics:
        grouped.setdefault(d.code, []).append(d)
    rows = []
    for code in sorted(grouped):
        items = grouped[code]
        costs = [d.cost for d in items if d.cost is not None]
        prices = [c.usd_per_1k_calls for c in costs if c.usd_per_1k_calls is not None]
        rows.append(
            CodeStatistics(
                code=code,
                name=items[0].name,
                count=len(items),
                fixable=sum(1 for d in items if is_applicable(d.fix, unsafe_fixes)),
                tokens_per_call=sum(c.tokens_per_call for c in costs) if costs else None,
                usd_per_1k_calls=round(sum(prices), 4) if prices else None,
            )
        )
    rows.sort(key=lambda row: (-row.count, row.code))
    return rows


def render_text(result, context) -> str:
    rows = collect(result, context.unsafe_fixes)
    if not rows:
        return ""
    table = []
    for row in rows:
        marker = "[*]" if row.fixable == row.count else ("[-]" if row.fixable else "   ")
        tokens = f"~{row.tokens_per_call:,} tokens/call" if row.tokens_per_call is not None else "-"
        usd = (
            f"~${row.usd_per_1k_calls:,.2f} per 1k calls"
            if row.usd_per_1k_calls is not None
            else "-"
        )
        table.append((str(row.count), row.code, f"{marker} {row.name}", tokens, usd))
    widths = [max(len(cells[i]) for cells in table) for i in range(5)]
    lines = []
    for cells in table:
        count = cells[0].rjust(widths[0])
        rest = [cell.ljust(width) for cell, width in zip(cells[1:], widths[1:])]
        lines.append("  ".join([count] + rest).rstrip())
    return "\n".join(lines) + "\n"


def render_json(result, context) -> str:
    rows = [
        {
            "code": row.code,
            "name": row.name,
            "count": row.count,
            "fixable": row.fixable == row.count,
            "fixable_count": row.fixable,
            "tokens_per_call": row.tokens_per_call,
            "usd_per_1k_calls": row.usd_per_1k_calls,
            "estimate": True,
        }
        for row in collect(result, context.unsafe_fixes)
    ]
    return json.dumps(rows, indent=2) + "\n"
