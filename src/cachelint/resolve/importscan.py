"""Which files may call a project *wrapper*, decided from bytes (no parsing, no libcst).

A file with no SDK call of its own still gets findings when it calls a function of another
project module that forwards its parameters into an SDK call (`from shop.llm import ask;
ask(HANDBOOK, q)`; see `cachelint.model.wrappers`). The engine only looks for such calls when the file
has `from X import ...` where X is a project module that itself may contain requests. This
module answers the same question from bytes: it lists the `from X import` statements (anywhere,
not only at top level: a superset is safe) and resolves X to a file the way
`cachelint.resolve.project.Project.module_file` does, with the searches cached per directory.

Resolution mirrors `Project.search_paths` / `Project.module_file` (tests check that they agree);
keep the two in step.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the start-up fast path does not import typing
    from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

    ImportKey = Tuple[int, str]  # (relative level, dotted module name)

# `from . import x`, `from ..pkg.mod import (a, b)`, `from pkg \\\n import x`. No `\b` before
# `from`: a pattern that starts with a literal is searched for much faster; the word boundary is
# checked on the few matches instead.
_SPACE = rb"(?:[ \t\f]|\\\r?\n)"
_FROM_IMPORT = re.compile(
    rb"from" + _SPACE + rb"+(\.*)" + _SPACE + rb"*([\w.\x80-\xff]*)" + _SPACE + rb"+import\b"
)
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


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


_UNKNOWN = object()
_EMPTY_LISTING: Tuple[FrozenSet[str], FrozenSet[str]] = (frozenset(), frozenset())


class ModuleFinder:
    """`Project.module_file`, for many importers, with directory-level caches.

    Thousands of files are resolved per run, mostly importing the same modules: answers are
    cached per importing directory, and below that per search directory (every module of a
    package shares its top directory, so `from typing import X` is looked up there once).
    """

    def __init__(self, roots: Sequence[str] = ()):
        self.roots = [os.path.realpath(root) for root in roots]
        self._real_dirs: Dict[str, str] = {}
        self._search_paths: Dict[str, List[str]] = {}
        self._found: Dict[Tuple[str, ImportKey], Optional[str]] = {}
        self._in_base: Dict[Tuple[str, str], Optional[str]] = {}
        self._is_file: Dict[str, bool] = {}
        self._listings: Dict[str, Optional[Tuple[FrozenSet[str], FrozenSet[str]]]] = {}

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
            self._real_dirs[directory] = real
        return os.path.join(real, name)

    def targets(
        self, absolute_path: str, keys: Iterable[ImportKey], is_link: Optional[bool] = None
    ) -> Tuple[str, ...]:
        """The project files that the `from X import` lines `keys` of a file refer to."""
        own = self.resolved(absolute_path, is_link)
        directory = os.path.dirname(own)
        found: Dict[str, None] = {}
        cached = self._found
        for key in keys:
            target = cached.get((directory, key), _UNKNOWN)
            if target is _UNKNOWN:
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
        self._found[cache_key] = found
        return found

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
            if self._file(parent, parts[-1] + ".py"):
                found = target + ".py"
        if found is None and self._file(target, "__init__.py"):
            found = (target if target.endswith(os.sep) else target + os.sep) + "__init__.py"
        self._in_base[cache_key] = found
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

    def _file(self, directory: str, name: str) -> bool:
        """`os.path.isfile(directory/name)`, answered from one listing per directory: most
        lookups are for modules a directory does not have (`from typing import X` is tried next
        to every importer), and a listing answers all of them for one system call. Names are
        compared exactly, as Python's import compares them on a case-insensitive disk."""
        listing = self._listing(directory)
        if listing is not None:
            return name in listing[0]
        path = os.path.join(directory, name)
        known = self._is_file.get(path)
        if known is None:
            known = os.path.isfile(path)
            self._is_file[path] = known
        return known

    def _listing(self, directory: str) -> Optional[Tuple[FrozenSet[str], FrozenSet[str]]]:
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


