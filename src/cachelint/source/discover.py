"""Finding the files to lint: walk directories, honour .gitignore and excludes, skip the usual.

Directory symlinks are never followed while walking (a symlink loop cannot hang the walk and no
file is reached twice); a symlink given explicitly on the command line is followed once. Paths
given explicitly are linted even when excluded, unless `force_exclude` is set, as in ruff.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from cachelint.core.errors import FileError
from cachelint.source.filekinds import PYTHON_EXTENSIONS

# Directory names that are never walked into (globs allowed, matched against the name only).
ALWAYS_EXCLUDED_DIRS: Tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "build",
    "dist",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".cachelint_cache",
    ".eggs",
    "*.egg-info",
    ".ipynb_checkpoints",  # Jupyter's autosaved copies of notebooks
)
# A directory holding this file is a virtualenv, whatever its name.
VIRTUALENV_MARKER = "pyvenv.cfg"
GITIGNORE = ".gitignore"


def _split_globs(patterns: Tuple[str, ...]) -> Tuple[frozenset, Tuple[str, ...], Tuple[str, ...]]:
    """The patterns as plain names, `*suffix` globs, and the rest (matched with pathspec)."""
    glob_chars = set("*?[]!\\/")
    names = frozenset(p for p in patterns if not glob_chars & set(p))
    suffixes = tuple(p[1:] for p in patterns if p.startswith("*") and not glob_chars & set(p[1:]))
    others = tuple(p for p in patterns if p not in names and not (p.startswith("*") and p[1:] in suffixes))
    return names, suffixes, others


# Checked for every directory of a walk: a set lookup and `str.endswith`, not a glob per name.
_EXCLUDED_NAMES, _EXCLUDED_SUFFIXES, _EXCLUDED_GLOBS = _split_globs(ALWAYS_EXCLUDED_DIRS)


class PatternSet:
    """gitignore-style globs relative to `root`: `name` matches at any depth, `a/b` is anchored.

    Used for `exclude`, `extend-exclude` and `per-file-ignores`. A pattern that matches a
    directory also matches everything below it.
    """

    def __init__(self, root: str, patterns: Sequence[str]):
        self.root = os.path.abspath(root)
        self.patterns = tuple(patterns)
        self._compiled = _compile(self.patterns) if self.patterns else ()  # no pathspec import

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, path: str, is_dir: bool = False) -> bool:
        if not self.patterns:
            return False
        for candidate in _candidates(self.root, path, is_dir):
            if _last_match(self._compiled, candidate):
                return True
        return False

    def prefix_for(self, absolute_dir: str) -> str:
        """What `matches` puts before the name of an entry of `absolute_dir` (a normalised
        absolute path): its path relative to the root, or nothing outside the root."""
        relative = os.path.relpath(absolute_dir, self.root)
        if relative == os.curdir:
            return ""
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return ""  # outside the root: the name alone is matched
        return _slashes(relative) + "/"

    def matches_at(self, prefix: str, name: str, is_dir: bool) -> bool:
        """`matches` for the entry `name` of a directory whose `prefix_for` is `prefix`."""
        return bool(_last_match(self._compiled, prefix + name + ("/" if is_dir else "")))


@functools.lru_cache(maxsize=256)
def _compile(patterns: Tuple[str, ...]):
    import pathspec

    return tuple(pathspec.GitIgnoreSpec.from_lines(patterns).patterns)


def _last_match(compiled, relative: str) -> Optional[bool]:
    """gitignore semantics: the last pattern that matches decides (a `!pattern` re-includes)."""
    decision = None
    for pattern in compiled:
        if pattern.include is not None and pattern.match_file(relative) is not None:
            decision = pattern.include
    return decision


def _candidates(root: str, path: str, is_dir: bool) -> List[str]:
    """The form of `path` to match: relative to root when inside it, else just its name."""
    absolute = os.path.abspath(path)
    suffix = "/" if is_dir else ""
    relative = os.path.relpath(absolute, root)
    if (
        relative != os.curdir
        and not relative.startswith(os.pardir + os.sep)
        and relative != os.pardir
    ):
        return [_slashes(relative) + suffix]
    return [os.path.basename(absolute) + suffix]


def _slashes(path: str) -> str:
    return path.replace(os.sep, "/")


def is_always_excluded_dir(path: str) -> bool:
    name = os.path.basename(os.path.normpath(path))
    if _always_excluded_name(name):
        return True
    return os.path.isfile(os.path.join(path, VIRTUALENV_MARKER))


def _always_excluded_name(name: str) -> bool:
    if name in _EXCLUDED_NAMES or name.endswith(_EXCLUDED_SUFFIXES):
        return True
    return bool(_EXCLUDED_GLOBS) and bool(_last_match(_compile(_EXCLUDED_GLOBS), name + "/"))


class GitIgnores:
    """The .gitignore files that apply to a directory, outermost first; nested ones win."""

    def __init__(self, levels: Tuple[Tuple[str, tuple], ...] = ()):
        self.levels = levels

    def entering(self, directory: str) -> GitIgnores:
        compiled = _read_gitignore(directory)
        if not compiled:
            return self
        return GitIgnores(self.levels + ((os.path.abspath(directory), compiled),))

    def ignores(self, path: str, is_dir: bool) -> bool:
        if not self.levels:
            return False
        return self.ignores_absolute(os.path.abspath(path), is_dir)

    def ignores_absolute(self, absolute: str, is_dir: bool) -> bool:
        """`ignores` for a normalised absolute path (no `abspath` per file while walking)."""
        for base, compiled in reversed(self.levels):
            prefix = base if base.endswith(os.sep) else base + os.sep
            if absolute.startswith(prefix):
                relative = absolute[len(prefix) :]  # what relpath gives, without its cost
            else:
                relative = os.path.relpath(absolute, base)
            if relative.startswith(os.pardir):
                continue
            decision = _last_match(compiled, _slashes(relative) + ("/" if is_dir else ""))
            if decision is not None:
                return decision
        return False

    @classmethod
    def for_directory(cls, directory: str, root: str) -> GitIgnores:
        """The .gitignore files from the repository (or project) top down to `directory`."""
        directory = os.path.abspath(directory)
        chain = [directory]
        top = _repository_top(directory) or (root if _is_within(directory, root) else directory)
        while chain[-1] != top:
            parent = os.path.dirname(chain[-1])
            if parent == chain[-1]:
                break
            chain.append(parent)
        ignores = cls()
        for level in reversed(chain):
            ignores = ignores.entering(level)
        return ignores


def _read_gitignore(directory: str):
    path = os.path.join(directory, GITIGNORE)
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ()
    return _compile(tuple(lines))


def _repository_top(directory: str) -> Optional[str]:
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _is_within(path: str, root: str) -> bool:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return relative == os.curdir or not relative.startswith(os.pardir)


@dataclass(frozen=True)
class Discovery:
    files: Tuple[str, ...]  # paths to lint, sorted, each once
    errors: Tuple[FileError, ...] = ()


def discover(
    paths: Sequence[str],
    root: str,
    exclude: Sequence[str] = (),
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Discovery:
    """The Python files under `paths` (files given explicitly are kept unless force_exclude)."""
    excluded = PatternSet(root, exclude)
    found: Dict[str, str] = {}  # path as it will be shown -> its absolute form (the sort key)
    errors: List[FileError] = []
    walked: Set[Tuple[int, int]] = set()
    for given in paths:
        if not os.path.lexists(given):
            errors.append(FileError(given, "no such file or directory"))
            continue
        if os.path.islink(given) and not os.path.exists(given):
            errors.append(FileError(given, "broken symbolic link"))
            continue
        if force_exclude and _excluded_explicit(given, root, excluded, respect_gitignore):
            continue
        if os.path.isdir(given):
            ignores = GitIgnores.for_directory(given, root) if respect_gitignore else GitIgnores()
            _walk(given, ignores, excluded, respect_gitignore, found, errors, walked)
        else:
            found[given] = os.path.abspath(given)
    unique = sorted(found, key=lambda path: (found[path], path))
    return Discovery(files=tuple(unique), errors=tuple(errors))


def is_excluded(
    path: str, root: str, exclude: Sequence[str] = (), respect_gitignore: bool = True
) -> bool:
    """Whether --force-exclude drops `path` (which need not exist: e.g. --stdin-filename)."""
    return _excluded_explicit(path, root, PatternSet(root, exclude), respect_gitignore)


def _excluded_explicit(path: str, root: str, excluded: PatternSet, respect_gitignore: bool) -> bool:
    is_dir = os.path.isdir(path)
    if excluded.matches(path, is_dir):
        return True
    absolute = os.path.abspath(path)
    base = root if _is_within(absolute, root) else os.getcwd()
    if _is_within(absolute, base):
        relative_parts = os.path.relpath(absolute, base).split(os.sep)
        directories = relative_parts if is_dir else relative_parts[:-1]
        current = base
        for part in directories:
            current = os.path.join(current, part)
            if part not in (os.curdir, "") and is_always_excluded_dir(current):
                return True
    if respect_gitignore:
        parent = absolute if is_dir else os.path.dirname(absolute)
        ignores = GitIgnores.for_directory(parent, root)
        if ignores.ignores(absolute, is_dir):
            return True
        # An ignored ancestor directory hides everything below it.
        probe = parent
        while probe != os.path.dirname(probe) and _is_within(probe, root):
            if probe != os.path.abspath(root) and ignores.ignores(probe, True):
                return True
            probe = os.path.dirname(probe)
    return False


def _walk(
    top: str,
    ignores: GitIgnores,
    excluded: PatternSet,
    respect_gitignore: bool,
    found: Dict[str, str],
    errors: List[FileError],
    walked: Set[Tuple[int, int]],
) -> None:
    """Add the files under `top` to `found` (path -> absolute path).

    One `scandir` per directory and no system call per file: the entry types come with the
    listing, `.gitignore` and `pyvenv.cfg` are looked up in it, and absolute paths and paths
    relative to the exclude root are built per directory, not per file.
    """
    stack = [(top, os.path.abspath(top), ignores)]
    while stack:
        directory, absolute_dir, ignores = stack.pop()
        try:
            info = os.stat(directory)
        except OSError:
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in walked:  # the same directory reached twice (given twice, or nested)
            continue
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            from cachelint.source.files import os_reason

            walked.add(identity)
            errors.append(FileError(directory, f"cannot list directory: {os_reason(error)}"))
            continue
        names = {entry.name: entry for entry in entries}
        if directory != top and _is_virtualenv(names.get(VIRTUALENV_MARKER)):
            continue  # not walked, so not remembered: it may still be given explicitly
        walked.add(identity)
        if respect_gitignore and directory != top and GITIGNORE in names:
            ignores = ignores.entering(directory)
        check_ignores = respect_gitignore and bool(ignores.levels)
        excluded_prefix = excluded.prefix_for(absolute_dir) if excluded else None
        absolute_prefix = absolute_dir if absolute_dir.endswith(os.sep) else absolute_dir + os.sep
        subdirectories = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if _always_excluded_name(name):
                    continue
                absolute = absolute_prefix + name
                if excluded_prefix is not None and excluded.matches_at(excluded_prefix, name, True):
                    continue
                if check_ignores and ignores.ignores_absolute(absolute, True):
                    continue
                subdirectories.append((entry.path, absolute, ignores))
                continue
            if not name.endswith(PYTHON_EXTENSIONS):
                continue
            absolute = absolute_prefix + name
            if excluded_prefix is not None and excluded.matches_at(excluded_prefix, name, False):
                continue
            if check_ignores and ignores.ignores_absolute(absolute, False):
                continue
            path = entry.path  # os.path.join(directory, name), built in C
            try:
                is_link = entry.is_symlink()
            except OSError:
                continue
            if is_link:
                if not os.path.exists(path):
                    errors.append(FileError(path, "broken symbolic link"))
                    continue
                if os.path.isdir(path):
                    continue  # a directory symlink named like a module: never followed
            found[path] = absolute
        stack.extend(reversed(subdirectories))


def _is_virtualenv(marker: Optional[os.DirEntry]) -> bool:
    """Whether a directory's `pyvenv.cfg` entry is a file (following a symlink, as `isfile`)."""
    if marker is None:
        return False
    try:
        return marker.is_file()
    except OSError:
        return False
