"""Build the benchmark's input trees from what is installed, in a scratch directory.

- sparse: the Python standard library plus the running interpreter's site-packages (almost no
  file calls the Anthropic SDK: what a linter meets in a typical large repository).
- dense: the published packages that call the SDK, fetched by shared/corpus/fetch-real-code.sh,
  keeping only the files that make an SDK request call (`<x>.messages.create(...)` and the other
  request methods, found with Python's own `ast`, independently of cachelint): every file is
  work for cachelint, none can be skipped.

Only `.py` files are copied, so nothing installed is touched. Files that Python itself cannot
decode (the standard library's test suite ships a few on purpose) are left out. Directories that
linters skip by default (ruff's default excludes: `build`, `dist`, `venv`, `site-packages`,
hidden folders, ...) are left out too, so that every tool compared sees exactly the same files.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Tuple

# Directory names that ruff (and most linters) skip without being told; see ruff's `exclude`.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)

SDK_MARKERS = (b"anthropic", b"messages.create")
REQUEST_METHODS = frozenset({"create", "stream", "parse", "count_tokens", "tool_runner"})
SURFACE_STEPS = frozenset({"with_raw_response", "with_streaming_response", "batches"})

FETCHED_PACKAGES_SCRIPT = Path("corpus") / "fetch-real-code.sh"


@dataclass(frozen=True)
class Tree:
    name: str
    root: Path
    files: Tuple[Path, ...]
    lines: int
    megabytes: float
    undecodable_skipped: int = 0

    def describe(self) -> str:
        text = f"{len(self.files):,} files, {self.lines:,} lines, {self.megabytes:.0f} MB"
        if self.undecodable_skipped:
            text += f" ({self.undecodable_skipped} undecodable files left out)"
        return text


def _skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in DEFAULT_EXCLUDED_DIRS


def _python_files(root: Path) -> Iterator[Path]:
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(name for name in subdirs if not _skipped_dir(name))
        for name in sorted(names):
            if name.endswith(".py"):
                yield Path(directory) / name


def _decodable(data: bytes) -> bool:
    """Whether Python could read this source (PEP 263 declaration or BOM, else UTF-8)."""
    lines = iter(data.splitlines(keepends=True))
    try:
        encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
        data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return False
    return True


def _copy_files(sources: Iterable[Tuple[Path, Path]], destination: Path, name: str) -> Tree:
    """Copy (source file, path relative to destination) pairs and count what was copied."""
    remove_tree(destination)  # a kept --work-dir must not keep files of an earlier build
    files: List[Path] = []
    lines = 0
    size = 0
    skipped = 0
    for source, relative in sources:
        data = source.read_bytes()
        if not _decodable(data):
            skipped += 1
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(target)
        lines += data.count(b"\n")
        size += len(data)
    return Tree(name, destination, tuple(files), lines, size / 1e6, skipped)


def installed_python_roots() -> List[Tuple[str, Path]]:
    """(label, directory) for the standard library and the interpreter's site-packages."""
    paths = sysconfig.get_paths()
    roots = [("stdlib", Path(paths["stdlib"]))]
    seen = {roots[0][1].resolve()}
    for key in ("purelib", "platlib"):
        path = Path(paths[key])
        if path.is_dir() and path.resolve() not in seen:
            seen.add(path.resolve())
            roots.append(("packages" if len(roots) == 1 else f"packages-{len(roots)}", path))
    return roots


def build_sparse_tree(destination: Path) -> Tree:
    def sources() -> Iterator[Tuple[Path, Path]]:
        for label, root in installed_python_roots():
            # The base interpreter's own site-packages sits inside the stdlib folder; it is not
            # the standard library and _skipped_dir leaves it out.
            for path in _python_files(root):
                yield path, Path(label) / path.relative_to(root)

    return _copy_files(sources(), destination, "sparse")


def default_corpus_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "cachelint-bench" / "corpus"


def find_fetch_script(repo_root: Path) -> Optional[Path]:
    """shared/ sits beside the project checkout (../shared/corpus/fetch-real-code.sh)."""
    for candidate in (
        repo_root.parent / "shared" / FETCHED_PACKAGES_SCRIPT,
        repo_root / "shared" / FETCHED_PACKAGES_SCRIPT,
    ):
        if candidate.is_file():
            return candidate
    return None


def ensure_corpus(corpus: Path, repo_root: Path, log) -> None:
    """Download the SDK-calling packages into `corpus` unless they are already there."""
    has_packages = corpus.is_dir() and any(
        child.is_dir() and "==" in child.name for child in corpus.iterdir()
    )
    if has_packages:
        return
    script = find_fetch_script(repo_root)
    if script is None:
        raise FileNotFoundError(
            "no corpus at %s and no shared/corpus/fetch-real-code.sh next to the checkout; "
            "pass --corpus DIR" % corpus
        )
    log(f"downloading the dense corpus into {corpus} (once) ...")
    corpus.mkdir(parents=True, exist_ok=True)
    subprocess.run(["bash", str(script), str(corpus)], check=True, stdout=sys.stderr)


def calls_the_sdk(data: bytes) -> bool:
    """Whether the code makes a call `<x>.messages.<request method>(...)` (also through
    `with_raw_response` / `with_streaming_response` / `batches`), by Python's own parser."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in REQUEST_METHODS:
            continue
        receiver = node.func.value
        while isinstance(receiver, ast.Attribute) and receiver.attr in SURFACE_STEPS:
            receiver = receiver.value
        if isinstance(receiver, ast.Attribute) and receiver.attr == "messages":
            return True
    return False


def build_dense_tree(corpus: Path, destination: Path) -> Tree:
    def sources() -> Iterator[Tuple[Path, Path]]:
        for package in sorted(corpus.iterdir()):
            if not package.is_dir() or _skipped_dir(package.name):
                continue
            for path in _python_files(package):
                data = path.read_bytes()
                if any(marker in data for marker in SDK_MARKERS) and calls_the_sdk(data):
                    yield path, Path(package.name.replace("==", "-")) / path.relative_to(package)

    tree = _copy_files(sources(), destination, "dense")
    if not tree.files:
        raise FileNotFoundError(f"no Python file mentioning the SDK under {corpus}")
    return tree


def pick_single_file(sparse: Tree) -> Path:
    """A typical, SDK-free module: what a pre-commit hook sees for most commits."""
    preferred = sparse.root / "stdlib" / "argparse.py"
    if preferred.is_file():
        return preferred
    for path in sparse.files:
        data = path.read_bytes()
        if 20_000 < len(data) < 200_000 and not any(m in data for m in SDK_MARKERS):
            return path
    raise FileNotFoundError("no SDK-free file of typical size in the sparse tree")


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
