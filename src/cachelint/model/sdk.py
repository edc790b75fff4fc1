"""Recognise calls to the SDK's request methods, and the clients they are made on.

A call is an SDK call when its receiver resolves to a client class imported from `anthropic`
(under any alias, bound at module level, locally, on `self`, or as an annotated parameter), and
its method chain is one of the SDK's request methods. When the receiver cannot be resolved, the
call counts only when its keywords make it unambiguous (model= + messages= + max_tokens=) and its
chain ends in `messages.<method>`; never from the method name alone. Receivers that resolve to
something else (OpenAI, Twilio, any non-anthropic class) never match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst
from cachelint.syntax.scopes import Assignment, ImportAssignment

from cachelint.model.request import Platform, SdkCall
from cachelint.resolve.resolver import Resolver

CLIENT_CLASSES = {
    "Anthropic": (Platform.ANTHROPIC, False),
    "AsyncAnthropic": (Platform.ANTHROPIC, True),
    "Client": (Platform.ANTHROPIC, False),
    "AsyncClient": (Platform.ANTHROPIC, True),
    "AnthropicBedrock": (Platform.BEDROCK, False),
    "AsyncAnthropicBedrock": (Platform.BEDROCK, True),
    "AnthropicBedrockMantle": (Platform.BEDROCK_MANTLE, False),
    "AsyncAnthropicBedrockMantle": (Platform.BEDROCK_MANTLE, True),
    "AnthropicVertex": (Platform.VERTEX, False),
    "AsyncAnthropicVertex": (Platform.VERTEX, True),
    "AnthropicFoundry": (Platform.FOUNDRY, False),
    "AsyncAnthropicFoundry": (Platform.FOUNDRY, True),
    "AnthropicAWS": (Platform.AWS, False),
    "AsyncAnthropicAWS": (Platform.AWS, True),
    "AnthropicGoogleCloud": (Platform.GOOGLE_CLOUD, False),
    "AsyncAnthropicGoogleCloud": (Platform.GOOGLE_CLOUD, True),
}

MESSAGE_METHODS = {"create", "stream", "parse", "count_tokens"}
BETA_MESSAGE_METHODS = MESSAGE_METHODS | {"tool_runner"}
SURFACE_WRAPPERS = {"with_raw_response", "with_streaming_response"}
REQUIRED_KEYWORDS = {"model", "messages", "max_tokens"}


@dataclass(frozen=True)
class ClientInfo:
    platform: Platform
    is_async: bool
    description: str


class _NotClient:
    """The receiver resolved to something that is certainly not an anthropic client."""


NOT_CLIENT = _NotClient()


def client_from_qualified(names) -> Optional[ClientInfo]:
    for name in sorted(names):
        if not (name == "anthropic" or name.startswith("anthropic.")):
            continue
        last = name.rsplit(".", 1)[-1]
        if last in CLIENT_CLASSES:
            platform, is_async = CLIENT_CLASSES[last]
            return ClientInfo(platform, is_async, name)
    return None


class SdkRecognizer:
    def __init__(self, resolver: Resolver):
        self.resolver = resolver

    # -- the call's shape ------------------------------------------------------------------
    def match(self, call: cst.Call) -> Optional[SdkCall]:
        chain = _method_chain(call.func)
        if chain is None:
            return None
        base, steps = chain
        shape = _shape(steps)
        if shape is None:
            return None
        namespace, method, receiver_steps = shape
        client = self.resolve_receiver(base, receiver_steps)
        if client is NOT_CLIENT:
            return None
        if client is None:
            if not self._keywords_are_unambiguous(call):
                return None
            return SdkCall(
                method=method,
                namespace=namespace,
                platform=Platform.UNKNOWN,
                is_async=None,
                recognised_by="keywords",
                client_description=f"`{self.resolver.short(call.func)}`",
                node=call,
                func_node=call.func,
            )
        assert isinstance(client, ClientInfo)
        return SdkCall(
            method=method,
            namespace=namespace,
            platform=client.platform,
            is_async=client.is_async,
            recognised_by="client",
            client_description=client.description,
            node=call,
            func_node=call.func,
        )

    def _local_class(self, name: cst.Name):
        """ClientInfo for a class of this file that subclasses a client, NOT_CLIENT for any other
        class of this file, None when `name` is not (only) such a class."""
        referents = self.resolver.referents(name) or set()
        classes = [getattr(r, "node", None) for r in referents]
        if not classes or not all(isinstance(c, cst.ClassDef) for c in classes):
            return None
        for klass in classes:
            for base in klass.bases:
                info = client_from_qualified(self.resolver.qualified_names(base.value))
                if info is not None:
                    return info
        return NOT_CLIENT

    def _keywords_are_unambiguous(self, call: cst.Call) -> bool:
        keywords = {a.keyword.value for a in call.args if a.keyword is not None}
        return REQUIRED_KEYWORDS <= keywords

    # -- the receiver ----------------------------------------------------------------------
    def resolve_receiver(self, base: cst.CSTNode, attributes: List[str], depth: int = 0):
        """ClientInfo, NOT_CLIENT, or None (cannot tell)."""
        if depth > 8:
            return None
        if isinstance(base, cst.Call):
            if attributes:
                return None
            names = self.resolver.qualified_names(base.func)
            found = client_from_qualified(names)
            if found:
                return found
            if isinstance(base.func, cst.Name):
                local = self._local_class(base.func)
                if local is not None:
                    return local  # an instance of a class of this file: a client only by inheritance
            if names and not any(n.startswith("anthropic") for n in names) and not _is_local_name(names):
                return NOT_CLIENT
            return None
        if isinstance(base, cst.Name):
            if base.value in ("self", "cls") and len(attributes) == 1:
                return self._self_attribute_client(base, attributes[0], depth)
            if attributes:
                # module.client / obj.client: a module attribute of an imported anthropic module?
                names = self.resolver.qualified_names(base)
                if any(n == "anthropic" for n in names):
                    return None
                return None
            return self._name_client(base, depth)
        return None

    def _name_client(self, name: cst.Name, depth: int):
        referents = self.resolver.referents(name) or set()
        if not referents:
            return None
        results = [self._referent_client(name, referent, depth) for referent in referents]
        clients = [r for r in results if isinstance(r, ClientInfo)]
        if clients:
            return clients[0]
        if results and all(r is NOT_CLIENT for r in results):
            return NOT_CLIENT
        return None

    def _referent_client(self, name: cst.Name, referent, depth: int):
        if isinstance(referent, ImportAssignment):
            return None
        if not isinstance(referent, Assignment):
            return None
        node = referent.node
        if isinstance(node, cst.Param):
            return self._annotation_client(node.annotation)
        if isinstance(node, cst.Name):
            holder = self.resolver.parent(node)
            if isinstance(holder, cst.AssignTarget):
                assign = self.resolver.parent(holder)
                if isinstance(assign, cst.Assign) and holder.target is node:
                    return self._expression_client(assign.value, depth)
            if isinstance(holder, cst.AnnAssign):
                found = self._annotation_client(holder.annotation)
                if found is not None:
                    return found
                if holder.value is not None:
                    return self._expression_client(holder.value, depth)
            if isinstance(holder, cst.AsName):
                with_item = self.resolver.parent(holder)
                if isinstance(with_item, cst.WithItem):
                    return self._expression_client(with_item.item, depth)
        return None

    def _expression_client(self, expression: cst.CSTNode, depth: int):
        chain = _method_chain(expression) if isinstance(expression, (cst.Attribute, cst.Call)) else None
        if isinstance(expression, cst.Call):
            # `Anthropic(...)`, `Anthropic().with_options(...)`
            func = expression.func
            if isinstance(func, cst.Attribute) and func.attr.value == "with_options":
                return self.resolve_receiver_expression(func.value, depth + 1)
            return self.resolve_receiver(expression, [], depth + 1)
        if isinstance(expression, cst.Await):
            return None
        if isinstance(expression, (cst.Name, cst.Attribute)):
            return self.resolve_receiver_expression(expression, depth + 1)
        if isinstance(expression, cst.BooleanOperation):  # `client or Anthropic()`
            for side in (expression.left, expression.right):
                found = self._expression_client(side, depth + 1)
                if isinstance(found, ClientInfo):
                    return found
            return None
        if isinstance(expression, cst.IfExp):
            for side in (expression.body, expression.orelse):
                found = self._expression_client(side, depth + 1)
                if isinstance(found, ClientInfo):
                    return found
            return None
        del chain
        if isinstance(expression, (cst.SimpleString, cst.Integer, cst.Float, cst.List, cst.Dict, cst.Tuple)):
            return NOT_CLIENT
        return None

    def resolve_receiver_expression(self, expression: cst.CSTNode, depth: int = 0):
        chain = _method_chain(expression)
        if chain is None:
            if isinstance(expression, (cst.Name, cst.Call)):
                return self.resolve_receiver(expression, [], depth)
            return None
        base, steps = chain
        steps = [s for s in steps if s != "with_options()"]
        return self.resolve_receiver(base, steps, depth)

    def _annotation_client(self, annotation: Optional[cst.Annotation]):
        if annotation is None:
            return None
        found: List[ClientInfo] = []
        resolver = self.resolver

        class _Finder(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                info = client_from_qualified(resolver.qualified_names(node))
                if info:
                    found.append(info)

            def visit_Attribute(self, node: cst.Attribute) -> bool:
                info = client_from_qualified(resolver.qualified_names(node))
                if info:
                    found.append(info)
                    return False
                return True

            def visit_SimpleString(self, node: cst.SimpleString) -> None:
                # string annotations: "anthropic.Anthropic" / "Anthropic"
                text = node.value.strip("\"'")
                last = text.rsplit(".", 1)[-1]
                if last in CLIENT_CLASSES and (text.startswith("anthropic") or "." not in text):
                    platform, is_async = CLIENT_CLASSES[last]
                    found.append(ClientInfo(platform, is_async, text))

        annotation.annotation.visit(_Finder())
        return found[0] if found else None

    def _self_attribute_client(self, self_name: cst.Name, attribute: str, depth: int):
        klass = self.resolver.enclosing(self_name, cst.ClassDef)
        if klass is None:
            return None
        results = []
        for statement in klass.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == attribute:
                        results.append(self._annotation_client(small.annotation))
                        if small.value is not None:
                            results.append(self._expression_client(small.value, depth + 1))
                    if isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name) and target.target.value == attribute:
                                results.append(self._expression_client(small.value, depth + 1))
        for assignment in self.resolver.self_assignments(klass).get(attribute, ()):
            if assignment.annotation is not None:
                results.append(self._annotation_client(assignment.annotation))
            if assignment.value is not None:
                results.append(self._expression_client(assignment.value, depth + 1))
        clients = [r for r in results if isinstance(r, ClientInfo)]
        if clients:
            return clients[0]
        if results and all(r is NOT_CLIENT for r in results):
            return NOT_CLIENT
        return None


def _is_local_name(names) -> bool:
    """Qualified names of things defined in this file carry no module prefix we can judge."""
    return any("." not in n or n.startswith("<") for n in names)


def is_request_shaped(node: cst.CSTNode) -> bool:
    """A call whose callee chain has the shape of a request method (cheap syntactic filter,
    before any name is resolved)."""
    if not isinstance(node, cst.Call):
        return False
    chain = _method_chain(node.func)
    return chain is not None and _shape(chain[1]) is not None


def _method_chain(func: cst.CSTNode) -> Optional[Tuple[cst.CSTNode, List[str]]]:
    """Flatten `a.b.with_options(x).c.d` into (a, ["b", "with_options()", "c", "d"])."""
    steps: List[str] = []
    node = func
    while True:
        if isinstance(node, cst.Attribute):
            steps.append(node.attr.value)
            node = node.value
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "with_options"
        ):
            steps.append("with_options()")
            node = node.func.value
        else:
            break
    if not steps:
        return None
    steps.reverse()
    return node, steps


def _shape(steps: List[str]) -> Optional[Tuple[str, str, List[str]]]:
    """(namespace, method, receiver attributes) for a request method chain, else None."""
    cleaned = [s for s in steps if s not in SURFACE_WRAPPERS]
    if len(cleaned) < 2:
        return None
    method = cleaned[-1]
    head = cleaned[:-1]
    batches = False
    if head and head[-1] == "batches":
        if method != "create":
            return None
        batches = True
        head = head[:-1]
    if not head or head[-1] != "messages":
        return None
    head = head[:-1]
    namespace = "messages"
    if head and head[-1] == "prompt_caching" and len(head) >= 2 and head[-2] == "beta":
        namespace = "beta.prompt_caching.messages"
        head = head[:-2]
    elif head and head[-1] == "beta":
        namespace = "beta.messages"
        head = head[:-1]
    allowed = BETA_MESSAGE_METHODS if namespace.startswith("beta") else MESSAGE_METHODS
    if batches:
        method = "batches.create"
    elif method not in allowed:
        return None
    receiver = [s for s in head if s != "with_options()"]
    # `client.with_options(...)` must sit right on the client; anything else in the head is the
    # receiver's own attribute path (`self.client`).
    return namespace, method, receiver
