"""The rule context: what a rule may ask for, and how its reports become diagnostics."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from cachelint.core import modeldata
from cachelint.core.diagnostics import Applicability, Cost, Diagnostic, Location
from cachelint.core.options import AnalysisOptions
from cachelint.fix.edits import resolve_fix
from cachelint.fix.intents import FixSpec

if TYPE_CHECKING:
    from cachelint.model.wrappers import VirtualRequest

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps libcst positions (1-based line, 0-based character column) to offsets and back."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def location(self, offset: int) -> Location:
        line = bisect.bisect_right(self.starts, offset)
        return Location(line, offset - self.starts[line - 1] + 1)


@dataclass(frozen=True)
class WrapperCall:
    """A wrapper's request checked at one of its callers in this file."""

    virtual: VirtualRequest  # the wrapper's request as the caller's arguments make it
    wrapper_codes: FrozenSet[str]  # what the wrapper's own request reports (in the wrapper's file)


class _NodeFacts:
    """Positions and parents of one module's nodes, computed on first use and shared by the
    contexts of one file (its own, and those for its wrapper calls)."""

    def __init__(self) -> None:
        self.positions = None  # positions.LazyPositions
        self.parents: Optional[Dict[cst.CSTNode, cst.CSTNode]] = None


class RuleContext:
    def __init__(
        self,
        module: cst.Module,
        wrapper,  # libcst.metadata.MetadataWrapper
        text: str,
        path: str,
        options: AnalysisOptions,
        *,
        resolver=None,  # values.Resolver, when the file has SDK calls (or calls wrappers)
        built=None,  # requests.BuiltRequests: the file's request model
        wrapper_call: Optional[WrapperCall] = None,  # checking a wrapper's request at its caller
    ):
        self.module = module
        self.wrapper = wrapper
        self.text = text
        self.path = path
        self.options = options
        self.resolver = resolver
        self.built = built
        self.wrapper_call = wrapper_call
        self.lines = LineIndex(text)
        self.diagnostics: List[Diagnostic] = []
        self._nodes = _NodeFacts()
        self.current_rule = None

    def for_wrapper_call(self, call: WrapperCall, resolver) -> "RuleContext":
        """The context for checking a wrapper's request at its caller: its reports go to this
        file's diagnostics, at the caller; node positions are shared with this context."""
        derived = RuleContext(
            self.module,
            self.wrapper,
            self.text,
            self.path,
            self.options,
            resolver=resolver,
            built=self.built,
            wrapper_call=call,
        )
        derived.diagnostics = self.diagnostics
        derived._nodes = self._nodes
        return derived

    # -- facts rules ask for ---------------------------------------------------------------
    def tokens(self, chars: int) -> int:
        return int(round(chars / max(self.options.chars_per_token, 0.1)))

    def model_info(self, model: Optional[str]) -> Optional[modeldata.ModelInfo]:
        return modeldata.lookup(model or self.options.default_model, self.options.model_overrides)

    def min_cache_tokens(self, model: Optional[str]) -> Optional[int]:
        """The model's minimum cacheable prefix, or None when the model is unknown."""
        info = self.model_info(model)
        return info.min_cache_tokens if info else None

    def cost(self, tokens: int, model: Optional[str], multiplier: float = 1.0) -> Cost:
        """The cost of `tokens` input tokens billed at `multiplier` x the base price, per 1k calls."""
        assumed = not model
        name = model or self.options.default_model or "unknown"
        info = self.model_info(model)
        usd = None
        if info and info.input_usd_per_mtok is not None:
            usd = round(tokens * multiplier * info.input_usd_per_mtok / 1_000_000 * 1000, 4)
        return Cost(tokens_per_call=tokens, model=name, model_assumed=assumed, usd_per_1k_calls=usd)

    @property
    def positions(self):
        if self._nodes.positions is None:
            from cachelint.syntax.positions import LazyPositions

            self._nodes.positions = LazyPositions(self.module, self.parents)
        return self._nodes.positions

    @property
    def parents(self) -> Dict[cst.CSTNode, cst.CSTNode]:
        if self._nodes.parents is None:
            if self.resolver is not None:
                self._nodes.parents = self.resolver.parents
            else:
                from cachelint.syntax.treewalk import parent_map

                self._nodes.parents = parent_map(self.module)
        return self._nodes.parents

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        position = self.positions[node]
        return (
            self.lines.offset(position.start.line, position.start.column),
            self.lines.offset(position.end.line, position.end.column),
        )

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    # -- reporting ------------------------------------------------------------------------
    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Optional[FixSpec] = None,
        cost: Optional[Cost] = None,
        noqa_node: Optional[cst.CSTNode] = None,
        rule=None,
    ) -> None:
        rule = rule or self.current_rule
        if self.wrapper_call is not None:
            virtual = self.wrapper_call.virtual
            inside_caller = node in self.positions and self._within(node, virtual.caller)
            if not inside_caller and rule.code in self.wrapper_call.wrapper_codes:
                return  # the wrapper's own finding, reported in the wrapper's file
            if not inside_caller:
                node = virtual.caller
            message = f"{message} (via `{virtual.wrapper_name}()`, which sends it to the API)"
            fix = None  # the wrapper may use the value in other ways: advice only
            noqa_node = virtual.caller
        if node not in self.positions and noqa_node is not None:
            node = noqa_node  # a value defined in another module: report at the call
        start, end = self.span(node)
        noqa_row = self.line_of(noqa_node) if noqa_node is not None else None
        self.diagnostics.append(
            Diagnostic(
                code=rule.code,
                name=rule.name,
                message=message,
                path=self.path,
                location=self.lines.location(start),
                end_location=self.lines.location(end),
                fix=(
                    resolve_fix(fix, self.module, self.span, self.parents, self.lines.location)
                    if fix is not None
                    else None
                ),
                noqa_row=noqa_row,
                cost=cost,
            )
        )

    def _within(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        if node is container:
            return True
        current = self.parents.get(node)
        while current is not None:
            if current is container:
                return True
            current = self.parents.get(current)
        return False

APPLICABILITY_ORDER = (Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY)
