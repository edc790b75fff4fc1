"""Every output format against a golden file (tests/fixtures/output/), plus format invariants.

The project under tests/fixtures/cli/project is copied to a temporary directory and checked from
there; its absolute path is replaced by /ROOT before comparing. Regenerate the goldens after an
intended change with CACHELINT_UPDATE_GOLDENS=1.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest
from click.testing import CliRunner

from cachelint.cli.commands import cli

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures"
PROJECT = FIXTURES / "cli" / "project"
GOLDENS = FIXTURES / "output"
UPDATE = bool(os.environ.get("CACHELINT_UPDATE_GOLDENS"))
CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "CACHELINT_OUTPUT_FORMAT": None}


def run_cli(args, input=None):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        runner = CliRunner()
    result = runner.invoke(cli, args, input=input, env=CLEAN_ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    monkeypatch.chdir(root)
    return root


def normalise(text: str, root: pathlib.Path) -> str:
    return text.replace(root.as_uri(), "file:///ROOT").replace(str(root), "/ROOT")


def assert_golden(name: str, actual: str) -> None:
    golden = GOLDENS / name
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "output_format, golden",
    [
        ("full", "full.txt"),
        ("concise", "concise.txt"),
        ("json", "json.json"),
        ("json-lines", "json-lines.jsonl"),
        ("github", "github.txt"),
        ("sarif", "sarif.json"),
    ],
)
def test_output_format_matches_golden(project, output_format, golden):
    code, out, err = run_cli(["check", "--output-format", output_format])
    assert code == 1
    assert err == ""
    if output_format == "sarif":
        out = without_catalogue(out)
    assert_golden(golden, normalise(out, project))


def without_catalogue(sarif: str) -> str:
    """The rule catalogue grows with every rule: test_sarif_is_consistent checks it instead."""
    document = json.loads(sarif)
    run = document["runs"][0]
    run["tool"]["driver"]["rules"] = "<the rule catalogue>"
    for result in run["results"]:
        result["ruleIndex"] = "<index of ruleId in the catalogue>"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_statistics_matches_golden(project):
    code, out, err = run_cli(["check", "--statistics"])
    assert (code, err) == (1, "")
    assert_golden("statistics.txt", out)


def test_statistics_json_sums_costs_per_rule(project):
    code, out, err = run_cli(["check", "--statistics", "--output-format", "json"])
    assert (code, err) == (1, "")
    rows = {row["code"]: row for row in json.loads(out)}
    assert set(rows) == {"CL000", "CL001", "CL002", "CL003"}
    assert rows["CL001"]["count"] == 1 and rows["CL001"]["fixable"] is True
    assert rows["CL000"]["tokens_per_call"] is None
    assert rows["CL003"]["tokens_per_call"] > 0


def test_full_format_with_show_fixes_shows_the_fix_as_a_diff(project):
    code, out, err = run_cli(["check", "bot.py", "--show-fixes", "--select", "CL001"])
    assert (code, err) == (1, "")
    assert "  \u2139 Safe fix\n" in out
    assert "-        system=POLICY,\n" in out
    assert (
        '+        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],\n'
        in out
    )


def test_machine_formats_print_only_data(project):
    for output_format in ("json", "json-lines", "github", "sarif"):
        code, out, err = run_cli(["check", "clean.py", "--output-format", output_format])
        assert (code, err) == (0, ""), output_format
        assert "All checks passed" not in out
    assert run_cli(["check", "clean.py", "--output-format", "json"])[1] == "[]\n"
    assert run_cli(["check", "clean.py", "--output-format", "json-lines"])[1] == ""
    assert run_cli(["check", "clean.py", "--output-format", "github"])[1] == ""


def test_human_formats_say_all_checks_passed(project):
    assert run_cli(["check", "clean.py"]) == (0, "All checks passed!\n", "")
    assert run_cli(["check", "clean.py", "--output-format", "concise"]) == (
        0,
        "All checks passed!\n",
        "",
    )


def test_json_objects_have_ruffs_keys_and_one_based_positions(project):
    _, out, _ = run_cli(["check", "--output-format", "json"])
    objects = json.loads(out)
    ruff_keys = {
        "code",
        "name",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "noqa_row",
        "url",
    }
    for item in objects:
        assert ruff_keys | {"cost", "cell"} == set(item)
        assert os.path.isabs(item["filename"])
        assert item["location"]["row"] >= 1 and item["location"]["column"] >= 1
    cl001 = next(item for item in objects if item["code"] == "CL001")
    assert cl001["fix"]["applicability"] == "safe"
    assert cl001["noqa_row"] == 12  # the first line of the call, where a noqa comment goes
    assert cl001["cost"]["estimate"] is True
    json_lines = run_cli(["check", "--output-format", "json-lines"])[1].splitlines()
    assert [json.loads(line) for line in json_lines] == objects


def test_sarif_is_consistent(project):
    from cachelint import rules

    _, out, _ = run_cli(["check", "--output-format", "sarif"])
    document = json.loads(out)
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cachelint" and driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(rules.ALL_CODES)
    for rule in driver["rules"]:
        assert (
            rule["shortDescription"]["text"]
            and rule["fullDescription"]["text"]
            and rule["help"]["text"]
        )
    assert run["results"], "the fixture has findings"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert "\\" not in location["artifactLocation"]["uri"]
        region = location["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"],
            region["startColumn"],
        )


def test_github_format_escapes_workflow_command_characters():
    from cachelint.core.diagnostics import Diagnostic, Location
    from cachelint.report import ReportContext, render
    from cachelint.run.runner import FileResult, RunResult

    diagnostic = Diagnostic(
        code="CL001",
        name="plain-string-system",
        message="50% of it,\nre-billed",
        path="dir,with:odd/x.py",
        location=Location(2, 3),
        end_location=Location(2, 9),
    )
    result = RunResult(
        files=(FileResult(path="dir,with:odd/x.py", absolute_path="/x", diagnostics=(diagnostic,)),)
    )
    assert render("github", result, ReportContext()) == (
        "::error title=cachelint (CL001),file=dir%2Cwith%3Aodd/x.py,line=2,col=3,endLine=2,endColumn=9"
        "::CL001 50%25 of it,%0Are-billed\n"
    )
