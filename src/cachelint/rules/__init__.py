"""The rule catalogue. Each rule is one class in one module of this package."""

from __future__ import annotations

from typing import Dict, Tuple

from cachelint.core.codes import SYNTAX_ERROR_CODE
from cachelint.rules.base import Rule


def _load() -> Tuple[type, ...]:
    from cachelint.rules import _registry

    return tuple(sorted(_registry.RULE_CLASSES, key=lambda rule: rule.code))


RULES: Tuple[type, ...] = _load()
RULES_BY_CODE: Dict[str, type] = {rule.code: rule for rule in RULES}
ALL_CODES: Tuple[str, ...] = (SYNTAX_ERROR_CODE,) + tuple(RULES_BY_CODE)

__all__ = ["Rule", "RULES", "RULES_BY_CODE", "ALL_CODES"]
