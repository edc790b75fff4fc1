"""The read-only tree walk the analysis uses instead of libcst visitors."""

import libcst as cst

from cachelint.syntax.treewalk import find_all, implicit_string_parts, walk

SOURCE = '''
def outer(x):
    def inner():
        return 1
    lam = lambda: 2
    if x:
        return "a" f"{x}" "c"
    return 3
'''


def test_walk_is_source_order_and_prune_keeps_the_node_but_not_its_inside():
    module = cst.parse_module(SOURCE)
    outer = module.body[0]
    pruned = [n for n in walk(outer, prune=lambda n: isinstance(n, (cst.FunctionDef, cst.Lambda)))]
    returns = [n for n in pruned if isinstance(n, cst.Return)]
    assert [module.code_for_node(r.value) for r in returns] == ['"a" f"{x}" "c"', "3"]
    assert any(isinstance(n, cst.FunctionDef) and n.name.value == "inner" for n in pruned)
    all_returns = find_all(outer, lambda n: isinstance(n, cst.Return))
    assert len(all_returns) == 3  # without pruning the inner function's return is found too


def test_the_root_is_never_pruned():
    module = cst.parse_module(SOURCE)
    outer = module.body[0]
    found = find_all(outer, lambda n: isinstance(n, cst.Return), prune=lambda n: isinstance(n, cst.FunctionDef))
    assert len(found) == 2


def test_implicit_string_parts_left_to_right():
    expression = cst.parse_expression('"a" f"{x}" "c"')
    assert [cst.Module([]).code_for_node(p) for p in implicit_string_parts(expression)] == ['"a"', 'f"{x}"', '"c"']
