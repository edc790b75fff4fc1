"""Which library a request is sent through, and the facts only a framework front-end can see.

The Anthropic SDK is one front-end among several: LiteLLM, LangChain, boto3 Bedrock (Converse
and InvokeModel), pydantic-ai and instructor each turn their own call shapes into the same
`Request` (tools -> system -> messages segments, markers, sizes, repetition), so the core rules
apply to all of them. What a framework adds on top, markers it silently drops and caching
options that do nothing here, is kept as facts on `Request.framework_facts`; the CL5xx rules
read them, and the front-end that saw the call is their one owner (`cachelint.model.frontends`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple

import libcst as cst


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


class Framework(str, enum.Enum):
    """The library whose call the request was recognised from."""

    ANTHROPIC_SDK = "anthropic"
    LITELLM = "litellm"
    LANGCHAIN = "langchain"
    BEDROCK_CONVERSE = "bedrock-converse"  # boto3 bedrock-runtime converse / converse_stream
    BEDROCK_INVOKE = "bedrock-invoke"  # boto3 bedrock-runtime invoke_model with an Anthropic body
    PYDANTIC_AI = "pydantic-ai"
    INSTRUCTOR = "instructor"

    @property
    def display_name(self) -> str:
        return _DISPLAY_NAMES[self]


_DISPLAY_NAMES = {
    Framework.ANTHROPIC_SDK: "the Anthropic SDK",
    Framework.LITELLM: "LiteLLM",
    Framework.LANGCHAIN: "LangChain",
    Framework.BEDROCK_CONVERSE: "Bedrock Converse",
    Framework.BEDROCK_INVOKE: "Bedrock InvokeModel",
    Framework.PYDANTIC_AI: "pydantic-ai",
    Framework.INSTRUCTOR: "instructor",
}


@dataclass(frozen=True)
class DroppedMarker:
    """A `cache_control` written where the framework silently drops it (CL501)."""

    where: str  # e.g. "`additional_kwargs` of a LangChain message"
    why: str  # what the framework does with it, one clause
    instead: Optional[str] = None  # the working spelling, when there is one
    node: Optional[cst.CSTNode] = _node_field()  # the marker value
    key_node: Optional[cst.CSTNode] = _node_field()  # the element / argument carrying it


@dataclass(frozen=True)
class InertOption:
    """A caching option that does nothing for this model or transport (CL504)."""

    option: str  # as written, e.g. "`anthropic_cache_instructions=True`"
    why: str
    node: Optional[cst.CSTNode] = _node_field()


@dataclass(frozen=True)
class FrameworkFacts:
    """What the front-end saw beyond the Anthropic-shaped request. Empty for the SDK."""

    dropped_markers: Tuple[DroppedMarker, ...] = ()
    inert_options: Tuple[InertOption, ...] = ()
