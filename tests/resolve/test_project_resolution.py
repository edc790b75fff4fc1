"""Values followed across modules of one project: imported constants, module attributes,
builders, prompt files, wrappers (reported at the caller) and passthroughs (never reported)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from cachelint.run.analysis import analyze_text
from cachelint.resolve.project import Project
from tests.support.rule_harness import expected_markers

PROJECT = Path(__file__).parents[1] / "fixtures" / "project"
FILES = sorted(p for p in PROJECT.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PROJECT)) for p in FILES])
def test_findings_across_modules_match_markers(path):
    source = path.read_text()
    found = {(d.location.row, d.code) for d in analyze_text(source, str(path)).diagnostics}
    assert found == expected_markers(source)


def test_wrapper_finding_names_the_wrapper_and_has_no_fix():
    path = PROJECT / "shop" / "assistant.py"
    findings = [d for d in analyze_text(path.read_text(), str(path)).diagnostics if "via `ask()`" in d.message]
    assert len(findings) == 1
    assert "`system=HANDBOOK`" in findings[0].message
    assert findings[0].fix is None


def test_each_module_is_parsed_once(monkeypatch):
    calls = []
    real_parse = cst.parse_module

    def counting_parse(source, *args, **kwargs):
        calls.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(cst, "parse_module", counting_parse)
    project = Project([PROJECT])
    path = PROJECT / "shop" / "assistant.py"
    for _ in range(3):
        analyze_text(path.read_text(), str(path), project=project)
    # the analysed file each time, plus each imported project module exactly once
    imported = len(calls) - 3
    assert imported == len({p for p, _ in project._modules.items()})
    assert imported >= 3  # prompts/__init__.py, builders.py, llm.py


def test_import_cycles_terminate(tmp_path):
    (tmp_path / "a.py").write_text("from b import X\nY = X\n")
    (tmp_path / "b.py").write_text("from a import Y\nX = Y\n")
    source = (
        "import anthropic\nfrom a import Y\nclient = anthropic.Anthropic()\n"
        "def f(q):\n    return client.messages.create(model='claude-sonnet-4-5', max_tokens=5,"
        " system=Y, messages=[{'role': 'user', 'content': q}])\n"
    )
    target = tmp_path / "main.py"
    target.write_text(source)
    assert analyze_text(source, str(target)).diagnostics == ()


def test_unknown_sites_explain_why(tmp_path):
    source = (
        "import anthropic\nfrom elsewhere import PROMPT\nclient = anthropic.Anthropic()\n"
        "def f(q, **kwargs):\n"
        "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=5, system=PROMPT,"
        " messages=[{'role': 'user', 'content': q}], **kwargs)\n"
    )
    target = tmp_path / "main.py"
    target.write_text(source)
    result = analyze_text(source, str(target))
    assert result.diagnostics == ()
    assert len(result.unknown_sites) == 1
    reasons = " ".join(result.unknown_sites[0].reasons)
    assert "**kwargs" in reasons and "elsewhere" in reasons


HELPERS = Path(__file__).parents[1] / "fixtures" / "project_helpers"


def test_a_wrapper_next_to_helpers_is_still_followed():
    path = HELPERS / "caller.py"
    source = path.read_text()
    found = {(d.location.row, d.code) for d in analyze_text(source, str(path), project=Project([HELPERS])).diagnostics}
    assert found == expected_markers(source)


def test_calling_only_helpers_does_not_parse_their_module(monkeypatch):
    """The helpers' own source lines cannot make a request (checked with `ast` and the byte
    prefilter), so the module holding them is not parsed by libcst to look for wrappers."""
    parsed = []
    real_parse = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda source, *a, **k: parsed.append(source) or real_parse(source, *a, **k))
    project = Project([HELPERS])
    path = HELPERS / "helpers_only.py"
    assert analyze_text(path.read_text(), str(path), project=project).diagnostics == ()
    assert len(parsed) == 1  # the analysed file only
    assert project._modules == {}