_IDENTIFIER = re.compile(rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*\Z")
_LINE_REST = re.compile(rb"(?:[^\r\n\\]|\\\r?\n|\\.)*")
_COMMENT = re.compile(rb"#[^\r\n]*")
_CALL_GAP = rb"(?:\s|\\|#[^\r\n]*(?![^\r\n]))*"


def imported_names(data: bytes) -> Dict[ImportKey, Optional[FrozenSet[str]]]:
    """For each `from X import ...` module: the names it binds (None: could not tell)."""
    found: Dict[ImportKey, Optional[FrozenSet[str]]] = {}
    for match in _FROM_IMPORT.finditer(data):
        start = match.start()
        if start and (data[start - 1] in _WORD_BYTES or data[start - 1] >= 0x80):
            continue
        dots, module = match.groups()
        try:
            key = (len(dots), module.decode("utf-8"))
        except UnicodeDecodeError:
            continue
        names = _bound_names(data, match.end())
        if key in found:
            known = found[key]
            names = None if known is None or names is None else known | names
        found[key] = names
    return found


def _bound_names(data: bytes, position: int) -> Optional[FrozenSet[str]]:
    rest = data[position:].lstrip(b" \t\f")
    if rest.startswith(b"("):
        end = rest.find(b")")
        if end < 0:
            return None
        listed = rest[1:end]
    else:
        line = _LINE_REST.match(rest)
        listed = line.group(0) if line else b""
    listed = _COMMENT.sub(b"", listed).replace(b"\\", b" ")
    if b"*" in listed:
        return frozenset()  # a star import binds no name a wrapper call can be traced to
    names = set()
    for item in listed.split(b","):
        words = item.split()
        if not words:
            continue
        if len(words) == 3 and words[1] == b"as":
            bound = words[2]
        elif len(words) == 1:
            bound = words[0]
        else:
            return None
        if not _IDENTIFIER.match(bound):
            return None
        try:
            names.add(bound.decode("utf-8"))
        except UnicodeDecodeError:
            return None
    return frozenset(names)


def calls_any(data: bytes, names: Iterable[str]) -> bool:
    """Whether `data` has a call `name(...)` of one of `names` (a bare name, not an attribute)."""
    alternatives = sorted({re.escape(name.encode("utf-8")) for name in names}, key=len, reverse=True)
    if not alternatives:
        return False
    pattern = re.compile(
        rb"(?<![\w.\x80-\xff])(?:" + b"|".join(alternatives) + rb")(?![\w\x80-\xff])" + _CALL_GAP + rb"\("
    )
    return pattern.search(data) is not None


def calls_wrapper_of(
    absolute_path: str,
    data: bytes,
    finder: ModuleFinder,
    is_request_module: Callable[[str], bool],
) -> bool:
    """Whether the file calls a name it imported (`from X import name`) from a module that may
    hold requests: only such a call can be a wrapper call (`wrappers._wrapper_definition`)."""
    own = finder.resolved(absolute_path)
    directory = os.path.dirname(own)
    names: set = set()
    for key, bound in imported_names(data).items():
        target = finder.module_file(directory, key)
        if target is None or target == own or not is_request_module(target):
            continue
        if bound is None:
            return True  # an import list we could not read: assume it is called
        names |= bound
    return calls_any(data, names)


class RequestModules:
    """Does the module at an absolute path make SDK requests (may its bytes hold one)?
    Answers known from the run come first; any other module is read once and prefiltered. The
    scheduler (skipped files that may call wrappers) and the fast path ask the same question."""

    def __init__(self, with_requests: "Iterable[str]" = (), without_requests: "Iterable[str]" = ()):
        self.with_requests = set(with_requests)
        self.without_requests = set(without_requests)
        self._read: "Dict[str, bool]" = {}

    def __call__(self, target: str) -> bool:
        if target in self.with_requests:
            return True
        if target in self.without_requests:
            return False
        known = self._read.get(target)
        if known is None:
            from cachelint.source.prefilter import may_contain_requests

            try:
                with open(target, "rb") as handle:
                    known = may_contain_requests(handle.read())
            except OSError:
                known = False
            self._read[target] = known
        return known
