"""Time two revisions of cachelint on the same trees, in one run: `python bench/compare_revisions.py OLD [NEW]`.

For a refactor that must not cost speed: each revision is checked out into its own git worktree
(NEW defaults to the working tree), and `cachelint check --no-cache` runs on the bench's sparse
tree, dense tree and single SDK-free file with `PYTHONPATH` pointing at that revision's `src/`.
Runs alternate between the revisions (OLD, NEW, OLD, NEW, ...) so that load on the machine falls
on both alike; the table gives medians of wall and CPU time and the NEW/OLD ratios.
Both revisions run with the interpreter and libraries of this environment.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure  # noqa: E402  (bench/ is not a package: run as a script)
import trees  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from cachelint.cli.main import main; sys.argv[0] = 'cachelint'; main()"
LEGACY_ENTRY = "import sys; from cachelint.cli import main; sys.argv[0] = 'cachelint'; main()"


def _checkout(revision: str, into: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", "-q", str(into), revision],
        check=True,
    )
    return into


def _entry_for(src: Path) -> str:
    # Revisions before the stage folders had `cachelint/cli.py` with `main` in it.
    return ENTRY if (src / "cachelint" / "cli" / "main.py").is_file() else LEGACY_ENTRY


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the baseline revision (a commit, tag or branch)")
    parser.add_argument("new", nargs="?", help="the revision to compare (default: the working tree)")
    parser.add_argument("--corpus", type=Path, default=trees.default_corpus_dir())
    parser.add_argument("--repeat", type=int, default=7, help="runs per revision and tree")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="cachelint-compare-"))
    checkouts: List[Path] = []
    try:
        old_root = _checkout(args.old, work / "old")
        checkouts.append(old_root)
        if args.new:
            new_root = _checkout(args.new, work / "new")
            checkouts.append(new_root)
        else:
            new_root = REPO_ROOT
        sources = {"old": old_root / "src", "new": new_root / "src"}

        trees.ensure_corpus(args.corpus, REPO_ROOT, lambda line: print(line, file=sys.stderr))
        sparse = trees.build_sparse_tree(work / "sparse")
        dense = trees.build_dense_tree(args.corpus, work / "dense")
        single = trees.pick_single_file(sparse)
        cases = {
            f"sparse ({len(sparse.files)} files)": (sparse.root, "."),
            f"dense ({len(dense.files)} files)": (dense.root, "."),
            f"single ({single.name})": (single.parent, single.name),
        }
        results: Dict[str, Dict[str, List[measure.RunResult]]] = {}
        for case, (cwd, target) in cases.items():
            results[case] = {"old": [], "new": []}
            # One unmeasured run each first: a fresh checkout has no bytecode cache yet.
            for run_index in range(args.repeat + 1):
                for side in ("old", "new"):
                    env = dict(measure.tool_environment(), PYTHONPATH=str(sources[side]))
                    argv_ = [sys.executable, "-c", _entry_for(sources[side]), "check", "--no-cache", target]
                    result = measure.run(measure.Command(side, argv_, cwd), env=env)
                    if run_index:
                        results[case][side].append(result)
            print(f"done: {case}", file=sys.stderr)

        print(f"old = {args.old}, new = {args.new or 'working tree'}; medians of {args.repeat} alternated runs")
        print(f"{'tree':<28} {'old wall':>9} {'new wall':>9} {'ratio':>6} {'old cpu':>8} {'new cpu':>8} {'ratio':>6}")
        for case, sides in results.items():
            wall = {side: statistics.median(r.seconds for r in runs) for side, runs in sides.items()}
            cpu = {side: statistics.median(r.cpu_seconds for r in runs) for side, runs in sides.items()}
            exits = {side: sorted({r.exit_code for r in runs}) for side, runs in sides.items()}
            print(
                f"{case:<28} {wall['old']:>8.3f}s {wall['new']:>8.3f}s {wall['new'] / wall['old']:>5.2f}x"
                f" {cpu['old']:>7.3f}s {cpu['new']:>7.3f}s {cpu['new'] / cpu['old']:>5.2f}x"
                + ("" if exits["old"] == exits["new"] else f"  exit codes differ: {exits}")
            )
        return 0
    finally:
        for checkout in checkouts:
            subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(checkout)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
