from __future__ import annotations

from typing import Iterable, List, Optional, Set, Tuple

import libcst as cst
from cachelint.syntax.scopes import Assignment

from cachelint.core.diagnostics import Applicability
from cachelint.model.request import Block, Request, SegmentForm
from cachelint.resolve.text import Staticness
from cachelint.rules._shared import size_gate, tokens_phrase
from cachelint.fix.intents import FixSpec, InsertAfter, Replace
from cachelint.rules.base import Example, Rule
from cachelint.resolve.text import TextValue
from cachelint.resolve.value import Const, DictVal, ListVal, Unknown, staticness_of

CATALOG = '"""' + "Every answer must name the product's catalog number and its warranty terms. " * 80 + '"""'

# Consumers for which the order of what they iterate does not matter.
ORDER_INSENSITIVE = {"sorted", "set", "frozenset", "len", "sum", "any", "all", "min", "max"}
# Consumers that keep the iteration order of their argument in what they produce.
ORDER_KEEPING = {"list", "tuple", "enumerate"}
SET_METHODS = {"union", "intersection", "difference", "symmetric_difference", "copy"}
SET_OPERATORS = (cst.BitOr, cst.BitAnd, cst.Subtract, cst.BitXor)
MAX_FOLLOW = 6


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
        self._reported: Set[int] = set()

    def check(self, request: Request, ctx) -> None:
        if ctx.resolver is None:
            return
        prefix = _prefix(request)
        if not prefix:
            return
        chars, exact = _prefix_size(request, prefix)
        tokens = ctx.tokens(chars) if exact else 0
        if exact and tokens < size_gate(ctx, request.model)[0]:
            return  # known to be below the model's minimum: nothing is cached either way
        finder = _SiteFinder(ctx)
        for segment_name, roots in _roots(ctx, request, prefix):
            for root in roots:
                finder.walk(root, segment_name)
        for call, where in finder.json_calls:
            self._json_site(ctx, request, call, where, tokens)
        for expression, consumer, where in finder.iterations:
            self._set_site(ctx, request, expression, consumer, where, tokens)

    # -- json.dumps -----------------------------------------------------------------------
    def _json_site(self, ctx, request: Request, call: cst.Call, where: str, tokens: int) -> None:
        if id(call) in self._reported or not call.args or call.args[0].keyword is not None:
            return
        if any(a.star for a in call.args) or any(a.keyword is not None and a.keyword.value == "sort_keys" for a in call.args):
            return  # sorted explicitly (either way), or a splat may say so
        data_node = call.args[0].value
        data = ctx.resolver.resolve(data_node)
        if _key_order_is_fixed(data) or _holds_set_elements(ctx.resolver, data_node):
            return
        if _staticness_ignoring_set_order(data).varies:
            return  # different data on every call: CL002's finding, sorting would not make it hit
        self._reported.add(id(call))
        data_code = ctx.resolver.short(data_node)
        message = (
            f"`{ctx.resolver.short(call)}` writes `{data_code}`'s keys in the order they were inserted "
            f"into {_where(where)}: the same data built in another order gives another prefix and a "
            f"cache miss; pass `sort_keys=True`"
        )
        if tokens > 0:
            message += f" ({tokens_phrase(tokens)} of cached prefix depend on it)"
        last = call.args[-1]
        fix = FixSpec("Add `sort_keys=True`", Applicability.SAFE, [InsertAfter(last.value, ", sort_keys=True")])
        ctx.report(call, message, fix=fix, noqa_node=request.call.node)

    # -- sets -----------------------------------------------------------------------------
    def _set_site(self, ctx, request: Request, expression, consumer, where: str, tokens: int) -> None:
        if id(expression) in self._reported:
            return
        facts = _set_facts(ctx, expression)
        if facts is None:
            return
        element_kind, varies = facts
        if element_kind == "number" or varies:
            return  # ints hash to themselves (a stable order); per-call elements are CL002's
        self._reported.add(id(expression))
        code = ctx.resolver.short(expression)
        message = (
            f"`{code}` is a set: its iteration order changes from one process to the next (string "
            f"hashing is randomised), so what it builds in {_where(where)} changes between runs and "
            f"the cached prefix misses; iterate `sorted({code})`"
        )
        if tokens > 0:
            message += f" ({tokens_phrase(tokens)} of cached prefix depend on it)"
        fix = _set_fix(ctx, expression, consumer, element_kind)
        ctx.report(expression, message, fix=fix, noqa_node=request.call.node)


