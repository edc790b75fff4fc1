"""Answer the common pre-commit run at start-up speed: `cachelint check FILE...` on files that
cannot have a finding.

Most commits touch no file that talks to the SDK. For those, the normal command line would spend
almost all of its time importing click, the configuration dataclasses and the scheduler, only to
print "All checks passed!". This module answers such a run itself, importing nothing but `os`,
`re`, the triage (byte prefilter, import scanner, module resolver) (plus `tomllib` when there is a pyproject.toml,
and the path matcher only when excludes or per-file-ignores are configured or --force-exclude is
given).

It handles only invocations it fully understands, and only when it is certain of the outcome:
- `check` with explicit paths, each an existing regular file, and only the flags below (none of
  them changes what a clean run prints but --output-format);
- the configuration is found and validated by the same functions the normal path uses
  (`configfile`, `selection`), and every selector and path pattern it would expand or compile
  is expanded or compiled here too;
- every file is skipped by `run.triage`, the triage `scheduler.lint_files` runs: it cannot have
  a finding and calls no wrapper of a project module that may hold requests.
Then it prints what `cachelint.cli.commands` prints for a run without findings and exits 0. In every
other case (another flag, a directory, stdin, a notebook, a file to analyse, anything invalid or
unexpected) `run_fast_path` returns None and the click command line runs with the same
arguments, so the result is the same either way (tests/cli/test_fastpath.py compares the two).
"""

from __future__ import annotations

import os
import sys

from cachelint.cli.terminal import NO_FILES_WARNING, stdout_wants_color

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs start-up time
    from typing import Any, Dict, List, Optional, Sequence, Tuple

# Beyond this many files the start-up time saved is small next to reading them, and the scheduler
# may triage in worker processes: leave such runs to it.
MAX_FILES = 500

# What `check` prints when there is nothing to report (see cachelint.report: the human formats'
# footer, an empty JSON array, nothing at all). SARIF lists every rule: not handled here.
ALL_CHECKS_PASSED = "All checks passed!"
_CLEAN_REPORTS = {
    "full": ALL_CHECKS_PASSED + "\n",
    "concise": ALL_CHECKS_PASSED + "\n",
    "json": "[]\n",
    "json-lines": "",
    "github": "",
}
# Every format the command line accepts (cachelint.report.OUTPUT_FORMATS).
_OUTPUT_FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif")

# `check` flags that take no value. None changes a clean check run's output.
_SWITCHES = {
    "--no-cache": ("no_cache", True),
    "--exit-zero": ("exit_zero", True),
    "--force-exclude": ("force_exclude", True),
    "--no-force-exclude": ("force_exclude", False),
    "--show-fixes": ("show_fixes", True),
    "--unsafe-fixes": ("unsafe_fixes", True),
    "--no-unsafe-fixes": ("unsafe_fixes", False),
}
# `check` options that take a value; `many` ones may be repeated and accumulate.
_VALUED = {
    "--output-format": "output_format",
    "--config": "config",
    "--cache-dir": "cache_dir",
    "--jobs": "jobs",
    "-j": "jobs",
}
_MANY = {"--select": "select", "--ignore": "ignore", "--extend-select": "extend_select"}

# Environment variables the command line reads for options not given (click `envvar`).
OUTPUT_FORMAT_ENV = "CACHELINT_OUTPUT_FORMAT"
NO_CACHE_ENV = "CACHELINT_NO_CACHE"
# click's boolean words: any other value of NO_CACHE_ENV is a usage error there.
_BOOLEAN_WORDS = {"1", "true", "t", "yes", "y", "on", "0", "false", "f", "no", "n", "off"}
_DIGITS = frozenset("0123456789")


class _NotHandled(Exception):
    """Leave this run to the click command line."""


