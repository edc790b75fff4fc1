"""Which files may call a project *wrapper*, decided from bytes (no parsing, no libcst).

A file with no SDK call of its own still gets findings when it calls a function of another
project module that forwards its parameters into an SDK call (`from shop.llm import ask;
ask(HANDBOOK, q)`; see `cachelint.wrappers`). The engine only looks for such calls when the file
has `from X import ...` where X is a project module that itself may contain requests. This
module answers the same question from bytes: it lists the `from X import` statements (anywhere,
not only at top level: a superset is safe) and resolves X to a file the way
`cachelint.project.Project.module_file` does, with the searches cached per directory.

Resolution mirrors `Project.search_paths` / `Project.module_file` (tests check that they agree);
keep the two in step.
"""

from __future__ import annotations

import os
import re
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

# `from . import x`, `from ..pkg.mod import (a, b)`, `from pkg \\\n import x`. No `\b` before
# `from`: a pattern that starts with a literal is searched for much faster; the word boundary is
# checked on the few matches instead.
_SPACE = rb"(?:[ \t\f]|\\\r?\n)"
_FROM_IMPORT = re.compile(
    rb"from" + _SPACE + rb"+(\.*)" + _SPACE + rb"*([\w.\x80-\xff]*)" + _SPACE + rb"+import\b"
)
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")

ImportKey = Tuple[int, str]  # (relative level, dotted module name)


def from_imports(data: bytes) -> Tuple[ImportKey, ...]:
    """The distinct `from X import` modules in `data`, in order of first appearance."""
    seen: Dict[ImportKey, None] = {}
    for match in _FROM_IMPORT.finditer(data):
        start = match.start()
        if start and (data[start - 1] in _WORD_BYTES or data[start - 1] >= 0x80):
            continue  # `xfrom`, `.from`: not the keyword
        dots, module = match.groups()
        try:
            name = module.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if name or dots:
            seen.setdefault((len(dots), name), None)
    return tuple(seen)


class ModuleFinder:
    """`Project.module_file`, for many importers, with directory-level caches."""

    def __init__(self, roots: Sequence[str] = ()):
        self.roots = [os.path.realpath(root) for root in roots]
        self._real_dirs: Dict[str, str] = {}
        self._search_paths: Dict[str, List[str]] = {}
        self._found: Dict[Tuple[str, int, str], Optional[str]] = {}
        self._is_file: Dict[str, bool] = {}

    def real_directory(self, path: str) -> str:
        """The resolved directory of `path` (what `Path(path).resolve().parent` gives)."""
        directory = os.path.dirname(os.path.abspath(path))
        real = self._real_dirs.get(directory)
        if real is None:
            real = os.path.realpath(directory)
            self._real_dirs[directory] = real
        # A symlinked file resolves to its target's folder.
        if os.path.islink(path):
            return os.path.dirname(os.path.realpath(path))
        return real

    def module_file(self, importer_dir: str, key: ImportKey) -> Optional[str]:
        """The file `from <key> import ...` in a module of `importer_dir` refers to, or None."""
        level, module = key
        cache_key = (importer_dir, level, module)
        if cache_key in self._found:
            return self._found[cache_key]
        parts = [part for part in module.split(".") if part] if module else []
        if level:
            base = importer_dir
            for _ in range(level - 1):
                base = os.path.dirname(base)
            candidates = [base]
        else:
            candidates = self.search_paths(importer_dir)
        found = None
        for base in candidates:
            target = os.path.join(base, *parts) if parts else base
            if parts and self._file(target + ".py"):
                found = target + ".py"
                break
            if self._file(os.path.join(target, "__init__.py")):
                found = os.path.join(target, "__init__.py")
                break
        self._found[cache_key] = found
        return found

    def search_paths(self, directory: str) -> List[str]:
        cached = self._search_paths.get(directory)
        if cached is not None:
            return cached
        top = directory
        while os.path.exists(os.path.join(top, "__init__.py")) and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        paths: List[str] = []
        for path in [top, directory] + [p for root in self.roots for p in (root, os.path.join(root, "src"))]:
            if path not in paths:
                paths.append(path)
        self._search_paths[directory] = paths
        return paths

    def _file(self, path: str) -> bool:
        known = self._is_file.get(path)
        if known is None:
            known = os.path.isfile(path)
            self._is_file[path] = known
        return known


def imports_request_module(
    path: str,
    imports: Iterable[ImportKey],
    finder: ModuleFinder,
    is_request_module: Callable[[str], bool],
) -> bool:
    """Whether one of `imports` (made by the file `path`) names a module that may hold requests."""
    importer_dir = finder.real_directory(path)
    own = os.path.join(importer_dir, os.path.basename(path))
    for key in imports:
        target = finder.module_file(importer_dir, key)
        if target is not None and target != own and is_request_module(target):
            return True
    return False
