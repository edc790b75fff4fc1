"""`--output-format github`: GitHub Actions workflow commands, shown as annotations on the PR.

In a notebook, `line`/`col` point into the .ipynb file itself (the JSON line holding that source
line, which is where GitHub shows the file's diff), and the message starts with the position in
the cell: `cell 7:4:5: CL001 ...`.
"""

from __future__ import annotations


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, context) -> str:
    texts = {f.path: f.text for f in result.files}
    lines = []
    for d in result.diagnostics:
        path = d.path.replace("\\", "/")
        start, end, message = d.location, d.end_location, f"{d.code} {d.message}"
        if d.cell is not None:
            from cachelint.source.notebook import file_location

            text = texts.get(d.path)
            start = file_location(text, d.cell, d.location)
            end = file_location(text, d.cell, d.end_location)
            message = f"cell {d.cell}:{d.location.row}:{d.location.column}: {message}"
        properties = [
            f"title={_escape_property(f'cachelint ({d.code})')}",
            f"file={_escape_property(path)}",
        ]
        if start is not None:
            properties += [f"line={start.row}", f"col={start.column}"]
            if end is not None:
                properties += [f"endLine={end.row}", f"endColumn={end.column}"]
        lines.append(f"::error {','.join(properties)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)
