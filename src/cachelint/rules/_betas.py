"""SDK facts about beta flags that CL104 and CL105 share (anthropic 2.12.0).

`betas=` is a keyword of the `client.beta.messages.*` methods only; the non-beta methods take a
fixed set of keywords and raise TypeError on any other. The prompt-caching beta flag has been
obsolete since caching became generally available (2024-12-17, SDK 0.41.0), and the
`client.beta.prompt_caching` namespace no longer exists.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

CACHING_BETA = "prompt-caching-2024-07-31"
BETA_HEADER = "anthropic-beta"

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


def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def namespace_attribute(func: cst.CSTNode, attr: str) -> Optional[cst.Attribute]:
    """The `X.<attr>` node of a callee chain such as `X.messages.with_raw_response.create`
    (the one nearest the method, so `self.messages.messages.create` picks the right one)."""
    node = func
    while True:
        if isinstance(node, cst.Attribute):
            if node.attr.value == attr:
                return node
            node = node.value
        elif isinstance(node, cst.Call):  # `.with_options(...)` inside the chain
            node = node.func
        else:
            return None


def header_values(text: str) -> List[str]:
    return [value.strip() for value in text.split(",") if value.strip()]


def rewritten_header_literal(node: cst.CSTNode, remaining: List[str]) -> Optional[str]:
    """The source of a plain string literal holding `remaining` comma-separated values, written
    with the literal's own prefix, quotes and separator; None for f-strings and the like."""
    if not isinstance(node, cst.SimpleString) or "f" in node.prefix.lower():
        return None
    body = node.value[len(node.prefix) + len(node.quote) : -len(node.quote)]
    separator = ", " if ", " in body else ","
    return f"{node.prefix}{node.quote}{separator.join(remaining)}{node.quote}"



def remove_argument(ctx, arg: cst.Arg):
    """An edit removing `arg` from its call. When it is the call's only argument, the call
    becomes `f()` (a plain removal would leave the call's inner line breaks behind), provided no
    comment other than the argument's own trailing one would go with it."""
    from cachelint.fix.intents import Remove, Replace

    call = ctx.parents.get(arg)
    if not isinstance(call, cst.Call) or len(call.args) != 1:
        return Remove(arg)
    call_start, call_end = ctx.span(call)
    _, func_end = ctx.span(call.func)
    arg_start, arg_end = ctx.span(arg)
    before = ctx.text[func_end:arg_start]
    after = ctx.text[arg_end:call_end]
    own_line = after.split("\n", 1)
    if "#" in before or (len(own_line) > 1 and "#" in own_line[1]):
        return Remove(arg)
    return Replace(call, ctx.text[call_start:func_end] + "()")
