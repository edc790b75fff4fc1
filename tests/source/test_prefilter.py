"""The byte prefilter: it may keep a file without a request, but never drops one that has one."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cachelint.source.prefilter import may_contain_framework_calls, may_contain_requests
from cachelint.run.triage import triage
from cachelint.model.sdk import is_request_shaped
from cachelint.syntax.treewalk import find_all

REPO = Path(__file__).resolve().parents[2]


def has_request_shaped_call(source: bytes) -> bool:
    """The engine's own first filter (`build_requests`): a call with a request method chain."""
    return bool(find_all(cst.parse_module(source), is_request_shaped))


@pytest.mark.parametrize(
    "source",
    [
        "client.messages.create(model=m)",
        "client.beta.messages.stream(model=m)",
        "client.messages.batches.create(requests=r)",
        "client.messages.with_raw_response.create(model=m)",
        "client.messages.batches.with_raw_response.create(requests=r)",
        "client.beta.messages.tool_runner(model=m)",
        "client.messages.count_tokens(model=m)",
        "client.messages.parse(model=m)",
        "client.with_options(timeout=1).messages.create(model=m)",
        "reply = (client\n    .messages\n    .create(model=m))",
        "reply = client.messages \\\n    .create(model=m)",
        "reply = (client.messages  # the Messages API\n    .create(model=m))",
        "reply = (client.messages.create)(model=m)",
        "reply = client . messages . create (model=m)",
        'label = f"{client.messages.create(model=m)}"',
        '"""docs"""\nx = "it\'s"\nclient.messages.create(model=m)',
        "x = '''a ''' \nclient.messages.create(model=m)",
        "x = 'a\\'b' ; client.messages.create(model=m)",
        "x = r'\\\\' ; client.messages.create(model=m)",
        "if x:return'x';client.messages.create(model=m)",
    ],
)
def test_keeps_files_with_a_request_call(source):
    data = source.encode()
    assert has_request_shaped_call(data)
    assert may_contain_requests(data)


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\n",
        "import anthropic\nclient = anthropic.Anthropic()\n",
        '"""Call `client.messages.create(...)` with a model."""\n',
        "# client.messages.create(model=m)\n",
        "example = 'client.messages.create(model=m)'\n",
        'example = """\n    with client.messages.stream(...) as s:\n"""\n',
        "span = 'anthropic.messages.batches.create'\n",
        "methods = [messages.create, messages.parse]\n",  # references, no call
        "create = client.messages.create\n",  # a reference: not request-shaped either
        "messages.create(model=m)\n",  # a bare name has no `.messages` step
        "client.messages.list(limit=3)\n",  # not a request method
        "client.messages_archive.create(x)\n",
        "b'# ' + 'client.messages.create('\n",
    ],
)
def test_drops_files_without_a_request_call(source):
    data = source.encode()
    assert not has_request_shaped_call(data)
    assert not may_contain_requests(data)


@pytest.mark.parametrize(
    "source",
    [
        # An unterminated string: not lexed with certainty, so the file is kept.
        "x = 'never closed\n# client.messages.create(model=m)\n",
        # A 3.12 f-string that nests its own quotes: braces do not balance as lexed, kept.
        'x = f"{d["k"]}"  # client.messages.create(model=m)\n',
    ],
)
def test_keeps_what_it_cannot_lex(source):
    assert may_contain_requests(source.encode())


def test_keeps_files_in_encodings_whose_bytes_are_not_ascii(tmp_path):
    # In Shift-JIS a backslash byte can be the second half of a character: bytes-level lexing
    # would be wrong, so such files are kept whenever the chain appears at all.
    data = "# -*- coding: shift_jis -*-\ns = '表'  # client.messages.create(x)\n".encode("shift_jis")
    assert may_contain_requests(data)
    latin = "# -*- coding: latin-1 -*-\ns = 'é'  # client.messages.create(x)\n".encode("latin-1")
    assert not may_contain_requests(latin)


