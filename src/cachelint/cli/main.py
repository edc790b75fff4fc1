"""The `cachelint` console entry point (`cachelint.cli.main:main`, also `python -m cachelint`).

Kept tiny because every run starts here: the common pre-commit run (`cachelint check` on files
that do not call the SDK) is answered by `cachelint.cli.fastpath` without importing click, the
configuration dataclasses or any analysis code. Everything else goes to the click command line
in `cachelint.cli.commands`, with the same arguments.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> None:
    """Console-script entry point: the fast path when it applies, else the click commands."""
    from cachelint.cli.fastpath import run_fast_path

    args = sys.argv[1:] if argv is None else list(argv)
    status = run_fast_path(args)
    if status is not None:
        sys.exit(status)
    from cachelint.cli.commands import main as run_commands

    run_commands(argv)
