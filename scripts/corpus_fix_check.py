"""Run `cachelint fix --unsafe-fixes` over a throwaway copy of a corpus and check what it did.

    python scripts/corpus_fix_check.py [CORPUS]      # default: /work/corpus

The corpus (real third-party code calling the SDK) is not part of the repository, so this is a
script, not a test. It copies CORPUS to a temporary directory and there:
1. `cachelint check --output-format json` records every finding and its fix edits;
2. `cachelint fix --unsafe-fixes` fixes the copy in place;
3. every changed file must still parse and `compile()`;
4. a second `cachelint fix --unsafe-fixes` over the changed files must change nothing;
5. every changed line must lie within a finding (its span or its fix's edits) of step 1.
It prints the counts and every violation, and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

DEFAULT_CORPUS = Path("/work/corpus")


@dataclass
class Report:
    python_files: int = 0
    findings: Counter = field(default_factory=Counter)  # (code, applicability) -> count
    changed_files: List[str] = field(default_factory=list)
    changed_lines: int = 0
    problems: List[str] = field(default_factory=list)
    cli_errors: List[str] = field(default_factory=list)


def cachelint(arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cachelint"] + list(arguments)
    return subprocess.run(command, capture_output=True, text=True, cwd=str(cwd))


def python_files(root: Path) -> Dict[str, str]:
    """Relative path -> text, for every .py file (undecodable files are left out)."""
    found: Dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            found[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
    return found


def finding_rows(findings: List[dict], root: Path) -> Dict[str, Set[int]]:
    """Relative path -> rows a fix may touch: each finding's span and its edits' spans."""
    rows: Dict[str, Set[int]] = {}
    for finding in findings:
        name = os.path.relpath(os.path.realpath(finding["filename"]), os.path.realpath(str(root)))
        spans = [(finding["location"]["row"], finding["end_location"]["row"])]
        fix = finding.get("fix") or {}
        spans += [(edit["location"]["row"], edit["end_location"]["row"]) for edit in fix.get("edits") or []]
        target = rows.setdefault(name, set())
        for first, last in spans:
            target.update(range(first, last + 1))
    return rows


def changed_rows(before: str, after: str) -> List[int]:
    """1-based rows of `before` that the change replaced or deleted, or next to an insertion."""
    rows: List[int] = []
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            rows.extend(range(i1 + 1, i2 + 1))
        elif tag == "insert":
            rows.append(max(i1, 1))  # the line the insertion follows
    return rows


def internal_errors(result: subprocess.CompletedProcess) -> List[str]:
    text = result.stdout + result.stderr
    return [line.strip() for line in text.splitlines() if "internal error" in line]


def run(corpus: Path, keep: bool) -> Report:
    report = Report()
    workdir = Path(tempfile.mkdtemp(prefix="cachelint-corpus-"))
    copy = workdir / "corpus"
    shutil.copytree(str(corpus), str(copy), symlinks=True)
    try:
        originals = python_files(copy)
        report.python_files = len(originals)

        check = cachelint(["check", "--output-format", "json", "--exit-zero", "."], copy)
        if check.returncode != 0:
            report.cli_errors.append("check exited %d: %s" % (check.returncode, check.stderr.strip()[-2000:]))
        report.cli_errors += internal_errors(check)
        findings = json.loads(check.stdout or "[]")
        report.findings.update(
            (f["code"], (f.get("fix") or {}).get("applicability", "no fix")) for f in findings
        )
        allowed = finding_rows(findings, copy)

        fix = cachelint(["fix", "--unsafe-fixes", "--exit-zero", "."], copy)
        if fix.returncode != 0:
            report.cli_errors.append("fix exited %d: %s" % (fix.returncode, fix.stderr.strip()[-2000:]))
        report.cli_errors += internal_errors(fix)
        fixed = python_files(copy)

        for name, before in originals.items():
            after = fixed.get(name)
            if after is None or after == before:
                continue
            report.changed_files.append(name)
            if _compiles(before, name) and not _compiles(after, name):
                report.problems.append("%s: no longer parses or compiles after the fix" % name)
            rows = changed_rows(before, after)
            report.changed_lines += len(rows)
            outside = sorted(set(rows) - allowed.get(name, set()))
            if outside:
                report.problems.append("%s: lines changed outside any finding: %s" % (name, outside))

        if report.changed_files:
            second = cachelint(["fix", "--unsafe-fixes", "--exit-zero"] + report.changed_files, copy)
            report.cli_errors += internal_errors(second)
            again = python_files(copy)
            for name in report.changed_files:
                if again.get(name) != fixed.get(name):
                    report.problems.append("%s: a second `cachelint fix` changed it again" % name)
    finally:
        if keep:
            print("copy kept in %s" % copy, file=sys.stderr)
        else:
            shutil.rmtree(str(workdir), ignore_errors=True)
    return report


def _compiles(source: str, name: str) -> bool:
    """Parses and compiles (a file that never compiled is not the fixer's fault)."""
    try:
        ast.parse(source, name)
        compile(source, name, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def print_report(report: Report, corpus: Path) -> None:
    print("corpus: %s (%d Python files)" % (corpus, report.python_files))
    print("findings before fixing: %d" % sum(report.findings.values()))
    for (code, applicability), count in sorted(report.findings.items()):
        print("  %s %-12s %d" % (code, applicability, count))
    print("files changed by `cachelint fix --unsafe-fixes`: %d (%d lines)" % (len(report.changed_files), report.changed_lines))
    for name in report.changed_files:
        print("  %s" % name)
    print("problems: %d" % (len(report.problems) + len(report.cli_errors)))
    for problem in report.cli_errors + report.problems:
        print("  %s" % problem)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy for inspection")
    arguments = parser.parse_args(argv)
    report = run(arguments.corpus.resolve(), arguments.keep)
    print_report(report, arguments.corpus)
    return 1 if report.problems or report.cli_errors else 0


if __name__ == "__main__":
    sys.exit(main())
