"""The result of a file the prefilter skipped is an ordinary FileResult with nothing in it."""

from __future__ import annotations

import pickle

from cachelint.run.runner import FileResult


def test_nothing_to_report_is_the_plain_result():
    fast = FileResult.nothing_to_report("app/m.py", "/work/app/m.py")
    plain = FileResult(path="app/m.py", absolute_path="/work/app/m.py")
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert pickle.loads(pickle.dumps(fast)) == plain
    assert not fast.changed and fast.error is None and fast.diagnostics == ()
