"""cachelint speed benchmark: `python bench/run.py [--json] [options]`.

Builds its input trees from what is installed (see trees.py), then times cachelint side by side
with reference tools, interleaving their runs and reporting medians:

  sparse   cachelint check           vs  ruff check --isolated --no-cache --select E9,F63
  dense    cachelint check           vs  fixit lint (one trivial rule enabled)
  parse    cachelint check (all cores)  vs  bare libcst.parse_module of the same files (1 core)
  single   cachelint check FILE      vs  ruff on the same SDK-free file
  cache    cachelint, warm cache     vs  cachelint, cold cache (dense tree)
  memory   peak memory of cachelint on the sparse tree

ruff and fixit are benchmark-only tools (`pip install ruff fixit`); when one is missing its
comparison is skipped with a note. Progress goes to stderr; the table (or JSON) to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure  # noqa: E402  (bench/ is not a package: run as a script)
import trees  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPARISONS = ("sparse", "dense", "parse", "single", "cache", "memory")
MEMORY_LIMIT_MB = 500.0

FIXIT_RULE = "fixit.rules:NoRedundantFString"
FIXIT_CONFIG = """\
[tool.fixit]
root = true
enable = ["{rule}"]
"""

LIBCST_PARSE_SCRIPT = """\
import sys
import libcst
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
for path in paths:
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        libcst.parse_module(source)
    except Exception:
        pass
