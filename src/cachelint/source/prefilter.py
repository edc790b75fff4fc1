"""Decide from raw bytes whether a file can contain a finding, before decoding or parsing it.

Almost every finding is about a recognised SDK request, and recognising one needs a *call* whose
callee chain ends in `.messages.<method>` (optionally through `with_raw_response`,
`with_streaming_response` or `batches`; see `sdk._shape`). A file without such a call in its code
cannot contain a request (`may_contain_requests`). The few rules that also report outside
requests (`Rule.check_module`) have their words checked in `has_module_rule_marker`; a file with
neither is never decoded or parsed (`run.triage` decides, for the scheduler and the fast path).

Two stages, both on bytes:
1. a regex for the chain followed by `(` (whitespace, line continuations and comments may sit
   between the parts, as they may inside brackets); most files fail here, in C;
2. for the files that match, a small lexer that skips comments and string literals, so that a
   chain mentioned only in a docstring or a comment (`client.messages.create(...)` in the
   SDK's own docs) does not count. The lexer errs on the side of keeping a file: an
   f-string's contents count as code, and anything it cannot lex with certainty (an unterminated
   string, an f-string whose braces do not balance, an encoding whose bytes are not
   ASCII-safe) keeps the file.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the start-up fast path does not import typing
    from typing import Optional

# A cheap first look: every request chain contains this word.
_MARKER = b"messages"

# What rules report outside request calls: CL105 flags references to the removed
# `beta.prompt_caching` namespace, and the obsolete caching beta header in client constructors
# (a `default_headers=` keyword), in files that may make no request. A file can only hold such a
# finding when it names the namespace, or names both the beta and the keyword: the SDK's own
# list of beta names (a `Literal`) holds the beta alone. A rule that adds a `check_module`
# finding not tied to a request must extend `has_module_rule_marker` (tests/source/test_prefilter.py
# lists those rules).
MODULE_RULE_MARKERS = (b"prompt_caching", b"prompt-caching-")
_MODULE_RULE_COMMON = b"caching"  # in every marker: one scan rules out nearly every file
_CLIENT_HEADERS_KEYWORD = b"default_headers"

# Between the parts of a chain: whitespace, backslash continuations and comments (a comment
# runs to the end of its line, which keeps the alternatives unambiguous: no backtracking blowup).
_COMMENT = rb"#[^\r\n]*(?![^\r\n])"
_GAP = rb"(?:\s|\\|" + _COMMENT + rb")*"
_TAIL = (
    rb"messages" + _GAP + rb"\." + _GAP
    + rb"(?:(?:with_raw_response|with_streaming_response|batches)" + _GAP + rb"\." + _GAP + rb")*"
    + rb"(?:create|stream|parse|count_tokens|tool_runner)\b"
    + rb"(?:\s|\\|" + _COMMENT + rb"|\))*\("  # `)` for a parenthesised callee: `(client.messages.create)(`
)
REQUEST_CHAIN = re.compile(rb"\." + _GAP + _TAIL)
# The chain from its `messages` on: it starts with a word, which the regex engine finds fast
# (REQUEST_CHAIN starts with `.`, found at every attribute access). Every chain holds one.
_CHAIN_TAIL = re.compile(_TAIL)

# A line (with its line break) that can sit between a chain's `.` and its `messages`.
_GAP_ONLY_LINE = re.compile(rb"[\s\\]*(?:#[^\r\n]*)?\s*")

# Comments and the openings of string literals (with their prefix, to tell f-strings apart).
_TOKEN = re.compile(rb"#[^\r\n]*|(?:(?<![\w\x80-\xff])([rRbBuUfF]{1,2}))?('''|\"\"\"|'|\")")
# String bodies after the opening quote, up to and including the closing quote (3.11 rules;
# unrolled loops so that an unterminated string cannot make the regex backtrack).
_BODIES = {
    b"'''": re.compile(rb"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"),
    b'"""': re.compile(rb'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'),
    b"'": re.compile(rb"[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'"),
    b'"': re.compile(rb'[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"'),
}
_DOUBLED_BRACES = re.compile(rb"\{\{|\}\}")
# PEP 263 declaration in the first two lines.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
# Encodings in which every byte below 0x80 is the ASCII character (so quotes, backslashes and
# `#` seen in the bytes are the ones Python sees).
_ASCII_SAFE = re.compile(
    r"^(utf[-_]?8(-sig)?|ascii|us-ascii|latin[-_]?1|iso[-_]?8859[-_]?\d+|l\d|cp125\d|"
    r"windows-125\d|koi8[-_]\w+|mac[-_]?\w+)$"
)


def has_module_rule_marker(data: bytes) -> bool:
    """False only when no `check_module` rule can report in `data` outside request calls."""
    if _MODULE_RULE_COMMON not in data:
        return False
    namespace, beta = MODULE_RULE_MARKERS
    if namespace in data:
        return True
    return beta in data and _CLIENT_HEADERS_KEYWORD in data


