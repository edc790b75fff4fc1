"""Which project file an import names: the one module resolver.

`from .prompts import X` in `pkg/app.py` is `pkg/prompts.py` (or `pkg/prompts/__init__.py`);
`from prompts import X` is looked up, in order, in the parent of the importer's top package, the
importer's own folder and each project root with its `src/`. Both the byte-level wrapper-caller
scan (`importscan`, thousands of lookups per run) and the project-wide value resolution
(`project.Project`, a few lookups per analysed file) ask this module.

Imports nothing but `os`: the start-up fast path uses it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the start-up fast path does not import typing
    from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

    ImportKey = Tuple[int, str]  # (relative level, dotted module name)
    Listing = Tuple[FrozenSet[str], FrozenSet[str]]  # (names of files, names of folders)

PYTHON_SUFFIX = ".py"
PACKAGE_INIT = "__init__.py"

_UNKNOWN = object()
_EMPTY_LISTING: Listing = (frozenset(), frozenset())


class ModuleResolver:
    """Resolves `from <key> import ...` of an importing folder to a file of the project.

    `snapshot=True` (a run over a tree that does not change meanwhile): answers are kept, and
    "is there a file here" is answered from one listing per folder (most lookups are for modules a
    folder does not have: `from typing import X` is tried next to every importer). With
    `snapshot=False` (a resolver that outlives a run) every answer asks the file system again.
    Both give the same answers (tests/resolve/ compares them)."""

    def __init__(self, roots: Sequence[str] = (), snapshot: bool = True):
        self.roots = [os.path.realpath(root) for root in roots]
        self.snapshot = snapshot
        self._real_dirs: Dict[str, str] = {}
        self._search_paths: Dict[str, List[str]] = {}
        self._found: Dict[Tuple[str, ImportKey], Optional[str]] = {}
        self._in_base: Dict[Tuple[str, str], Optional[str]] = {}
        self._is_file: Dict[str, bool] = {}
        self._listings: Dict[str, Optional[Listing]] = {}

    def resolved(self, absolute_path: str, is_link: Optional[bool] = None) -> str:
        """The file's resolved path (what `Path(path).resolve()` gives), folders cached.
        `is_link`: whether the file itself is a symbolic link, when the caller knows."""
        if is_link is None:
            is_link = os.path.islink(absolute_path)
        if is_link:
            return os.path.realpath(absolute_path)
        directory, name = os.path.split(absolute_path)
        real = self._real_dirs.get(directory)
        if real is None:
            real = os.path.realpath(directory)
            if self.snapshot:
                self._real_dirs[directory] = real
        return os.path.join(real, name)

    def targets(
        self, absolute_path: str, keys: Iterable[ImportKey], is_link: Optional[bool] = None
    ) -> Tuple[str, ...]:
        """The project files (other than itself) that the `from X import` lines `keys` of a
        file refer to, each once."""
        own = self.resolved(absolute_path, is_link)
        directory = os.path.dirname(own)
        found: Dict[str, None] = {}
        for key in keys:
            target = self.module_file(directory, key)
            if target is not None and target != own:
                found[target] = None
        return tuple(found)

    def module_file(self, importer_dir: str, key: ImportKey) -> Optional[str]:
        """The file `from <key> import ...` in a module of `importer_dir` refers to, or None."""
        cache_key = (importer_dir, key)
        found = self._found.get(cache_key, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]
        level, module = key
        if level:
            base = importer_dir
            for _ in range(level - 1):
                base = os.path.dirname(base)
            found = self._module_in(base, module)
        else:
            found = None
            for base in self.search_paths(importer_dir):
                found = self._module_in(base, module)
                if found is not None:
                    break
        if self.snapshot:
            self._found[cache_key] = found
        return found

    def search_paths(self, directory: str) -> List[str]:
        """Where an absolute import in a module of `directory` may find its module: the parent
        of the top package holding `directory`, `directory` itself, each root and its src/."""
        cached = self._search_paths.get(directory)
        if cached is not None:
            return cached
        top = directory
        while os.path.exists(os.path.join(top, PACKAGE_INIT)) and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        paths: List[str] = []
        for path in [top, directory] + [p for root in self.roots for p in (root, os.path.join(root, "src"))]:
            if path not in paths:
                paths.append(path)
        if self.snapshot:
            self._search_paths[directory] = paths
        return paths

    def _module_in(self, base: str, module: str) -> Optional[str]:
        """`base/a/b.py` or `base/a/b/__init__.py` for module `a.b` (`base/__init__.py` for "")."""
        cache_key = (base, module)
        found = self._in_base.get(cache_key, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]
        # Paths built by hand, as os.path.join builds them: this runs thousands of times a run.
        parts = [part for part in module.split(".") if part] if module else []
        prefix = base if base.endswith(os.sep) else base + os.sep
        target = prefix + os.sep.join(parts) if parts else base
        found = None
        if parts:
            parent = prefix + os.sep.join(parts[:-1]) if len(parts) > 1 else base
            if self._file(parent, parts[-1] + PYTHON_SUFFIX):
                found = target + PYTHON_SUFFIX
        if found is None and self._file(target, PACKAGE_INIT):
            found = (target if target.endswith(os.sep) else target + os.sep) + PACKAGE_INIT
        if self.snapshot:
            self._in_base[cache_key] = found
        return found

    def _file(self, directory: str, name: str) -> bool:
        """`os.path.isfile(directory/name)`; in a snapshot answered from one listing per
        directory, for one system call. Names are compared exactly, as Python's import compares
        them on a case-insensitive disk."""
        if not self.snapshot:
            return os.path.isfile(os.path.join(directory, name))
        listing = self._listing(directory)
        if listing is not None:
            return name in listing[0]
        path = os.path.join(directory, name)
        known = self._is_file.get(path)
        if known is None:
            known = os.path.isfile(path)
            self._is_file[path] = known
        return known

    def _listing(self, directory: str) -> Optional[Listing]:
        """(names of files, names of directories) in `directory`, symbolic links followed as
        `isfile` / `isdir` follow them; None when it cannot be listed but may still be entered
        (read permission missing): then each path is asked for itself."""
        listing = self._listings.get(directory, _UNKNOWN)
        if listing is not _UNKNOWN:
            return listing  # type: ignore[return-value]
        parent, name = os.path.split(directory)
        listing = _EMPTY_LISTING
        known_parent = self._listings.get(parent) if name and parent != directory else None
        if known_parent is None or name in known_parent[1]:
            try:
                files, directories = [], []
                with os.scandir(directory) as entries:
                    for entry in entries:
                        try:
                            if entry.is_file():
                                files.append(entry.name)
                            elif entry.is_dir():
                                directories.append(entry.name)
                        except OSError:
                            continue  # a link to nowhere: neither (isfile says False too)
                listing = (frozenset(files), frozenset(directories))
            except (FileNotFoundError, NotADirectoryError):
                listing = _EMPTY_LISTING  # nothing can be found below a missing directory
            except OSError:
                listing = None
        self._listings[directory] = listing
        return listing
