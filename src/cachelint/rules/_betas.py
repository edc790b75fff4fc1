"""SDK facts about beta flags that CL104 and CL105 share (anthropic 2.12.0).

`betas=` is a keyword of the `client.beta.messages.*` methods only; the non-beta methods take a
fixed set of keywords and raise TypeError on any other. The prompt-caching beta flag has been
obsolete since caching became generally available (2024-12-17, SDK 0.41.0), and the
`client.beta.prompt_caching` namespace no longer exists.
"""

from __future__ import annotations

from typing import Tuple

CACHING_BETA = "prompt-caching-2024-07-31"

# Keywords each non-beta method accepts (read from the signatures of
# anthropic/resources/messages/messages.py and batches.py in 2.12.0). Anything else passed to
# them is a TypeError; the beta twins accept these plus beta-only ones (`betas`, `mcp_servers`,
# `context_management`, `container` on parse, ...).
_REQUEST_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout"}
STABLE_KEYWORDS = {
    "create": {
        "max_tokens", "messages", "model", "cache_control", "container", "diagnostics",
        "inference_geo", "metadata", "output_config", "service_tier", "speed", "stop_sequences",
        "stream", "system", "thinking", "tool_choice", "tools", "user_profile_id", "workspace_id",
    } | _REQUEST_OPTIONS,
    "stream": {
        "max_tokens", "messages", "model", "cache_control", "container", "diagnostics",
        "inference_geo", "metadata", "output_config", "output_format", "service_tier", "speed",
        "stop_sequences", "system", "thinking", "tool_choice", "tools", "user_profile_id",
        "workspace_id",
    } | _REQUEST_OPTIONS,
    "parse": {
        "max_tokens", "messages", "model", "diagnostics", "metadata", "output_config",
        "output_format", "service_tier", "speed", "stop_sequences", "system", "thinking",
        "tool_choice", "tools",
    } | _REQUEST_OPTIONS,
    "count_tokens": {
        "messages", "model", "cache_control", "output_config", "output_format", "speed", "system",
        "thinking", "tool_choice", "tools", "user_profile_id", "workspace_id",
    } | _REQUEST_OPTIONS,
    "batches.create": {"requests", "user_profile_id", "workspace_id"} | _REQUEST_OPTIONS,
}


def beta_only_keywords(method: str, keywords) -> Tuple[str, ...]:
    """Keywords of a call that the non-beta `method` would reject (besides `betas`)."""
    accepted = STABLE_KEYWORDS.get(method)
    if accepted is None:  # tool_runner and friends exist on the beta namespace only
        return tuple(sorted(k for k in keywords if k != "betas")) or ("<beta-only method>",)
    return tuple(sorted(k for k in keywords if k not in accepted and k != "betas"))
