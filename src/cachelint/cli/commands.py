"""The `cachelint` commands (check, fix and rule) as click defines them: ruff's flags.

Parsing and checking the flags is here; running an invocation (and its exit status) is
`cli.invocation`, printing rules `cli.rules_command`. Nothing heavy is imported at module level:
`--help` and `--version` never load libcst or rich. The console entry point is
`cachelint.cli.main.main`, which tries `cachelint.cli.fastpath` first and comes here for
everything the fast path does not handle (`main` below skips the fast path).
"""

from __future__ import annotations

import os
import sys
from typing import Callable, List, Optional

import click

from cachelint import __version__
from cachelint.cli.invocation import EXIT_ERROR, Invocation, run_invocation
from cachelint.cli.rules_command import print_rules
from cachelint.cli.terminal import err
from cachelint.config.selection import command_line_codes
from cachelint.core.errors import DEBUG_ENV, CachelintError, format_error
from cachelint.report import OUTPUT_FORMATS


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
    ctx.exit(_guard(lambda: print_rules(code, show_all, output_format)))


@cli.command()
@click.option("--stdio", is_flag=True, help="Speak LSP over standard input/output (the default).")
@click.pass_context
def server(ctx: click.Context, stdio: bool) -> None:
    """Run the language server for editors (LSP over stdio; needs the `server` extra)."""
    from cachelint.server import main as serve

    ctx.exit(_guard(serve))


def _invocation(flags: dict, fix: bool, exit_non_zero_on_fix: bool) -> Invocation:
    # `--select CL001,CL002 --select CL3` -> ("CL001", "CL002", "CL3")
    select = command_line_codes(flags["select"])
    return Invocation(
        paths=tuple(flags["paths"]),
        select=select if flags["select"] else None,
        ignore=command_line_codes(flags["ignore"]),
        extend_select=command_line_codes(flags["extend_select"]),
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
    return _guard(lambda: run_invocation(invocation, reads_stdin))


def _guard(work: Callable[[], int]) -> int:
    """Every failure becomes one line on stderr and exit status 2, never a traceback."""
    try:
        return work()
    except CachelintError as error:
        err(error.one_line())
        return EXIT_ERROR
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except Exception as error:  # anything else is a bug: report it in one line
        if os.environ.get(DEBUG_ENV):
            raise
        err(format_error(f"internal error: {type(error).__name__}: {error}"))
        return EXIT_ERROR


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
        err(format_error(f"internal error: {type(error).__name__}: {error}"))
        sys.exit(EXIT_ERROR)
