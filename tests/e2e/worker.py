"""One worker process of an e2e session: `python tests/e2e/worker.py PROGRAM CALLS`.

Imports PROGRAM (its `anthropic.Anthropic()` reads ANTHROPIC_BASE_URL from the environment),
prints "ready", waits for a line on stdin, runs `run_session(CALLS)` and prints one JSON line:
{"error": null} or {"error": "TypeError: ..."}. The harness starts several workers with
different PYTHONHASHSEED values, so a program's per-process behaviour (set order) shows.
"""

from __future__ import annotations

import importlib.util
import json
import sys


def main(argv: list) -> int:
    path, calls = argv[1], int(argv[2])
    spec = importlib.util.spec_from_file_location("cachelint_e2e_worker_program", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    error = None
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # reported to the harness, which asserts on it
        error = "%s: %s" % (type(exc).__name__, exc)
    print("ready", flush=True)
    sys.stdin.readline()
    if error is None:
        try:
            module.run_session(calls)
        except Exception as exc:
            error = "%s: %s" % (type(exc).__name__, exc)
    print(json.dumps({"error": error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
