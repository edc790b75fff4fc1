"""Which files may call a project *wrapper*, decided from bytes (no parsing, no libcst).

A file with no SDK call of its own still gets findings when it calls a function of another
project module that forwards its parameters into an SDK call (`from shop.llm import ask;
ask(HANDBOOK, q)`; see `cachelint.model.wrappers`). The engine only looks for such calls when the file
has `from X import ...` where X is a project module that itself may contain requests. This
module answers the same question from bytes: it lists the `from X import` statements (anywhere,
not only at top level: a superset is safe); `cachelint.resolve.modules` resolves X to a file.
"""

from __future__ import annotations

import os
import re

from cachelint.source.prefilter import may_contain_requests

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the start-up fast path does not import typing
    from typing import Callable, Dict, FrozenSet, Iterable, Optional, Tuple

    from cachelint.resolve.modules import ImportKey, ModuleResolver

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
    modules: ModuleResolver,
    is_request_module: Callable[[str], bool],
) -> bool:
    """Whether the file calls a name it imported (`from X import name`) from a module that may
    hold requests: only such a call can be a wrapper call (`wrappers._wrapper_definition`)."""
    own = modules.resolved(absolute_path)
    directory = os.path.dirname(own)
    names: set = set()
    for key, bound in imported_names(data).items():
        target = modules.module_file(directory, key)
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
            try:
                with open(target, "rb") as handle:
                    known = may_contain_requests(handle.read())
            except OSError:
                known = False
            self._read[target] = known
        return known
