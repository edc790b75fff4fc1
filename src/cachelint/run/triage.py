"""Which files of a run are analysed: the one "skip this file" decision.

Both the scheduler (`run.scheduler`, every run) and the start-up fast path (`cli.fastpath`, the
common pre-commit run) ask here, so a file the one skips is a file the other skips:
1. `triage(path, data)`, from the path and the bytes alone: a notebook is always analysed (the
   prefilter's patterns do not apply to its JSON-escaped cells); a file whose bytes may hold an
   SDK request or a module-rule marker (`source.prefilter`) is analysed; any other file cannot
   have a finding of its own and is not decoded or parsed...
2. ...unless it calls a *wrapper*: a function it imports from a project module that may hold
   requests (`calls_request_wrapper`). The modules it imports from are listed from its bytes
   (`project_imports`), while its bytes are at hand.

Light on purpose (`enum` is loaded at start-up by `re` anyway): the fast path imports this.
"""

from __future__ import annotations

from enum import Enum

from cachelint.resolve.importscan import calls_wrapper_of, from_imports
from cachelint.source.filekinds import is_notebook_path
from cachelint.source.prefilter import has_module_rule_marker, may_contain_requests

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the start-up fast path does not import typing
    from typing import Callable, Optional, Sequence, Tuple

    from cachelint.resolve.modules import ModuleResolver


class Triage(Enum):
    """What the bytes of a file say about analysing it."""

    ANALYSE_WITH_REQUESTS = "its bytes may hold an SDK request"
    ANALYSE = "a notebook, or a marker of a rule that reports outside requests"
    ANALYSE_IF_WRAPPER_CALLER = "no finding of its own: analysed only if it calls a wrapper"

    @property
    def analysed(self) -> bool:
        """Analysed whatever else the run holds."""
        return self is not Triage.ANALYSE_IF_WRAPPER_CALLER

    @property
    def may_hold_requests(self) -> bool:
        """A file calling a function of this module may be a wrapper caller."""
        return self is Triage.ANALYSE_WITH_REQUESTS


def triage(path: str, data: bytes) -> Triage:
    """The verdict on a file from its path and its bytes."""
    if is_notebook_path(path):
        return Triage.ANALYSE
    if may_contain_requests(data):
        return Triage.ANALYSE_WITH_REQUESTS
    if has_module_rule_marker(data):
        return Triage.ANALYSE
    return Triage.ANALYSE_IF_WRAPPER_CALLER


def project_imports(
    absolute_path: str, data: bytes, modules: ModuleResolver, is_link: Optional[bool] = None
) -> Tuple[str, ...]:
    """The project files a file's `from X import` lines name: where its wrappers may come from.
    `is_link`: whether the file itself is a symbolic link, when the caller knows."""
    keys = from_imports(data)
    return modules.targets(absolute_path, keys, is_link) if keys else ()


def calls_request_wrapper(
    absolute_path: str,
    data: bytes,
    imported: Sequence[str],
    modules: ModuleResolver,
    is_request_module: Callable[[str], bool],
) -> bool:
    """Whether a file triaged ANALYSE_IF_WRAPPER_CALLER is analysed after all: one of the
    modules it imports from (`imported`, from `project_imports`) may hold requests, and the file
    calls a name it imports from such a module."""
    if not any(is_request_module(target) for target in imported):
        return False
    return calls_wrapper_of(absolute_path, data, modules, is_request_module)
