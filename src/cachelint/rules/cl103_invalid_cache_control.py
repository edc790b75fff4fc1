from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst

from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Marker, Request
from cachelint.resolve.text import TextValue
from cachelint.rules._breakpoints import Breakpoint, anchor, breakpoints, describe
from cachelint.fix.intents import EditSpec, FixSpec, Replace
from cachelint.rules.base import Example, Rule
from cachelint.resolve.value import Const, DictVal

EPHEMERAL = '{"type": "ephemeral"}'
ACCEPTED_TTLS = ("5m", "1h")
# A TTL written another way that means exactly one of the accepted values.
TTL_SECONDS = {300: "5m", 3600: "1h"}
_UNIT_SECONDS = {
    "": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
}
_DURATION = re.compile(r"\s*(\d+)\s*([a-z]*)\s*")


class InvalidCacheControl(Rule):
    code = "CL103"
    name = "invalid-cache-control"
    summary = 'A `cache_control` that is not {"type": "ephemeral"} (+ ttl "5m"/"1h"): the API rejects it'
    fix_availability = "sometimes"
    waste = False  # count_tokens validates the request too
    docs = """
    ## What it does
    Checks for `cache_control` values the API does not accept, on blocks, tools and the
    top-level `cache_control=` argument. The only accepted shape is `{"type": "ephemeral"}`
    with an optional `"ttl"` of `"5m"` or `"1h"`. Common mistakes: the string `"ephemeral"`,
    `{"type": "persistent"}`, `"ttl": 3600`, `"ttl": "10m"`, and the key spelled
    `cache-control` or `cacheControl`.

    ## Why is this bad?
    The API validates the marker and rejects the whole request with a 400 error; a misspelled
    key is an unknown field and is rejected the same way. Nothing is sent to the model and
    nothing is cached.

    ## Example
    ```python
    system=[{"type": "text", "text": POLICY, "cacheControl": "ephemeral"}]
    ...
    tools=[{**SEARCH_TOOL, "cache_control": {"type": "ephemeral", "ttl": 3600}}]
    ```

    ## Use instead
    ```python
    system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]
    ...
    tools=[{**SEARCH_TOOL, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    ```

    ## Fix safety
    The fix is safe when the intent is unambiguous: the string `"ephemeral"` becomes
    `{"type": "ephemeral"}`, a misspelled key becomes `cache_control`, a missing or mis-cased
    `"type"` becomes `"ephemeral"`, and a TTL that means exactly 5 minutes or 1 hour
    (`300`, `3600`, `"60m"`, `"1hr"`, ...) becomes `"5m"` or `"1h"`. The text the model
    receives does not change; a crash is removed. Other values (`{"type": "persistent"}`, a TTL
    of 10 minutes or 1 day, unknown keys) have no single right replacement and get no fix.
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                    messages=[{"role": "user", "content": q}],
                    cache_control={"type": "ephemeral"},
                )
            """
        ),
        Example(
            """
            import anthropic
            from settings import CACHE_CONTROL
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": CACHE_CONTROL}],
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
    ]
    INVALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": "ephemeral"}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="not the string 'ephemeral'",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            ONE_HOUR = {"type": "ephemeral", "ttl": 3600}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cacheControl": ONE_HOUR}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": ONE_HOUR}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="`cacheControl`",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{"type": "text", "text": "Policy.", "cache_control": {"type": "persistent"}}],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="'persistent'",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        for point in breakpoints(request, ctx):
            marker = point.marker
            if marker.valid is not False:
                continue
            where = describe(request, point)
            if marker.key != "cache_control":
                message = (
                    f"`{marker.key}` on {where} is not a field the API knows (it reads only "
                    f"`cache_control`): the request is rejected with 400 and nothing is cached"
                )
            else:
                problem = marker.problem or "the value is not accepted"
                message = f"invalid `cache_control` on {where}: {problem}; the API rejects this request with 400"
            ctx.report(anchor(ctx, request, point), message, fix=_fix(ctx, point), noqa_node=request.call.node)


# -- the fix ---------------------------------------------------------------------------------


@dataclass
class _Repair:
    """What it takes to make a marker value valid: edits, or why it cannot be done."""

    edits: List[EditSpec] = field(default_factory=list)
    fixable: bool = True  # False: known invalid with no single right replacement
    known: bool = True  # False: the value cannot be read (a key rename is still right)


def _fix(ctx, point: Breakpoint) -> Optional[FixSpec]:
    marker = point.marker
    repair = _repair_value(ctx, marker.node)
    if marker.key != "cache_control":
        rename = _rename_key(ctx, marker)
        if rename is None or not repair.fixable:
            return None
        edits = [rename] + repair.edits
        message = f"Rename `{marker.key}` to `cache_control`"
        if repair.edits:
            message += " and make the value valid"
        return FixSpec(message, Applicability.SAFE, edits)
    if not repair.fixable or not repair.known or not repair.edits:
        return None
    return FixSpec("Write the marker as the API expects it", Applicability.SAFE, repair.edits)


def _rename_key(ctx, marker: Marker) -> Optional[EditSpec]:
    key_node = marker.key_node
    if key_node is None or key_node not in ctx.positions:
        return None
    if isinstance(key_node, cst.DictElement) and isinstance(key_node.key, cst.SimpleString):
        parent = ctx.parents.get(key_node)
        if isinstance(parent, cst.Dict) and any(
            _literal_key(element) == "cache_control" for element in parent.elements
        ):
            return None  # both spellings present: which one to keep is the author's call
        return Replace(key_node.key, _quoted(key_node.key, "cache_control"))
    if isinstance(key_node, cst.Arg) and key_node.keyword is not None:
        return Replace(key_node.keyword, "cache_control")
    return None


def _repair_value(ctx, node: Optional[cst.CSTNode]) -> _Repair:
    if node is None:
        return _Repair(known=False)
    text = _literal_string(node)
    if text is not None:
        if text.strip().lower() == "ephemeral" and node in ctx.positions:
            quote = _quote_of(node)
            return _Repair([Replace(node, f"{{{quote}type{quote}: {quote}ephemeral{quote}}}")])
        return _Repair(fixable=False)
    if isinstance(node, cst.Dict):
        return _repair_dict(ctx, node)
    if isinstance(node, cst.Name) and ctx.resolver is not None:
        value = ctx.resolver.resolve(node)
        if isinstance(value, TextValue):
            if value.text is None:
                return _Repair(known=False)
            if value.text.strip().lower() == "ephemeral" and node in ctx.positions:
                return _Repair([Replace(node, EPHEMERAL)])
            return _Repair(fixable=False)
        if isinstance(value, DictVal) and isinstance(value.node, cst.Dict):
            return _repair_dict(ctx, value.node)
    return _Repair(known=False)


def _repair_dict(ctx, node: cst.Dict) -> _Repair:
    if node not in ctx.positions:
        return _Repair(known=False)  # defined in another module
    elements = {}
    for element in node.elements:
        key = _literal_key(element)
        if key is None:
            return _Repair(known=False)  # a `**splat` or a computed key
        elements[key] = element
    if set(elements) - {"type", "ttl"}:
        return _Repair(fixable=False)
    repair = _Repair()
    kind = elements.get("type")
    if kind is None:
        if node.elements:
            first = node.elements[0]
            assert isinstance(first, cst.DictElement)
            quote = _quote_of(first.key)
            repair.edits.append(Replace(first.key, f"{quote}type{quote}: {quote}ephemeral{quote}, {ctx.code(first.key)}"))
        else:
            repair.edits.append(Replace(node, EPHEMERAL))
    else:
        kind_text = _literal_string(kind.value)
        if kind_text is None:
            return _Repair(known=False)
        if kind_text != "ephemeral":
            if kind_text.strip().lower() != "ephemeral":
                return _Repair(fixable=False)
            repair.edits.append(Replace(kind.value, _quoted(kind.value, "ephemeral")))
    ttl = elements.get("ttl")
    if ttl is not None:
        current = _literal_string(ttl.value)
        if current is None and isinstance(ttl.value, cst.Name) and ctx.resolver is not None:
            resolved = ctx.resolver.resolve(ttl.value)
            current = resolved.text if isinstance(resolved, TextValue) else None
        if current not in ACCEPTED_TTLS:
            wanted = _normalised_ttl(ctx, ttl.value)
            if wanted is None:
                return _Repair(fixable=False)
            repair.edits.append(Replace(ttl.value, _quoted(ttl.key, wanted)))
    return repair


def _normalised_ttl(ctx, node: cst.BaseExpression) -> Optional[str]:
    """"5m" / "1h" when the written TTL means exactly that duration, else None."""
    seconds: Optional[int] = None
    if isinstance(node, cst.Integer):
        seconds = int(node.evaluated_value)
    else:
        text = _literal_string(node)
        if text is None and isinstance(node, cst.Name) and ctx.resolver is not None:
            value = ctx.resolver.resolve(node)
            if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
                seconds = value.value
            elif isinstance(value, TextValue):
                text = value.text
        if text is not None:
            match = _DURATION.fullmatch(text.lower())
            if match and match.group(2) in _UNIT_SECONDS:
                seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return TTL_SECONDS.get(seconds) if seconds is not None else None


def _literal_key(element: cst.BaseDictElement) -> Optional[str]:
    if isinstance(element, cst.DictElement):
        return _literal_string(element.key)
    return None


def _literal_string(node: Optional[cst.CSTNode]) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes: not a value we can reason about
            return None
        return value if isinstance(value, str) else None
    return None


def _quote_of(node: Optional[cst.CSTNode]) -> str:
    if isinstance(node, cst.SimpleString) and node.quote in ("'", '"'):
        return node.quote
    return '"'


def _quoted(like: Optional[cst.CSTNode], text: str) -> str:
    quote = _quote_of(like)
    return f"{quote}{text}{quote}"
