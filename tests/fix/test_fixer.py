"""Applying fixes: ordering, overlaps, re-lint passes, syntax safety, and faithful file writes."""

from __future__ import annotations

import os
import pathlib
import shutil
import stat

import pytest
from click.testing import CliRunner

from cachelint.cli.commands import cli
from cachelint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from cachelint.fix.apply import (
    MAX_PASSES,
    apply_edits,
    fix_text,
    is_applicable,
    select_non_overlapping,
)

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "cli"
PROJECT = FIXTURES / "project"
FIXED = (FIXTURES / "fixed" / "bot.fixed.py").read_text()
ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "CACHELINT_OUTPUT_FORMAT": None}


def run_cli(args):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        runner = CliRunner()
    result = runner.invoke(cli, args, env=ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def edit(start, end, content):
    return Edit(start, end, content, Location(1, start + 1), Location(1, end + 1))


def finding(*edits, code="CL001", applicability=Applicability.SAFE, message="fix it"):
    return Diagnostic(
        code=code,
        name="test-rule",
        message="m",
        path="x.py",
        location=Location(1, edits[0].start_offset + 1 if edits else 1),
        end_location=Location(1, 1),
        fix=Fix(message, applicability, tuple(edits)),
    )


# -- pure text operations ----------------------------------------------------------------------


def test_edits_are_applied_end_first_against_original_offsets():
    text = "abcdef"
    assert apply_edits(text, [edit(0, 1, "XX"), edit(3, 3, "-"), edit(4, 6, "")]) == "XXbc-d"


def test_inserted_newlines_follow_the_files_style():
    assert (
        apply_edits("a\r\nb\r\n", [edit(3, 3, "x\ny\n")], newline="\r\n") == "a\r\nx\r\ny\r\nb\r\n"
    )
    assert apply_edits("a\r\n", [edit(3, 3, "x\r\n")], newline="\r\n") == "a\r\nx\r\n"


def test_overlapping_fixes_wait_for_the_next_pass():
    first = finding(edit(0, 5, "x"))
    overlapping = finding(edit(3, 8, "y"))
    touching = finding(edit(5, 6, "z"))
    assert select_non_overlapping([overlapping, touching, first]) == [first, touching]


def test_two_insertions_at_one_offset_are_not_applied_together():
    a, b = finding(edit(4, 4, "a"), code="CL001"), finding(edit(4, 4, "b"), code="CL002")
    assert select_non_overlapping([b, a]) == [a]
    # A replacement ending where an insertion starts is fine (the order is unambiguous).
    replacement, insertion = finding(edit(0, 4, "r")), finding(edit(4, 4, "i"))
    assert select_non_overlapping([insertion, replacement]) == [replacement, insertion]


def test_identical_fixes_from_two_findings_are_applied_once():
    one, same = finding(edit(0, 1, "X"), code="CL001"), finding(edit(0, 1, "X"), code="CL003")
    outcome = fix_text("ab = 1\n", lambda text: () if text.startswith("X") else (one, same))
    assert outcome.text == "Xb = 1\n"
    assert [fix.code for fix in outcome.applied] == ["CL001", "CL003"]


def test_applicability():
    assert is_applicable(Fix("m", Applicability.SAFE, (edit(0, 0, "x"),)), unsafe_fixes=False)
    assert not is_applicable(Fix("m", Applicability.UNSAFE, (edit(0, 0, "x"),)), unsafe_fixes=False)
    assert is_applicable(Fix("m", Applicability.UNSAFE, (edit(0, 0, "x"),)), unsafe_fixes=True)
    assert not is_applicable(
        Fix("m", Applicability.DISPLAY_ONLY, (edit(0, 0, "x"),)), unsafe_fixes=True
    )
    assert not is_applicable(Fix("m", Applicability.SAFE, ()), unsafe_fixes=True)
    assert not is_applicable(None, unsafe_fixes=True)


def whole_text_fixes(text):
    """Two findings whose fixes both rewrite the whole text: only one fits in a pass."""
    found = []
    if "a" in text:
        found.append(finding(edit(0, len(text), text.replace("a", "A")), code="CL001"))
    if "b" in text:
        found.append(finding(edit(0, len(text), text.replace("b", "B")), code="CL002"))
    return tuple(found)


def test_overlapping_fixes_are_applied_over_several_passes():
    outcome = fix_text("a = b\n", whole_text_fixes)
    assert outcome.text == "A = B\n"
    assert [fix.code for fix in outcome.applied] == ["CL001", "CL002"]
    assert (outcome.passes, outcome.converged, outcome.remaining) == (2, True, ())


def test_unsafe_and_display_only_fixes_are_held_back():
    unsafe = finding(edit(0, 1, "y"), applicability=Applicability.UNSAFE)
    display = finding(edit(0, 1, "z"), applicability=Applicability.DISPLAY_ONLY, code="CL002")

    def lint(text):
        return tuple(d for d in (unsafe, display) if text.startswith("x"))

    assert fix_text("x = 1\n", lint).text == "x = 1\n"
    assert fix_text("x = 1\n", lint, unsafe_fixes=True).text == "y = 1\n"


def test_a_fix_that_breaks_the_syntax_is_dropped_and_the_others_still_apply():
    breaking = finding(edit(4, 5, "("), code="CL001", message="break it")
    good = finding(edit(10, 11, "3"), code="CL002")

    def lint(text):
        found = [breaking]  # still reported: it was never applied
        if text.endswith("2\n"):
            found.append(good)
        return tuple(found)

    outcome = fix_text("x = 1\ny = 2\n", lint)
    assert outcome.text == "x = 1\ny = 3\n"
    assert [fix.code for fix in outcome.applied] == ["CL002"]
    assert [(r.code, r.message, r.reason) for r in outcome.rejected] == [
        ("CL001", "break it", "the fixed code would not parse; fix not applied")
    ]
    assert outcome.remaining == (breaking,)


def test_the_number_of_passes_is_bounded():
    def endless(text):
        return (finding(edit(len(text), len(text), "#")),)

    outcome = fix_text("x = 1", endless)
    assert (outcome.passes, outcome.converged) == (MAX_PASSES, False)
    assert outcome.text == "x = 1" + "#" * MAX_PASSES


# -- files on disk ---------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-8"), id="utf-8"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda text: text.replace("\n", "\r").encode("utf-8"), id="cr"),
        pytest.param(
            lambda text: ("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + text).encode("latin-1"),
            id="latin-1-cookie",
        ),
    ],
)
def test_fix_keeps_encoding_bom_and_line_endings(project, encode):
    bot = project / "bot.py"
    bot.write_bytes(encode(bot.read_text()))
    code, out, err = run_cli(["fix", "bot.py", "--output-format", "concise"])
    assert (code, err) == (1, "")
    assert "(2 fixed, 1 remaining" in out
    assert bot.read_bytes() == encode(FIXED)


