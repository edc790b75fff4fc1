"""Run the enabled rules over the request models of one parsed module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.context import RuleContext
from cachelint.diagnostics import Location, UnknownSite
from cachelint.options import AnalysisOptions
from cachelint.rules import RULES

if TYPE_CHECKING:
    from cachelint.analysis import FileAnalysis


def run_rules(
    module: cst.Module,
    text: str,
    path: str,
    options: AnalysisOptions,
    project: Optional[object] = None,
) -> "FileAnalysis":
    from cachelint.analysis import FileAnalysis
    from cachelint.request_builder import build_requests

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    built = build_requests(wrapper, path, options, project)
    ctx = RuleContext(wrapper.module, wrapper, text, path, options)
    ctx.resolver = built.resolver
    ctx.repeats = built.repeats
    ctx.built = built
    rules = [rule() for rule in RULES if options.is_enabled(rule.code)]
    for rule in rules:
        ctx.current_rule = rule
        for request in built.requests:
            if rule.waste and request.call.is_free:
                continue
            rule.check(request, ctx)
        rule.check_module(ctx, built)
    ctx.current_rule = None
    unknown = tuple(
        UnknownSite(
            path=path,
            location=_location(ctx, site.node),
            method=site.method,
            reasons=tuple(site.reasons),
        )
        for site in built.unknown_sites
    )
    diagnostics = tuple(sorted(_dedupe(ctx.diagnostics), key=lambda d: d.sort_key))
    return FileAnalysis(
        diagnostics=diagnostics,
        unknown_sites=unknown,
        recognised_calls=len(built.requests),
    )


def _location(ctx: RuleContext, node) -> Location:
    position = ctx.positions[node]
    return Location(position.start.line, position.start.column + 1)


def _dedupe(diagnostics):
    seen = set()
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.location, diagnostic.message)
        if key not in seen:
            seen.add(key)
            yield diagnostic