def run_fast_path(args: Sequence[str]) -> Optional[int]:
    """The exit status after answering `args` (the arguments after the program name), or None
    when the normal command line must run instead (nothing has been printed then)."""
    try:
        flags = _parse(args)
        _check_environment(flags)
        output = _clean_output(flags)
        files = _files_to_check(flags)
    except Exception:  # _NotHandled, or anything unexpected: the command line will say what
        return None
    if not files:
        _write(sys.stderr, NO_FILES_WARNING + "\n")
    _write(sys.stdout, output)
    return 0


# -- the command line ------------------------------------------------------------------------------


class _Flags:
    """The flags of a `check` run, as far as the fast path reads them."""

    def __init__(self) -> None:
        self.paths: List[str] = []
        self.select: List[str] = []
        self.ignore: List[str] = []
        self.extend_select: List[str] = []
        self.output_format: Optional[str] = None
        self.config: Optional[str] = None
        self.cache_dir: Optional[str] = None
        self.jobs: Optional[str] = None
        self.no_cache = False
        self.exit_zero = False
        self.force_exclude = False
        self.show_fixes = False
        self.unsafe_fixes = False


def _parse(args: Sequence[str]) -> _Flags:
    """The flags of `check FILE...` as the click command would read them; _NotHandled for any
    other command, flag or form (click's rules: options and paths may interleave, the last
    occurrence of a flag wins, `--` ends the options)."""
    if not args or args[0] != "check":
        raise _NotHandled()
    flags = _Flags()
    rest = list(args[1:])
    options_ended = False
    index = 0
    while index < len(rest):
        arg = rest[index]
        index += 1
        if options_ended or not arg.startswith("-"):
            flags.paths.append(arg)
            continue
        if arg == "--":
            options_ended = True
            continue
        name, equals, value = arg.partition("=")
        if name in _SWITCHES and not equals:
            attribute, setting = _SWITCHES[name]
            setattr(flags, attribute, setting)
            continue
        if name not in _VALUED and name not in _MANY:
            raise _NotHandled()  # stdin (`-`), --fix, --help, ... or an unknown flag
        if not equals:
            if index >= len(rest):
                raise _NotHandled()
            value = rest[index]
            index += 1
        elif name == "-j":
            raise _NotHandled()  # `-j=3`: click reads the value "=3"
        if not value or value.startswith("-"):
            raise _NotHandled()
        if name in _MANY:
            getattr(flags, _MANY[name]).append(value)
        else:
            setattr(flags, _VALUED[name], value)
    if flags.jobs is not None and not (set(flags.jobs) <= _DIGITS and int(flags.jobs) >= 1):
        raise _NotHandled()
    return flags


def _check_environment(flags: _Flags) -> None:
    """The option read from the environment that the fast path does not use must still hold a
    value click accepts."""
    if not flags.no_cache:
        no_cache = os.environ.get(NO_CACHE_ENV)
        if no_cache and no_cache.strip().lower() not in _BOOLEAN_WORDS:
            raise _NotHandled()


def _output_format(flags: _Flags) -> str:
    """--output-format, else its environment variable (an unknown name is a usage error)."""
    chosen = flags.output_format or os.environ.get(OUTPUT_FORMAT_ENV) or "full"
    if chosen not in _OUTPUT_FORMATS:
        raise _NotHandled()
    return chosen


# -- the report ------------------------------------------------------------------------------------


def _clean_output(flags: _Flags) -> str:
    """What `check` prints on stdout when nothing is reported (as click would write it)."""
    output_format = _output_format(flags)
    if output_format not in _CLEAN_REPORTS:
        raise _NotHandled()
    if sys.stdout is None or sys.stderr is None:
        raise _NotHandled()
    if output_format == "full" and stdout_wants_color():
        if sys.platform == "win32":
            raise _NotHandled()  # rich and click treat Windows consoles differently
        return _colored_footer()
    return _CLEAN_REPORTS[output_format]


