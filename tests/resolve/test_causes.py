"""The cause of a varying piece: the resolver names why a value changes, with the node a fix needs."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.resolve.text import Cause, Piece, Staticness

HEAD = "import json\nimport os\nimport random\nimport time\nimport uuid\nfrom datetime import datetime\nimport anthropic\nclient = anthropic.Anthropic()\n"


def _system_pieces(body: str, system: str):
    """The pieces of the system prompt of the one request in `body` (CALL marks the call)."""
    call = f"client.messages.create(model='claude-sonnet-4-5', max_tokens=5, system={system}, messages=[])"
    source = HEAD + body.replace("CALL", call)
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    built = build_requests(wrapper, "x.py", AnalysisOptions())
    assert len(built.requests) == 1
    text = built.requests[0].system.text
    assert text is not None
    return text.pieces, built.resolver


def _varying(pieces) -> Piece:
    (piece,) = [p for p in pieces if p.staticness.varies or p.cause is not None]
    return piece


def test_clock_uuid_random_and_process_calls():
    for expression, cause in [
        ("datetime.now()", Cause.CLOCK),
        ("time.time()", Cause.CLOCK),
        ("uuid.uuid4()", Cause.UUID),
        ("random.random()", Cause.RANDOM),
        ("os.urandom(8)", Cause.RANDOM),
        ("os.getpid()", Cause.PROCESS),
    ]:
        pieces, _ = _system_pieces("CALL\n", f'f"Now: {{{expression}}}"')
        piece = _varying(pieces)
        assert piece.staticness is Staticness.VOLATILE, expression
        assert piece.cause is cause, expression
        assert isinstance(piece.cause_node, cst.Call), expression


def test_a_method_of_a_volatile_value_keeps_its_cause():
    pieces, _ = _system_pieces("CALL\n", 'f"Today: {datetime.now().isoformat()}"')
    assert _varying(pieces).cause is Cause.CLOCK


def test_parameter_and_loop_variable():
    pieces, _ = _system_pieces("def ask(user):\n    return CALL\n", 'f"Hello {user}"')
    piece = _varying(pieces)
    assert (piece.staticness, piece.cause) == (Staticness.PER_CALL, Cause.PARAMETER)
    pieces, _ = _system_pieces("for name in names:\n    CALL\n", 'f"Hello {name}"')
    assert _varying(pieces).cause is Cause.LOOP_VARIABLE


def test_set_joined_names_the_set_expression():
    pieces, resolver = _system_pieces("TAGS = {'a', 'b'}\nCALL\n", '"Tags: " + ", ".join(TAGS)')
    piece = _varying(pieces)
    assert piece.staticness is Staticness.VOLATILE
    assert piece.cause is Cause.SET_ORDER
    assert resolver.code(piece.cause_node) == "TAGS"  # what `sorted(...)` wraps


def test_json_dumps_of_data_built_elsewhere_has_unsorted_keys():
    pieces, resolver = _system_pieces("from catalog import load\nDATA = load()\nCALL\n", '"Data: " + json.dumps(DATA, indent=2)')
    piece = _varying(pieces)
    assert piece.cause is Cause.UNSORTED_JSON
    assert resolver.code(piece.cause_node) == "json.dumps(DATA, indent=2)"  # where `sort_keys=True` goes


def test_json_dumps_with_sort_keys_or_of_literal_data_has_no_cause():
    for expression in ("json.dumps(DATA, sort_keys=True)", "json.dumps(LIMITS)"):
        body = "from catalog import load\nDATA = load()\nLIMITS = {'days': 14}\nCALL\n"
        pieces, _ = _system_pieces(body, f'"Data: " + {expression}')
        assert all(p.cause is None for p in pieces), expression


def test_static_text_has_no_cause():
    pieces, _ = _system_pieces("PROMPT = 'You are terse.'\nCALL\n", "PROMPT")
    assert all(p.cause is None and p.staticness is Staticness.STATIC for p in pieces)
