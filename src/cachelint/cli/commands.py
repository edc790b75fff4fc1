"""The `cachelint` commands (check, fix and rule) with click: ruff's flags and exit codes.

Exit status: 0 nothing left to report, 1 findings remain (or --diff would change something),
2 usage, configuration or internal error, or a file that could not be read or written.
Nothing heavy is imported at module level: `--help` and `--version` never load libcst or rich.
The console entry point is `cachelint.cli.main.main`, which tries `cachelint.cli.fastpath` first and
comes here for everything the fast path does not handle (`main` below skips the fast path).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import click

from cachelint import __version__
from cachelint.core.errors import DEBUG_ENV, CachelintError, format_error
from cachelint.report import HUMAN_FORMATS, OUTPUT_FORMATS
from cachelint.config.selection import command_line_codes

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


def _codes(values: Sequence[str]) -> Tuple[str, ...]:
    """`--select CL001,CL002 --select CL3` -> ("CL001", "CL002", "CL3")."""
    return command_line_codes(values)


def _lint_options(command: Callable) -> Callable:
    options = [
        click.argument("paths", nargs=-1, type=str),
        click.option(
            "--select",
            multiple=True,
            metavar="CODES",
            help="Rules to enable (codes, prefixes like CL0, or ALL); replaces the configured selection.",
        ),
        click.option(
            "--ignore",
            multiple=True,
            metavar="CODES",
            help="Rules to disable, on top of the configuration.",
        ),
        click.option(
            "--extend-select",
            multiple=True,
            metavar="CODES",
            help="Rules to enable in addition to the selection.",
        ),
        click.option(
            "--output-format",
            type=click.Choice(OUTPUT_FORMATS),
            default="full",
            show_default=True,
            envvar="CACHELINT_OUTPUT_FORMAT",
            help="How findings are printed.",
        ),
        click.option(
            "--statistics",
            is_flag=True,
            help="Print a count per rule (with summed estimated waste) instead of each finding.",
        ),
        click.option(
            "--show-fixes",
            is_flag=True,
            help="List what was fixed, and show suggested fixes as diffs.",
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain."),
        click.option(
            "--unsafe-fixes/--no-unsafe-fixes",
            default=False,
            help="Also apply fixes marked unsafe.",
        ),
        click.option(
            "--stdin-filename",
            metavar="PATH",
            help="The name of the file read from stdin (selects settings and appears in reports).",
        ),
        click.option(
            "--force-exclude/--no-force-exclude",
            default=False,
            help="Apply excludes to paths given on the command line too.",
        ),
        click.option(
            "--explain-unknown",
            is_flag=True,
            help="List the SDK calls that could not be judged, and why.",
        ),
        click.option(
            "--config",
            "config_path",
            metavar="FILE",
            help="Use this configuration file instead of the nearest pyproject.toml.",
        ),
        click.option(
            "--diff",
            is_flag=True,
            help="Print the fixes as a unified diff instead of writing them (exit 1 if there are any).",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Worker processes for large runs (default: the number of CPUs).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            envvar="CACHELINT_NO_CACHE",
            help="Do not read or write the result cache.",
        ),
        click.option(
            "--cache-dir",
            metavar="DIR",
            envvar="CACHELINT_CACHE_DIR",
            help="Where to keep the result cache (default: `cache-dir` from the configuration, "
            "else .cachelint_cache/ in the project root).",
        ),
        # A debugging aid: analyse every file instead of skipping those whose bytes cannot hold
        # an SDK request. The results are the same (tests prove it); only slower.
        click.option("--no-prefilter", "no_prefilter", is_flag=True, hidden=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="cachelint", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Find and fix Anthropic prompt-caching mistakes in Python code."""


@cli.command()
@_lint_options
@click.option("--fix", "fix_flag", is_flag=True, help="Apply fixes (the same as `cachelint fix`).")
@click.pass_context
def check(ctx: click.Context, fix_flag: bool, **flags) -> None:
    """Report prompt-caching mistakes in PATHS (default: the current directory)."""
    ctx.exit(_run_guarded(_invocation(flags, fix=fix_flag, exit_non_zero_on_fix=False)))


@cli.command()
@_lint_options
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when anything was fixed, even if nothing remains.",
)
@click.pass_context
def fix(ctx: click.Context, exit_non_zero_on_fix: bool, **flags) -> None:
    """Fix prompt-caching mistakes in PATHS in place, then report what remains."""
    ctx.exit(_run_guarded(_invocation(flags, fix=True, exit_non_zero_on_fix=exit_non_zero_on_fix)))


@cli.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule.")
@click.option(
    "--output-format", type=click.Choice(("text", "json")), default="text", show_default=True
)
@click.pass_context
def rule(ctx: click.Context, code: Optional[str], show_all: bool, output_format: str) -> None:
    """Explain one rule (CODE such as CL001), or every rule with --all."""
    if bool(code) == show_all:
        raise click.UsageError("give exactly one of CODE or --all")
    ctx.exit(_guard(lambda: _print_rules(code, show_all, output_format)))


@cli.command()
@click.option("--stdio", is_flag=True, help="Speak LSP over standard input/output (the default).")
@click.pass_context
def server(ctx: click.Context, stdio: bool) -> None:
    """Run the language server for editors (LSP over stdio; needs the `server` extra)."""
    from cachelint.server import main as serve

    ctx.exit(_guard(serve))


