"""Running one `check` / `fix` invocation: settings, the run, what is printed, the exit status.

Exit status (ruff's): 0 nothing left to report, 1 findings remain (or --diff would change
something), 2 usage, configuration or internal error, or a file that could not be read or
written. Nothing heavy is imported at module level (the run and the report formats are loaded
when a run starts).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import List, Optional, Tuple

from cachelint.cli.terminal import NO_FILES_WARNING, emit, err, stdout_wants_color
from cachelint.report import HUMAN_FORMATS
from cachelint.source.filekinds import is_notebook_path

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class Invocation:
    """The parsed flags of `check` / `fix`."""

    paths: Tuple[str, ...]
    select: Optional[Tuple[str, ...]]
    ignore: Tuple[str, ...]
    extend_select: Tuple[str, ...]
    output_format: str
    statistics: bool
    show_fixes: bool
    exit_zero: bool
    exit_non_zero_on_fix: bool
    unsafe_fixes: bool
    stdin_filename: Optional[str]
    force_exclude: bool
    explain_unknown: bool
    config: Optional[str]
    fix: bool
    diff: bool
    jobs: Optional[int] = None  # None: every CPU this process may use
    no_cache: bool = False
    cache_dir: Optional[str] = None
    prefilter: bool = True


def run_invocation(invocation: Invocation, reads_stdin: bool) -> int:
    """Run `check` / `fix` as invoked; the exit status."""
    from cachelint.run import runner
    from cachelint.config.settings import SelectionLayer, build_settings, discover_config

    search_from = (
        [invocation.stdin_filename]
        if (reads_stdin and invocation.stdin_filename)
        else list(invocation.paths)
    )
    config = discover_config(search_from, invocation.config)
    command_line = SelectionLayer(
        invocation.select,
        invocation.ignore,
        invocation.extend_select,
        "--select/--ignore/--extend-select",
    )
    settings = build_settings(config, command_line)

    applying = invocation.fix or invocation.diff
    if reads_stdin:
        raw = sys.stdin.buffer.read()
        result = runner.lint_stdin(
            raw,
            settings,
            filename=invocation.stdin_filename,
            fix=applying,
            unsafe_fixes=invocation.unsafe_fixes,
            force_exclude=invocation.force_exclude,
        )
    elif applying:
        result = runner.fix_paths(
            invocation.paths or (".",),
            settings,
            unsafe_fixes=invocation.unsafe_fixes,
            write=not invocation.diff,
            force_exclude=invocation.force_exclude,
            run_options=run_options(invocation, settings),
        )
    else:
        result = runner.check_paths(
            invocation.paths or (".",),
            settings,
            force_exclude=invocation.force_exclude,
            run_options=run_options(invocation, settings),
        )

    for error in result.errors:
        err(error.one_line())
    for warning in result.warnings:
        err(warning.one_line())
    if not reads_stdin and not result.files and not result.errors:
        err(NO_FILES_WARNING)

    if invocation.diff:
        return _report_diff(result)
    if reads_stdin and invocation.fix:
        _write_fixed_stdin(result)
        _report(result, invocation, to_stderr=True)
    else:
        _report(result, invocation, to_stderr=False)
    return _exit_code(result, invocation)


def run_options(invocation: Invocation, settings):
    """How to run: workers, cache place, progress bar (only for a human reading stderr)."""
    from cachelint.run.scheduler import DEFAULT_CACHE_DIR_NAME, RunOptions, available_cpus

    cache_dir = None
    if not invocation.no_cache:
        cache_dir = invocation.cache_dir or settings.cache_dir
        cache_dir = cache_dir or os.path.join(settings.root, DEFAULT_CACHE_DIR_NAME)
    stderr = sys.stderr  # (click.get_text_stream is deprecated in click 8.2+)
    return RunOptions(
        jobs=invocation.jobs or available_cpus(),
        prefilter=invocation.prefilter,
        cache_dir=cache_dir,
        progress=invocation.output_format in HUMAN_FORMATS
        and bool(getattr(stderr, "isatty", lambda: False)()),
    )


def _report(result, invocation: Invocation, to_stderr: bool) -> None:
    from cachelint.report import ReportContext, render, summary

    human = invocation.output_format in HUMAN_FORMATS
    context = ReportContext(
        fix_mode=invocation.fix,
        unsafe_fixes=invocation.unsafe_fixes,
        show_fixes=invocation.show_fixes,
        color=not to_stderr and stdout_wants_color(),
        cwd=os.getcwd(),
    )
    if invocation.statistics:
        from cachelint.report import statistics

        if invocation.output_format == "json":
            text = statistics.render_json(result, context)
        else:
            text = statistics.render_text(result, context)
    else:
        text = render(invocation.output_format, result, context)
    emit(text, to_stderr)
    if invocation.fix and invocation.show_fixes and not human:
        err(summary.fixed_listing(result))
    if invocation.explain_unknown:
        emit(summary.unknown_sites_listing(result) + "\n", to_stderr or not human)


def _report_diff(result) -> int:
    import difflib

    from cachelint.report.summary import plural

    for file in result.changed_files:
        for name, before, after in _diff_parts(file):
            diff = difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=name,
                tofile=name,
            )
            text = "".join(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                for line in diff
            )
            emit(text + "\n", to_stderr=False)
    fixed = len(result.fixed)
    err(f"Would fix {plural(fixed, 'error')}." if fixed else "No errors would be fixed.")
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.changed_files else EXIT_CLEAN


def _diff_parts(file) -> List[Tuple[str, str, str]]:
    """(name, before, after) to diff: the file, or each changed cell of a notebook (as ruff)."""
    from cachelint.source.notebook import changed_cells

    if is_notebook_path(file.path):
        cells = changed_cells(file.original_text, file.text)
        if cells:
            return [(f"{file.path}:cell {cell.number}", cell.before, cell.after) for cell in cells]
    return [(file.path, file.original_text, file.text)]


def _write_fixed_stdin(result) -> None:
    if not result.files or result.files[0].text is None:
        return
    file = result.files[0]
    stream = sys.stdout.buffer
    stream.write(file.text.encode(file.encoding, errors="surrogateescape"))
    stream.flush()


def _exit_code(result, invocation: Invocation) -> int:
    if result.errors:
        return EXIT_ERROR
    if invocation.exit_zero:
        return EXIT_CLEAN
    if result.diagnostics:
        return EXIT_FINDINGS
    if invocation.exit_non_zero_on_fix and result.fixed:
        return EXIT_FINDINGS
    return EXIT_CLEAN
