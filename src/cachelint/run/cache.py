"""A cache of per-file results, so that a second run over unchanged files skips their analysis.

Key: a hash of the file's bytes, its display and absolute paths, the working directory, the
analysis options and reportable codes, plus a fingerprint of cachelint itself (its version and
the size and mtime of its own source files, and the installed libcst) that names the cache's
subdirectory. The fix flags are not part of the key: an entry is a *check* result, and `fix`
uses it only when it holds no fix that would be applied.

Dependencies: a file's result also depends on other files that project-wide resolution read
while analysing it (imported project modules, prompt files read with `open(...).read()` /
`Path(...).read_text()`). They are recorded during the analysis (the project modules cachelint
parsed or looked at, and every file opened) and stored with the entry as (path, size, mtime,
hash); an entry is used only when each of them still has the same contents. A file that did
not exist during the analysis and appears later (a new module that shadows an import) is not
noticed: `--no-cache` or deleting the cache directory covers that case.

Entries are JSON (no pickle: a cache directory can come from anywhere, e.g. a repository that
committed one) decoded into a fixed set of frozen dataclasses. A missing, unreadable or corrupt
entry is a miss, never an error; failing to write an entry is ignored.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import sys
import tempfile
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from cachelint import __version__
from cachelint.core.diagnostics import Applicability, Cost, Diagnostic, Edit, Fix, Location, UnknownSite
from cachelint.core.errors import FileWarning

SCHEMA = 1

_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by cachelint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


# -- what an entry holds --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Dependency:
    path: str
    size: int
    mtime_ns: int
    digest: str


@dataclasses.dataclass(frozen=True)
class CachedResult:
    diagnostics: Tuple[Diagnostic, ...]
    unknown_sites: Tuple[UnknownSite, ...]
    warnings: Tuple[FileWarning, ...]


_TYPES = {
    cls.__name__: cls
    for cls in (Diagnostic, Location, Edit, Fix, Cost, UnknownSite, FileWarning, Dependency)
}
_ENUMS = {cls.__name__: cls for cls in (Applicability,)}


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return {"@enum": type(value).__name__, "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _TYPES.get(name) is not type(value):
            raise TypeError(f"cannot cache a {name}")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"@type": name, "fields": fields}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if isinstance(value, dict):
        if "@enum" in value:
            return _ENUMS[value["@enum"]](value["value"])
        cls = _TYPES[value["@type"]]
        return cls(**{name: _decode(item) for name, item in value["fields"].items()})
    return value


# -- recording what an analysis read ---------------------------------------------------------


class DependencyRecorder:
    """Collects the files read while one file is analysed (see `recording`)."""

    _active: Optional[Set[str]] = None
    _installed = False
    _ignored_prefixes: Tuple[str, ...] = ()

    @classmethod
    def install(cls) -> None:
        """Once per process: an audit hook that notes the files opened while recording."""
        if cls._installed:
            return
        cls._installed = True
        cachelint_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, cachelint_dir}
        cls._ignored_prefixes = tuple(os.path.join(os.path.abspath(p), "") for p in prefixes)
        sys.addaudithook(cls._audit)

    @classmethod
    def _watch_project(cls) -> None:
        """The project caches the modules it parses, so a later file that depends on a module
        parsed for an earlier one opens nothing: note its lookups too. Done at the first
        recording, when the analysis (and libcst) is being loaded anyway."""
        from cachelint.resolve import project

        for name in ("parsed", "may_contain_requests"):
            original = getattr(project.Project, name)
            if not getattr(original, "_records_dependencies", False):
                setattr(project.Project, name, cls._wrap(original))

    @classmethod
    def _wrap(cls, method):
        def recording(self, path, *args, **kwargs):
            cls.note(str(path))
            return method(self, path, *args, **kwargs)

        recording._records_dependencies = True  # type: ignore[attr-defined]
        recording.__doc__ = method.__doc__
        return recording

    @classmethod
    def _audit(cls, event: str, args: tuple) -> None:
        if event == "open" and cls._active is not None and args:
            path = args[0]
            if isinstance(path, (str, bytes, os.PathLike)) and not isinstance(path, int):
                mode = args[1] if len(args) > 1 else "r"
                if isinstance(mode, str) and ("w" in mode or "a" in mode or "x" in mode):
                    return
                cls.note(os.fsdecode(path))

    @classmethod
    def note(cls, path: str) -> None:
        if cls._active is None:
            return
        absolute = os.path.abspath(path)
        if absolute.endswith((".pyc", ".so", ".pyd")) or absolute.startswith(cls._ignored_prefixes):
            return
        cls._active.add(absolute)

    @classmethod
    def start(cls) -> None:
        cls.install()
        cls._watch_project()
        cls._active = set()

    @classmethod
    def stop(cls) -> Set[str]:
        found, cls._active = cls._active or set(), None
        return found


def describe_dependencies(paths: Iterable[str], exclude: str) -> Optional[Tuple[Dependency, ...]]:
    """The current state of the files an analysis read; None when one cannot be read."""
    found: List[Dependency] = []
    for path in sorted(set(paths)):
        if path == exclude or not os.path.isfile(path):
            continue  # directories and files that were looked for but do not exist
        try:
            info = os.stat(path)
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        found.append(Dependency(path, info.st_size, info.st_mtime_ns, digest(data)))
    return tuple(found)


# -- the cache ---------------------------------------------------------------------------------


def fingerprint() -> str:
    """Changes whenever cachelint's code (or the libcst it parses with) may have changed."""
    parts: List[str] = [str(SCHEMA), __version__, sys.version]
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for directory, subdirs, names in os.walk(package):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                parts.append(f"{os.path.relpath(path, package)}:{info.st_size}:{info.st_mtime_ns}")
    try:
        import importlib.util

        spec = importlib.util.find_spec("libcst")
        if spec is not None and spec.origin:
            libcst_dir = os.path.dirname(spec.origin)
            for name in ("_version.py", "__init__.py"):
                path = os.path.join(libcst_dir, name)
                if os.path.exists(path):
                    info = os.stat(path)
                    parts.append(f"libcst/{name}:{info.st_size}:{info.st_mtime_ns}")
    except (ImportError, ValueError, OSError):
        parts.append("libcst:unknown")
    return hashlib.blake2b("\n".join(parts).encode("utf-8"), digest_size=8).hexdigest()