def _colored_footer() -> str:
    """The footer as the full format renders it in colour: rich's bold, which rich leaves out
    on a dumb terminal; click then strips the escapes again when stdout is not a terminal."""
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown") or not _isatty(sys.stdout):
        return ALL_CHECKS_PASSED + "\n"
    return "\x1b[1m" + ALL_CHECKS_PASSED + "\x1b[0m\n"


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


def _write(stream, text: str) -> None:
    if text:
        stream.write(text)
        stream.flush()


# -- configuration, files and triage ---------------------------------------------------------------


def _files_to_check(flags: _Flags) -> List[str]:
    """The files the run checks, once it is certain that none of them has a finding and that
    the configuration and selection are valid; _NotHandled otherwise."""
    paths = flags.paths
    if not paths or len(paths) > MAX_FILES:
        raise _NotHandled()
    for path in paths:
        # A directory is walked, anything else missing or odd is an error there: only regular
        # files here (a notebook is always analysed: triage says so below).
        if path == "-" or not os.path.isfile(path):
            raise _NotHandled()

    from cachelint.config import file as configfile

    config_path = configfile.config_file_for(paths, flags.config)
    values = configfile.read_config_values(config_path) if config_path else {}
    root = values.get("root") or os.path.abspath(os.getcwd())
    _check_selection(values, flags)
    if values.get("target_sdk") is None:
        # Settings read the declared SDK version even though no file is analysed.
        configfile.detect_target_sdk(configfile.find_project_root(root) or root)

    files = list(paths)
    exclude = tuple(values.get("exclude", ())) + tuple(values.get("extend_exclude", ()))
    if exclude or flags.force_exclude:
        from cachelint.source.discover import discover

        found = discover(paths, root, exclude, force_exclude=flags.force_exclude)
        if found.errors:
            raise _NotHandled()
        files = list(found.files)
    per_file_patterns = [pattern for pattern, _ in values.get("per_file_ignores", ())]
    if per_file_patterns and files:
        from cachelint.source.discover import PatternSet

        for path in files:  # as Settings.codes_for does for each file: any pattern may fail
            absolute = os.path.abspath(path)
            for pattern in per_file_patterns:
                PatternSet(root, (pattern,)).matches(absolute)
    _check_nothing_to_analyse(files)
    return files


def _check_selection(values: Dict[str, Any], flags: _Flags) -> None:
    """Expand every selector that building the Settings expands (an unknown one is an error)."""
    from cachelint.config.selection import command_line_codes

    selectors: List[str] = []
    for key in ("select", "ignore", "extend_select"):
        selectors += list(values.get(key) or ())
        selectors += command_line_codes(getattr(flags, key))
    for _, codes in values.get("per_file_ignores", ()):
        selectors += list(codes)
    if selectors:
        from cachelint.config.selection import expand_selector

        for selector in selectors:
            expand_selector(selector, "")


def _check_nothing_to_analyse(files: Sequence[str]) -> None:
    """_NotHandled unless `scheduler.lint_files` would skip every file: the same triage
    (`run.triage`) must skip each of them, and none may call a wrapper from a module that may
    hold requests (none of the files of the run may: each was skipped)."""
    from cachelint.resolve.importscan import RequestModules
    from cachelint.resolve.modules import ModuleResolver
    from cachelint.run.triage import Triage, calls_request_wrapper, project_imports, triage

    modules = ModuleResolver()
    read: List[Tuple[str, bytes, Tuple[str, ...]]] = []
    for path in files:
        with open(path, "rb") as handle:  # an unreadable file is an error there
            raw = handle.read()
        if triage(path, raw) is not Triage.ANALYSE_IF_WRAPPER_CALLER:
            raise _NotHandled()
        absolute = os.path.abspath(path)
        read.append((absolute, raw, project_imports(absolute, raw, modules)))

    is_request_module = RequestModules(without_requests=[absolute for absolute, _, _ in read])
    for absolute, raw, imported in read:
        if calls_request_wrapper(absolute, raw, imported, modules, is_request_module):
            raise _NotHandled()
