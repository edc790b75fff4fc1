from __future__ import annotations

from typing import Iterable, List, Optional, Set

import libcst as cst

from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Request, SdkCall
from cachelint.rules._betas import (
    BETA_HEADER,
    CACHING_BETA,
    beta_only_keywords,
    header_values,
    keyword_arg,
    namespace_attribute,
    remove_argument,
    rewritten_header_literal,
)
from cachelint.fix.intents import EditSpec, FixSpec, Remove, Replace
from cachelint.rules.base import Example, Rule
from cachelint.model.sdk import NOT_CLIENT, ClientInfo, SdkRecognizer, client_from_qualified
from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import TextValue
from cachelint.resolve.value import DictVal, ListVal

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
        self._own_resolver: Optional[Resolver] = None

    def _resolver(self, ctx) -> Resolver:
        if ctx.resolver is not None:
            return ctx.resolver
        if self._own_resolver is None:
            self._own_resolver = Resolver(ctx.wrapper, ctx.path)
        return self._own_resolver

    def _resolve(self, ctx, node: cst.CSTNode):
        return self._resolver(ctx).resolve(node)

    # -- requests -------------------------------------------------------------------------
    def check(self, request: Request, ctx) -> None:
        if request.in_batch:
            return
        call = request.call
        if call.namespace == "beta.prompt_caching.messages":
            self._namespace_call(request, ctx)
            return
        if call.is_beta and CACHING_BETA in (request.betas or ()):
            self._report_betas(ctx, request.betas_arg, list(request.betas or ()), request.betas_complete,
                               call.node, self._betas_value(ctx, request.betas_arg))
        if CACHING_BETA in request.beta_headers:
            self._report_header(ctx, request.beta_header_node, call.node, "extra_headers")

    def _namespace_call(self, request: Request, ctx) -> None:
        call = request.call
        betas = list(request.betas or ())
        other_betas = [b for b in betas if b != CACHING_BETA] or not request.betas_complete
        needs_beta = bool(
            other_betas
            or beta_only_keywords(call.method, request.keywords)
            or request.has_unknown_splat
            or (request.betas is not None and request.betas_arg is None)  # betas from a splat
        )
        target = "beta.messages" if needs_beta else "messages"
        edits: List[EditSpec] = []
        namespace_edit = _namespace_edit(ctx, call.func_node, to_stable=not needs_beta)
        if namespace_edit is not None:
            edits.append(namespace_edit)
            if request.betas_arg is not None and (CACHING_BETA in betas or not needs_beta):
                # on the stable namespace `betas=` must go entirely (CL104: TypeError)
                edits.extend(self._betas_edits(ctx, request.betas_arg, betas, request.betas_complete) or [])
            if CACHING_BETA in request.beta_headers:
                edits.extend(self._header_edits(ctx, request.beta_header_node, "extra_headers") or [])
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
    def _betas_value(self, ctx, betas_arg: Optional[cst.Arg]):
        if betas_arg is None:
            return None
        return self._resolve(ctx, betas_arg.value)

    def _report_betas(self, ctx, betas_arg: Optional[cst.Arg], betas: List[Optional[str]], complete: bool,
                      call_node, value) -> None:
        element = _caching_element(ctx, value)
        anchor = element if element is not None else (betas_arg or call_node)
        if id(anchor) in self._reported:
            return
        self._reported.add(id(anchor))
        edits = self._betas_edits(ctx, betas_arg, betas, complete, value)
        fix = FixSpec(f"Remove `{CACHING_BETA}` from `betas=`", Applicability.SAFE, edits) if edits else None
        ctx.report(anchor, f"{OBSOLETE}; remove it from `betas=`", fix=fix, noqa_node=call_node)

    def _betas_edits(self, ctx, betas_arg: Optional[cst.Arg], betas: List[Optional[str]], complete: bool,
                     value=None) -> Optional[List[EditSpec]]:
        if betas_arg is not None and complete and all(b == CACHING_BETA for b in betas):
            return [remove_argument(ctx, betas_arg)]
        if value is None and betas_arg is not None:
            value = self._resolve(ctx, betas_arg.value)
        element = _caching_element(ctx, value)
        if element is None:
            return None
        holder = ctx.parents.get(element)
        if isinstance(holder, cst.Element) and isinstance(ctx.parents.get(holder), (cst.List, cst.Tuple)):
            return [Remove(holder)]
        return None

    # -- anthropic-beta headers -----------------------------------------------------------
    def _report_header(self, ctx, header_node, call_node, keyword: str) -> None:
        if header_node is None:
            return
        value_node = header_node.value if isinstance(header_node, cst.DictElement) else header_node
        anchor = value_node if value_node in ctx.positions else call_node
        if anchor is None or id(anchor) in self._reported:
            return
        self._reported.add(id(anchor))
        edits = self._header_edits(ctx, header_node, keyword)
        fix = FixSpec(f"Remove `{CACHING_BETA}` from the `anthropic-beta` header", Applicability.SAFE, edits) if edits else None
        ctx.report(anchor, f"{OBSOLETE}; remove it from the `anthropic-beta` header", fix=fix, noqa_node=call_node)

    def _header_edits(self, ctx, header_node, keyword: str) -> Optional[List[EditSpec]]:
        if not isinstance(header_node, cst.DictElement) or header_node not in ctx.positions:
            return None
        value_node = header_node.value
        text = self._resolve(ctx, value_node)
        if not isinstance(text, TextValue) or text.text is None:
            return None
        remaining = [v for v in header_values(text.text) if v != CACHING_BETA]
        if remaining:
            literal = rewritten_header_literal(value_node, remaining)
            return [Replace(value_node, literal)] if literal is not None else None
        headers = ctx.parents.get(header_node)
        if isinstance(headers, cst.Dict) and len(headers.elements) == 1:
            arg = ctx.parents.get(headers)
            if isinstance(arg, cst.Arg) and arg.keyword is not None and arg.keyword.value == keyword:
                return [remove_argument(ctx, arg)]  # the header was all the argument held
        return [Remove(header_node)]

    # -- what is not a request ------------------------------------------------------------
    def check_module(self, ctx, built) -> None:
        if "prompt_caching" not in ctx.text and CACHING_BETA not in ctx.text:
            return
        # the engine builds no resolver for a file without request calls (a bare reference to
        # the old namespace, a client constructor): build one, but only for files that name it
        resolver = self._resolver(ctx)
        for call in built.calls:
            if call.method == "batches.create" and call.node is not None:
                self._batch_call(ctx, call)
        finder = _Finder()
        ctx.module.visit(finder)
        recognizer = SdkRecognizer(resolver)
        for attribute in finder.prompt_caching:
            self._namespace_reference(ctx, recognizer, attribute)
        for call_node in finder.calls:
            self._client_constructor(ctx, resolver, call_node)

    def _batch_call(self, ctx, call: SdkCall) -> None:
        node = call.node
        assert node is not None
        betas_arg = keyword_arg(node, "betas")
        if call.is_beta and betas_arg is not None:
            value = self._resolve(ctx, betas_arg.value)
            betas, complete = _texts(value)
            if CACHING_BETA in betas:
                self._report_betas(ctx, betas_arg, betas, complete, node, value)
        headers_arg = keyword_arg(node, "extra_headers")
        if headers_arg is not None:
            for element in _caching_header_elements(self._resolve(ctx, headers_arg.value)):
                self._report_header(ctx, element, node, "extra_headers")

    def _namespace_reference(self, ctx, recognizer: SdkRecognizer, attribute: cst.Attribute) -> None:
        """`client.beta.prompt_caching...` outside a recognised call (e.g. `create=` of a wrapper)."""
        if id(attribute) in self._reported or any(
            id(a) in self._reported for a in recognizer.resolver.ancestors(attribute)
        ):
            return
        beta = attribute.value
        assert isinstance(beta, cst.Attribute)
        client = recognizer.resolve_receiver_expression(beta.value)
        if client is NOT_CLIENT:
            return
        parent = ctx.parents.get(attribute)
        continues_to_messages = isinstance(parent, cst.Attribute) and parent.attr.value == "messages"
        if not isinstance(client, ClientInfo) and not continues_to_messages:
            return  # an unknown object's own `beta.prompt_caching` attribute
        self._reported.add(id(attribute))
        top = attribute
        while isinstance(ctx.parents.get(top), cst.Attribute) and ctx.parents.get(top).value is top:
            top = ctx.parents.get(top)
        message = (
            f"`{_short(ctx, top)}` no longer exists (`client.beta.prompt_caching` raises AttributeError "
            "on current SDKs): prompt caching is generally available, use `client.beta.messages` "
            "(or `client.messages` when no beta feature is needed)"
        )
        fix = FixSpec(
            "Use `client.beta.messages`, which accepts everything the old namespace did",
            Applicability.SAFE,
            [Replace(attribute, ctx.text[slice(*ctx.span(beta))])],
        )
        ctx.report(top, message, fix=fix)

    def _client_constructor(self, ctx, resolver: Resolver, node: cst.Call) -> None:
        if client_from_qualified(resolver.qualified_names(node.func)) is None:
            return
        headers_arg = keyword_arg(node, "default_headers")
        if headers_arg is None:
            return
        for element in _caching_header_elements(resolver.resolve(headers_arg.value)):
            self._report_header(ctx, element, node, "default_headers")


