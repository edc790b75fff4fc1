from __future__ import annotations

from typing import Optional, Sequence, Tuple

import libcst as cst

from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Request, SdkCall
from cachelint.rules._betas import (
    CACHING_BETA,
    beta_only_keywords,
    keyword_arg,
    namespace_attribute,
    remove_argument,
)
from cachelint.fix.intents import FixSpec, InsertAfter, Remove
from cachelint.rules.base import Example, Rule
from cachelint.resolve.text import TextValue
from cachelint.resolve.value import DictVal, ListVal

GUIDE = '"""' + "Answer from the attached handbook and cite its section numbers. " * 80 + '"""'


class BetasOnStableClient(Rule):
    code = "CL104"
    name = "betas-on-stable-client"
    summary = "`betas=` passed to a non-beta `messages.*` method raises TypeError before any request"
    fix_availability = "sometimes"
    waste = False  # a crash, on count_tokens as much as anywhere
    docs = """
    ## What it does
    Checks for `betas=` passed to a method of the non-beta messages API:
    `client.messages.create`, `stream`, `parse`, `count_tokens` and `client.messages.batches.create`
    (also through `with_raw_response` / `with_streaming_response` / `with_options(...)`).

    ## Why is this bad?
    Only the `client.beta.messages.*` methods have a `betas` parameter. The non-beta methods
    raise `TypeError: Messages.create() got an unexpected keyword argument 'betas'` before any
    request is sent, whatever the list holds, even an empty one.

    A common source is old advice to enable prompt caching with
    `betas=["prompt-caching-2024-07-31"]`: caching has been generally available since
    2024-12-17 (SDK 0.41.0) and needs no beta flag at all.

    ## Example
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        betas=["prompt-caching-2024-07-31"],
        system=[{"type": "text", "text": HANDBOOK, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    ```

    ## Use instead
    ```python
    client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": HANDBOOK, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    ```
    When the list names a beta feature you need, call `client.beta.messages.create(...)` and
    keep `betas=`.

    ## Fix safety
    When `betas=` holds nothing but the prompt-caching beta (or nothing at all) and the call uses
    no other beta-only parameter, the fix removes the argument: the request the API receives is
    the same and the crash is gone, so the fix is safe.

    Otherwise the fix moves the call to the beta namespace (`client.messages.create` becomes
    `client.beta.messages.create`, keeping `betas=`). The beta methods return beta types and may
    behave differently, so that fix is unsafe. It is also the fix when the beta list cannot be
    resolved.

    The prompt-caching beta on a non-beta method is this rule's finding only: CL105 reports the
    obsolete beta on beta methods and in `anthropic-beta` headers, so each call gets one fix.
    """

    VALID = [
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.beta.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["files-api-2025-04-14"],
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    extra_headers={"anthropic-beta": "files-api-2025-04-14"},
                    messages=[{"role": "user", "content": q}],
                )
            """
        ),
    ]
    INVALID = [
        Example(
            f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["prompt-caching-2024-07-31"],
                    system=[{{"type": "text", "text": GUIDE, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            fixed=f"""
            import anthropic
            client = anthropic.Anthropic()
            GUIDE = {GUIDE}
            def ask(q):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    system=[{{"type": "text", "text": GUIDE, "cache_control": {{"type": "ephemeral"}}}}],
                    messages=[{{"role": "user", "content": q}}],
                )
            """,
            message="TypeError",
        ),
        Example(
            """
            from anthropic import AsyncAnthropic
            client = AsyncAnthropic()
            async def read_pdf(file_id):
                return await client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["files-api-2025-04-14"],
                    messages=[{"role": "user", "content": [{"type": "document", "source": {"type": "file", "file_id": file_id}}]}],
                )
            """,
            fixed="""
            from anthropic import AsyncAnthropic
            client = AsyncAnthropic()
            async def read_pdf(file_id):
                return await client.beta.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["files-api-2025-04-14"],
                    messages=[{"role": "user", "content": [{"type": "document", "source": {"type": "file", "file_id": file_id}}]}],
                )
            """,
            applicability=Applicability.UNSAFE,
            message="files-api-2025-04-14",
        ),
    ]

    def check(self, request: Request, ctx) -> None:
        call = request.call
        if call.namespace != "messages" or request.in_batch or request.betas is None:
            return
        node = call.node
        if node is None:
            return
        betas_arg = request.betas_arg
        if betas_arg is not None:
            value_code = _short(ctx, betas_arg.value)
        else:  # from a `**` dict
            known = ", ".join(f'"{b}"' if b is not None else "..." for b in request.betas)
            value_code = f"[{known}{', ...' if not request.betas_complete else ''}]"
        only_caching = request.betas_complete and all(b == CACHING_BETA for b in request.betas)
        if betas_arg is not None and _is_none(betas_arg.value):
            only_caching = True
        self._report(ctx, call, node, betas_arg, value_code, only_caching, request.keywords)

    def check_module(self, ctx, built) -> None:
        """`client.messages.batches.create(..., betas=...)`: the batch call itself rejects it."""
        for call in built.calls:
            if call.method != "batches.create" or call.namespace != "messages" or call.node is None:
                continue
            betas_arg = keyword_arg(call.node, "betas")
            if betas_arg is None:
                continue
            only_caching = _is_none(betas_arg.value) or _resolves_to_caching_only(ctx, betas_arg.value)
            keywords = [a.keyword.value for a in call.node.args if a.keyword is not None]
            self._report(ctx, call, call.node, betas_arg, _short(ctx, betas_arg.value), only_caching, keywords)

    def _report(self, ctx, call: SdkCall, node: cst.Call, betas_arg: Optional[cst.Arg], value_code: str,
                only_caching: bool, keywords: Sequence[str]) -> None:
        callee = _short(ctx, call.func_node) if call.func_node is not None else f"messages.{call.method}"
        beta_only = beta_only_keywords(call.method, keywords)
        message = (
            f"`betas={value_code}` is not a parameter of `{callee}`: the non-beta "
            f"`messages.{call.method}` raises TypeError before any request is sent"
        )
        if only_caching and not beta_only:
            message += "; prompt caching needs no beta flag (generally available since SDK 0.41.0), remove it"
        elif only_caching:
            extra = ", ".join(f"`{k}`" for k in beta_only)
            message += f"; call it on `client.beta.messages` instead ({extra} {'is' if len(beta_only) == 1 else 'are'} beta-only too)"
        else:
            message += "; call it on `client.beta.messages` instead"
        fix = self._fix(ctx, call, betas_arg, only_caching and not beta_only)
        ctx.report(betas_arg if betas_arg is not None else node, message, fix=fix, noqa_node=node)

    def _fix(self, ctx, call: SdkCall, betas_arg: Optional[cst.Arg], removable: bool) -> Optional[FixSpec]:
        if removable:
            if betas_arg is not None:
                edit = remove_argument(ctx, betas_arg)
            else:
                entry = _splat_entry(ctx, call.node)
                if entry is None:
                    return None  # it comes from a dict we cannot edit here
                edit = Remove(entry)
            return FixSpec("Remove `betas` (prompt caching needs no beta flag)", Applicability.SAFE, [edit])
        messages = namespace_attribute(call.func_node, "messages") if call.func_node is not None else None
        if messages is None or messages not in ctx.positions:
            return None
        return FixSpec(
            "Call the beta namespace, which accepts `betas=`: `client.beta.messages`",
            Applicability.UNSAFE,
            [InsertAfter(messages.value, ".beta")],
        )


def _splat_entry(ctx, call: Optional[cst.Call]) -> Optional[cst.DictElement]:
    """The `"betas": ...` entry of a dict literal in this file spread into the call with `**`."""
    if call is None or ctx.resolver is None:
        return None
    found = None
    for arg in call.args:
        if arg.star != "**":
            continue
        value = ctx.resolver.resolve(arg.value)
        entry = value.entry("betas") if isinstance(value, DictVal) else None
        if entry is not None:
            found = entry.node
    if isinstance(found, cst.DictElement) and found in ctx.positions:
        return found
    return None


def _is_none(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _resolves_to_caching_only(ctx, node: cst.CSTNode) -> bool:
    if ctx.resolver is None:
        return False
    value = ctx.resolver.resolve(node)
    items: Tuple = ()
    if isinstance(value, ListVal) and value.complete:
        items = value.items
    elif isinstance(value, TextValue):
        items = (value,)
    else:
        return False
    return all(isinstance(item, TextValue) and item.text == CACHING_BETA for item in items)


def _short(ctx, node: cst.CSTNode) -> str:
    if ctx.resolver is not None:
        return ctx.resolver.short(node)
    text = " ".join(ctx.code(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
