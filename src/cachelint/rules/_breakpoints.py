"""CL103's names for the breakpoint facts, until it reads `request.prefix` itself.

The facts are the model's (`cachelint.model.request.Breakpoint`, worked out by
`cachelint.model.prefix`): `breakpoints(request, ctx)` is `request.prefix.breakpoints`,
`anchor(ctx, request, point)` is `point.report_node`, `describe(request, point)` is `point.place`.
"""

from __future__ import annotations

from typing import List

from cachelint.model.request import Breakpoint, Request

__all__ = ["Breakpoint", "anchor", "breakpoints", "describe"]


def breakpoints(request: Request, ctx) -> List[Breakpoint]:
    return list(request.prefix.breakpoints)


def anchor(ctx, request: Request, point: Breakpoint):
    return point.report_node


def describe(request: Request, point: Breakpoint) -> str:
    return point.place