def test_fix_keeps_the_file_mode(project):
    bot = project / "bot.py"
    os.chmod(bot, 0o640)
    assert run_cli(["fix", "bot.py"])[0] == 1
    assert stat.S_IMODE(os.stat(bot).st_mode) == 0o640
    assert bot.read_text() == FIXED
    assert sorted(p.name for p in project.iterdir() if p.name != ".cachelint_cache") == [
        "bot.py",
        "broken.py",
        "clean.py",
        "pyproject.toml",
    ]


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX symlinks")
def test_fixing_through_a_symlink_writes_the_target_and_keeps_the_link(project):
    os.symlink(project / "bot.py", project / "link.py")
    assert run_cli(["fix", "link.py"])[0] == 1
    assert os.path.islink(project / "link.py")
    assert (project / "bot.py").read_text() == FIXED


# -- a test-only rule whose fix would break the syntax ---------------------------------------------


@pytest.fixture
def breaking_rule(monkeypatch):
    """Register CL900, which rewrites the name BREAK_ME into `(` (a syntax error)."""
    import libcst.matchers as m

    import cachelint.run.engine
    import cachelint.rules
    from cachelint.fix.intents import FixSpec, Replace
    from cachelint.rules.base import Rule

    class BreakingFix(Rule):
        code = "CL900"
        name = "test-breaking-fix"
        summary = "test only"
        fix_availability = "always"

        def check(self, request, ctx):
            pass

        def check_module(self, ctx, built):
            for node in m.findall(ctx.module, m.Name("BREAK_ME")):
                ctx.report(
                    node,
                    "BREAK_ME found",
                    fix=FixSpec("Break it", Applicability.SAFE, [Replace(node, "(")]),
                )

    rules = cachelint.rules.RULES + (BreakingFix,)
    monkeypatch.setattr(cachelint.rules, "RULES", rules)
    monkeypatch.setattr(cachelint.rules, "RULES_BY_CODE", {rule.code: rule for rule in rules})
    monkeypatch.setattr(cachelint.rules, "ALL_CODES", cachelint.rules.ALL_CODES + ("CL900",))
    monkeypatch.setattr(cachelint.run.engine, "RULES", rules)
    return BreakingFix


def test_a_fix_that_would_not_parse_is_reported_and_not_written(
    tmp_path, monkeypatch, breaking_rule
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "target.py"
    target.write_text("value = BREAK_ME\n")
    # --no-prefilter: this test rule reports in any module, SDK call or not
    code, out, err = run_cli(
        ["fix", "target.py", "--select", "CL900", "--output-format", "concise", "--no-prefilter"]
    )
    assert code == 1
    assert (
        err
        == "cachelint: warning: target.py: CL900 fix at 1:9 dropped: the fixed code would not parse; fix not applied\n"
    )
    assert out == "target.py:1:9: CL900 BREAK_ME found\n\nFound 1 error (0 fixed, 1 remaining).\n"
    assert target.read_text() == "value = BREAK_ME\n"