# -- where the cached prefix is --------------------------------------------------------------


def _prefix(request: Request) -> List[Tuple[str, Optional[Block]]]:
    """The blocks a breakpoint caches (up to the last one), or tools + system of a repeating call.
    A plain-string system prompt is one block, given as None."""
    ordered: List[Tuple[str, Optional[Block]]] = [("tools", b) for b in request.tools.blocks]
    if request.system.form is SegmentForm.STRING:
        ordered.append(("system", None))
    else:
        ordered.extend(("system", b) for b in request.system.blocks)
    in_tools_and_system = len(ordered)
    ordered.extend(("messages", b) for b in request.messages.blocks)
    if request.top_level_cache_control is not None:
        return ordered
    last = -1
    for index, (_, block) in enumerate(ordered):
        if block is not None and block.marker is not None and block.marker.valid is not False:
            last = index
    if last >= 0:
        return ordered[: last + 1]
    if request.repetition.repeats:
        return ordered[:in_tools_and_system]
    return []


def _roots(ctx, request: Request, prefix) -> Iterable[Tuple[str, List[cst.CSTNode]]]:
    """The expressions the prefix is built from, per segment."""
    for segment in (request.tools, request.system, request.messages):
        blocks = [b for name, b in prefix if name == segment.name]
        if not blocks:
            continue
        roots: List[cst.CSTNode] = []
        whole = segment.name != "messages" and len(blocks) == len(segment.blocks or (None,))
        if whole and segment.node is not None:
            roots.append(segment.node)  # also reaches comprehensions that build the list
            value = ctx.resolver.resolve(segment.node)
            if isinstance(value, ListVal) and value.node is not None:
                roots.append(value.node)
        if segment.form is SegmentForm.STRING and segment.text is not None:
            roots.extend(p.node for p in segment.text.pieces if p.node is not None)
        for block in blocks:
            if block is None:
                continue
            if block.node is not None:
                roots.append(block.node)
            if block.text is not None:
                roots.extend(p.node for p in block.text.pieces if p.node is not None)
        yield segment.name, roots


def _prefix_size(request: Request, prefix) -> Tuple[int, bool]:
    """Known characters of the prefix, and whether that is its exact size."""
    total = 0
    exact = True
    for _, block in prefix:
        if block is None:
            text = request.system.text
            size = text.known_chars if text is not None and text.size_is_exact else None
        else:
            size = block.chars
        exact = exact and size is not None
        total += size or 0
    return total, exact


def _where(segment: str) -> str:
    return {"tools": "the tool definitions", "system": "the system prompt"}.get(segment, "the cached messages")


# -- finding the serialisations that feed it ---------------------------------------------------


