"""The configuration file as plain data: finding it, reading it, validating its values.

Kept apart from `cachelint.config.settings` (which turns these values into frozen Config / Settings) so
that the start-up fast path (`cachelint.cli.fastpath`) can run exactly the same checks without
importing dataclasses or typing: this module imports only `os` and `re` at load time (`tomllib`
when a TOML file is read, the errors module when something is wrong).
"""

from __future__ import annotations

import os
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs start-up time
    from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

PYPROJECT = "pyproject.toml"
SECTION = "[tool.cachelint]"

_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "default-model",
    "chars-per-token",
    "target-sdk",
    "report-unknown-size",
    "models",
    "cache-dir",
)
_MODEL_KEYS = ("min-cache-tokens", "input-usd-per-mtok", "cache-read-multiplier")
# Patterns are compiled on first use (by `re`'s cache): compiling costs start-up time.
_VERSION = r"^\s*v?(\d+(?:\.\d+)*)\s*$"


def _config_error(reason: str, path: Optional[str] = None) -> Exception:
    from cachelint.core.errors import ConfigError

    return ConfigError(reason, path)


# -- finding ---------------------------------------------------------------------------------------


def config_file_for(paths: Sequence[str], config_flag: Optional[str] = None) -> Optional[str]:
    """The file whose settings a run uses: `--config` when given, else the nearest pyproject.toml
    with a [tool.cachelint] table above the first path (like ruff); None: the defaults."""
    if config_flag is not None:
        return config_flag
    return find_config_file(search_start(paths))


def find_config_file(start: str) -> Optional[str]:
    """The nearest pyproject.toml with a [tool.cachelint] table, searching upward from `start`."""
    for directory in ancestors(start):
        candidate = os.path.join(directory, PYPROJECT)
        if os.path.isfile(candidate) and tool_table(read_toml(candidate)) is not None:
            return candidate
    return None


def find_project_root(start: str) -> Optional[str]:
    """The directory of the nearest pyproject.toml, searching upward (None when there is none)."""
    for directory in ancestors(start):
        if os.path.isfile(os.path.join(directory, PYPROJECT)):
            return directory
    return None


def search_start(paths: Sequence[str]) -> str:
    for path in paths:
        if path and path != "-":
            absolute = os.path.abspath(path)
            return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return os.getcwd()


def ancestors(start: str) -> Iterable[str]:
    directory = os.path.abspath(start)
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


# -- reading ---------------------------------------------------------------------------------------


def read_toml(path: str) -> Dict[str, Any]:
    try:
        return _load_toml(path)
    except _Unreadable as problem:
        if problem.os_error is not None:
            from cachelint.source.files import os_reason

            raise _config_error(f"cannot read: {os_reason(problem.os_error)}", path) from None
        raise _config_error(f"invalid TOML: {problem.decode_error}", path) from None


class _Unreadable(Exception):
    """A TOML file that cannot be read or parsed (before deciding whether that is an error)."""

    def __init__(
        self, os_error: Optional[OSError] = None, decode_error: Optional[Exception] = None
    ):
        super().__init__()
        self.os_error = os_error
        self.decode_error = decode_error


def _load_toml(path: str) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise _Unreadable(decode_error=error) from None
    except OSError as error:
        raise _Unreadable(os_error=error) from None


def tool_table(document: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("cachelint")
    return table if isinstance(table, dict) else None


def read_config_values(path: str) -> Dict[str, Any]:
    """The validated settings of the configuration file `path`, as keyword arguments for
    `cachelint.config.settings.Config` (`models` as keyword-argument dicts for ModelOverride).

    A pyproject.toml contributes its [tool.cachelint] table; any other file (a dedicated
    cachelint.toml) holds the settings at the top level, as in ruff.toml. Raises ConfigError.
    """
    path = os.path.abspath(path)
    if os.path.isdir(path):
        raise _config_error("is a directory, expected a configuration file", path)
    if not os.path.exists(path):
        raise _config_error("configuration file not found", path)
    document = read_toml(path)
    if os.path.basename(path) == PYPROJECT:
        table = tool_table(document) or {}
        where = SECTION
    else:
        table = document
        where = "the top level"
    return parse_table(table, path, where)


# -- validation ------------------------------------------------------------------------------------


def parse_table(table: Dict[str, Any], path: str, where: str) -> Dict[str, Any]:
    """Validate one settings table; the values as `Config` keyword arguments. Raises ConfigError."""
    unknown = sorted(key for key in table if key not in _KEYS)
    if unknown:
        raise _config_error(f"unknown key `{unknown[0]}` in {where}", path)

    def strings(key: str) -> Optional[Tuple[str, ...]]:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _config_error(f"`{key}` must be a list of strings", path)
        return tuple(value)

    values: Dict[str, Any] = {
        "root": os.path.dirname(path),
        "path": path,
        "select": strings("select"),
        "ignore": strings("ignore") or (),
        "extend_select": strings("extend-select") or (),
        "exclude": strings("exclude") or (),
        "extend_exclude": strings("extend-exclude") or (),
    }
    if "per-file-ignores" in table:
        values["per_file_ignores"] = _per_file_ignores(table["per-file-ignores"], path)
    if "default-model" in table:
        if not isinstance(table["default-model"], str) or not table["default-model"].strip():
            raise _config_error("`default-model` must be a model id string", path)
        values["default_model"] = table["default-model"].strip()
    if "chars-per-token" in table:
        values["chars_per_token"] = _positive_number(
            table["chars-per-token"], "chars-per-token", path
        )
    if "target-sdk" in table:
        value = table["target-sdk"]
        parsed = parse_version(value) if isinstance(value, str) else None
        if parsed is None:
            raise _config_error(
                f'`target-sdk` must be a version string like "0.83.0", got {value!r}', path
            )
        values["target_sdk"] = parsed
    if "report-unknown-size" in table:
        if not isinstance(table["report-unknown-size"], bool):
            raise _config_error("`report-unknown-size` must be true or false", path)
        values["report_unknown_size"] = table["report-unknown-size"]
    if "models" in table:
        values["models"] = _model_overrides(table["models"], path)
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str) or not table["cache-dir"].strip():
            raise _config_error("`cache-dir` must be a directory path string", path)
        cache_dir = os.path.expanduser(table["cache-dir"].strip())
        values["cache_dir"] = os.path.normpath(os.path.join(os.path.dirname(path), cache_dir))
    return values