def test_rules_that_report_outside_requests_have_markers():
    """A rule whose `check_module` can report in a file without request calls needs a marker
    in `prefilter.MODULE_RULE_MARKERS`; this list makes a new such rule fail here first."""
    from cachelint.rules import RULES
    from cachelint.rules._betas import CACHING_BETA
    from cachelint.rules.base import Rule

    module_level = sorted(rule.code for rule in RULES if rule.check_module is not Rule.check_module)
    # CL104 reads only the request calls (`built.calls`); CL105 also reports client
    # constructors with the obsolete beta header and references to `beta.prompt_caching`.
    assert module_level == ["CL104", "CL105"]
    header = f'anthropic.Anthropic(default_headers={{"anthropic-beta": "{CACHING_BETA}"}})'
    assert triage("x.py", header.encode()).analysed
    assert triage("x.py", b"create = client.beta.prompt_caching.messages.create\n").analysed
    assert not may_contain_requests(header.encode())  # not a request module for wrappers
    assert not triage("x.py", b"import anthropic\nclient = anthropic.Anthropic()\n").analysed


def _python_files():
    roots = [REPO / "tests" / "fixtures", REPO / "examples", REPO / "src" / "cachelint"]
    import anthropic

    roots.append(Path(anthropic.__file__).parent)  # the SDK itself: real calls and real docs
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                if name.endswith(".py"):
                    yield Path(directory) / name


@pytest.mark.slow
def test_never_drops_a_request_call_in_real_code():
    checked = kept = 0
    for path in _python_files():
        data = path.read_bytes()
        if b"messages" not in data:
            assert not may_contain_requests(data) or may_contain_framework_calls(data)
            continue
        try:
            shaped = has_request_shaped_call(data)
        except cst.ParserSyntaxError:
            continue  # deliberately broken fixtures: CL000 is covered elsewhere
        checked += 1
        if shaped:
            kept += 1
            assert may_contain_requests(data), path
    assert checked > 100 and kept > 40  # the corpus really exercises both sides


_PIECES = st.sampled_from(
    [
        "x = 1\n",
        "# client.messages.create(x)\n",
        "s = 'client.messages.create(x)'\n",
        's = "it\'s # not a comment"\n',
        '"""doc with client.messages.stream(x) and a \' quote"""\n',
        "s = '''multi\nline .messages.create( '''\n",
        'f"{a!r:>10} {{braces}} {b}"\n',
        "t = f'{client.messages.create(x)}'\n",
        "r = r'\\\\'\n",
        "b = b'\\x00 .messages.parse('\n",
        "client.messages.create(model=m)\n",
        "(client.messages\n  .stream(model=m))\n",
        "client.messages \\\n  .count_tokens(model=m)\n",
        "messages.create(x)\n",
        "y = client.messages.create\n",
    ]
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=6))
def test_agrees_with_the_parser_on_mixtures(pieces):
    data = "".join(pieces).encode()
    try:
        shaped = has_request_shaped_call(data)
    except cst.ParserSyntaxError:
        assume(False)
    if shaped:
        assert may_contain_requests(data)
    calls = ("create(model", "stream(model", "count_tokens(model", "f'{client")
    if not any(call in piece for piece in pieces for call in calls):
        assert not may_contain_requests(data)  # mentions in strings and comments never count


@pytest.mark.parametrize(
    "source",
    [
        b"from litellm import completion\n",
        b"import litellm\nrouter = litellm.Router(model_list=[])\n",
        b"from langchain_anthropic import ChatAnthropic\n",
        b"from langchain.chat_models import init_chat_model\n",
        b"import boto3\nclient = boto3.client('bedrock-runtime')\n",
        b"from pydantic_ai import Agent\n",
        b"import instructor\nclient = instructor.from_anthropic(c)\n",
    ],
)
def test_framework_entry_points_pass_the_prefilter(source):
    assert may_contain_requests(source)


@pytest.mark.parametrize(
    "source",
    [
        b"# the instructor grades the homework\n",
        b"from litellm.utils import token_counter\n",  # the framework named, no entry point
        b"import boto3\ns3 = boto3.client('s3')\n",
    ],
)
def test_framework_words_alone_do_not_pass_the_prefilter(source):
    assert not may_contain_requests(source)