class _SiteFinder:
    """Walks the expressions that build the prefix, following local names and same-file
    function results, and collects `json.dumps` calls and set iterations."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.resolver = ctx.resolver
        self.seen: Set[int] = set()
        self.json_calls: List[Tuple[cst.Call, str]] = []
        self.iterations: List[Tuple[cst.CSTNode, Optional[cst.CSTNode], str]] = []

    def walk(self, node: cst.CSTNode, where: str, depth: int = 0) -> None:
        if node is None or depth > MAX_FOLLOW or id(node) in self.seen or node not in self.ctx.positions:
            return
        self.seen.add(id(node))
        collector = _Collector()
        node.visit(collector)
        for call in collector.calls:
            if "json.dumps" in self.resolver.qualified_names(call.func):
                self.json_calls.append((call, where))
            for returned in self._function_results(call):
                self.walk(returned, where, depth + 1)
        for expression, consumer in collector.iterated:
            self.iterations.append((expression, consumer, where))
        for name in collector.names:
            for value in _assigned_values(self.resolver, name):
                self.walk(value, where, depth + 1)

    def _function_results(self, call: cst.Call) -> List[cst.CSTNode]:
        if not isinstance(call.func, cst.Name):
            return []
        referents = self.resolver.referents(call.func) or set()
        found = []
        for referent in referents:
            definition = getattr(referent, "node", None)
            if isinstance(referent, Assignment) and isinstance(definition, cst.FunctionDef):
                found.extend(r.value for r in _returns(definition) if r.value is not None)
        return found


class _Collector(cst.CSTVisitor):
    """Calls, loaded names, and expressions whose iteration order reaches the result, each with
    its consumer (the call, comprehension or f-string part that iterates it)."""

    def __init__(self) -> None:
        self.calls: List[cst.Call] = []
        self.names: List[cst.Name] = []
        self.iterated: List[Tuple[cst.CSTNode, Optional[cst.CSTNode]]] = []
        self._insensitive: Set[int] = set()  # consumed where order does not matter

    def _iterates(self, expression: cst.CSTNode, consumer: cst.CSTNode) -> None:
        if id(consumer) not in self._insensitive:
            self.iterated.append((expression, consumer))

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
        func = node.func
        positional = [a for a in node.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Name) and func.value in ORDER_INSENSITIVE:
            for arg in node.args:
                self._insensitive.add(id(arg.value))
        elif isinstance(func, cst.Name) and func.value in ORDER_KEEPING and len(positional) == 1:
            self._iterates(positional[0].value, node)
        elif isinstance(func, cst.Attribute) and func.attr.value == "join" and len(positional) == 1:
            self._iterates(positional[0].value, node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    # a set comprehension builds a set: its order is decided where that set is iterated

    def _comprehension(self, node) -> None:
        for_in = node.for_in
        while for_in is not None:
            self._iterates(for_in.iter, node)
            for_in = for_in.inner_for_in

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._iterates(node.expression, node)

    def visit_StarredElement(self, node: cst.StarredElement) -> None:
        self._iterates(node.value, node)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # `obj.attr`: `attr` is not a name to follow
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # a keyword's name is not a name to follow
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


def _assigned_values(resolver, name: cst.Name) -> List[cst.CSTNode]:
    """The expressions assigned to the name where it is used (same file, plain assignments)."""
    referents = resolver.referents(name) or set()
    found: List[cst.CSTNode] = []
    for referent in referents:
        if not isinstance(referent, Assignment):
            continue
        target = referent.node
        if not isinstance(target, cst.Name):
            continue
        holder = resolver.parent(target)
        if isinstance(holder, cst.AssignTarget) and holder.target is target:
            assign = resolver.parent(holder)
            if isinstance(assign, cst.Assign):
                found.append(assign.value)
        elif isinstance(holder, (cst.AnnAssign, cst.AugAssign)) and holder.target is target and holder.value is not None:
            found.append(holder.value)
    return found


def _returns(definition: cst.FunctionDef) -> List[cst.Return]:
    found: List[cst.Return] = []

    class _Returns(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is definition

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

    definition.visit(_Returns())
    return found


# -- judging what was found ---------------------------------------------------------------------


def _key_order_is_fixed(value) -> bool:
    """True when every dict the value holds is written out in the code (so is its key order)."""
    if isinstance(value, (TextValue, Const)):
        return True  # a string or a number has no keys
    if isinstance(value, ListVal):
        if value.origin == "set":
            return True  # set elements are hashable: never dicts (their order is the set's finding)
        return value.complete and all(_key_order_is_fixed(item) for item in value.items)
    if isinstance(value, DictVal):
        return value.complete and all(_key_order_is_fixed(entry.value) for entry in value.entries)
    return False


def _holds_set_elements(resolver, node: cst.CSTNode) -> bool:
    """`sorted(s)` / `list(s)` of a set: its elements are hashable, so never dicts."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("sorted", "list", "tuple"):
        return bool(node.args) and _is_set_expression(resolver, node.args[0].value, 0)
    return _is_set_expression(resolver, node, 0)


