"""`--output-format concise`: `path:row:col: CODE message`, one finding per line, then a footer.

In a notebook the position is `path:cell N:row:col` (rows count within cell N), as in ruff.
"""

from __future__ import annotations

from cachelint.report import summary


def render(result, context) -> str:
    lines = [
        f"{d.path}:{summary.position(d)}: {d.code} {d.message}"
        for d in result.diagnostics
    ]
    if context.fix_mode and context.show_fixes:
        lines += ["", summary.fixed_listing(result)] if lines else [summary.fixed_listing(result)]
    if lines:
        lines.append("")
    lines.append(summary.footer(result, context))
    return "\n".join(lines) + "\n"
