"""Run the enabled rules over the request models of one parsed module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.rules.context import RuleContext
from cachelint.core.diagnostics import Location, UnknownSite
from cachelint.core.options import AnalysisOptions
from cachelint.rules import RULES

if TYPE_CHECKING:
    from cachelint.run.analysis import FileAnalysis


def run_rules(
    module: cst.Module,
    text: str,
    path: str,
    options: AnalysisOptions,
    project: Optional[object] = None,
) -> "FileAnalysis":
    from cachelint.run.analysis import FileAnalysis
    from cachelint.model.build import build_requests

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    built = build_requests(wrapper, path, options, project, text=text)
    if built.resolver is not None:
        built.resolver._text = text
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
        rule.check_module(ctx, built.module_facts)
    ctx.current_rule = None
    _check_wrapper_callers(ctx, built, wrapper, path, options, project, rules)
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


def _imports_project_functions(module: cst.Module, path: str, project) -> bool:
    """Cheap check before any scope analysis: does this file import a function from a module
    of the project whose own source lines may make an SDK call? Only then can one of its
    calls be a wrapper call."""
    if project is None:
        return False
    from pathlib import Path

    from cachelint.syntax.scopes import dotted_name

    importer = Path(path).resolve()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            name = (dotted_name(small.module) or "") if small.module is not None else ""
            target = project.module_file(importer, name, len(small.relative))
            if target is None or target.resolve() == importer or not project.may_contain_requests(target):
                continue
            for alias in small.names:
                imported = dotted_name(alias.name)
                if imported is not None and project.function_may_hold_requests(target, imported):
                    return True
    return False


def _check_wrapper_callers(ctx, built, wrapper, path, options, project, rules) -> None:
    """Run the waste rules on requests seen through wrappers, reported at their callers."""
    from cachelint.model.repeat import RepeatAnalyzer
    from cachelint.resolve.values import Resolver
    from cachelint.model.wrappers import wrapper_requests

    if built.resolver is None and not _imports_project_functions(wrapper.module, path, project):
        return
    resolver = built.resolver
    if resolver is None:
        resolver = Resolver(wrapper, path, project, index=built.index)
        resolver._text = ctx.text
    if ctx.resolver is None:
        ctx.resolver = resolver
        ctx.repeats = RepeatAnalyzer(resolver)
    for virtual in wrapper_requests(resolver, built, options, project):
        ctx.virtual = (virtual, _wrapper_codes(virtual, options, rules))
        for rule in rules:
            if not rule.waste or virtual.request.call.is_free:
                continue
            ctx.current_rule = rule
            rule.check(virtual.request, ctx)
    ctx.virtual = None
    ctx.current_rule = None


def _wrapper_codes(virtual, options, rules) -> set:
    """What the wrapper's own request reports: those findings belong to the wrapper's file.
    The same for every caller of the wrapper, so worked out once per wrapper request."""
    from cachelint.rules.context import RuleContext
    from cachelint.model.repeat import RepeatAnalyzer

    resolver = virtual.wrapper_resolver
    known = resolver.__dict__.setdefault("_wrapper_codes", {})
    key = (id(virtual.original), options)  # the request lives as long as its resolver
    if key in known:
        return known[key]
    scratch = RuleContext(resolver.module, resolver.wrapper, resolver.text, resolver.path, options)
    scratch.resolver = resolver
    scratch.repeats = RepeatAnalyzer(resolver)
    for rule in rules:
        if rule.waste:
            scratch.current_rule = rule
            rule.check(virtual.original, scratch)
    codes = {d.code for d in scratch.diagnostics}
    known[key] = codes
    return codes
