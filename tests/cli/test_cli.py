"""The command line: commands, flags and exit codes, each asserted with stdout and stderr."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import cachelint
from cachelint.cli.commands import cli

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "cli"
PROJECT = FIXTURES / "project"
CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "CACHELINT_OUTPUT_FORMAT": None}

CL001_LINE = (
    "bot.py:15:16: CL001 `system=POLICY` is a plain string: ~21 tokens re-billed on every call; "
    "send it as a text block with `cache_control`"
)


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


def concise(*args):
    return run_cli(["check", "--output-format", "concise", *args])


def codes_in(stdout: str):
    return sorted(
        {line.split(": ")[1].split()[0] for line in stdout.splitlines() if ": CL" in line}
    )


# -- check -------------------------------------------------------------------------------------


def test_check_defaults_to_the_current_directory(project):
    code, out, err = concise()
    assert (code, err) == (1, "")
    assert codes_in(out) == ["CL000", "CL001", "CL002", "CL003"]
    assert out.endswith(
        "\nFound 4 errors (2 fixable with `cachelint fix`; 1 more fixable with `cachelint fix --unsafe-fixes`).\n"
    )


def test_check_single_finding_exact_output(project):
    assert concise("bot.py", "--select", "CL001") == (
        1,
        CL001_LINE + "\n\nFound 1 error (1 fixable with `cachelint fix`).\n",
        "",
    )


def test_check_clean_file_exits_zero(project):
    assert concise("clean.py") == (0, "All checks passed!\n", "")


def test_exit_zero_keeps_the_report(project):
    code, out, err = concise("bot.py", "--select", "CL001", "--exit-zero")
    assert (code, err) == (0, "")
    assert CL001_LINE in out


@pytest.mark.parametrize(
    "flags, expected",
    [
        (["--select", "CL001"], ["CL000", "CL001"]),  # CL000 stays unless ignored
        (["--select", "CL001,CL003"], ["CL000", "CL001", "CL003"]),
        (["--select", "CL001", "--select", "cl003"], ["CL000", "CL001", "CL003"]),
        (["--select", "CL00", "--ignore", "CL000"], ["CL001", "CL002", "CL003"]),
        (["--ignore", "CL0"], []),
        (["--ignore", "ALL", "--extend-select", "CL002"], ["CL002"]),
        (["--select", "CL002", "--extend-select", "CL003"], ["CL000", "CL002", "CL003"]),
        (["--ignore", "CL00", "--select", "CL001"], ["CL001"]),  # the more specific selector wins
    ],
)
def test_rule_selection_flags(project, flags, expected):
    code, out, err = concise(*flags)
    assert err == ""
    assert codes_in(out) == expected
    assert code == (1 if expected else 0)


def test_cli_selection_is_layered_over_the_configuration(project):
    config = project / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            "[tool.cachelint]\n", '[tool.cachelint]\nignore = ["CL002", "CL003"]\n'
        )
    )
    assert codes_in(concise()[1]) == ["CL000", "CL001"]
    assert codes_in(concise("--extend-select", "CL003")[1]) == ["CL000", "CL001", "CL003"]
    assert codes_in(concise("--select", "CL00")[1]) == ["CL000", "CL001", "CL002", "CL003"]


def test_per_file_ignores_from_configuration(project):
    config = project / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            "[tool.cachelint]\n",
            '[tool.cachelint]\nper-file-ignores = { "bot.py" = ["CL001", "CL002"] }\n',
        )
    )
    assert codes_in(concise()[1]) == ["CL000", "CL003"]


def test_exclude_from_configuration_and_force_exclude(project):
    config = project / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            "[tool.cachelint]\n", '[tool.cachelint]\nextend-exclude = ["broken.py"]\n'
        )
    )
    assert codes_in(concise()[1]) == ["CL001", "CL002", "CL003"]
    # An explicitly named file is linted anyway, unless --force-exclude.
    assert codes_in(concise("broken.py")[1]) == ["CL000"]
    assert concise("broken.py", "--force-exclude") == (
        0,
        "All checks passed!\n",
        "cachelint: warning: no Python files found under the given paths\n",
    )


def test_config_is_found_from_the_first_path(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml here; the project's config must still apply
    code, out, err = run_cli(
        ["check", "--output-format", "concise", "--select", "CL001", "project/bot.py"]
    )
    assert (code, err) == (1, "")
    assert out.startswith(os.path.join("project", "bot.py") + ":15:16: CL001 ")


def test_config_flag_points_at_another_file(project, tmp_path):
    other = tmp_path / "cachelint.toml"
    other.write_text('select = ["CL003"]\n[models."claude-sonnet-4-5"]\nmin-cache-tokens = 16\n')
    code, out, err = concise("--config", str(other))
    assert (code, err) == (1, "")
    assert codes_in(out) == ["CL000", "CL003"]


def test_statistics_and_show_fixes(project):
    code, out, err = run_cli(["fix", "bot.py", "--show-fixes", "--output-format", "concise"])
    assert (code, err) == (1, "")
    assert out.endswith(
        "Fixed 2 errors:\n"
        "- bot.py:\n"
        "    1 \u00d7 CL001 (plain-string-system)\n"
        "    1 \u00d7 CL003 (missing-cache-control)\n"
        "\n"
        "Found 3 errors (2 fixed, 1 remaining; 1 fixable with `cachelint fix --unsafe-fixes`).\n"
    )


def test_explain_unknown_lists_unjudged_calls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "splat.py").write_text(
        "import anthropic\n"
        "client = anthropic.Anthropic()\n"
        "def ask(options):\n"
        "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9, messages=[], **options)\n"
    )
    code, out, err = concise("--explain-unknown")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "All checks passed!"
    assert lines[1] == "1 SDK call could not be judged:"
    assert lines[2].startswith("splat.py:4:12 create: ")
    assert "options" in lines[2]
    # Machine formats keep stdout for data: the listing goes to stderr.
    code, out, err = run_cli(["check", "--output-format", "json", "--explain-unknown"])
    assert (code, out) == (0, "[]\n")
    assert err.splitlines()[1].startswith("splat.py:4:12 create: ")


# -- fix ----------------------------------------------------------------------------------------


def test_fix_applies_safe_fixes_and_reports_what_remains(project):
    code, out, err = run_cli(["fix", "bot.py", "--output-format", "concise"])
    assert err == ""
    assert code == 1  # CL002's fix is unsafe: one finding remains
    assert (project / "bot.py").read_text() == (FIXTURES / "fixed" / "bot.fixed.py").read_text()
    assert codes_in(out) == ["CL002"]
    assert out.endswith(
        "Found 3 errors (2 fixed, 1 remaining; 1 fixable with `cachelint fix --unsafe-fixes`).\n"
    )


def test_fix_with_unsafe_fixes_fixes_everything_and_exits_zero(project):
    code, out, err = run_cli(["fix", "bot.py", "--unsafe-fixes", "--output-format", "concise"])
    assert (code, out, err) == (0, "Found 3 errors (3 fixed, 0 remaining).\n", "")
    assert (project / "bot.py").read_text() == (
        FIXTURES / "fixed" / "bot.unsafe-fixed.py"
    ).read_text()
    # Fixed code is clean: a second run changes nothing.
    assert run_cli(["fix", "bot.py", "--unsafe-fixes", "--output-format", "concise"]) == (
        0,
        "All checks passed!\n",
        "",
    )


def test_exit_non_zero_on_fix(project):
    code, _, err = run_cli(
        ["fix", "bot.py", "--unsafe-fixes", "--exit-non-zero-on-fix", "--output-format", "concise"]
    )
    assert (code, err) == (1, "")


def test_check_fix_flag_is_the_fix_command(project):
    code, out, err = run_cli(["check", "--fix", "bot.py", "--output-format", "concise"])
    assert (code, err) == (1, "")
    assert "(2 fixed, 1 remaining" in out
    assert (project / "bot.py").read_text() == (FIXTURES / "fixed" / "bot.fixed.py").read_text()


def test_diff_prints_a_unified_diff_and_writes_nothing(project):
    before = (project / "bot.py").read_bytes()
    code, out, err = run_cli(["fix", "bot.py", "--diff"])
    assert code == 1
    assert err == "Would fix 2 errors.\n"
    assert out.startswith("--- bot.py\n+++ bot.py\n@@ -12,7 +12,7 @@\n")
    assert "-        system=POLICY,\n" in out
    assert (project / "bot.py").read_bytes() == before
    assert run_cli(["fix", "clean.py", "--diff"]) == (0, "", "No errors would be fixed.\n")


def test_stdin_check_uses_the_stdin_filename(project):
    source = (project / "bot.py").read_text()
    code, out, err = run_cli(
        [
            "check",
            "-",
            "--stdin-filename",
            "bot.py",
            "--select",
            "CL001",
            "--output-format",
            "concise",
        ],
        input=source,
    )
    assert (code, err) == (1, "")
    assert out.startswith(CL001_LINE + "\n")
    code, out, err = run_cli(
        ["check", "-", "--select", "CL001", "--output-format", "concise"], input=source
    )
    assert out.startswith("-:15:16: CL001 ")


def test_stdin_fix_writes_the_fixed_source_to_stdout(project):
    source = (project / "bot.py").read_text()
    code, out, err = run_cli(
        ["fix", "-", "--stdin-filename", "bot.py", "--output-format", "concise"], input=source
    )
    assert code == 1
    assert out == (FIXTURES / "fixed" / "bot.fixed.py").read_text()
    assert "bot.py:45:53: CL002 " in err  # the remaining finding, on stderr
    assert (project / "bot.py").read_text() == source


def test_stdin_fix_of_a_force_excluded_name_echoes_the_input(project):
    config = project / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            "[tool.cachelint]\n", '[tool.cachelint]\nextend-exclude = ["bot.py"]\n'
        )
    )
    source = (project / "bot.py").read_text()
    code, out, err = run_cli(
        ["fix", "-", "--stdin-filename", "bot.py", "--force-exclude"], input=source
    )
    assert (code, out) == (0, source)
    assert "CL001" not in err


def test_stdin_dash_must_be_alone(project):
    code, out, err = run_cli(["check", "-", "bot.py"])
    assert code == 2 and out == ""
    assert "`-` (standard input) must be the only path" in err


# -- rule, version, usage -----------------------------------------------------------------------


def test_rule_prints_name_summary_fix_availability_and_docs():
    from cachelint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE["CL001"]
    code, out, err = run_cli(["rule", "CL001"])
    assert (code, err) == (0, "")
    assert out == (
        f"# {rule.name} (CL001)\n\n{rule.summary}\n\nFix is {rule.fix_availability} available.\n\n"
        f"{rule.documentation()}\n"
    )
    assert run_cli(["rule", "cl001"])[1] == out


def test_rule_all_lists_every_rule_including_cl000():
    from cachelint import rules

    code, out, err = run_cli(["rule", "--all"])
    assert (code, err) == (0, "")
    headings = [line for line in out.splitlines() if line.startswith("# ") and "(CL" in line]
    assert [h.rsplit("(", 1)[1].rstrip(")") for h in headings] == sorted(rules.ALL_CODES)
    code, out, err = run_cli(["rule", "--all", "--output-format", "json"])
    assert [entry["code"] for entry in json.loads(out)] == sorted(rules.ALL_CODES)


def test_rule_unknown_code_and_usage_errors():
    assert run_cli(["rule", "CL999"]) == (
        2,
        "",
        "cachelint: error: unknown rule code `CL999` (see `cachelint rule --all`)\n",
    )
    code, out, err = run_cli(["rule"])
    assert code == 2 and out == "" and "give exactly one of CODE or --all" in err


def test_version():
    assert run_cli(["--version"]) == (0, f"cachelint {cachelint.__version__}\n", "")


def test_usage_errors_exit_2(project):
    code, out, err = run_cli(["check", "--no-such-flag"])
    assert code == 2 and out == ""
    # click words it "No such option: --x" (8.1) or "No such option '--x'" (8.2+)
    assert "No such option" in err and "--no-such-flag" in err
    code, out, err = run_cli(["check", "--output-format", "xml"])
    assert code == 2 and "Invalid value for '--output-format'" in err


@pytest.mark.slow
def test_python_dash_m_and_no_libcst_for_help(tmp_path):
    """`python -m cachelint` works, and --help / --version do not import libcst or rich."""
    probe = (
        "import sys\n"
        "from cachelint.cli.main import main\n"
        "for argv in (['--help'], ['--version'], ['check', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('libcst' in sys.modules, 'rich' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert completed.stdout.strip().splitlines()[-1] == "False False"
    (tmp_path / "clean.py").write_text("x = 1\n")
    completed = subprocess.run(
        [sys.executable, "-m", "cachelint", "check", "clean.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        0,
        "All checks passed!\n",
        "",
    )


def test_no_python_files_is_a_warning_not_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert run_cli(["check", "empty"]) == (
        0,
        "All checks passed!\n",
        "cachelint: warning: no Python files found under the given paths\n",
    )


def test_stdin_filename_need_not_exist(project):
    source = (project / "bot.py").read_text()
    code, out, err = run_cli(
        [
            "check",
            "-",
            "--stdin-filename",
            "new/unsaved.py",
            "--force-exclude",
            "--select",
            "CL001",
            "--output-format",
            "concise",
        ],
        input=source,
    )
    assert (code, err) == (1, "")
    assert out.startswith(os.path.join("new", "unsaved.py") + ":15:16: CL001 ")


def test_the_runner_works_without_click(project):
    from cachelint.run import runner
    from cachelint.config.settings import discover_config

    config = discover_config(["."])
    result = runner.check_paths(["."], config)
    assert [(d.path, d.location.row, d.code) for d in result.diagnostics] == [
        ("bot.py", 15, "CL001"),
        ("bot.py", 33, "CL003"),
        ("bot.py", 45, "CL002"),
        ("broken.py", 3, "CL000"),
    ]
    assert result.checked_files == 3 and result.errors == ()
    preview = runner.fix_paths(["bot.py"], config, write=False)
    assert [f.text for f in preview.changed_files] == [
        (FIXTURES / "fixed" / "bot.fixed.py").read_text()
    ]
    assert (project / "bot.py").read_text() == (PROJECT / "bot.py").read_text()