# Every module that sends a request through a framework front-end (`model.frontends`) names its
# framework (an import, a service name) and one of its entry points (the function, class or
# constructor a request starts from). Each front-end's own `words` must be among the framework
# words (tests/model/test_frontends.py checks it), so no framework call is prefiltered away; the
# entry words keep the frameworks' own sources, which name themselves everywhere, out.
FRAMEWORK_ENTRY_WORDS = (
    (b"litellm", (b"completion", b"Router")),
    (b"langchain", (b"ChatAnthropic", b"init_chat_model", b"create_agent", b"ChatBedrock")),
    (b"bedrock", (b"bedrock-runtime", b"ChatBedrock")),
    (b"pydantic_ai", (b"Agent",)),
    (b"instructor", (b"from_anthropic",)),
)
FRAMEWORK_WORDS = tuple(word for word, _ in FRAMEWORK_ENTRY_WORDS)


def may_contain_framework_calls(data: bytes) -> bool:
    """False only when `data` names no framework cachelint has a front-end for together with
    one of that framework's entry points (plain `in` tests: C speed, no regex)."""
    for word, entries in FRAMEWORK_ENTRY_WORDS:
        if word in data and any(entry in data for entry in entries):
            return True
    return False


def may_contain_requests(data: bytes) -> bool:
    """False only when `data` certainly holds no request: no request-shaped SDK call in its
    code and no mention of a framework with a front-end."""
    if may_contain_framework_calls(data):
        return True
    match = find_chain(data, 0)
    if match is None:
        return False
    if not _ascii_safe_encoding(data):
        return True
    return _chain_in_code(data, match)


def find_chain(data: bytes, position: int) -> "Optional[re.Match[bytes]]":
    """`REQUEST_CHAIN.search(data, position)`, with the regex started near the first
    `messages` at or after `position` instead of at every `.` before it (the regex starts with
    `.`, which the code of a big module holds thousands of times)."""
    if data.find(_MARKER, position) < 0:
        return None  # every chain holds the word
    tail = _CHAIN_TAIL.search(data, position)
    if tail is None:
        return None  # no `messages` is followed by the rest of a chain
    return REQUEST_CHAIN.search(data, max(position, _chain_may_start_from(data, tail.start())))


def _chain_may_start_from(data: bytes, first: int) -> int:
    """A position no later than the start of any chain whose `messages` is at `first` or after.

    Between a chain's `.` and its `messages` only a gap may sit: whitespace, backslashes and
    comments running to the end of their lines. So every line between the `.` and the word
    holds nothing but a gap. Walking up from the line of `first` over such lines, plus the
    first line that is not one, reaches the line of the `.`; a later `messages` whose chain
    starts higher up has a gap-only path through `first`'s line, so the same walk covers it.
    """
    start = _line_start(data, first)
    while start > 0:
        above = _line_start(data, start - 1)
        gap_only = _GAP_ONLY_LINE.fullmatch(data, above, start) is not None
        start = above
        if not gap_only:
            break
    return start


def _line_start(data: bytes, position: int) -> int:
    return max(data.rfind(b"\n", 0, position), data.rfind(b"\r", 0, position)) + 1


def _ascii_safe_encoding(data: bytes) -> bool:
    head = b"\n".join(data.split(b"\n", 2)[:2])
    declared = _CODING.search(head)
    if declared is None:
        return True
    name = declared.group(1).decode("ascii", "replace").lower()
    return bool(_ASCII_SAFE.match(name))


def _chain_in_code(data: bytes, match: "re.Match[bytes]") -> bool:
    """Walk the comments and strings from the start; True at the first chain that starts in code."""
    hit = match.start()
    token = _TOKEN.search(data)
    token_end = _token_end(data, token) if token is not None else None
    while token is not None and token.start() <= hit:
        if token_end is None:
            return True  # cannot lex this with certainty: keep the file
        if hit >= token_end:  # the token ends before the chain: move to the next token
            token = _TOKEN.search(data, token_end)
            token_end = _token_end(data, token) if token is not None else None
            continue
        if _is_f_string(token):
            return True  # an f-string's replacement fields are code
        # The chain is only mentioned in a comment or a plain string: try the next mention
        # (searching from just after this one, so that no overlapping mention is skipped).
        match = find_chain(data, hit + 1)
        if match is None:
            return False
        hit = match.start()
    return True  # no comment or string encloses the chain: it is code


def _is_f_string(token: "re.Match[bytes]") -> bool:
    prefix = token.group(1)
    return prefix is not None and b"f" in prefix.lower()


def _token_end(data: bytes, token: "re.Match[bytes]"):
    """Where the comment or string literal that `token` opens ends; None when unsure."""
    quote = token.group(2)
    if quote is None:
        return token.end()  # a comment
    body = _BODIES[quote].match(data, token.end())
    if body is None:
        return None  # unterminated
    if _is_f_string(token):
        inner = _DOUBLED_BRACES.sub(b"", data[token.end() : body.end() - len(quote)])
        if inner.count(b"{") != inner.count(b"}"):
            return None  # a nested quote (3.12 f-string syntax) may have ended it early
    return body.end()