class _Finder(cst.CSTVisitor):
    """`X.beta.prompt_caching` attributes and every call (client constructors are among them)."""

    def __init__(self) -> None:
        self.prompt_caching: List[cst.Attribute] = []
        self.calls: List[cst.Call] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if (
            node.attr.value == "prompt_caching"
            and isinstance(node.value, cst.Attribute)
            and node.value.attr.value == "beta"
        ):
            self.prompt_caching.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        if any(a.keyword is not None and a.keyword.value == "default_headers" for a in node.args):
            self.calls.append(node)


def _namespace_edit(ctx, func_node, to_stable: bool) -> Optional[EditSpec]:
    """Rewrite `X.beta.prompt_caching` in the callee to `X` (stable) or `X.beta`."""
    if func_node is None:
        return None
    attribute = namespace_attribute(func_node, "prompt_caching")
    if attribute is None or attribute not in ctx.positions:
        return None
    beta = attribute.value
    if not isinstance(beta, cst.Attribute):
        return None
    keep = beta.value if to_stable else beta
    return Replace(attribute, ctx.text[slice(*ctx.span(keep))])


def _caching_element(ctx, value) -> Optional[cst.CSTNode]:
    """The string node of the caching beta inside a resolved `betas` value, when in this file."""
    items: Iterable = ()
    if isinstance(value, ListVal):
        items = value.items
    elif isinstance(value, TextValue):
        items = (value,)
    for item in items:
        if isinstance(item, TextValue) and item.text == CACHING_BETA:
            node = item.node
            if node is not None and node in ctx.positions:
                return node
    return None


def _texts(value) -> tuple:
    if isinstance(value, ListVal):
        return [i.text if isinstance(i, TextValue) else None for i in value.items], value.complete
    if isinstance(value, TextValue):
        return [value.text], True
    return [], False


def _caching_header_elements(value) -> List[cst.CSTNode]:
    """`anthropic-beta` entries naming the caching beta in a resolved headers dict."""
    found = []
    if isinstance(value, DictVal):
        for entry in value.entries:
            if entry.key.lower() != BETA_HEADER or not isinstance(entry.value, TextValue):
                continue
            if entry.value.text is not None and CACHING_BETA in header_values(entry.value.text):
                found.append(entry.node)
    return [e for e in found if e is not None]


def _short(ctx, node) -> str:
    if node is None:
        return ""
    text = " ".join(ctx.code(node).split())
    return text if len(text) <= 60 else text[:57] + "..."

