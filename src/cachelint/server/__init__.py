"""`cachelint server`: a language server (LSP over stdio, built on pygls) for editors.

The server lints each open buffer with the product's own code path (`run.runner.lint_source`,
the file's own settings from its nearest pyproject.toml) and shows the same findings
`cachelint check` reports, with quick fixes, `# noqa` actions and the rule's documentation on
hover. pygls is an optional dependency (`pip install "cachelint[server]"`): nothing here is
imported by the command line unless `cachelint server` runs.

Modules: `app` (the pygls wiring), `scheduling` (debounced lints and dependent refreshes),
`linting` (one snapshot in, one frozen outcome out), `documents` (immutable snapshots of open
buffers and notebooks), `config` (client options and per-file settings), `positions` (offsets
and rows/columns to LSP positions), `diagnostics`, `actions` and `hover` (LSP payloads).
"""

from __future__ import annotations

INSTALL_HINT = 'cachelint server needs pygls: pip install "cachelint[server]"'


def main() -> int:
    """Serve one editor over stdio; returns the exit status (0 after a clean shutdown)."""
    from cachelint.core.errors import CachelintError

    try:
        import pygls  # noqa: F401 - only to tell a missing extra from a bug
    except ImportError:
        raise CachelintError(INSTALL_HINT) from None
    from cachelint.server.app import serve_stdio

    serve_stdio()
    return 0
