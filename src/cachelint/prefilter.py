"""Decide from raw bytes whether a file can contain a finding, before decoding or parsing it.

Almost every finding is about a recognised SDK request, and recognising one needs a *call* whose
callee chain ends in `.messages.<method>` (optionally through `with_raw_response`,
`with_streaming_response` or `batches`; see `sdk._shape`). A file without such a call in its code
cannot contain a request (`may_contain_requests`). The few rules that also report outside
requests (`Rule.check_module`) name what they look for in `MODULE_RULE_MARKERS`; a file with
neither (`may_have_findings` is False) is never decoded or parsed.

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

# A cheap first look: every request chain contains this word.
_MARKER = b"messages"

# What rules report outside request calls: CL105 flags the obsolete caching beta in client
# constructors (`default_headers`) and references to the removed `beta.prompt_caching`
# namespace, in files that may make no request. A rule that adds a `check_module` finding not
# tied to a request must add its marker here (tests/test_prefilter.py lists those rules).
MODULE_RULE_MARKERS = (b"prompt_caching", b"prompt-caching-")

# Between the parts of a chain: whitespace, backslash continuations and comments (a comment
# runs to the end of its line, which keeps the alternatives unambiguous: no backtracking blowup).
_COMMENT = rb"#[^\r\n]*(?![^\r\n])"
_GAP = rb"(?:\s|\\|" + _COMMENT + rb")*"
REQUEST_CHAIN = re.compile(
    rb"\." + _GAP + rb"messages" + _GAP + rb"\." + _GAP
    + rb"(?:(?:with_raw_response|with_streaming_response|batches)" + _GAP + rb"\." + _GAP + rb")*"
    + rb"(?:create|stream|parse|count_tokens|tool_runner)\b"
    + rb"(?:\s|\\|" + _COMMENT + rb"|\))*\("  # `)` for a parenthesised callee: `(client.messages.create)(`
)

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


def may_have_findings(data: bytes) -> bool:
    """False only when no rule can report anything in `data`."""
    return may_contain_requests(data) or has_module_rule_marker(data)


def has_module_rule_marker(data: bytes) -> bool:
    return any(marker in data for marker in MODULE_RULE_MARKERS)


def may_contain_requests(data: bytes) -> bool:
    """False only when `data` certainly holds no request-shaped SDK call in its code."""
    if _MARKER not in data:
        return False
    match = REQUEST_CHAIN.search(data)
    if match is None:
        return False
    if not _ascii_safe_encoding(data):
        return True
    return _chain_in_code(data, match)


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
        match = REQUEST_CHAIN.search(data, hit + 1)
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
