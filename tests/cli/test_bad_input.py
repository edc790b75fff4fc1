"""Bad input never produces a traceback: one line on stderr, exit 2, other files still reported,
and no file is changed."""

from __future__ import annotations

import builtins
import errno
import os
import pathlib
import shutil

import pytest
from click.testing import CliRunner

from cachelint.cli.commands import cli

PROJECT = pathlib.Path(__file__).parents[1] / "fixtures" / "cli" / "project"
ENV = {
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "CACHELINT_OUTPUT_FORMAT": None,
    "CACHELINT_DEBUG": None,
}
ONE_ERROR_FOOTER = "No errors found. 1 path could not be checked.\n"


def run_cli(args, input=None):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        runner = CliRunner()
    result = runner.invoke(cli, args, input=input, env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    monkeypatch.chdir(root)
    return root


def snapshot(root: pathlib.Path):
    """The project's files (the result cache, .cachelint_cache/, is cachelint's, not the user's)."""
    return {
        str(path.relative_to(root)): (
            path.read_bytes() if not path.is_symlink() else os.readlink(path)
        )
        for path in sorted(root.rglob("*"))
        if (path.is_file() or path.is_symlink()) and ".cachelint_cache" not in path.parts
    }


# Files whose bytes cannot hold an SDK request are never decoded (the prefilter), so the
# undecodable inputs below make an SDK call: they are files cachelint has to read.
SDK_CALL = b"reply = client.messages.create(model=MODEL)\n"


def fix_unchanged(project, args, input=None):
    """Run `cachelint fix ARGS` and prove that no file in the project changed."""
    before = snapshot(project)
    outcome = run_cli(["fix", "--output-format", "concise", *args], input=input)
    assert snapshot(project) == before
    return outcome


def test_syntax_error_is_a_finding_and_the_run_goes_on(project):
    code, out, err = run_cli(["check", "--output-format", "concise"])
    assert (code, err) == (1, "")
    assert "broken.py:3:29: CL000 SyntaxError: " in out
    assert "bot.py:15:16: CL001 " in out
    # fix leaves the broken file alone
    broken = (project / "broken.py").read_bytes()
    run_cli(["fix"])
    assert (project / "broken.py").read_bytes() == broken


@pytest.mark.parametrize(
    "name, content, reason",
    [
        (
            "latin.py",
            b"x = '\xe9t\xe9'\n" + SDK_CALL,
            "cannot decode as utf-8 at byte 5: invalid continuation byte",
        ),
        (
            "cookie.py",
            b"# -*- coding: klingon -*-\nx = 1\n" + SDK_CALL,
            "cannot determine encoding: unknown encoding: klingon",
        ),
        (
            "binary.py",
            b"\x7fELF\x02\x01\x01\x00\x00\x00" + SDK_CALL,
            "binary file (contains NUL bytes); not Python source",
        ),
        (
            "bom_latin.py",
            b"\xef\xbb\xbf# coding: latin-1\nx = 1\n" + SDK_CALL,
            "cannot determine encoding: starts with a UTF-8 byte-order mark but declares another encoding",
        ),
    ],
)
def test_undecodable_files(project, name, content, reason):
    (project / name).write_bytes(content)
    code, out, err = fix_unchanged(project, [name, "clean.py"])
    assert code == 2
    assert (code, out, err) == (2, ONE_ERROR_FOOTER, f"cachelint: error: {name}: {reason}\n")


def test_undecodable_file_message_is_exact(project):
    (project / "latin.py").write_bytes(b"x = '\xe9t\xe9'\n" + SDK_CALL)
    assert fix_unchanged(project, ["latin.py"]) == (
        2,  # the position comes from the decoder, not from the tokenizer's generic complaint
        ONE_ERROR_FOOTER,
        "cachelint: error: latin.py: cannot decode as utf-8 at byte 5: invalid continuation byte\n",
    )
    (project / "binary.py").write_bytes(b"\x00\x01" + SDK_CALL)
    assert fix_unchanged(project, ["binary.py"])[2] == (
        "cachelint: error: binary.py: binary file (contains NUL bytes); not Python source\n"
    )


def test_unreadable_file(project, monkeypatch):
    import cachelint.source.files

    def deny(path, *args, **kwargs):
        if str(path).endswith("bot.py"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    # Tests may run as root, where chmod 000 does not stop reads: deny inside the reader instead.
    monkeypatch.setattr(cachelint.source.files, "open", deny, raising=False)
    code, out, err = fix_unchanged(project, ["bot.py", "broken.py"])
    assert (code, err) == (2, "cachelint: error: bot.py: permission denied\n")
    assert out.startswith("broken.py:3:29: CL000 ")
    assert out.endswith("Found 1 error (0 fixed, 1 remaining). 1 path could not be checked.\n")


def test_missing_path(project):
    assert fix_unchanged(project, ["nope.py", "clean.py"]) == (
        2,
        ONE_ERROR_FOOTER,
        "cachelint: error: nope.py: no such file or directory\n",
    )


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX symlinks")
def test_broken_symlink(project):
    os.symlink(project / "gone.py", project / "dangling.py")
    assert fix_unchanged(project, ["dangling.py"]) == (
        2,
        ONE_ERROR_FOOTER,
        "cachelint: error: dangling.py: broken symbolic link\n",
    )
    code, out, err = run_cli(["check", "--output-format", "concise"])  # found while walking
    assert (code, err) == (2, "cachelint: error: dangling.py: broken symbolic link\n")
    assert "bot.py:15:16: CL001 " in out


def test_directory_given_where_a_file_is_expected(project):
    code, out, err = fix_unchanged(project, ["--config", str(project)])
    assert (code, out) == (2, "")
    assert err == f"cachelint: error: {project}: is a directory, expected a configuration file\n"


def test_invalid_toml_in_pyproject(project):
    (project / "pyproject.toml").write_text('[tool.cachelint]\nselect = ["CL001"\n')
    code, out, err = fix_unchanged(project, [])
    assert (code, out) == (2, "")
    assert err.startswith(f"cachelint: error: {project / 'pyproject.toml'}: invalid TOML: ")
    assert err.count("\n") == 1


def test_unknown_configuration_key(project):
    (project / "pyproject.toml").write_text("[tool.cachelint]\nline-length = 88\n")
    assert fix_unchanged(project, []) == (
        2,
        "",
        f"cachelint: error: {project / 'pyproject.toml'}: unknown key `line-length` in [tool.cachelint]\n",
    )


def test_unknown_rule_code_on_the_command_line_and_in_the_configuration(project):
    assert fix_unchanged(project, ["--select", "CL001,CL999"]) == (
        2,
        "",
        "cachelint: error: unknown rule selector `CL999` in --select/--ignore/--extend-select\n",
    )
    (project / "pyproject.toml").write_text('[tool.cachelint]\nignore = ["XYZ1"]\n')
    assert fix_unchanged(project, []) == (
        2,
        "",
        f"cachelint: error: unknown rule selector `XYZ1` in {project / 'pyproject.toml'} ([tool.cachelint])\n",
    )


def test_unexpected_exception_is_one_line_naming_the_file(project, monkeypatch):
    import cachelint.run.analysis

    real = cachelint.run.analysis.analyze_text

    def explode(text, path, *args, **kwargs):
        if path.endswith("bot.py"):
            raise RuntimeError("boom")
        return real(text, path, *args, **kwargs)

    monkeypatch.setattr(cachelint.run.analysis, "analyze_text", explode)
    code, out, err = fix_unchanged(project, ["bot.py", "broken.py"])
    assert (code, err) == (2, "cachelint: error: bot.py: internal error: RuntimeError: boom\n")
    assert out.startswith("broken.py:3:29: CL000 ")


def test_unexpected_exception_outside_any_file(project, monkeypatch):
    import cachelint.config.settings

    def explode(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(cachelint.config.settings, "build_settings", explode)
    assert run_cli(["check"]) == (2, "", "cachelint: error: internal error: KeyError: 'surprise'\n")


def test_file_changed_on_disk_before_writing_is_not_overwritten(project, monkeypatch):
    import cachelint.run.worker

    real = cachelint.run.worker.lint_source
    edited = "# saved by an editor meanwhile\n"

    def lint_while_someone_edits(source, request, absolute_path=None):
        result = real(source, request, absolute_path)
        (project / "bot.py").write_text(edited)
        return result

    monkeypatch.setattr(cachelint.run.worker, "lint_source", lint_while_someone_edits)
    code, out, err = run_cli(["fix", "bot.py", "--output-format", "concise"])
    assert code == 2
    assert err == "cachelint: error: bot.py: file changed on disk since it was read; not written\n"
    assert (project / "bot.py").read_text() == edited
    assert [
        p.name for p in project.iterdir() if "cachelint-tmp" in p.name
    ] == []  # no temp file left
    assert "(0 fixed, 3 remaining" in out


def test_fixed_text_that_cannot_be_encoded_is_not_written(project):
    from cachelint.core.errors import SourceError
    from cachelint.source.files import decode_source, encode_source

    source = decode_source(b"# -*- coding: ascii -*-\nx = 1\n", "ascii.py")
    with pytest.raises(SourceError) as raised:
        encode_source(source, "# -*- coding: ascii -*-\nx = '\u00e9'\n")
    assert raised.value.one_line() == (
        "cachelint: error: ascii.py: fixed text cannot be encoded as ascii (ordinal not in range(128)); not written"
    )


def test_undecodable_stdin(project):
    code, out, err = run_cli(["check", "-", "--stdin-filename", "x.py"], input=b"x = '\xff'\n")
    assert (code, out) == (2, ONE_ERROR_FOOTER)
    assert err == "cachelint: error: x.py: cannot decode as utf-8 at byte 5: invalid start byte\n"
