from __future__ import annotations

from typing import Set

from cachelint.fix.serialization import add_sort_keys, sort_set_iteration
from cachelint.model.request import Request
from cachelint.model.serialization import (
    SetIteration,
    UnsortedJson,
    serialization_prefix,
    unstable_serializations,
)
from cachelint.resolve.ordering import SetElements
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.rules.base import Example, Rule

CATALOG = '"""' + "Every answer must name the product's catalog number and its warranty terms. " * 80 + '"""'


class UnstableSerialization(Rule):
    code = "CL202"
    name = "unstable-serialization"
    summary = "`json.dumps` without `sort_keys=True` or iteration over a set builds the cached prefix"
    fix_availability = "sometimes"
    docs = """
    ## What it does
    Checks the text and tool definitions of the cached prefix (every block up to the last
    breakpoint; tools and system of a call that repeats) for two serialisations whose bytes
    depend on more than the data:
    - `json.dumps(data)` without `sort_keys=True`, when `data` is not written out literally in
      the code (a parameter of a wrapper, a schema built by a library, a dict loaded at startup);
    - iteration over a `set` (a set literal, `set(...)`, `frozenset(...)`, a set comprehension)
      by `"...".join(...)`, `list(...)`, a comprehension, or an f-string.

    ## Why is this bad?
    A cache hit needs the prefix to be byte-identical. `json.dumps` writes keys in the order
    the dict was built, so the same data built in another order (merged from other dicts, loaded
    from an API or a database, built from a set) serialises differently. A set's iteration order
    depends on string hashing, which Python randomises per process: every worker, every restart
    and every run of a script gets its own order, its own prefix, and its own cache write.

    Literal data (dict and list literals of constants, module constants bound to them) is
    always serialised the same way and is not reported. Data that differs per call anyway is
    CL002's finding, not this rule's.

    ## Example
    ```python
    system=[{
        "type": "text",
        "text": f"Answer with this catalog:\\n{json.dumps(catalog)}\\nTags: {', '.join(TAGS)}",
        "cache_control": {"type": "ephemeral"},
    }]
    ```

    ## Use instead
    ```python
    system=[{
        "type": "text",
        "text": f"Answer with this catalog:\\n{json.dumps(catalog, sort_keys=True)}\\nTags: {', '.join(sorted(TAGS))}",
        "cache_control": {"type": "ephemeral"},
    }]
    ```

    ## Fix safety
    The fix adds `sort_keys=True` to `json.dumps`, or iterates `sorted(...)` of the set. The
    model receives the same data, in one canonical order instead of an arbitrary one, so the
    fix is safe. Sorting a set whose elements are not known to be strings could raise
    `TypeError` (elements that cannot be compared), so that fix is unsafe; a set formatted as
    a whole (`f"{tags}"`) has no same-text fix and gets advice only.
    """

    VALID = [
        Example(
            f"""
            import json
            import anthropic
            from catalog import load_catalog
            client = anthropic.Anthropic()
            CATALOG = {CATALOG}
            PRODUCTS = load_catalog()
            LIMITS = {{"refund_days": 14, "currency": "EUR"}}
            TAGS = {{"billing", "shipping"}}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{
                        "type": "text",
                        "text": f"{{CATALOG}}\\n{{json.dumps(LIMITS)}}\\n{{json.dumps(PRODUCTS, sort_keys=True)}}\\n{{', '.join(sorted(TAGS))}}",
                        "cache_control": {{"type": "ephemeral"}},
                    }}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """
        ),
        Example(
            """
            import json
            import anthropic
            client = anthropic.Anthropic()
            def ask(profile, q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system="You are terse.",
                    messages=[{"role": "user", "content": f"{json.dumps(profile)}\\n{q}"}],
                )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import json
            import anthropic
            from catalog import load_catalog
            client = anthropic.Anthropic()
            CATALOG = {CATALOG}
            PRODUCTS = load_catalog()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{
                        "type": "text",
                        "text": CATALOG + json.dumps(PRODUCTS, indent=2),
                        "cache_control": {{"type": "ephemeral"}},
                    }}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import json
            import anthropic
            from catalog import load_catalog
            client = anthropic.Anthropic()
            CATALOG = {CATALOG}
            PRODUCTS = load_catalog()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{
                        "type": "text",
                        "text": CATALOG + json.dumps(PRODUCTS, indent=2, sort_keys=True),
                        "cache_control": {{"type": "ephemeral"}},
                    }}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            message="sort_keys=True",
        ),
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            CATALOG = {CATALOG}
            DEPARTMENTS = {{"billing", "shipping", "returns"}}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": CATALOG + "Departments: " + ", ".join(DEPARTMENTS), "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            CATALOG = {CATALOG}
            DEPARTMENTS = {{"billing", "shipping", "returns"}}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": CATALOG + "Departments: " + ", ".join(sorted(DEPARTMENTS)), "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            message="DEPARTMENTS",
        ),
    ]

    def __init__(self) -> None:
        self._reported: Set[int] = set()  # a site feeding several requests is reported once

    def check(self, request: Request, ctx) -> None:
        if ctx.resolver is None:
            return
        prefix = serialization_prefix(request)
        if prefix is None:
            return
        exact = prefix.size_is_exact
        tokens = ctx.tokens(prefix.chars) if exact else 0
        if exact and tokens < size_gate(ctx, request.model)[0]:
            return  # known to be below the model's minimum: nothing is cached either way
        found = unstable_serializations(ctx.resolver, request, prefix)
        for site in found.json_calls:
            self._json_site(ctx, request, site, tokens)
        for iteration in found.set_iterations:
            self._set_site(ctx, request, iteration, tokens)

    def _json_site(self, ctx, request: Request, site: UnsortedJson, tokens: int) -> None:
        if id(site.call) in self._reported:
            return
        if site.data_varies:
            return  # different data on every call: CL002's finding, sorting would not make it hit
        self._reported.add(id(site.call))
        data_code = ctx.resolver.short(site.data)
        message = (
            f"`{ctx.resolver.short(site.call)}` writes `{data_code}`'s keys in the order they were inserted "
            f"into {_where(site.segment)}: the same data built in another order gives another prefix and a "
            f"cache miss; pass `sort_keys=True`"
        )
        if tokens > 0:
            message += f" ({tokens_phrase(tokens)} of cached prefix depend on it)"
        ctx.report(site.call, message, fix=add_sort_keys(site), noqa_node=request.call.node)

    def _set_site(self, ctx, request: Request, site: SetIteration, tokens: int) -> None:
        if id(site.expression) in self._reported:
            return
        if site.elements is SetElements.NUMBER or site.elements_vary:
            return  # ints hash to themselves (a stable order); per-call elements are CL002's
        self._reported.add(id(site.expression))
        code = ctx.resolver.short(site.expression)
        message = (
            f"`{code}` is a set: its iteration order changes from one process to the next (string "
            f"hashing is randomised), so what it builds in {_where(site.segment)} changes between runs and "
            f"the cached prefix misses; iterate `sorted({code})`"
        )
        if tokens > 0:
            message += f" ({tokens_phrase(tokens)} of cached prefix depend on it)"
        written = ctx.text[slice(*ctx.span(site.expression))]
        ctx.report(site.expression, message, fix=sort_set_iteration(site, written), noqa_node=request.call.node)


def _where(segment: str) -> str:
    return {"tools": "the tool definitions", "system": "the system prompt"}.get(segment, "the cached messages")
