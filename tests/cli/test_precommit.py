"""The pre-commit hooks, run by the real `pre-commit try-repo` against a snapshot of this checkout.

try-repo clones the hook repository and builds a fresh virtualenv from it (installing cachelint's
dependencies from the package index), exactly as a user's `pre-commit run` would. That costs
tens of seconds per call, so the end-to-end story uses two calls: one that runs both hooks on a
project with one file to flag and one clean file, and one after the fix to show that everything
then passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # pre-commit try-repo builds a virtualenv per call

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "precommit"
HOOK_TIMEOUT_SECONDS = 600

# Never copied into the snapshot even when the checkout is not a git work tree.
_UNSHIPPED = (
    ".git",
    ".venv",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".hypothesis",
    ".cachelint_cache",
    "build",
    "dist",
    "corpus",
)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
        # Commits made by the test need an identity; a CI machine may have none configured.
        GIT_AUTHOR_NAME="cachelint tests",
        GIT_AUTHOR_EMAIL="tests@cachelint.invalid",
        GIT_COMMITTER_NAME="cachelint tests",
        GIT_COMMITTER_EMAIL="tests@cachelint.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _git(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def _shipped_files(root: Path, env: dict[str, str]) -> list[Path]:
    """What a commit of the current working tree would contain (tracked or new, not ignored)."""
    if (root / ".git").exists():
        listing = _git(["ls-files", "--cached", "--others", "--exclude-standard", "-z"], root, env)
        return [Path(name) for name in listing.split("\0") if name and (root / name).is_file()]
    ignore = shutil.ignore_patterns(*_UNSHIPPED)
    files = []
    for directory, subdirs, names in os.walk(root):
        ignored = ignore(directory, subdirs + names)
        subdirs[:] = [name for name in subdirs if name not in ignored]
        files.extend(
            (Path(directory) / name).relative_to(root) for name in names if name not in ignored
        )
    return files


def _snapshot_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A one-commit git repository holding the working tree as it is now, uncommitted edits and
    new files included. (try-repo's own snapshot of uncommitted changes needs a HEAD commit and
    leaves out untracked files, so the test makes its own.)"""
    snapshot = tmp_path / "cachelint-repo"
    for relative in _shipped_files(REPO_ROOT, env):
        target = snapshot / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / relative, target)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    _git(["init", "-q", "-b", "main"], snapshot, env)
    _git(["add", "-A"], snapshot, env)
    _git(["commit", "-q", "-m", "snapshot"], snapshot, env)
    return snapshot


def _user_project(tmp_path: Path, env: dict[str, str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(FIXTURES / "review_bot.py", project / "review_bot.py")
    shutil.copy(FIXTURES / "one_off_question.py", project / "one_off_question.py")
    _git(["init", "-q", "-b", "main"], project, env)
    _git(["add", "-A"], project, env)
    return project


def _try_repo(hook_repo: Path, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # No hook id: every hook of the manifest runs (cachelint, then cachelint-fix) from ONE
    # environment build.
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hook_repo),
            "--all-files",
            "--verbose",
            "--color",
            "never",
        ],
        check=False,
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HOOK_TIMEOUT_SECONDS,
    )


def _hook_section(output: str, hook_name: str) -> str:
    """The status line of one hook and the output lines under it, up to the next hook."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(hook_name + ".")), None)
    assert start is not None, f"no status line for hook {hook_name!r} in:\n{output}"
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].startswith("cachelint") and ("Passed" in lines[i] or "Failed" in lines[i])
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


def _status(section: str) -> str:
    return section.splitlines()[0].rsplit(".", 1)[-1].strip()


def test_manifest_declares_both_hooks():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert sorted(hooks) == ["cachelint", "cachelint-fix"]
    assert hooks["cachelint"]["entry"] == "cachelint check"
    assert hooks["cachelint-fix"]["entry"] == "cachelint fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "jupyter"]
        assert hook["require_serial"] is False


def test_try_repo_flags_then_fixes_then_passes(tmp_path):
    env = _clean_env(tmp_path)
    hook_repo = _snapshot_repo(tmp_path, env)
    project = _user_project(tmp_path, env)
    clean_before = (project / "one_off_question.py").read_bytes()
    flagged_before = (project / "review_bot.py").read_text(encoding="utf-8")

    first = _try_repo(hook_repo, project, env)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output

    check = _hook_section(first.stdout, "cachelint")
    assert _status(check) == "Failed", output
    assert "CL001" in check, output
    assert "review_bot.py" in check, output
    assert "one_off_question.py" not in check, output

    fix = _hook_section(first.stdout, "cachelint (fix)")
    assert _status(fix) == "Failed", output
    assert "files were modified by this hook" in fix, output

    fixed = (project / "review_bot.py").read_text(encoding="utf-8")
    assert fixed != flagged_before
    assert "cache_control" in fixed and "ephemeral" in fixed, fixed
    compile(fixed, "review_bot.py", "exec")  # the rewrite is still valid Python
    assert (project / "one_off_question.py").read_bytes() == clean_before

    second = _try_repo(hook_repo, project, env)
    output = second.stdout + second.stderr
    assert second.returncode == 0, output
    assert _status(_hook_section(second.stdout, "cachelint")) == "Passed", output
    assert _status(_hook_section(second.stdout, "cachelint (fix)")) == "Passed", output
    assert (project / "review_bot.py").read_text(encoding="utf-8") == fixed