def _invocation(flags: dict, fix: bool, exit_non_zero_on_fix: bool) -> Invocation:
    select = _codes(flags["select"])
    return Invocation(
        paths=tuple(flags["paths"]),
        select=select if flags["select"] else None,
        ignore=_codes(flags["ignore"]),
        extend_select=_codes(flags["extend_select"]),
        output_format=flags["output_format"],
        statistics=flags["statistics"],
        show_fixes=flags["show_fixes"],
        exit_zero=flags["exit_zero"],
        exit_non_zero_on_fix=exit_non_zero_on_fix,
        unsafe_fixes=flags["unsafe_fixes"],
        stdin_filename=flags["stdin_filename"],
        force_exclude=flags["force_exclude"],
        explain_unknown=flags["explain_unknown"],
        config=flags["config_path"],
        fix=fix,
        diff=flags["diff"],
        jobs=flags["jobs"],
        no_cache=flags["no_cache"],
        cache_dir=flags["cache_dir"],
        prefilter=not flags["no_prefilter"],
    )


def _run_guarded(invocation: Invocation) -> int:
    reads_stdin = invocation.paths == ("-",) or (
        invocation.stdin_filename is not None and not invocation.paths
    )
    if "-" in invocation.paths and not reads_stdin:
        raise click.UsageError("`-` (standard input) must be the only path")
    if invocation.stdin_filename is not None and not reads_stdin:
        raise click.UsageError("--stdin-filename needs `-` (or no path) to read standard input")
    return _guard(lambda: _run(invocation, reads_stdin))


def _guard(work: Callable[[], int]) -> int:
    """Every failure becomes one line on stderr and exit status 2, never a traceback."""
    try:
        return work()
    except CachelintError as error:
        _err(error.one_line())
        return EXIT_ERROR
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except Exception as error:  # anything else is a bug: report it in one line
        if os.environ.get(DEBUG_ENV):
            raise
        _err(format_error(f"internal error: {type(error).__name__}: {error}"))
        return EXIT_ERROR


def _run(invocation: Invocation, reads_stdin: bool) -> int:
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
            run_options=_run_options(invocation, settings),
        )
    else:
        result = runner.check_paths(
            invocation.paths or (".",),
            settings,
            force_exclude=invocation.force_exclude,
            run_options=_run_options(invocation, settings),
        )

    for error in result.errors:
        _err(error.one_line())
    for warning in result.warnings:
        _err(warning.one_line())
    if not reads_stdin and not result.files and not result.errors:
        _err("cachelint: warning: no Python files found under the given paths")

    if invocation.diff:
        return _report_diff(result, invocation)
    if reads_stdin and invocation.fix:
        _write_fixed_stdin(result)
        _report(result, invocation, to_stderr=True)
    else:
        _report(result, invocation, to_stderr=False)
    return _exit_code(result, invocation)


def _run_options(invocation: Invocation, settings):
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
        color=not to_stderr and _stdout_wants_color(),
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
    _emit(text, to_stderr)
    if invocation.fix and invocation.show_fixes and not human:
        _err(summary.fixed_listing(result))
    if invocation.explain_unknown:
        _emit(summary.unknown_sites_listing(result) + "\n", to_stderr or not human)


def _report_diff(result, invocation: Invocation) -> int:
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
            _emit(text + "\n", to_stderr=False)
    fixed = len(result.fixed)
    _err(f"Would fix {plural(fixed, 'error')}." if fixed else "No errors would be fixed.")
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.changed_files else EXIT_CLEAN


def _diff_parts(file) -> List[Tuple[str, str, str]]:
    """(name, before, after) to diff: the file, or each changed cell of a notebook (as ruff)."""
    from cachelint.source.notebook import changed_cells, is_notebook_path

    if is_notebook_path(file.path):
        cells = changed_cells(file.original_text, file.text)
        if cells:
            return [(f"{file.path}:cell {number}", old, new) for number, old, new in cells]
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


def _print_rules(code: Optional[str], show_all: bool, output_format: str) -> int:
    from cachelint.report.catalogue import find_entry, rule_entries

    if show_all:
        entries = list(rule_entries())
    else:
        entry = find_entry(code)
        if entry is None:
            raise CachelintError(f"unknown rule code `{code}` (see `cachelint rule --all`)")
        entries = [entry]
    if output_format == "json":
        import json

        objects = [
            {
                "code": e.code,
                "name": e.name,
                "summary": e.summary,
                "fix": e.fix_phrase,
                "fix_availability": e.fix_availability,
                "explanation": e.documentation,
            }
            for e in entries
        ]
        click.echo(json.dumps(objects if show_all else objects[0], indent=2))
        return EXIT_CLEAN
    if _stdout_wants_color():
        _print_rules_rich(entries)
    else:
        click.echo("\n\n".join(_plain_rule(e) for e in entries))
    return EXIT_CLEAN


def _plain_rule(entry) -> str:
    parts = [f"# {entry.name} ({entry.code})", entry.summary, entry.fix_phrase, entry.documentation]
    return "\n\n".join(parts).rstrip()


def _print_rules_rich(entries) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console()
    for index, entry in enumerate(entries):
        if index:
            console.rule()
        console.print(Markdown(_plain_rule(entry)))


def _stdout_wants_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def _emit(text: str, to_stderr: bool) -> None:
    if text:
        click.echo(text, nl=False, err=to_stderr)


def _err(line: str) -> None:
    click.echo(line, err=True)


def main(argv: Optional[List[str]] = None) -> None:
    """Run the click command line (`cachelint.cli.main.main` is the entry point; it tries the fast
    path first)."""
    try:
        cli.main(args=argv, prog_name="cachelint")
    except SystemExit:
        raise
    except Exception as error:  # last resort: one line, exit 2
        if os.environ.get(DEBUG_ENV):
            raise
        _err(format_error(f"internal error: {type(error).__name__}: {error}"))
        sys.exit(EXIT_ERROR)
