"""`prefilter.find_chain` finds exactly what `REQUEST_CHAIN.search` finds, from any position.

It only starts the regex later (near the first `messages` that is followed by the rest of a
chain): chains whose `.` sits lines above their `messages`, behind comments, blank lines and
backslashes, in any line-break style, must still be found from their `.`.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cachelint.source.prefilter import REQUEST_CHAIN, find_chain


def same_as_the_regex(data: bytes) -> None:
    for position in range(len(data) + 1):
        expected = REQUEST_CHAIN.search(data, position)
        found = find_chain(data, position)
        assert (found and found.span()) == (expected and expected.span()), (data, position)


def test_a_chain_split_over_comment_and_blank_lines():
    for newline in (b"\n", b"\r\n", b"\r"):
        lines = [b"x = 1", b"reply = (client.  # the client", b"", b"   # more", b"  \\", b"    messages"]
        data = newline.join(lines + [b"    .create(model=m))"])
        assert find_chain(data, 0).start() == data.index(b".  #")
        same_as_the_regex(data)


def test_no_chain():
    assert find_chain(b"", 0) is None
    assert find_chain(b"messages = []\nmessages.create(x)\n", 0) is None
    assert find_chain(b"client.messages.list()\n", 0) is None


def test_a_dot_inside_a_comment_above_the_word():
    same_as_the_regex(b"# see a.\nmessages.create(x)\nclient.messages.create(y)\n")
    same_as_the_regex(b"x.  # messages\n  messages.create(x)\n")


_PIECES = st.sampled_from(
    [b"client", b".", b"messages", b"create", b"stream", b"batches", b"(", b")", b" ", b"\t", b"\\",
     b"\n", b"\r\n", b"\r", b"# note", b"#.", b"x = 1", b"'s'", b"with_raw_response", b"parse"]
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=16))
def test_agrees_with_the_regex_on_mixtures(pieces):
    same_as_the_regex(b"".join(pieces))
