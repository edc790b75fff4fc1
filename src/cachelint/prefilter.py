"""Decide from raw bytes whether a file can contain a finding, before decoding or parsing it.

Every finding is about a recognised SDK request, and recognising one needs a callee chain that
ends in `messages.<method>` (or `messages.batches.create`). A file without such text cannot
contain a request, so it is never decoded or parsed. The pattern tolerates whitespace and line
breaks around the dots (`client.messages\\n    .create(`).
"""

from __future__ import annotations

import re

REQUEST_CHAIN = re.compile(
    rb"messages\s*\.\s*(?:with_raw_response\s*\.\s*|with_streaming_response\s*\.\s*|batches\s*\.\s*)?"
    rb"(?:create|stream|parse|count_tokens|tool_runner)\b"
)


def may_contain_requests(data: bytes) -> bool:
    return REQUEST_CHAIN.search(data) is not None