def _canonical(value: Any) -> Any:
    """A JSON-able, order-stable form of options (frozensets sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(_canonical(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


class ResultCache:
    def __init__(self, directory: str):
        self.root = os.path.abspath(directory)
        self.directory = os.path.join(self.root, f"v{SCHEMA}-{fingerprint()}")
        self._verified: Dict[str, Tuple[int, int, str]] = {}

    @classmethod
    def open(cls, directory: str) -> Optional["ResultCache"]:
        """The cache under `directory`, created when missing; None when it cannot be created."""
        cache = cls(directory)
        try:
            fresh = not os.path.isdir(cache.root)
            os.makedirs(cache.directory, exist_ok=True)
            if fresh or not os.path.exists(os.path.join(cache.root, "CACHEDIR.TAG")):
                _write_small(os.path.join(cache.root, "CACHEDIR.TAG"), _CACHEDIR_TAG)
                _write_small(os.path.join(cache.root, ".gitignore"), "# Created by cachelint.\n*\n")
        except OSError:
            return None
        return cache

    def key(self, options: Any, reportable_codes: Iterable[str], shown: str, absolute: str,
            content_digest: str) -> str:
        material = json.dumps(
            [shown, absolute, os.getcwd(), content_digest, _canonical(options), sorted(reportable_codes)],
            sort_keys=True,
        )
        return hashlib.blake2b(material.encode("utf-8"), digest_size=20).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def load(self, key: str) -> Optional[CachedResult]:
        try:
            with open(self._path(key), "rb") as handle:
                document = json.loads(handle.read())
            dependencies = [_decode(d) for d in document["dependencies"]]
            if not all(isinstance(d, Dependency) and self._unchanged(d) for d in dependencies):
                return None
            result = CachedResult(
                diagnostics=tuple(_decode(document["diagnostics"])),
                unknown_sites=tuple(_decode(document["unknown_sites"])),
                warnings=tuple(_decode(document["warnings"])),
            )
            if not (
                all(isinstance(d, Diagnostic) for d in result.diagnostics)
                and all(isinstance(s, UnknownSite) for s in result.unknown_sites)
                and all(isinstance(w, FileWarning) for w in result.warnings)
            ):
                return None
            return result
        except Exception:  # missing, truncated, hand-edited, from another schema: a miss
            return None

    def store(self, key: str, result: CachedResult, dependencies: Sequence[Dependency]) -> None:
        try:
            document = {
                "dependencies": [_encode(d) for d in dependencies],
                "diagnostics": _encode(result.diagnostics),
                "unknown_sites": _encode(result.unknown_sites),
                "warnings": _encode(result.warnings),
            }
            target = self._path(key)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _write_atomically(target, json.dumps(document, separators=(",", ":")).encode("utf-8"))
        except (OSError, TypeError, ValueError):
            pass  # a cache that cannot be written only makes the next run slower

    def _unchanged(self, dependency: Dependency) -> bool:
        known = self._verified.get(dependency.path)
        try:
            info = os.stat(dependency.path)
        except OSError:
            return False
        if known is not None and known[:2] == (info.st_size, info.st_mtime_ns):
            return known[2] == dependency.digest
        if (info.st_size, info.st_mtime_ns) == (dependency.size, dependency.mtime_ns):
            current = dependency.digest
        else:
            try:
                with open(dependency.path, "rb") as handle:
                    current = digest(handle.read())
            except OSError:
                return False
        self._verified[dependency.path] = (info.st_size, info.st_mtime_ns, current)
        return current == dependency.digest


def _write_small(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _write_atomically(target: str, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
