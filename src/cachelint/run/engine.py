"""Run the enabled rules over the request models of one parsed module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.core.diagnostics import Diagnostic, Location, UnknownSite
from cachelint.core.options import AnalysisOptions
from cachelint.model.requests import build_requests
from cachelint.model.wrappers import wrapper_requests
from cachelint.resolve.resolver import Resolver
from cachelint.rules import RULES
from cachelint.rules.context import RuleContext, WrapperCall
from cachelint.syntax.scopes import dotted_name


@dataclass(frozen=True)
class FileAnalysis:
    """What analysing one file's text gives (`analysis.analyze_text`)."""

    diagnostics: Tuple[Diagnostic, ...] = ()
    unknown_sites: Tuple[UnknownSite, ...] = ()
    syntax_error: bool = False


def run_rules(
    module: cst.Module,
    text: str,
    path: str,
    options: AnalysisOptions,
    project: Optional[object] = None,
) -> FileAnalysis:
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    built = build_requests(wrapper, path, options, project, text=text)
    if built.resolver is not None:
        built.resolver.text = text
    ctx = RuleContext(
        wrapper.module, wrapper, text, path, options,
        resolver=built.resolver,
        built=built,
    )
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
    if built.resolver is None and not _imports_project_functions(wrapper.module, path, project):
        return
    resolver = built.resolver
    if resolver is None:
        resolver = Resolver(wrapper, path, project, index=built.index, text=ctx.text)
    for virtual in wrapper_requests(resolver, built, options, project):
        call = WrapperCall(virtual, _wrapper_codes(virtual, options, rules))
        caller_ctx = ctx.for_wrapper_call(call, resolver)
        for rule in rules:
            if not rule.waste or virtual.request.call.is_free:
                continue
            caller_ctx.current_rule = rule
            rule.check(virtual.request, caller_ctx)




def _wrapper_codes(virtual, options, rules) -> FrozenSet[str]:
    """What the wrapper's own request reports: those findings belong to the wrapper's file.
    The same for every caller of the wrapper, so worked out once per wrapper request."""
    resolver = virtual.wrapper_resolver
    known = resolver.wrapper_codes
    key = (id(virtual.original), options)  # the request lives as long as its resolver
    if key in known:
        return known[key]
    scratch = RuleContext(
        resolver.module, resolver.wrapper, resolver.text, resolver.path, options,
        resolver=resolver,
    )
    for rule in rules:
        if rule.waste:
            scratch.current_rule = rule
            rule.check(virtual.original, scratch)
    codes = frozenset(d.code for d in scratch.diagnostics)
    known[key] = codes
    return codes
