from __future__ import annotations

from typing import Optional, Sequence

from cachelint.core.diagnostics import Applicability
from cachelint.fix.arguments import remove_argument
from cachelint.fix.betas import move_to_beta_namespace
from cachelint.fix.intents import FixSpec, Remove
from cachelint.model.calls import Argument, CallArguments
from cachelint.model.module_facts import ModuleFacts
from cachelint.model.request import Request, SdkCall
from cachelint.rules._betas import CACHING_BETA, beta_only_keywords
from cachelint.rules.base import Example, Rule

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
        if call.node is None:
            return
        betas = request.arguments.sent("betas")
        assert betas is not None and betas.beta_flags is not None
        if betas.written_at_call:
            value_code = _short(ctx, betas.value_node)
        else:  # from a `**` dict
            known = ", ".join(f'"{b}"' if b is not None else "..." for b in request.betas)
            value_code = f"[{known}{', ...' if not request.betas_complete else ''}]"
        only_caching = betas.beta_flags.only(CACHING_BETA) or (betas.written_at_call and betas.beta_flags.written_none)
        self._report(ctx, call, betas, request.arguments, value_code, only_caching, request.keywords)

    def check_module(self, ctx, facts: ModuleFacts) -> None:
        """`client.messages.batches.create(..., betas=...)`: the batch call itself rejects it."""
        for batch in facts.batch_calls:
            call = batch.call
            if call.namespace != "messages" or call.node is None:
                continue
            betas = batch.arguments.written("betas")
            if betas is None:
                continue
            assert betas.beta_flags is not None
            only_caching = betas.beta_flags.written_none or betas.beta_flags.only(CACHING_BETA)
            keywords = batch.arguments.written_keywords
            self._report(ctx, call, betas, batch.arguments, _short(ctx, betas.value_node), only_caching, keywords)

    def _report(self, ctx, call: SdkCall, betas: Argument, arguments: CallArguments, value_code: str,
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
        fix = self._fix(ctx, call, betas, arguments, only_caching and not beta_only)
        ctx.report(betas.edit_node if betas.written_at_call else call.node, message, fix=fix, noqa_node=call.node)

    def _fix(self, ctx, call: SdkCall, betas: Argument, arguments: CallArguments, removable: bool) -> Optional[FixSpec]:
        if removable:
            if betas.written_at_call:
                edit = remove_argument(ctx, betas.edit_node)
            else:
                splatted = arguments.splatted("betas")
                entry = splatted.edit_node if splatted is not None else None
                if entry is None or entry not in ctx.positions:
                    return None  # it comes from a dict we cannot edit here
                edit = Remove(entry)
            return FixSpec("Remove `betas` (prompt caching needs no beta flag)", Applicability.SAFE, [edit])
        move = move_to_beta_namespace(ctx, call.func_node)
        if move is None:
            return None
        return FixSpec(
            "Call the beta namespace, which accepts `betas=`: `client.beta.messages`",
            Applicability.UNSAFE,
            [move],
        )


def _short(ctx, node) -> str:
    text = " ".join(ctx.code(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
