from __future__ import annotations

from typing import List, Optional, Set

from cachelint.core.diagnostics import Applicability
from cachelint.fix.arguments import remove_argument, remove_list_item
from cachelint.fix.betas import drop_header_values, leave_prompt_caching_namespace, rename_prompt_caching_reference
from cachelint.fix.intents import EditSpec, FixSpec
from cachelint.model.calls import Argument, BetaHeader
from cachelint.model.module_facts import ClientConstructor, ModuleFacts, PromptCachingReference
from cachelint.model.request import BatchCall, Request
from cachelint.rules._betas import CACHING_BETA, beta_only_keywords
from cachelint.rules.base import Example, Rule

GUIDE = '"""' + "Quote the clause of the lease that answers the tenant's question. " * 80 + '"""'

OBSOLETE = (
    f"`{CACHING_BETA}` is obsolete: prompt caching has been generally available since 2024-12-17 "
    "(SDK 0.41.0) and needs no beta flag"
)


class ObsoleteCachingBeta(Rule):
    code = "CL105"
    name = "obsolete-caching-beta"
    summary = "The prompt-caching beta flag or the removed `client.beta.prompt_caching` namespace"
    fix_availability = "sometimes"
    waste = False  # an AttributeError (or dead configuration) on count_tokens too
    docs = """
    ## What it does
    Checks for the prompt-caching beta `prompt-caching-2024-07-31` in `betas=` of a beta
    method, in an `anthropic-beta` header (`extra_headers=` of a call, `default_headers=` of a
    client), and for `client.beta.prompt_caching.messages.*`, called or only referenced.

    ## Why is this bad?
    Prompt caching has been generally available since 2024-12-17 (SDK 0.41.0): `cache_control`
    works on `client.messages.create` with no beta flag. The flag is dead configuration that
    suggests caching needs it. The `client.beta.prompt_caching` namespace is gone from current
    SDKs: touching it raises `AttributeError`, so the code cannot run.

    ## Example
    ```python
    response = client.beta.prompt_caching.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": LEASE_GUIDE, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    ```

    ## Use instead
    ```python
    response = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": LEASE_GUIDE, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )
    ```

    ## Fix safety
    The fix is safe: it drops the prompt-caching beta from `betas=` (the whole argument when it
    was the only one) or from the `anthropic-beta` header (the whole `extra_headers=` when that
    was its only entry), and moves calls off `client.beta.prompt_caching.messages`. They go to
    `client.messages` when the call uses no other beta feature (no other betas, no beta-only
    parameter, no `**kwargs` that could hold one), otherwise to `client.beta.messages`. A bare
    reference such as `create=client.beta.prompt_caching.messages.create` goes to
    `client.beta.messages`, which accepts everything the old namespace did.

    `betas=["prompt-caching-2024-07-31"]` on a NON-beta method is CL104's finding (it raises
    TypeError there, and CL104's fix removes the argument), so this rule does not report it.
    """

    VALID = [
        Example(
            f"""
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
            """
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic(default_headers={"anthropic-beta": "files-api-2025-04-14"})
            def ask(q):
                return client.beta.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["files-api-2025-04-14"],
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
                return client.beta.prompt_caching.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
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
            message="AttributeError",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.beta.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["prompt-caching-2024-07-31", "files-api-2025-04-14"],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            def ask(q):
                return client.beta.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=512,
                    betas=["files-api-2025-04-14"],
                    messages=[{"role": "user", "content": q}],
                )
            """,
            message="prompt-caching-2024-07-31",
        ),
        Example(
            """
            import anthropic
            client = anthropic.Anthropic(default_headers={"anthropic-beta": "prompt-caching-2024-07-31"})
            """,
            fixed="""
            import anthropic
            client = anthropic.Anthropic()
            """,
        ),
    ]

    def __init__(self) -> None:
        self._reported: Set[int] = set()

    # -- requests -------------------------------------------------------------------------
    def check(self, request: Request, ctx) -> None:
        if request.in_batch:
            return
        call = request.call
        if call.namespace == "beta.prompt_caching.messages":
            self._namespace_call(request, ctx)
            return
        betas = request.arguments.sent("betas")
        if call.is_beta and betas is not None and CACHING_BETA in (request.betas or ()):
            self._report_betas(ctx, betas, call.node)
        if CACHING_BETA in request.beta_headers:
            self._report_header(ctx, request.beta_header, call.node, "extra_headers")

    def _namespace_call(self, request: Request, ctx) -> None:
        call = request.call
        betas = list(request.betas or ())
        betas_argument = request.arguments.sent("betas")
        written = betas_argument is not None and betas_argument.written_at_call
        other_betas = [b for b in betas if b != CACHING_BETA] or not request.betas_complete
        needs_beta = bool(
            other_betas
            or beta_only_keywords(call.method, request.keywords)
            or request.has_unknown_splat
            or (request.betas is not None and not written)  # betas from a splat
        )
        target = "beta.messages" if needs_beta else "messages"
        edits: List[EditSpec] = []
        namespace_edit = leave_prompt_caching_namespace(ctx, call.func_node, to_stable=not needs_beta)
        if namespace_edit is not None:
            edits.append(namespace_edit)
            if written and (CACHING_BETA in betas or not needs_beta):
                # on the stable namespace `betas=` must go entirely (CL104: TypeError)
                edits.extend(self._betas_edits(ctx, betas_argument) or [])
            if CACHING_BETA in request.beta_headers:
                edits.extend(self._header_edits(ctx, request.beta_header, "extra_headers") or [])
        message = (
            f"`{_short(ctx, call.func_node)}` no longer exists (`client.beta.prompt_caching` raises "
            f"AttributeError on current SDKs): prompt caching is generally available, call "
            f"`client.{target}.{call.method}`"
        )
        fix = None
        if namespace_edit is not None:
            fix = FixSpec(f"Call `client.{target}.{call.method}` instead", Applicability.SAFE, edits)
        anchor = call.func_node if call.func_node is not None else call.node
        self._reported.add(id(anchor))
        ctx.report(anchor, message, fix=fix, noqa_node=call.node)

    # -- betas= on beta methods -----------------------------------------------------------
    def _report_betas(self, ctx, betas: Argument, call_node) -> None:
        """`betas` names the caching beta; its flags can be pointed at only when written at the call."""
        element = _caching_element(ctx, betas)
        anchor = element if element is not None else (betas.edit_node if betas.written_at_call else call_node)
        if id(anchor) in self._reported:
            return
        self._reported.add(id(anchor))
        edits = self._betas_edits(ctx, betas)
        fix = FixSpec(f"Remove `{CACHING_BETA}` from `betas=`", Applicability.SAFE, edits) if edits else None
        ctx.report(anchor, f"{OBSOLETE}; remove it from `betas=`", fix=fix, noqa_node=call_node)

    def _betas_edits(self, ctx, betas: Argument) -> Optional[List[EditSpec]]:
        if not betas.written_at_call:
            return None  # from a `**` dict: not edited here
        assert betas.beta_flags is not None
        if betas.beta_flags.only(CACHING_BETA):
            return [remove_argument(ctx, betas.edit_node)]
        element = _caching_element(ctx, betas)
        if element is None:
            return None
        removal = remove_list_item(ctx, element)
        return [removal] if removal is not None else None

    # -- anthropic-beta headers -----------------------------------------------------------
    def _report_header(self, ctx, header: Optional[BetaHeader], call_node, keyword: str) -> None:
        if header is None or header.entry_node is None:
            return
        anchor = header.value_node if header.value_node in ctx.positions else call_node
        if anchor is None or id(anchor) in self._reported:
            return
        self._reported.add(id(anchor))
        edits = self._header_edits(ctx, header, keyword)
        fix = FixSpec(f"Remove `{CACHING_BETA}` from the `anthropic-beta` header", Applicability.SAFE, edits) if edits else None
        ctx.report(anchor, f"{OBSOLETE}; remove it from the `anthropic-beta` header", fix=fix, noqa_node=call_node)

    def _header_edits(self, ctx, header: Optional[BetaHeader], keyword: str) -> Optional[List[EditSpec]]:
        if header is None:
            return None
        remaining = [value for value in header.values if value != CACHING_BETA]
        return drop_header_values(ctx, header, remaining, keyword)

    # -- what is not a request ------------------------------------------------------------
    def check_module(self, ctx, facts: ModuleFacts) -> None:
        if "prompt_caching" not in ctx.text and CACHING_BETA not in ctx.text:
            return
        for batch in facts.batch_calls:
            if batch.call.node is not None:
                self._batch_call(ctx, batch)
        for reference in facts.prompt_caching_references:
            self._namespace_reference(ctx, reference)
        for constructor in facts.client_constructors:
            self._client_constructor(ctx, constructor)

    def _batch_call(self, ctx, batch: BatchCall) -> None:
        node = batch.call.node
        betas = batch.arguments.written("betas")
        if batch.call.is_beta and betas is not None and betas.beta_flags is not None:
            if CACHING_BETA in betas.beta_flags.names:
                self._report_betas(ctx, betas, node)
        headers = batch.arguments.written("extra_headers")
        if headers is not None:
            for header in _caching_headers(headers):
                self._report_header(ctx, header, node, "extra_headers")

    def _namespace_reference(self, ctx, reference: PromptCachingReference) -> None:
        """`client.beta.prompt_caching...` outside a recognised call (e.g. `create=` of a wrapper)."""
        attribute = reference.attribute
        if id(attribute) in self._reported or self._inside_reported(ctx, attribute):
            return
        self._reported.add(id(attribute))
        message = (
            f"`{_short(ctx, reference.chain)}` no longer exists (`client.beta.prompt_caching` raises AttributeError "
            "on current SDKs): prompt caching is generally available, use `client.beta.messages` "
            "(or `client.messages` when no beta feature is needed)"
        )
        fix = FixSpec(
            "Use `client.beta.messages`, which accepts everything the old namespace did",
            Applicability.SAFE,
            [rename_prompt_caching_reference(ctx, attribute, reference.beta)],
        )
        ctx.report(reference.chain, message, fix=fix)

    def _inside_reported(self, ctx, node) -> bool:
        """Within something already reported (the callee of an old-namespace call)."""
        current = ctx.parents.get(node)
        while current is not None:
            if id(current) in self._reported:
                return True
            current = ctx.parents.get(current)
        return False

    def _client_constructor(self, ctx, constructor: ClientConstructor) -> None:
        for header in _caching_headers(constructor.default_headers):
            self._report_header(ctx, header, constructor.node, "default_headers")


def _caching_element(ctx, betas: Argument):
    """The string node of the caching beta in a `betas=` written at the call, when in this file."""
    if not betas.written_at_call or betas.beta_flags is None:
        return None
    for flag in betas.beta_flags.flags:
        if flag.name == CACHING_BETA and flag.node is not None and flag.node in ctx.positions:
            return flag.node
    return None


def _caching_headers(headers: Argument) -> List[BetaHeader]:
    """The `anthropic-beta` entries of a headers argument that name the caching beta."""
    return [header for header in headers.beta_headers if CACHING_BETA in header.values]


def _short(ctx, node) -> str:
    if node is None:
        return ""
    text = " ".join(ctx.code(node).split())
    return text if len(text) <= 60 else text[:57] + "..."
