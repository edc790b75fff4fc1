"""`# noqa` suppression: parsing the comment, where it applies, and what it never silences."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from cachelint.core.diagnostics import Diagnostic, Location
from cachelint.run.noqa import (
    NoqaDirective,
    find_directives,
    is_suppressed,
    parse_directive,
    unsuppressed,
)

PROJECT = pathlib.Path(__file__).parents[1] / "fixtures" / "cli" / "project"


@pytest.mark.parametrize(
    "comment, codes",
    [
        ("# noqa", None),
        ("#noqa", None),
        ("# NOQA", None),
        ("# noqa because the prompt is tiny", None),
        ("# noqa: CL001", {"CL001"}),
        ("# noqa:CL001,CL002", {"CL001", "CL002"}),
        ("# noqa: cl001, Cl002 CL003", {"CL001", "CL002", "CL003"}),
        ("# noqa : CL001 -- the prompt changes per tenant", {"CL001"}),
        ("# type: ignore  # noqa: CL003", {"CL003"}),
        ("# noqa: E501", {"E501"}),
    ],
)
def test_parse_directive(comment, codes):
    directive = parse_directive(comment, 7)
    assert directive == NoqaDirective(7, None if codes is None else frozenset(codes))


@pytest.mark.parametrize(
    "comment", ["# a comment", "# noqa:", "# noqa: please", "# noqa-ish", "# not noqa-able"]
)
def test_not_a_directive(comment):
    assert parse_directive(comment, 1) is None


def diagnostic(code="CL001", row=3, noqa_row=None):
    return Diagnostic(
        code=code,
        name="test",
        message="m",
        path="x.py",
        location=Location(row, 5),
        end_location=Location(row, 9),
        noqa_row=noqa_row,
    )


def test_noqa_inside_strings_is_ignored():
    text = 'x = "# noqa"\ny = """\n# noqa: CL001\n"""\nz = 1  # noqa: CL002\n'
    assert find_directives(text) == {5: NoqaDirective(5, frozenset({"CL002"}))}


def test_suppression_on_the_reported_line_or_the_calls_first_line():
    text = "call(  # noqa: CL001\n    a,\n    b,  # noqa\n)\n"
    directives = find_directives(text)
    assert is_suppressed(diagnostic("CL001", row=3), directives)  # bare noqa on its own line
    assert is_suppressed(
        diagnostic("CL001", row=2, noqa_row=1), directives
    )  # on the call's first line
    assert not is_suppressed(diagnostic("CL002", row=2, noqa_row=1), directives)  # other code
    assert not is_suppressed(
        diagnostic("CL001", row=2), directives
    )  # no noqa_row, nothing on row 2


def test_other_linters_codes_do_not_suppress():
    text = "x = 1  # noqa: E501, F401\n"
    assert unsuppressed([diagnostic("CL001", row=1)], text) == (diagnostic("CL001", row=1),)


def test_syntax_errors_cannot_be_suppressed():
    text = "x = (  # noqa\n"
    assert unsuppressed([diagnostic("CL000", row=1)], text) == (diagnostic("CL000", row=1),)


def test_bad_files_do_not_crash_and_keep_directives():
    # Unterminated bracket: the tokenizer fails at the end; directives before it are kept.
    text = "a = 1  # noqa: CL001\nb = (\n  2  # noqa: CL002\n"
    directives = find_directives(text)
    assert directives[1].codes == {"CL001"}
    assert directives[3].codes == {"CL002"}
    # Bad indentation stops the tokenizer early: later lines are scanned line by line.
    text = "if x:\n        a = 1\n    b = '#' # noqa: CL003\n  c = 2  # noqa\n"
    directives = find_directives(text)
    assert directives[3].codes == {"CL003"}
    assert directives[4].codes is None
    for garbage in ("\x00\xff 'unterminated # noqa", '"""never closed # noqa', "\\\n\\"):
        assert isinstance(find_directives(garbage), dict)


def test_noqa_in_a_real_file_through_the_cli(tmp_path, monkeypatch):
    """bot.py has two identical calls; the second carries `# noqa: CL001` on its first line."""
    from click.testing import CliRunner

    from cachelint.cli.commands import cli

    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    monkeypatch.chdir(root)
    args = ["check", "bot.py", "--select", "CL001", "--output-format", "concise"]
    result = CliRunner().invoke(cli, args, env={"NO_COLOR": None, "FORCE_COLOR": None})
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.output.splitlines() if "CL001" in line] == [
        "bot.py:15:16"
    ]
    bot = root / "bot.py"
    bot.write_text(bot.read_text().replace("  # noqa: CL001", "  # noqa: E501"))
    result = CliRunner().invoke(cli, args, env={"NO_COLOR": None, "FORCE_COLOR": None})
    assert [line.split(": ")[0] for line in result.output.splitlines() if "CL001" in line] == [
        "bot.py:15:16",
        "bot.py:24:16",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_rows_are_counted_the_same_for_every_line_ending(newline):
    text = newline.join(["call(", "    a,  # noqa: CL001", "    b,", ")  # noqa", ""])
    directives = find_directives(text)
    assert sorted(directives) == [2, 4]
    assert directives[2].codes == {"CL001"}