"""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- tools ---------------------------------------------------------------------------------


def _find_executable(name: str) -> Optional[str]:
    """Prefer the tool installed next to this interpreter (the same virtualenv)."""
    sibling = Path(sys.executable).parent / name
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which(name)


def _version(argv: Sequence[str]) -> str:
    try:
        result = subprocess.run(
            list(argv) + ["--version"], capture_output=True, text=True, timeout=60
        )
    except OSError as error:
        return f"unavailable ({error})"
    text = (result.stdout or result.stderr).strip().splitlines()
    return text[0] if result.returncode == 0 and text else "unavailable"


@dataclass(frozen=True)
class CachelintCli:
    """What this build of the CLI supports, read from `cachelint check --help`."""

    argv: Sequence[str]
    no_cache: bool
    cache_dir: bool
    jobs_flag: Optional[str]

    @classmethod
    def detect(cls, argv: Sequence[str]) -> "CachelintCli":
        result = subprocess.run(
            list(argv) + ["check", "--help"], capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(argv)} check --help` failed:\n{result.stdout}{result.stderr}"
            )
        text = result.stdout
        jobs = None
        for flag in ("--jobs", "--workers", "--threads"):
            if re.search(rf"(^|\s){flag}\b", text):
                jobs = flag
                break
        return cls(
            argv=tuple(argv),
            no_cache=bool(re.search(r"(^|\s)--no-cache\b", text)),
            cache_dir=bool(re.search(r"(^|\s)--cache-dir\b", text)),
            jobs_flag=jobs,
        )

    def check(
        self,
        *paths: str,
        cache: bool = False,
        cache_dir: Optional[Path] = None,
        jobs: Optional[int] = None,
    ) -> List[str]:
        argv = list(self.argv) + ["check"]
        if cache_dir is not None:
            argv += ["--cache-dir", str(cache_dir)]
        elif not cache and self.no_cache:
            argv.append("--no-cache")
        if jobs is not None and self.jobs_flag:
            argv += [self.jobs_flag, str(jobs)]
        return argv + list(paths)


# -- results -------------------------------------------------------------------------------


@dataclass
class Side:
    label: str
    argv: List[str]
    seconds: List[float] = field(default_factory=list)
    exit_codes: List[int] = field(default_factory=list)
    max_process_rss_mb: List[float] = field(default_factory=list)
    tree_rss_peak_mb: List[Optional[float]] = field(default_factory=list)
    cpu_seconds: List[float] = field(default_factory=list)
    load_averages: List[float] = field(default_factory=list)

    @property
    def median_cpu(self) -> Optional[float]:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None

    @property
    def median(self) -> Optional[float]:
        return statistics.median(self.seconds) if self.seconds else None


@dataclass
class Comparison:
    key: str
    title: str
    target: str
    limit: Optional[float]  # ratio (or MB for memory) that meets the target
    strict: bool  # target is "<" rather than "<="
    cachelint: Optional[Side] = None
    reference: Optional[Side] = None
    value: Optional[float] = None  # ratio cachelint / reference, or MB for memory
    unit: str = "x"
    note: str = ""
    errors: List[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.errors:
            return "ERROR"
        if self.value is None or self.limit is None:
            return "skipped"
        ok = self.value < self.limit if self.strict else self.value <= self.limit
        return "met" if ok else "MISSED"


ACCEPTED_EXIT_CODES = (0, 1)  # 1 = findings, which both linters report on these trees


RUN_TIMEOUT_SECONDS = [1800.0]  # set from --timeout


def _run_side(
    side: Side, command: measure.Command, comparison: Comparison, sample_memory: bool = False
) -> Optional[measure.RunResult]:
    result = measure.run(command, sample_tree_memory=sample_memory, timeout=RUN_TIMEOUT_SECONDS[0])
    if sample_memory:
        side.tree_rss_peak_mb.append(result.tree_rss_peak_mb)
    side.seconds.append(result.seconds)
    side.exit_codes.append(result.exit_code)
    side.max_process_rss_mb.append(result.max_process_rss_mb)
    side.cpu_seconds.append(result.cpu_seconds)
    side.load_averages.append(result.load_average)
    if result.exit_code not in ACCEPTED_EXIT_CODES:
        comparison.errors.append(
            f"{side.label} exited {result.exit_code}: {result.output_tail.strip()[-600:]}"
        )
    return result


def time_pair(
    comparison: Comparison,
    ours: measure.Command,
    theirs: measure.Command,
    repeats: int,
    warmups: Sequence[measure.Command] = (),
    sample_memory_ours: bool = False,
) -> None:
    """Alternate the two commands so that machine noise hits both alike."""
    for warmup in warmups:
        measure.run(warmup)
    comparison.cachelint = Side(ours.label, list(ours.argv))
    comparison.reference = Side(theirs.label, list(theirs.argv))
    for index in range(repeats):
        log(f"  {comparison.key}: run {index + 1}/{repeats}")
        _run_side(comparison.cachelint, ours, comparison, sample_memory=sample_memory_ours)
        _run_side(comparison.reference, theirs, comparison)
        if comparison.errors:
            return
    comparison.value = comparison.cachelint.median / comparison.reference.median


# -- the benchmark -------------------------------------------------------------------------


@dataclass
class Setup:
    work: Path
    sparse: trees.Tree
    dense: Optional[trees.Tree]
    single_file: Path
    cachelint: CachelintCli
    ruff: Optional[str]
    fixit: Optional[str]
    notes: List[str]
    sparse_cachelint_runs: Optional[Side] = None


def _ruff_command(setup: Setup, *paths: str) -> List[str]:
    assert setup.ruff
    return [setup.ruff, "check", "--isolated", "--no-cache", "--select", "E9,F63", *paths]


def bench_sparse(setup: Setup, repeats: int) -> Comparison:
    comparison = Comparison(
        "sparse", "sparse tree: cachelint vs ruff (E9,F63)", "cachelint <= ruff", 1.0, strict=False
    )
    if not setup.ruff:
        comparison.note = "ruff not installed (pip install ruff): skipped"
        return comparison
    root = setup.sparse.root
    time_pair(
        comparison,
        measure.Command("cachelint", setup.cachelint.check("."), root),
        measure.Command("ruff", _ruff_command(setup, "."), root),
        repeats,
        warmups=_warmups(setup, with_ruff=True),
        sample_memory_ours=measure.tree_sampling_available(),
    )
    setup.sparse_cachelint_runs = comparison.cachelint
    return comparison


def bench_dense(setup: Setup, repeats: int) -> Comparison:
    comparison = Comparison(
        "dense", "dense tree: cachelint vs Fixit (1 rule)", "cachelint < Fixit", 1.0, strict=True
    )
    if setup.dense is None:
        comparison.note = "no dense corpus: skipped"
        return comparison
    if not setup.fixit:
        comparison.note = "fixit not installed (pip install fixit): skipped"
        return comparison
    config = setup.work / "fixit.toml"
    config.write_text(FIXIT_CONFIG.format(rule=FIXIT_RULE), encoding="utf-8")
    root = setup.dense.root
    fixit_argv = [setup.fixit, "--config-file", str(config), "--rules", FIXIT_RULE, "lint", "."]
    time_pair(
        comparison,
        measure.Command("cachelint", setup.cachelint.check("."), root),
        measure.Command("fixit", fixit_argv, root),
        repeats,
        warmups=[
            measure.Command("fixit warm-up", fixit_argv[:-1] + [str(setup.single_file)], root),
            *_warmups(setup, with_ruff=False),
        ],
    )
    return comparison


def bench_parse(setup: Setup, repeats: int) -> Comparison:
    comparison = Comparison(
        "parse",
        "dense tree: cachelint (all cores) vs bare libcst parse (1 core)",
        "cachelint <= 1.5x parse",
        1.5,
        strict=False,
    )
    if setup.dense is None:
        comparison.note = "no dense corpus: skipped"
        return comparison
    if not measure.can_pin():
        comparison.note = "cannot pin to one core on this platform: skipped"
        return comparison
    file_list = setup.work / "dense-files.txt"
    file_list.write_text("\n".join(str(p) for p in setup.dense.files), encoding="utf-8")
    script = setup.work / "parse_only.py"
    script.write_text(LIBCST_PARSE_SCRIPT, encoding="utf-8")
    root = setup.dense.root
    one_file = setup.work / "one-file.txt"
    one_file.write_text(str(setup.single_file), encoding="utf-8")
    time_pair(
        comparison,
        measure.Command("cachelint", setup.cachelint.check("."), root),
        measure.Command(
            "libcst.parse_module",
            [sys.executable, str(script), str(file_list)],
            root,
            one_core=True,
        ),
        repeats,
        warmups=[
            measure.Command("parse warm-up", [sys.executable, str(script), str(one_file)], root)
        ],
    )
    return comparison


def bench_single(setup: Setup, repeats: int) -> Comparison:
    comparison = Comparison(
        "single", "one SDK-free file: cachelint vs ruff", "cachelint <= 3x ruff", 3.0, strict=False
    )
    if not setup.ruff:
        comparison.note = "ruff not installed (pip install ruff): skipped"
        return comparison
    root = setup.sparse.root
    relative = str(setup.single_file.relative_to(root))
    time_pair(
        comparison,
        measure.Command("cachelint", setup.cachelint.check(relative), root),
        measure.Command("ruff", _ruff_command(setup, relative), root),
        repeats,
        warmups=_warmups(setup, with_ruff=True),
    )
    return comparison


def bench_cache(setup: Setup, repeats: int) -> Comparison:
    """Warm (second run, cache filled) against cold (empty cache) on the dense tree, where every
    file is analysed (on the sparse tree almost nothing is, so a cache has little to save)."""
    tree = setup.dense or setup.sparse
    comparison = Comparison(
        "cache", f"{tree.name} tree: warm cache vs cold cache", "warm <= 0.2x cold", 0.2, strict=False
    )
    cli = setup.cachelint
    if not (cli.no_cache or cli.cache_dir):
        comparison.note = "cachelint has no --no-cache/--cache-dir yet (no result cache): skipped"
        return comparison
    root = tree.root
    warm_dir = setup.work / "cache-warm"
    cold_dir = setup.work / "cache-cold"
    default_cache = root / ".cachelint_cache"

    def cold_command() -> measure.Command:
        if cli.cache_dir:
            trees.remove_tree(cold_dir)
            return measure.Command("cold", cli.check(".", cache_dir=cold_dir), root)
        trees.remove_tree(default_cache)
        return measure.Command("cold", cli.check(".", cache=True), root)

    warm = measure.Command(
        "warm",
        cli.check(".", cache_dir=warm_dir) if cli.cache_dir else cli.check(".", cache=True),
        root,
    )
    log("  cache: priming the warm cache")
    measure.run(warm)
    if not cli.cache_dir and not default_cache.exists():
        comparison.note = (
            f"no cache written at {default_cache.name} and no --cache-dir flag: "
            "cold runs may not be cold"
        )
    comparison.cachelint = Side("warm", list(warm.argv))
    comparison.reference = Side("cold", list(cold_command().argv))
    for index in range(repeats):
        log(f"  cache: run {index + 1}/{repeats}")
        _run_side(comparison.reference, cold_command(), comparison)
        if not cli.cache_dir:
            measure.run(warm)  # the cold run emptied the shared default cache: refill it
        _run_side(comparison.cachelint, warm, comparison)
        if comparison.errors:
            return comparison
    comparison.value = comparison.cachelint.median / comparison.reference.median
    return comparison


def bench_memory(setup: Setup, repeats: int) -> Comparison:
    """Peak memory on the sparse tree: taken from the sparse comparison's cachelint runs when
    they happened (the /proc sampling costs little), else from runs of its own."""
    comparison = Comparison(
        "memory",
        "sparse tree: peak memory of cachelint check",
        f"< {MEMORY_LIMIT_MB:.0f} MB",
        MEMORY_LIMIT_MB,
        strict=True,
        unit="MB",
    )
    sample = measure.tree_sampling_available()
    side = setup.sparse_cachelint_runs
    source = "during the sparse runs"
    if side is None or not side.seconds:
        command = measure.Command("cachelint", setup.cachelint.check("."), setup.sparse.root)
        side = Side("cachelint", list(command.argv))
        source = "own runs"
        for index in range(repeats):
            log(f"  memory: run {index + 1}/{repeats}")
            _run_side(side, command, comparison, sample_memory=sample)
            if comparison.errors:
                break
    comparison.cachelint = side
    if comparison.errors or not side.max_process_rss_mb:
        return comparison
    largest = max(side.max_process_rss_mb)
    sampled = [peak for peak in side.tree_rss_peak_mb if peak is not None]
    if sample and sampled:
        comparison.value = max(sampled + [largest])
        comparison.note = (
            f"all processes (sampled /proc, {source}); largest single process {largest:.0f} MB"
        )
    else:
        comparison.value = largest
        comparison.note = f"largest single process only ({source}; no /proc sampling here)"
    return comparison


BENCHES: Dict[str, Callable[[Setup, int], Comparison]] = {
    "sparse": bench_sparse,
    "dense": bench_dense,
    "parse": bench_parse,
    "single": bench_single,
    "cache": bench_cache,
    "memory": bench_memory,
}
SLOW = {"sparse", "dense", "parse", "cache", "memory"}


def _warmups(setup: Setup, with_ruff: bool) -> List[measure.Command]:
    """One untimed run of each tool on a small file: compiles .pyc files, loads caches."""
    root = setup.sparse.root
    target = str(setup.single_file)
    commands = [measure.Command("cachelint warm-up", setup.cachelint.check(target), root)]
    if with_ruff and setup.ruff:
        commands.append(measure.Command("ruff warm-up", _ruff_command(setup, target), root))
    return commands


# -- output --------------------------------------------------------------------------------


def _fmt_seconds(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f} s"


def render_table(report: dict, comparisons: List[Comparison]) -> str:
    header = (
        "comparison", "cachelint", "reference", "ratio", "target", "verdict", "cpu s (ratio)", "load"
    )
    rows = [header]
    for c in comparisons:
        ours = c.cachelint.median if c.cachelint else None
        theirs = c.reference.median if c.reference else None
        cpu = "-"
        if c.cachelint and c.cachelint.median_cpu is not None:
            cpu = f"{c.cachelint.median_cpu:.2f}"
            if c.reference and c.reference.median_cpu:
                cpu += f" / {c.reference.median_cpu:.2f} ({c.cachelint.median_cpu / c.reference.median_cpu:.2f}x)"
        loads = (c.cachelint.load_averages if c.cachelint else []) + (
            c.reference.load_averages if c.reference else []
        )
        load = f"{statistics.median(loads):.1f}" if loads else "-"
        if c.unit == "MB":
            ours_text = "-" if c.value is None else f"{c.value:.0f} MB peak"
            ratio = "-"
            theirs_text = "-"
            cpu = "-"
        else:
            ours_text = _fmt_seconds(ours)
            theirs_text = "-" if theirs is None else f"{_fmt_seconds(theirs)} ({c.reference.label})"
            ratio = "-" if c.value is None else f"{c.value:.2f}x"
        rows.append((c.title, ours_text, theirs_text, ratio, c.target, c.verdict, cpu, load))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        f"cachelint benchmark, {report['date']}, {report['machine']['cpus']} cores, "
        f"Python {report['machine']['python']}",
        f"  {report['versions']['cachelint']}; ruff: {report['versions'].get('ruff', '-')}; "
        f"fixit: {report['versions'].get('fixit', '-')}; libcst {report['versions']['libcst']}",
    ]
    for name, tree in report["trees"].items():
        lines.append(f"  {name} tree: {tree['description']}")
    lines.append(
        f"  medians of {report['repeats']['slow']} runs (slow) / "
        f"{report['repeats']['fast']} runs (fast); ratio and verdict are on wall time; "
        "cpu = user + system seconds of all processes; load = 1-minute load average at the starts"
    )
    lines.append("")
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"{c.key}: {c.note}" for c in comparisons if c.note]
    notes += [f"{c.key}: {error}" for c in comparisons for error in c.errors]
    notes += report["notes"]
    if notes:
        lines.append("")
        lines.extend(f"note: {note}" for note in notes)
    return "\n".join(lines)


def build_report(setup: Setup, comparisons: List[Comparison], args) -> dict:
    import libcst

    versions = {
        "cachelint": _version(setup.cachelint.argv),
        "libcst": getattr(libcst, "__version__", None) or _package_version("libcst"),
    }
    if setup.ruff:
        versions["ruff"] = _version([setup.ruff])
    if setup.fixit:
        versions["fixit"] = _version([setup.fixit])
    tree_info = {"sparse": setup.sparse}
    if setup.dense is not None:
        tree_info["dense"] = setup.dense
    return {
        "date": datetime.date.today().isoformat(),
        "machine": {
            "cpus": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": versions,
        "trees": {
            name: {
                "files": len(tree.files),
                "lines": tree.lines,
                "megabytes": round(tree.megabytes, 1),
                "description": tree.describe(),
            }
            for name, tree in tree_info.items()
        },
        "single_file": str(setup.single_file.relative_to(setup.sparse.root)),
        "repeats": {"fast": args.repeat_fast, "slow": args.repeat_slow},
        "cachelint_flags": {
            "no_cache": setup.cachelint.no_cache,
            "cache_dir": setup.cachelint.cache_dir,
            "jobs": setup.cachelint.jobs_flag,
        },
        "comparisons": [
            {
                "key": c.key,
                "title": c.title,
                "target": c.target,
                "verdict": c.verdict,
                "value": c.value,
                "unit": c.unit,
                "note": c.note,
                "errors": c.errors,
                "cachelint": asdict(c.cachelint) if c.cachelint else None,
                "reference": asdict(c.reference) if c.reference else None,
                "cachelint_median_s": c.cachelint.median if c.cachelint else None,
                "reference_median_s": c.reference.median if c.reference else None,
            }
            for c in comparisons
        ],
        "notes": setup.notes,
    }


def _package_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--json-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the JSON results to PATH",
    )
    parser.add_argument(
        "--repeat-fast",
        type=int,
        default=5,
        metavar="N",
        help="runs per fast comparison (single file); default 5",
    )
    parser.add_argument(
        "--repeat-slow",
        type=int,
        default=3,
        metavar="N",
        help="runs per slow comparison (whole trees); default 3",
    )
    parser.add_argument(
        "--fixit-runs",
        type=int,
        default=None,
        metavar="N",
        help="runs for the Fixit comparison (Fixit takes minutes on the dense "
        "tree); default: --repeat-slow",
    )
    parser.add_argument(
        "--only",
        default=",".join(COMPARISONS),
        help=f"comma-separated subset of: {', '.join(COMPARISONS)}",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="packages fetched by fetch-real-code.sh (default: "
        "$CACHELINT_CORPUS, else a user cache dir; downloaded if missing)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where to build the trees (default: a temporary dir, removed)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="give up on a single run after this long (default 1800)",
    )
    parser.add_argument(
        "--cachelint",
        default=None,
        help="command to run cachelint (default: the one next to this Python)",
    )
    args = parser.parse_args(argv)
    args.only = [key.strip() for key in args.only.split(",") if key.strip()]
    unknown = sorted(set(args.only) - set(COMPARISONS))
    if unknown:
        parser.error(f"unknown comparison(s): {', '.join(unknown)}")
    if args.repeat_fast < 1 or args.repeat_slow < 1 or (args.fixit_runs or 1) < 1:
        parser.error("repeat counts must be at least 1")
    return args


def _cachelint_argv(args) -> List[str]:
    if args.cachelint:
        return args.cachelint.split()
    found = _find_executable("cachelint")
    return [found] if found else [sys.executable, "-m", "cachelint"]


def prepare(args, work: Path) -> Setup:
    notes: List[str] = []
    cli = CachelintCli.detect(_cachelint_argv(args))
    ruff = _find_executable("ruff")
    fixit = _find_executable("fixit")
    if not ruff:
        notes.append("ruff not found: sparse and single-file comparisons skipped")
    if not fixit:
        notes.append("fixit not found: the Fixit comparison is skipped")

    log("building the sparse tree (stdlib + site-packages, .py files only) ...")
    sparse = trees.build_sparse_tree(work / "sparse")
    log(f"  sparse: {sparse.describe()}")

    dense = None
    if {"dense", "parse"} & set(args.only):
        corpus = args.corpus or Path(
            os.environ.get("CACHELINT_CORPUS") or trees.default_corpus_dir()
        )
        try:
            trees.ensure_corpus(corpus, REPO_ROOT, log)
            dense = trees.build_dense_tree(corpus, work / "dense")
            log(f"  dense: {dense.describe()} (from {corpus})")
        except (OSError, subprocess.CalledProcessError) as error:
            notes.append(f"dense tree unavailable: {error}")
    return Setup(work, sparse, dense, trees.pick_single_file(sparse), cli, ruff, fixit, notes)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    RUN_TIMEOUT_SECONDS[0] = args.timeout
    # SIGTERM unwinds like Ctrl-C, so the running command is killed and the trees removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="cachelint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        setup = prepare(args, work)
        comparisons = []
        for key in COMPARISONS:
            if key in args.only:
                repeats = args.repeat_slow if key in SLOW else args.repeat_fast
                if key == "dense" and args.fixit_runs:
                    repeats = args.fixit_runs
                log(f"{key} ({repeats} runs) ...")
                comparisons.append(BENCHES[key](setup, repeats))
        report = build_report(setup, comparisons, args)
    finally:
        if args.work_dir is None:
            trees.remove_tree(work)
    if args.json_file:
        args.json_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report, comparisons))
    return 1 if any(c.errors for c in comparisons) else 0


if __name__ == "__main__":
    sys.exit(main())
