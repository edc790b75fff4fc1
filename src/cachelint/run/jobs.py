"""The files of a run (`FileJob`s) and the paths shown for them.

A path is shown relative to the working directory when it is inside it, else absolute (as ruff
shows it). A run over thousands of files works the shown and the absolute path out once per
directory (`file_jobs`): a directory's files differ from it by their name only.
"""

from __future__ import annotations

import os
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from cachelint.run.results import LintRequest

STDIN_PATH = "-"


class FileToLint(NamedTuple):
    """A discovered file and what linting it needs (one request shared by most files)."""

    path: str
    request: LintRequest


class FileJob(NamedTuple):
    """A file of the run (a named tuple: a run makes one per file before its workers start)."""

    index: int
    path: str  # as discovered
    shown: str  # as reported
    absolute: str
    request: LintRequest


def display_path(path: str, cwd: Optional[str] = None) -> str:
    """Relative to the working directory when inside it, else absolute (like ruff)."""
    if path == STDIN_PATH:
        return path
    cwd = os.path.abspath(cwd or os.getcwd())
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, cwd)
    if relative.startswith(os.pardir):
        return absolute
    return relative


def file_jobs(items: Sequence[FileToLint], cwd: str) -> List[FileJob]:
    """The run's files with the paths to show and their absolute paths, worked out once per
    directory (a directory's files differ from it by their name only)."""
    jobs = []
    cwd_prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    places: Dict[str, Tuple[str, bool]] = {}  # directory -> (how it is shown, shown absolute)
    for index, (path, request) in enumerate(items):
        directory, _, name = path.rpartition(os.sep)
        derivable = directory and name and not path.startswith(os.sep * 2)
        place = places.get(directory) if derivable else None
        if place is None and derivable:
            shown_dir = shown_path(directory, cwd)
            place = places[directory] = (shown_dir, os.path.isabs(shown_dir))
        if place is None or (place[0] == os.curdir and name.startswith(os.pardir)):
            shown = shown_path(path, cwd)  # no directory part, or a name like `..x.py`
            absolute = shown if os.path.isabs(shown) else os.path.join(cwd, shown)
        else:
            shown_dir, is_absolute = place
            if shown_dir == os.curdir:
                shown = name
            else:
                shown = shown_dir + name if shown_dir.endswith(os.sep) else shown_dir + os.sep + name
            absolute = shown if is_absolute else cwd_prefix + shown
        jobs.append(FileJob(index, path, shown, absolute, request))
    return jobs


def shown_path(path: str, cwd: str) -> str:
    """`display_path`, without its per-call `abspath` and `relpath` for the two common
    cases: a relative path inside the working directory, and a normalised absolute path."""
    if not os.path.isabs(path):
        normal = os.path.normpath(path)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return normal
    elif _normalised(path) and _normalised(cwd):
        prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
        if path.startswith(prefix):
            relative = path[len(prefix) :]
            return path if relative.startswith(os.pardir) else relative  # as display_path does
        if path != cwd:
            return path  # outside the working directory: shown absolute
    return display_path(path, cwd)


def _normalised(path: str) -> bool:
    # `//x` is normal for POSIX but relpath reads it as `/x`: left to display_path
    return os.path.normpath(path) == path and not path.startswith(os.sep * 2)
