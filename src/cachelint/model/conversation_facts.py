"""The facts the conversation analysis hands to the rules: how a loop repeats a call, and what
the code does to the history list a request sends.

Plain frozen data (the CST nodes they keep are opaque values for reporting and fixes, excluded
from comparison). They are computed once, by `cachelint.model.conversation`, while the request
model is built, and read from `Request.repetition` and `Request.history`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple

import libcst as cst


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


class LoopKind(str, enum.Enum):
    """What the innermost loop around a call does with it."""

    NONE = "none"  # the call is not inside a loop of its own function
    REUSE = "reuse"  # every iteration sends a request: later ones can read what earlier ones cached
    # The iteration whose call succeeds leaves the loop (`for attempt in range(n): try: ...
    # return`): the call is sent again only after a failure, so nothing is reused in the cache.
    RETRY = "retry"


class HistoryKind(str, enum.Enum):
    """Where the history list lives, which decides whether it can outlive one call."""

    LOCAL = "local"  # a variable of the function (or script) holding the call
    PARAMETER = "parameter"  # the caller's list, passed in
    PERSISTENT = "persistent"  # `self.<name>`, `st.session_state...`, a module-level or enclosing list


class UseKind(str, enum.Enum):
    """What one statement does to the history list."""

    GROW = "grow"  # append / extend / += / `h = h + [...]` / `h = [*h, ...]`
    FRONT_REMOVE = "front-remove"  # the oldest message(s) dropped: pop(0), del h[0], del h[:k], h = h[k:]
    WINDOW = "window"  # only the newest N kept: h[-N:], del h[:-N], h = h[len(h) - N:]
    REWRITE = "rewrite"  # replaced by a list derived from it: summarize(h), [summary] + h[-4:]
    RESET = "reset"  # a new conversation: h = [], h.clear(), h = [system_message]
    OTHER = "other"  # copies, removals at the end, edits the analysis does not judge

    @property
    def trims_front(self) -> bool:
        return self in (UseKind.FRONT_REMOVE, UseKind.WINDOW)


@dataclass(frozen=True)
class HistoryUse:
    """One place where the code changes the history (or, `sent`, slices it in `messages=`)."""

    kind: UseKind
    written: str  # the statement as the user wrote it, on one line (shortened to 60 characters)
    position: Tuple[int, int]  # (line, column) where it starts: source order
    removed: Optional[int] = None  # FRONT_REMOVE: how many of the oldest messages, when constant
    sent: bool = False  # a slice inside the `messages=` value itself
    node: Optional[cst.CSTNode] = _node_field()  # what to report: the call, the `del`, the assignment, the slice
    window: Optional[cst.CSTNode] = _node_field()  # WINDOW: the size expression (`N` in `h[-N:]`)


@dataclass(frozen=True)
class MarkerMention:
    """`cache_control` named in the module (a string or a keyword), with the nodes around it, so
    that a rule can tell whether it lies inside a marker the request model already knows."""

    node: cst.CSTNode = field(compare=False, hash=False, repr=False)
    enclosing: Tuple[cst.CSTNode, ...] = field(default=(), compare=False, hash=False, repr=False)

    def within(self, key_nodes: Tuple[cst.CSTNode, ...]) -> bool:
        """Is the mention one of `key_nodes`, or inside one of them?"""
        known = {id(node) for node in key_nodes}
        return id(self.node) in known or any(id(node) in known for node in self.enclosing)


@dataclass(frozen=True)
class ConversationHistory:
    """The list a request sends as `messages`, when the code appends to it."""

    name: str  # as written: `history`, `self.messages`, `st.session_state.messages`
    kind: HistoryKind
    uses: Tuple[HistoryUse, ...]  # every change to the list, in source order
    sent_windows: Tuple[HistoryUse, ...]  # front-trimming slices inside the `messages=` value
    resent: bool  # appended and sent again on a later turn: a conversation
    # The changes that make every turn's history start differently from the last turn's (a
    # sliding window, a rewrite run on every turn), in source order; empty unless `resent`.
    per_turn_rewrites: Tuple[HistoryUse, ...] = ()
    # `tool_result` blocks are built in the code that runs once per turn: an agent tool loop.
    tool_results_each_turn: bool = False
    # Every `cache_control` named in the module (computed only for a re-sent history): markers
    # the model cannot place may still end up on the history.
    marker_mentions: Tuple[MarkerMention, ...] = ()
    region: Optional[cst.CSTNode] = _node_field()  # the code that runs once per turn (the loop, or the function)
    definitions: Tuple[cst.CSTNode, ...] = field(default=(), compare=False, hash=False, repr=False)

    @property
    def appends(self) -> Tuple[HistoryUse, ...]:
        return tuple(u for u in self.uses if u.kind is UseKind.GROW)

    @property
    def front_trims(self) -> Tuple[HistoryUse, ...]:
        return tuple(u for u in self.uses if u.kind.trims_front)

    @property
    def rewrites(self) -> Tuple[HistoryUse, ...]:
        return tuple(u for u in self.uses if u.kind is UseKind.REWRITE)
