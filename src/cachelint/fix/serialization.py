"""Fixes that give a serialisation one canonical order: `sort_keys=True`, `sorted(a_set)`."""

from __future__ import annotations

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import FixSpec, InsertAfter, Replace
from cachelint.model.serialization import SetConsumer, SetIteration, UnsortedJson
from cachelint.resolve.ordering import SetElements


def add_sort_keys(site: UnsortedJson) -> FixSpec:
    """`json.dumps(data, ...)` -> `json.dumps(data, ..., sort_keys=True)`: the same data, its
    keys in one order."""
    last = site.call.args[-1]
    return FixSpec("Add `sort_keys=True`", Applicability.SAFE, [InsertAfter(last.value, ", sort_keys=True")])


def sort_set_iteration(site: SetIteration, code: str) -> FixSpec:
    """Iterate `sorted(s)` instead of the set `s` (`code`: the set expression as written).

    Safe when the elements are known strings; unsafe when they are not known (elements that
    cannot be compared raise `TypeError`); advice only when the set is formatted as a whole or
    holds elements of several kinds."""
    if site.consumer_kind is SetConsumer.FORMATTED:
        return FixSpec(
            "Format the elements in a fixed order, e.g. `', '.join(sorted(...))`",
            Applicability.DISPLAY_ONLY,
        )
    if site.elements is SetElements.MIXED:
        return FixSpec("Iterate the set in a fixed order (its elements cannot be sorted as they are)",
                       Applicability.DISPLAY_ONLY)
    applicability = Applicability.SAFE if site.elements is SetElements.STR else Applicability.UNSAFE
    # `list(s)` becomes `sorted(s)` (a list already); elsewhere the set is wrapped where it is
    target = site.consumer if site.consumer_kind is SetConsumer.LIST_CALL else site.expression
    return FixSpec("Iterate the set sorted", applicability, [Replace(target, f"sorted({code})")])
