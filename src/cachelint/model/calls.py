"""Call facts: every argument of a call as the SDK receives it, and what `betas=` and the
`anthropic-beta` headers hold.

An argument can be written at the call (`betas=[...]`), arrive through a `**params` dict, or be an
entry of a batch request's `params` dict. Each keeps the node a fix edits or removes (the `Arg`, or
the `DictElement` of the dict it was written in), so a rule can report and fix it wherever it was
written. Built by `cachelint.model.arguments`; nodes are opaque values compared by identity.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple

import libcst as cst


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


class ArgumentSource(str, enum.Enum):
    KEYWORD = "keyword"  # `name=value` written at the call
    SPLAT = "splat"  # an entry of a dict spread into the call with `**`
    BATCH_PARAMS = "params"  # an entry of a batch request's `params` dict


@dataclass(frozen=True)
class BetaFlag:
    """One item of a `betas=` value."""

    name: Optional[str]  # None when it cannot be resolved
    node: Optional[cst.CSTNode] = _node_field()  # the string expression (possibly in another module)


@dataclass(frozen=True)
class BetaFlags:
    """What a `betas=` argument holds."""

    flags: Tuple[BetaFlag, ...]
    complete: bool  # False: more flags may be there (a `*spread`, an unresolved value)
    written_none: bool = False  # `betas=None` written as such

    @property
    def names(self) -> Tuple[Optional[str], ...]:
        return tuple(flag.name for flag in self.flags)

    def only(self, name: str) -> bool:
        """Every flag is `name` (also when there is none), and no other can hide."""
        return self.complete and all(flag.name == name for flag in self.flags)


@dataclass(frozen=True)
class BetaHeader:
    """An `anthropic-beta` entry of a headers dict (`extra_headers=`, `default_headers=`)."""

    text: str  # the header value as resolved
    entry_node: Optional[cst.CSTNode] = _node_field()  # the DictElement holding it (as the resolver saw it)
    value_node: Optional[cst.CSTNode] = _node_field()  # the value expression (the entry itself when not a DictElement)

    @property
    def values(self) -> Tuple[str, ...]:
        """The comma-separated beta names."""
        return tuple(value.strip() for value in self.text.split(",") if value.strip())


@dataclass(frozen=True)
class Argument:
    """One argument as the SDK receives it."""

    name: str
    source: ArgumentSource
    value_node: Optional[cst.CSTNode] = _node_field()  # the value expression as written
    # What a fix edits or removes: the `Arg`, or the `DictElement` of the dict the entry was
    # written in; None when the entry is not a written dict element (`dict(...)`, an update).
    edit_node: Optional[cst.CSTNode] = _node_field()
    beta_flags: Optional[BetaFlags] = None  # `betas=`: its flags
    beta_headers: Tuple[BetaHeader, ...] = ()  # headers dicts: their `anthropic-beta` entries

    @property
    def written_at_call(self) -> bool:
        return self.source is ArgumentSource.KEYWORD


@dataclass(frozen=True)
class CallArguments:
    """Every argument of a call (or of a batch request's `params`), in the order Python applies
    them: when a name repeats, the last one is what is sent."""

    arguments: Tuple[Argument, ...] = ()

    def sent(self, name: str) -> Optional[Argument]:
        """The argument the SDK receives under `name` (the last one given)."""
        found = None
        for argument in self.arguments:
            if argument.name == name:
                found = argument
        return found

    def written(self, name: str) -> Optional[Argument]:
        """The first `name=` keyword written at the call."""
        for argument in self.arguments:
            if argument.name == name and argument.source is ArgumentSource.KEYWORD:
                return argument
        return None

    def splatted(self, name: str) -> Optional[Argument]:
        """The last `**` dict entry named `name`."""
        found = None
        for argument in self.arguments:
            if argument.name == name and argument.source is ArgumentSource.SPLAT:
                found = argument
        return found

    @property
    def written_keywords(self) -> Tuple[str, ...]:
        """The keyword names written at the call, in order."""
        return tuple(a.name for a in self.arguments if a.source is ArgumentSource.KEYWORD)