def _staticness_ignoring_set_order(value) -> Staticness:
    if isinstance(value, ListVal):
        worst = max((_staticness_ignoring_set_order(v) for v in value.items), default=Staticness.STATIC)
        return max(worst, Staticness.UNKNOWN) if not value.complete and worst is Staticness.STATIC else worst
    if isinstance(value, DictVal):
        worst = max((_staticness_ignoring_set_order(e.value) for e in value.entries), default=Staticness.STATIC)
        return max(worst, Staticness.UNKNOWN) if not value.complete and worst is Staticness.STATIC else worst
    return staticness_of(value)


def _set_facts(ctx, expression: cst.CSTNode) -> Optional[Tuple[str, bool]]:
    """(element kind, elements vary per call) when `expression` evaluates to a set, else None.

    Element kind: "str" (all known strings), "number" (all known numbers), "mixed" (known, of
    other or several kinds), "unknown".
    """
    resolver = ctx.resolver
    if not _is_set_expression(resolver, expression, 0):
        return None
    value = _set_contents(resolver, expression, 0)
    items: Tuple = value.items if isinstance(value, ListVal) else ()
    complete = isinstance(value, ListVal) and value.complete
    if value is None:  # a set comprehension, a set operation: judge the elements from the whole
        value = resolver.resolve(expression)
    varies = _staticness_ignoring_set_order(value).varies if value is not None else False
    if not complete or not items:
        return "unknown", varies
    if all(isinstance(i, TextValue) for i in items):
        return "str", varies
    if all(isinstance(i, Const) and isinstance(i.value, (int, float)) for i in items):
        return "number", varies
    if any(isinstance(i, Unknown) for i in items):
        return "unknown", varies
    return "mixed", varies


def _set_contents(resolver, node: cst.CSTNode, depth: int):
    """The resolved elements of a set expression (through names and `set(...)`/`frozenset(...)`)."""
    if depth > MAX_FOLLOW:
        return None
    if isinstance(node, cst.Name):
        values = _assigned_values(resolver, node)
        return _set_contents(resolver, values[0], depth + 1) if len(values) == 1 else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("set", "frozenset"):
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return None
        return resolver.resolve(node.args[0].value)
    if isinstance(node, cst.Set):
        return resolver.resolve(node)
    return None


def _is_set_expression(resolver, node: cst.CSTNode, depth: int) -> bool:
    if depth > MAX_FOLLOW:
        return False
    if isinstance(node, (cst.Set, cst.SetComp)):
        return True
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Name) and func.value in ("set", "frozenset"):
            return _is_builtin(resolver, func)
        if isinstance(func, cst.Attribute) and func.attr.value in SET_METHODS:
            return _is_set_expression(resolver, func.value, depth + 1)
        return False
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, SET_OPERATORS):
        return _is_set_expression(resolver, node.left, depth + 1) or _is_set_expression(resolver, node.right, depth + 1)
    if isinstance(node, cst.Name):
        values = _assigned_values(resolver, node)
        return bool(values) and all(_is_set_expression(resolver, v, depth + 1) for v in values)
    return False


def _is_builtin(resolver, name: cst.Name) -> bool:
    referents = resolver.referents(name)
    return not referents or all(not isinstance(r, Assignment) or getattr(r, "node", None) is None for r in referents)


def _set_fix(ctx, expression: cst.CSTNode, consumer: Optional[cst.CSTNode], element_kind: str) -> FixSpec:
    if isinstance(consumer, cst.FormattedStringExpression):
        return FixSpec(
            "Format the elements in a fixed order, e.g. `', '.join(sorted(...))`",
            Applicability.DISPLAY_ONLY,
        )
    if element_kind == "mixed":
        return FixSpec("Iterate the set in a fixed order (its elements cannot be sorted as they are)",
                       Applicability.DISPLAY_ONLY)
    applicability = Applicability.SAFE if element_kind == "str" else Applicability.UNSAFE
    code = ctx.text[slice(*ctx.span(expression))]
    if isinstance(consumer, cst.Call) and isinstance(consumer.func, cst.Name) and consumer.func.value == "list":
        return FixSpec("Iterate the set sorted", applicability, [Replace(consumer, f"sorted({code})")])
    return FixSpec("Iterate the set sorted", applicability, [Replace(expression, f"sorted({code})")])
