"""Prompt files read from disk: `open(p).read()`, `Path(p).read_text()`, package resources.

The file's text (up to 2 MB) becomes a static text value of origin FILE; the path expression is
followed through `Path(...)`, `/`, `os.path.join`, `.parent`, `__file__` and names bound to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import libcst as cst

from cachelint.resolve.text import Origin, Piece, Staticness, TextValue
from cachelint.resolve.value import Value
from cachelint.syntax.scopes import Assignment

MAX_FILE_BYTES = 2_000_000  # larger files are not read: their size is unknown
MAX_PATH_DEPTH = 8


class FileResolution:
    """The part of `Resolver` that reads files (a mixin: it uses the resolver's `resolve`,
    `qualified_names`, `referents`, `parent`, `path` and `project`)."""

    def file_value(self, node: cst.Call, depth: int) -> Optional[Value]:
        """The text of the file a `read()` / `read_text()` call reads, or None when it reads no file."""
        path = self.file_path(node)
        if path is None:
            return None
        description = f"file `{path.name}`" if path.name else "a file"
        size = None
        text = None
        try:
            if path.is_file():
                size_bytes = path.stat().st_size
                if size_bytes <= MAX_FILE_BYTES:
                    text = path.read_text(encoding="utf-8", errors="replace")
                    size = len(text)
        except OSError:
            pass
        return TextValue((Piece(Staticness.STATIC, text, size, description, node),), node, origin=Origin.FILE)

    def file_path(self, node: cst.Call) -> Optional[Path]:
        """The file read by `open(p).read()`, `Path(p).read_text()`, `files(pkg).joinpath(p).read_text()`."""
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        receiver = func.value
        path = None
        if func.attr.value == "read" and isinstance(receiver, cst.Call):
            if isinstance(receiver.func, cst.Name) and receiver.func.value == "open" and receiver.args:
                path = self._path_value(receiver.args[0].value)
        elif func.attr.value == "read_text":
            path = self._path_value(receiver)
        if path is None or path.is_absolute():
            return path
        # a relative path is relative to the working directory at run time: look where the
        # program most likely runs from (the project roots, the file's folder)
        bases = [Path.cwd(), Path(self.path).resolve().parent]
        if self.project is not None:
            bases = list(self.project.roots) + bases
        for base in bases:
            if (base / path).is_file():
                return base / path
        return path

    def _package_dir(self, node: cst.Call, base_dir: Path) -> Optional[Path]:
        """`files(__package__)` / `files("pkg.sub")` / `files(__name__)`: a package's folder."""
        if not node.args:
            return None
        argument = node.args[0].value
        if isinstance(argument, cst.Name) and argument.value in ("__package__", "__name__"):
            return base_dir
        value = self.resolve(argument)
        if isinstance(value, TextValue) and value.text:
            parts = value.text.split(".")
            # walk up from this file's folder to the folder holding the named package
            for base in [base_dir] + list(base_dir.parents):
                candidate = base.joinpath(*parts)
                if candidate.is_dir():
                    return candidate
        return None

    def _path_value(self, node: cst.CSTNode, depth: int = 0) -> Optional[Path]:
        if depth > MAX_PATH_DEPTH:
            return None
        base_dir = Path(self.path).resolve().parent
        if isinstance(node, cst.Call):
            names = self.qualified_names(node.func)
            if names & {"pathlib.Path", "pathlib.PurePath"} or (isinstance(node.func, cst.Name) and node.func.value == "Path"):
                if not node.args:
                    return Path(".")
                parts = [self._path_value(a.value, depth + 1) for a in node.args]
                if any(p is None for p in parts):
                    return None
                return Path(*parts)  # type: ignore[arg-type]
            if names & {"os.path.join"}:
                parts = [self._path_value(a.value, depth + 1) for a in node.args]
                if any(p is None for p in parts):
                    return None
                return Path(*parts)  # type: ignore[arg-type]
            if names & {"os.path.dirname"} and node.args:
                inner = self._path_value(node.args[0].value, depth + 1)
                return inner.parent if inner is not None else None
            if names & {"os.path.abspath", "os.path.realpath"} and node.args:
                return self._path_value(node.args[0].value, depth + 1)
            if isinstance(node.func, cst.Attribute):
                if node.func.attr.value in ("resolve", "absolute", "expanduser") and not node.args:
                    return self._path_value(node.func.value, depth + 1)
                if node.func.attr.value in ("joinpath",) and node.args:
                    base = self._path_value(node.func.value, depth + 1)
                    parts = [self._path_value(a.value, depth + 1) for a in node.args]
                    if base is None or any(p is None for p in parts):
                        return None
                    return Path(base, *parts)  # type: ignore[arg-type]
            if names & {"importlib.resources.files", "importlib_resources.files"}:
                return self._package_dir(node, base_dir)
            return None
        if isinstance(node, cst.Attribute) and node.attr.value == "parent":
            inner = self._path_value(node.value, depth + 1)
            return inner.parent if inner is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._path_value(node.left, depth + 1)
            right = self._path_value(node.right, depth + 1)
            if left is None or right is None:
                return None
            return left / right
        if isinstance(node, cst.Name) and node.value == "__file__":
            return Path(self.path).resolve()
        value = self.resolve(node)
        if isinstance(value, TextValue) and value.text is not None:
            return Path(value.text)
        if isinstance(node, cst.Name):
            # a name bound to a path expression: follow its single assignment
            for referent in self.referents(node) or ():
                if isinstance(referent, Assignment) and isinstance(referent.node, cst.Name):
                    holder = self.parent(referent.node)
                    if isinstance(holder, cst.AssignTarget):
                        assign = self.parent(holder)
                        if isinstance(assign, cst.Assign):
                            return self._path_value(assign.value, depth + 1)
        return None
