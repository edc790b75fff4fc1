"""A breakpoint in the spelling of the library that sends the request.

The core rules (CL001, CL003, CL302, ...) decide WHERE a breakpoint belongs; for the Anthropic
SDK they build the edit themselves. For a request recognised by a framework front-end the edit
is the framework's own (a message-level `cache_control` in LiteLLM, a `cachePoint` block on
Bedrock Converse, `cache_control=` on `ChatAnthropic.invoke`, `anthropic_cache=True` in
pydantic-ai settings): each framework's fix module registers its `breakpoint_fix` in
`SPELLINGS` (and the edit that moves a marker it drops to where it works in `RELOCATIONS`), and
the rules ask `framework_breakpoint_fix` / `dropped_marker_fix`. A framework without a safe spelling
for that place gets display-only advice, never the SDK's edit.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional

from cachelint.core.diagnostics import Applicability
from cachelint.fix.intents import BreakpointPlace, FixSpec
from cachelint.fix.source import SourceFile
from cachelint.model.frameworks import DroppedMarker, Framework
from cachelint.model.request import Block, Request


# (source, request, place, block) -> the framework's fix, or None when it has no edit to offer.
BreakpointSpelling = Callable[[SourceFile, Request, BreakpointPlace, Optional[Block]], Optional[FixSpec]]

# Each framework's fix module (`fix/<framework>.py`, importing only `fix.intents` and the
# builders) is imported here and registers itself in one line.
SPELLINGS: Dict[Framework, BreakpointSpelling] = {}


def framework_breakpoint_fix(
    source: SourceFile, request: Request, place: BreakpointPlace, block: Optional[Block] = None
) -> FixSpec:
    """The fix for a request sent through a framework (never the Anthropic SDK: its rules spell
    their own)."""
    framework = request.call.framework
    assert framework is not Framework.ANTHROPIC_SDK, "SDK requests are fixed by the rule itself"
    spelling = SPELLINGS.get(framework)
    fix = spelling(source, request, place, block) if spelling is not None else None
    if fix is not None:
        return fix
    return FixSpec(f"Add a breakpoint at {place.value}, in {framework.display_name}'s own spelling", Applicability.DISPLAY_ONLY)


# (source, request, dropped) -> the edit moving a dropped marker (CL501) to the framework's
# working spelling, or None when there is no edit that keeps the text sent the same.
DroppedMarkerFix = Callable[[SourceFile, Request, DroppedMarker], Optional[FixSpec]]

RELOCATIONS: Dict[Framework, DroppedMarkerFix] = {}


def dropped_marker_fix(source: SourceFile, request: Request, dropped: DroppedMarker) -> Optional[FixSpec]:
    """CL501's fix in the framework's spelling, if it registered one."""
    relocate = RELOCATIONS.get(request.call.framework)
    return relocate(source, request, dropped) if relocate is not None else None
