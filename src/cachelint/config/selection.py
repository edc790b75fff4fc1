"""Rule selectors (`ALL`, a code, a code prefix) and how layers of them resolve to enabled codes.

Layering follows ruff: the configuration file is one layer of select / ignore / extend-select and
the command line is another on top. Inside a layer the more specific selector wins (`CL001` beats
`CL0`, which beats `ALL`) and ignore beats select at equal specificity. A layer with `select`
starts afresh; a layer without it adjusts what the layer below enabled.

Plain functions over strings (a layer is anything with `select`, `ignore`, `extend_select` and
`origin`, such as `cachelint.config.settings.SelectionLayer`): the start-up fast path uses them without
importing dataclasses or typing.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs start-up time
    from typing import Any, FrozenSet, Optional, Sequence, Tuple

ALL_SELECTOR = "ALL"


def known_codes() -> Tuple[str, ...]:
    # Once the rule classes are loaded their catalogue is the authority (it may have grown);
    # before that, the rule modules' names: selecting rules needs neither them nor libcst.
    loaded = sys.modules.get("cachelint.rules")
    if loaded is not None and hasattr(loaded, "ALL_CODES"):
        return tuple(loaded.ALL_CODES)
    from cachelint.core.codes import all_codes

    return all_codes()


def expand_selector(
    selector: str, origin: str, codes: Optional[Sequence[str]] = None
) -> FrozenSet[str]:
    """The codes a selector (`ALL`, a code, or a code prefix like `CL0`) stands for."""
    codes = known_codes() if codes is None else codes
    text = selector.strip().upper()
    if text == ALL_SELECTOR:
        return frozenset(codes)
    matched = frozenset(code for code in codes if code.startswith(text)) if text else frozenset()
    if not matched:
        from cachelint.core.errors import SelectorError

        raise SelectorError(f"unknown rule selector `{selector.strip()}` in {origin}")
    return matched


def _specificity(selector: str) -> int:
    text = selector.strip().upper()
    return 0 if text == ALL_SELECTOR else len(text)


def resolve_selection(
    layers: Sequence[Any], codes: Optional[Sequence[str]] = None
) -> FrozenSet[str]:
    """The enabled codes after applying `layers` bottom-up. All rules are on by default.

    CL000 (syntax errors) stays reportable unless some layer ignores it explicitly.
    """
    from cachelint.core.codes import SYNTAX_ERROR_CODE

    codes = known_codes() if codes is None else tuple(codes)
    enabled = frozenset(codes)
    syntax_error_ignored = False
    for layer in layers:
        if layer.select is not None:
            enabled = frozenset()
        operations = [(selector, True) for selector in (layer.select or ())]
        operations += [(selector, True) for selector in layer.extend_select]
        operations += [(selector, False) for selector in layer.ignore]
        # Less specific first, so a more specific selector gets the last word; ignore wins ties.
        operations.sort(key=lambda item: (_specificity(item[0]), not item[1]))
        for selector, turn_on in operations:
            matched = expand_selector(selector, layer.origin, codes)
            if turn_on:
                enabled |= matched
            else:
                enabled -= matched
                if SYNTAX_ERROR_CODE in matched:
                    syntax_error_ignored = True
            if turn_on and SYNTAX_ERROR_CODE in matched:
                syntax_error_ignored = False
    if not syntax_error_ignored:
        enabled |= {SYNTAX_ERROR_CODE}
    return enabled


def expand_per_file_codes(codes: Sequence[str], origin: str) -> FrozenSet[str]:
    """The codes one `per-file-ignores` entry turns off (every selector must match something)."""
    if not codes:
        return frozenset()
    return frozenset().union(*(expand_selector(code, origin) for code in codes))


def command_line_codes(values: Sequence[str]) -> Tuple[str, ...]:
    """`--select CL001,CL002 --select CL3` -> ("CL001", "CL002", "CL3")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())
