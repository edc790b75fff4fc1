"""Module-level facts: what a module holds besides its requests, computed once when the model is
built.

- the `messages.batches.create(...)` calls with their own arguments;
- client constructors (`anthropic.Anthropic(...)` and the other client classes) given
  `default_headers=`, with that argument's `anthropic-beta` entries;
- references to the removed `client.beta.prompt_caching` namespace on a client, called or not
  (`create=client.beta.prompt_caching.messages.create`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from cachelint.model.arguments import keyword_argument
from cachelint.model.calls import Argument
from cachelint.model.request import BatchCall
from cachelint.model.sdk import NOT_CLIENT, ClientInfo, SdkRecognizer, client_from_qualified
from cachelint.resolve.resolver import Resolver

PROMPT_CACHING = "prompt_caching"


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ClientConstructor:
    """A client class called with `default_headers=`: every request of the client sends them."""

    client: ClientInfo
    default_headers: Argument  # the first `default_headers=` keyword
    node: Optional[cst.Call] = _node_field()


@dataclass(frozen=True)
class PromptCachingReference:
    """`X.beta.prompt_caching` where X is an anthropic client, or an unresolved receiver whose
    chain goes on to `.messages` (the shape only the old SDK namespace has)."""

    client_resolved: bool  # X resolved to a client class
    attribute: Optional[cst.Attribute] = _node_field()  # `X.beta.prompt_caching`
    beta: Optional[cst.Attribute] = _node_field()  # `X.beta`, what the reference now has to be
    chain: Optional[cst.Attribute] = _node_field()  # the whole chain it starts (`X.beta.prompt_caching.messages.create`)


@dataclass(frozen=True)
class ModuleFacts:
    batch_calls: Tuple[BatchCall, ...] = ()
    client_constructors: Tuple[ClientConstructor, ...] = ()
    prompt_caching_references: Tuple[PromptCachingReference, ...] = ()


def module_facts(
    wrapper,
    path: str,
    index,  # scopes.ModuleIndex
    resolver: Optional[Resolver],
    batch_calls: Sequence[BatchCall],
    text: Optional[str] = None,
) -> ModuleFacts:
    """`resolver` is the module's request resolver; a module without requests gets one of its own
    only when it holds a constructor or a reference, without project-wide resolution."""
    constructors = [
        call
        for call in index.calls
        if any(a.keyword is not None and a.keyword.value == "default_headers" for a in call.args)
    ]
    attributes: List[cst.Attribute] = []
    if text is None or PROMPT_CACHING in text:  # the attribute cannot exist unless its name does
        # the index's parent map holds every code node: scanning it costs far less than a walk
        attributes = [node for node in index.parents if type(node) is cst.Attribute and _is_prompt_caching(node)]
    if not constructors and not attributes:
        return ModuleFacts(batch_calls=tuple(batch_calls))
    if resolver is None:
        resolver = Resolver(wrapper, path, index=index)
    return ModuleFacts(
        batch_calls=tuple(batch_calls),
        client_constructors=tuple(_constructors(resolver, constructors)),
        prompt_caching_references=tuple(_references(resolver, attributes)),
    )


def _is_prompt_caching(node: cst.Attribute) -> bool:
    return (
        node.attr.value == PROMPT_CACHING
        and isinstance(node.value, cst.Attribute)
        and node.value.attr.value == "beta"
    )


def _constructors(resolver: Resolver, calls: Sequence[cst.Call]) -> List[ClientConstructor]:
    found = []
    for call in calls:
        client = client_from_qualified(resolver.qualified_names(call.func))
        if client is None:
            continue
        arg = next(a for a in call.args if a.keyword is not None and a.keyword.value == "default_headers")
        found.append(ClientConstructor(client, keyword_argument(arg, resolver.resolve(arg.value)), call))
    return found


def _references(resolver: Resolver, attributes: Sequence[cst.Attribute]) -> List[PromptCachingReference]:
    recognizer = SdkRecognizer(resolver)
    found = []
    for attribute in attributes:
        beta = attribute.value
        assert isinstance(beta, cst.Attribute)
        client = recognizer.resolve_receiver_expression(beta.value)
        if client is NOT_CLIENT:
            continue
        parent = resolver.parent(attribute)
        continues_to_messages = isinstance(parent, cst.Attribute) and parent.attr.value == "messages"
        if not isinstance(client, ClientInfo) and not continues_to_messages:
            continue  # an unknown object's own `beta.prompt_caching` attribute
        chain = attribute
        while isinstance(resolver.parent(chain), cst.Attribute) and resolver.parent(chain).value is chain:
            chain = resolver.parent(chain)
        found.append(PromptCachingReference(isinstance(client, ClientInfo), attribute, beta, chain))
    return found
