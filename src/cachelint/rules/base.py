"""What a rule is: one class in one file, carrying its docs, its examples and its fix.

A rule reads the request model of each recognised call (see `cachelint.model.request`) and reports
findings through the `RuleContext`; the engine turns nodes into positions and edits. Tests are
generated from every rule's VALID / INVALID examples, so docs, tests and behaviour cannot drift.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable, List, Optional, Tuple

from cachelint.core.diagnostics import Applicability

if TYPE_CHECKING:
    from cachelint.rules.context import RuleContext
    from cachelint.model.module_facts import ModuleFacts
    from cachelint.model.request import Request


@dataclass(frozen=True)
class Example:
    """A snippet for the docs and the tests.

    For INVALID examples, `fixed` (when given) is the expected source after applying this rule's
    fixes at `applicability` or safer; `message` (when given) must appear in a message.
    """

    code: str
    fixed: Optional[str] = None
    applicability: Applicability = Applicability.SAFE
    message: Optional[str] = None
    path: str = "example.py"

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def fixed_source(self) -> Optional[str]:
        return None if self.fixed is None else textwrap.dedent(self.fixed).lstrip("\n")


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line, for tables
    fix_availability: ClassVar[str] = "none"  # "always" | "sometimes" | "none"
    # The docs, in ruff's shape: What it does / Why is this bad? / Example / Use instead / Fix safety.
    docs: ClassVar[str] = ""
    VALID: ClassVar[List[Example]] = []
    INVALID: ClassVar[List[Example]] = []
    # Waste rules never fire on `count_tokens` (it is free).
    waste: ClassVar[bool] = True

    def check(self, request: "Request", ctx: "RuleContext") -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_module(self, ctx: "RuleContext", facts: "ModuleFacts") -> None:
        """Optional: findings not tied to one request (e.g. obsolete client attributes), read
        from the module's facts."""

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(cls.docs).strip()


def iter_examples(rule: type) -> Iterable[Tuple[str, Example]]:
    for example in rule.VALID:
        yield "valid", example
    for example in rule.INVALID:
        yield "invalid", example
