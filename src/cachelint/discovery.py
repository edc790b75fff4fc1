"""Finding the files to lint: walk directories, honour .gitignore and excludes, skip the usual.

Directory symlinks are never followed while walking (a symlink loop cannot hang the walk and no
file is reached twice); a symlink given explicitly on the command line is followed once. Paths
given explicitly are linted even when excluded, unless `force_exclude` is set, as in ruff.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Set, Tuple

from cachelint.errors import FileError

# The one place that says which files are Python sources to lint (Jupyter notebooks included).
PYTHON_EXTENSIONS: Tuple[str, ...] = (".py", ".ipynb")

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
    if _last_match(_compile(ALWAYS_EXCLUDED_DIRS), name + "/"):
        return True
    return os.path.isfile(os.path.join(path, VIRTUALENV_MARKER))


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
        absolute = os.path.abspath(path)
        for base, compiled in reversed(self.levels):
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
    files: List[str] = []
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
            _walk(given, ignores, excluded, respect_gitignore, files, errors, walked)
        else:
            files.append(given)
    unique = sorted(set(files), key=_sort_key)
    return Discovery(files=tuple(unique), errors=tuple(errors))


def _sort_key(path: str) -> Tuple[str, str]:
    return (os.path.abspath(path), path)


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
    files: List[str],
    errors: List[FileError],
    walked: Set[Tuple[int, int]],
) -> None:
    stack = [(top, ignores)]
    while stack:
        directory, ignores = stack.pop()
        try:
            info = os.stat(directory)
        except OSError:
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in walked:  # the same directory reached twice (given twice, or nested)
            continue
        walked.add(identity)
        if respect_gitignore and directory != top:
            ignores = ignores.entering(directory)
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            from cachelint.source import os_reason

            errors.append(FileError(directory, f"cannot list directory: {os_reason(error)}"))
            continue
        subdirectories = []
        for entry in entries:
            path = os.path.join(directory, entry.name)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if is_always_excluded_dir(path) or excluded.matches(path, True):
                    continue
                if respect_gitignore and ignores.ignores(path, True):
                    continue
                subdirectories.append((path, ignores))
                continue
            if not entry.name.endswith(PYTHON_EXTENSIONS):
                continue
            if excluded.matches(path) or (respect_gitignore and ignores.ignores(path, False)):
                continue
            if is_link and not os.path.exists(path):
                errors.append(FileError(path, "broken symbolic link"))
                continue
            if is_link and os.path.isdir(path):
                continue  # a directory symlink named like a module: never followed
            files.append(path)
        stack.extend(reversed(subdirectories))
