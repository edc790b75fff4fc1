"""Where cachelint's time goes on files that call the SDK: `python bench/profile_dense.py [DIR]`.

Analyses every Python file under DIR (default: the dense tree built from the corpus, see
trees.py) in this process, on one core, without the result cache, and splits the time into
exclusive categories by timing a few entry points (a call's time goes to the innermost timed
function it is in, so nothing is counted twice):

  parse        libcst.parse_module (the analysed files and the project modules they import)
  scopes       cachelint.syntax.scopes.ModuleIndex: the one walk for parents, scopes and bindings
  positions    cachelint.syntax.positions.LazyPositions: the statements holding reported nodes
  metadata     any libcst metadata provider (none is asked for any more)
  tree walks   cachelint.syntax.treewalk.find_all / ModuleIndex.nodes
  codegen      Module.code_for_node / Module.code (source text of nodes)
  recognition  SdkRecognizer.match (receiver resolution included)
  rules        every rule's check / check_module
  other        the rest: value resolution, request building, wrappers' own code, noqa

It also times a bare `libcst.parse_module` of the same files, the reference of the issue's
"<= 1.5x parse" target.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import trees  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]


class ExclusiveTimer:
    def __init__(self) -> None:
        self.totals: Dict[str, float] = defaultdict(float)
        self.stack: List[str] = ["other"]
        self.mark = time.perf_counter()

    def wrap(self, category: str, function: Callable) -> Callable:
        timer = self

        def timed(*args, **kwargs):
            now = time.perf_counter()
            timer.totals[timer.stack[-1]] += now - timer.mark
            timer.stack.append(category)
            timer.mark = now
            try:
                return function(*args, **kwargs)
            finally:
                now = time.perf_counter()
                timer.totals[timer.stack.pop()] += now - timer.mark
                timer.mark = now

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed

    def flush(self) -> None:
        now = time.perf_counter()
        self.totals[self.stack[-1]] += now - self.mark
        self.mark = now


def instrument(timer: ExclusiveTimer) -> None:
    import libcst
    from libcst.metadata import MetadataWrapper

    import cachelint.run.analysis  # noqa: F401  (load everything before patching references)
    import cachelint.run.engine  # noqa: F401
    import cachelint.syntax.positions
    import cachelint.resolve.project  # noqa: F401
    import cachelint.syntax.scopes
    import cachelint.syntax.treewalk
    import cachelint.model.wrappers  # noqa: F401
    from cachelint.rules import RULES
    from cachelint.model.sdk import SdkRecognizer

    originals: List[Tuple[object, str, str]] = [
        (libcst, "parse_module", "parse"),
        (cachelint.syntax.treewalk, "find_all", "tree walks"),
    ]
    for owner, name, category in originals:
        original = getattr(owner, name)
        timed = timer.wrap(category, original)
        setattr(owner, name, timed)
        # modules that imported the function by name keep their own reference: patch those too
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("cachelint") and getattr(module, name, None) is original:
                setattr(module, name, timed)
    index_init = cachelint.syntax.scopes.ModuleIndex.__init__
    cachelint.syntax.scopes.ModuleIndex.__init__ = timer.wrap("scopes", index_init)
    cachelint.syntax.scopes.ModuleIndex.nodes = timer.wrap("tree walks", cachelint.syntax.scopes.ModuleIndex.nodes)
    compute = cachelint.syntax.positions.LazyPositions._compute_for
    cachelint.syntax.positions.LazyPositions._compute_for = timer.wrap("positions", compute)
    # `resolve(P)` calls `resolve_many([P])`: categorise there, by the providers asked for.
    resolve_many = MetadataWrapper.resolve_many
    by_category = {category: timer.wrap(category, resolve_many) for category in ("scopes", "positions", "metadata")}

    def resolve_many_timed(self, providers):
        names = {getattr(provider, "__name__", "") for provider in providers}
        category = "scopes" if "ScopeProvider" in names else "positions" if "PositionProvider" in names else "metadata"
        return by_category[category](self, providers)

    MetadataWrapper.resolve_many = resolve_many_timed
    libcst.Module.code_for_node = timer.wrap("codegen", libcst.Module.code_for_node)
    code_property = libcst.Module.code
    libcst.Module.code = property(timer.wrap("codegen", code_property.fget))
    SdkRecognizer.match = timer.wrap("recognition", SdkRecognizer.match)
    for rule in RULES:
        for method in ("check", "check_module"):
            if method in vars(rule):
                setattr(rule, method, timer.wrap("rules", vars(rule)[method]))


def python_files(root: Path) -> List[Path]:
    return sorted(Path(d) / n for d, _, names in os.walk(root) for n in names if n.endswith(".py"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, help="files to analyse (default: the dense tree)")
    parser.add_argument("--corpus", type=Path, default=None, help="the downloaded corpus (see run.py)")
    args = parser.parse_args(argv)
    work = None
    root = args.directory
    if root is None:
        corpus = args.corpus or Path(os.environ.get("CACHELINT_CORPUS") or trees.default_corpus_dir())
        trees.ensure_corpus(corpus, REPO_ROOT, lambda m: print(m, file=sys.stderr))
        work = Path(tempfile.mkdtemp(prefix="cachelint-profile-"))
        root = trees.build_dense_tree(corpus, work / "dense").root
    files = python_files(root)
    os.chdir(root)

    import libcst

    from cachelint.run import runner
    from cachelint.config.settings import build_settings, discover_config
    from cachelint.source.files import read_source

    sources = [read_source(str(p.relative_to(root))) for p in files]
    started = time.perf_counter()
    for source in sources:
        try:
            libcst.parse_module(source.raw)
        except Exception:
            pass
    bare_parse = time.perf_counter() - started

    settings = build_settings(discover_config(["."]))
    timer = ExclusiveTimer()
    instrument(timer)
    per_file: List[Tuple[float, str]] = []
    timer.totals.clear()
    timer.mark = time.perf_counter()
    started = time.perf_counter()
    for source in sources:
        begin = time.perf_counter()
        runner.lint_source(source, runner.request_for(settings, source.path), os.path.abspath(source.path))
        per_file.append((time.perf_counter() - begin, source.path))
    timer.flush()
    total = time.perf_counter() - started

    size = sum(len(s.raw) for s in sources) / 1e6
    print(f"{len(sources)} files, {size:.1f} MB, one process, Python {sys.version.split()[0]}")
    print(f"bare libcst.parse_module of these files: {bare_parse:.2f} s")
    print(f"cachelint analysis of these files:       {total:.2f} s ({total / bare_parse:.1f}x the bare parse)")
    print()
    print(f"{'category':<14}{'seconds':>9}{'share':>8}{'x bare parse':>14}")
    for category, seconds in sorted(timer.totals.items(), key=lambda item: -item[1]):
        print(f"{category:<14}{seconds:>9.2f}{seconds / total:>8.0%}{seconds / bare_parse:>14.2f}")
    print()
    print("slowest files:")
    for seconds, path in sorted(per_file, reverse=True)[:8]:
        print(f"  {seconds:6.2f} s  {path}")
    if work is not None:
        trees.remove_tree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
