"""The fixes for unstable serialisations, applied by the product's own fixer (`cachelint fix`)."""

from __future__ import annotations

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import InsertAfter, Replace
from cachelint.fix.serialization import add_sort_keys, sort_set_iteration
from cachelint.model.serialization import SetConsumer, SetIteration, UnsortedJson
from cachelint.resolve.ordering import SetElements

import libcst as cst


def _call(code: str) -> cst.Call:
    return cst.parse_expression(code)


def test_add_sort_keys_inserts_after_the_last_argument():
    call = _call("json.dumps(data, indent=2)")
    fix = add_sort_keys(UnsortedJson("system", False, call, call.args[0].value))
    assert fix.applicability is Applicability.SAFE
    (edit,) = fix.edits
    assert isinstance(edit, InsertAfter) and edit.node is call.args[-1].value and edit.text == ", sort_keys=True"


def _iteration(elements: SetElements, kind: SetConsumer, consumer=None) -> SetIteration:
    return SetIteration("system", elements, False, kind, cst.Name("TAGS"), consumer)


def test_sorting_a_set_of_strings_is_safe_and_unknown_elements_unsafe():
    fix = sort_set_iteration(_iteration(SetElements.STR, SetConsumer.ITERATION), "TAGS")
    assert fix.applicability is Applicability.SAFE
    (edit,) = fix.edits
    assert isinstance(edit, Replace) and edit.replacement == "sorted(TAGS)"
    assert sort_set_iteration(_iteration(SetElements.UNKNOWN, SetConsumer.ITERATION), "TAGS").applicability is Applicability.UNSAFE


def test_list_of_a_set_becomes_sorted_of_it():
    consumer = _call("list(TAGS)")
    fix = sort_set_iteration(_iteration(SetElements.STR, SetConsumer.LIST_CALL, consumer), "TAGS")
    (edit,) = fix.edits
    assert edit.node is consumer and edit.replacement == "sorted(TAGS)"


def test_formatted_or_mixed_sets_get_advice_only():
    for elements, kind in [(SetElements.STR, SetConsumer.FORMATTED), (SetElements.MIXED, SetConsumer.ITERATION)]:
        fix = sort_set_iteration(_iteration(elements, kind), "TAGS")
        assert fix.applicability is Applicability.DISPLAY_ONLY and not fix.edits