def _per_file_ignores(value: Any, path: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise _config_error("`per-file-ignores` must be a table of glob = [codes]", path)
    entries = []
    for pattern, codes in value.items():
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise _config_error(
                f"`per-file-ignores` entry {pattern!r} must be a list of codes", path
            )
        entries.append((pattern, tuple(codes)))
    return tuple(entries)


def _model_overrides(value: Any, path: str) -> Tuple[Dict[str, Any], ...]:
    if not isinstance(value, dict):
        raise _config_error(
            '`models` must be a table of [tool.cachelint.models."<model id>"]', path
        )
    overrides = []
    for model, table in value.items():
        if not isinstance(table, dict):
            raise _config_error(f"`models.{model}` must be a table", path)
        unknown = sorted(key for key in table if key not in _MODEL_KEYS)
        if unknown:
            raise _config_error(
                f'unknown key `{unknown[0]}` in [tool.cachelint.models."{model}"]', path
            )
        minimum = table.get("min-cache-tokens")
        if minimum is not None and (
            isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0
        ):
            raise _config_error(
                f'`models."{model}".min-cache-tokens` must be a non-negative integer', path
            )
        overrides.append(
            {
                "model": model,
                "min_cache_tokens": minimum,
                "input_usd_per_mtok": _optional_number(table, "input-usd-per-mtok", model, path),
                "cache_read_multiplier": _optional_number(
                    table, "cache-read-multiplier", model, path
                ),
            }
        )
    return tuple(overrides)


def _optional_number(table: Dict[str, Any], key: str, model: str, path: str) -> Optional[float]:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _config_error(f'`models."{model}".{key}` must be a non-negative number', path)
    return float(value)


def _positive_number(value: Any, key: str, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _config_error(f"`{key}` must be a positive number", path)
    return float(value)


def parse_version(text: str) -> Optional[Tuple[int, ...]]:
    """ "0.83.0" -> (0, 83, 0); None when `text` is not a plain dotted version."""
    match = re.match(_VERSION, text)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


# -- the anthropic version the project declares ----------------------------------------------------

_REQUIREMENT = r"^\s*anthropic\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~^]|\(|$)[^;#]*)"
_LOWER_BOUND = r"(?:>=|==|~=|>|\^|~(?!=))\s*v?(\d+(?:\.\d+)*)"


def detect_target_sdk(project_root: Optional[str]) -> Optional[Tuple[int, ...]]:
    """The lowest anthropic version the project declares it supports, or None.

    Read from pyproject.toml ([project] dependencies and optional dependencies, then Poetry's
    table), then requirements*.txt next to it. Only lower bounds count (`>=`, `==`, `~=`, `^`).
    """
    if not project_root:
        return None
    pyproject = os.path.join(project_root, PYPROJECT)
    if os.path.isfile(pyproject):
        try:
            document = _load_toml(pyproject)
        except _Unreadable:  # not this function's to report
            document = {}
        for requirement in _pyproject_requirements(document):
            bound = requirement_lower_bound(requirement)
            if bound is not None:
                return bound
    try:
        names = sorted(os.listdir(project_root))
    except OSError:
        return None
    for name in names:
        if name.startswith("requirements") and name.endswith(".txt"):
            try:
                with open(
                    os.path.join(project_root, name), encoding="utf-8", errors="replace"
                ) as f:
                    lines = f.read().splitlines()
            except OSError:
                continue
            for line in lines:
                bound = requirement_lower_bound(line)
                if bound is not None:
                    return bound
    return None


def _pyproject_requirements(document: Dict[str, Any]) -> List[str]:
    found: List[str] = []
    project = document.get("project")
    if isinstance(project, dict):
        found.extend(
            item for item in project.get("dependencies", []) or [] if isinstance(item, str)
        )
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for items in optional.values():
                if isinstance(items, list):
                    found.extend(item for item in items if isinstance(item, str))
    poetry = (
        document.get("tool", {}).get("poetry", {}) if isinstance(document.get("tool"), dict) else {}
    )
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(dependencies, dict):
        for name, spec in dependencies.items():
            if name.lower() != "anthropic":
                continue
            if isinstance(spec, dict):
                spec = spec.get("version", "")
            if isinstance(spec, str):
                found.append("anthropic" + (spec if spec[:1] in "<>=!~^" else "==" + spec))
    return found


def requirement_lower_bound(requirement: str) -> Optional[Tuple[int, ...]]:
    match = re.match(_REQUIREMENT, requirement, re.IGNORECASE)
    if match is None:
        return None
    bounds = [parse_version(version) for version in re.findall(_LOWER_BOUND, match.group("spec"))]
    bounds = [bound for bound in bounds if bound is not None]
    return max(bounds) if bounds else None
