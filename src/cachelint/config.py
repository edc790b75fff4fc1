"""`[tool.cachelint]` configuration: finding it, validating it, and resolving it into Settings.

Layering follows ruff: the configuration file is one layer of select / ignore / extend-select and
the command line is another on top. Inside a layer the more specific selector wins (`CL001` beats
`CL0`, which beats `ALL`) and ignore beats select at equal specificity. A layer with `select`
starts afresh; a layer without it adjusts what the layer below enabled.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from cachelint.discovery import PatternSet
from cachelint.errors import ConfigError, SelectorError
from cachelint.options import AnalysisOptions, ModelOverride

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
SECTION = "[tool.cachelint]"
ALL_SELECTOR = "ALL"

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
_VERSION = re.compile(r"^\s*v?(\d+(?:\.\d+)*)\s*$")


@dataclass(frozen=True)
class Config:
    """The validated contents of one configuration file (or the defaults when there is none)."""

    root: str  # directory that relative globs are resolved against
    path: Optional[str] = None  # the file the values came from
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    default_model: Optional[str] = None
    chars_per_token: float = 4.0
    target_sdk: Optional[Tuple[int, ...]] = None
    report_unknown_size: bool = False
    models: Tuple[ModelOverride, ...] = ()
    cache_dir: Optional[str] = None  # absolute (a relative `cache-dir` is relative to the file)


@dataclass(frozen=True)
class SelectionLayer:
    """One source of select / ignore / extend-select (the config file or the command line)."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    origin: str = "command line"


@dataclass(frozen=True)
class PerFileIgnore:
    pattern: str
    codes: FrozenSet[str]


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved: which codes are on, what to skip, analysis options."""

    root: str
    config_path: Optional[str]
    enabled_codes: FrozenSet[str]
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[PerFileIgnore, ...] = ()
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    cache_dir: Optional[str] = None  # from `cache-dir`; None: the default place

    def codes_for(self, path: str) -> FrozenSet[str]:
        """The codes reportable in `path` once per-file-ignores are applied."""
        codes = self.enabled_codes
        for entry in self.per_file_ignores:
            if PatternSet(self.root, (entry.pattern,)).matches(path):
                codes = codes - entry.codes
        return codes

    def options_for(self, path: str) -> AnalysisOptions:
        codes = _nonempty(self.codes_for(path))
        if codes == self.options.enabled_codes:
            return self.options
        return replace(self.options, enabled_codes=codes)


# -- finding and loading ------------------------------------------------------------------------


def find_config_file(start: str) -> Optional[str]:
    """The nearest pyproject.toml with a [tool.cachelint] table, searching upward from `start`."""
    for directory in _ancestors(start):
        candidate = os.path.join(directory, PYPROJECT)
        if os.path.isfile(candidate) and _tool_table(_read_toml(candidate)) is not None:
            return candidate
    return None


def find_project_root(start: str) -> Optional[str]:
    """The directory of the nearest pyproject.toml, searching upward (None when there is none)."""
    for directory in _ancestors(start):
        if os.path.isfile(os.path.join(directory, PYPROJECT)):
            return directory
    return None


def load_config(path: Optional[str], default_root: Optional[str] = None) -> Config:
    """Validate the cachelint table of `path` (None: defaults rooted at `default_root` or cwd)."""
    if path is None:
        return Config(root=os.path.abspath(default_root or os.getcwd()))
    path = os.path.abspath(path)
    if os.path.isdir(path):
        raise ConfigError("is a directory, expected a configuration file", path)
    if not os.path.exists(path):
        raise ConfigError("configuration file not found", path)
    document = _read_toml(path)
    if os.path.basename(path) == PYPROJECT:
        table = _tool_table(document) or {}
        where = SECTION
    else:  # a dedicated cachelint.toml: the settings sit at the top level, as in ruff.toml
        table = document
        where = "the top level"
    return _parse_table(table, path, where)


def discover_config(paths: Sequence[str], config_flag: Optional[str] = None) -> Config:
    """The configuration for a run: `--config` when given, else the nearest one (like ruff)."""
    if config_flag is not None:
        return load_config(config_flag)
    start = _search_start(paths)
    found = find_config_file(start)
    if found is not None:
        return load_config(found)
    return load_config(None, default_root=os.getcwd())


def _search_start(paths: Sequence[str]) -> str:
    for path in paths:
        if path and path != "-":
            absolute = os.path.abspath(path)
            return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return os.getcwd()


def _ancestors(start: str) -> Iterable[str]:
    directory = os.path.abspath(start)
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _read_toml(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML: {error}", path) from None
    except OSError as error:
        from cachelint.source import os_reason

        raise ConfigError(f"cannot read: {os_reason(error)}", path) from None


def _tool_table(document: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("cachelint")
    return table if isinstance(table, dict) else None


# -- validation -----------------------------------------------------------------------------------


def _parse_table(table: Dict[str, Any], path: str, where: str) -> Config:
    unknown = sorted(key for key in table if key not in _KEYS)
    if unknown:
        raise ConfigError(f"unknown key `{unknown[0]}` in {where}", path)

    def strings(key: str) -> Optional[Tuple[str, ...]]:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"`{key}` must be a list of strings", path)
        return tuple(value)

    config = Config(root=os.path.dirname(path), path=path)
    values: Dict[str, Any] = {
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
            raise ConfigError("`default-model` must be a model id string", path)
        values["default_model"] = table["default-model"].strip()
    if "chars-per-token" in table:
        values["chars_per_token"] = _positive_number(
            table["chars-per-token"], "chars-per-token", path
        )
    if "target-sdk" in table:
        value = table["target-sdk"]
        parsed = parse_version(value) if isinstance(value, str) else None
        if parsed is None:
            raise ConfigError(
                f'`target-sdk` must be a version string like "0.83.0", got {value!r}', path
            )
        values["target_sdk"] = parsed
    if "report-unknown-size" in table:
        if not isinstance(table["report-unknown-size"], bool):
            raise ConfigError("`report-unknown-size` must be true or false", path)
        values["report_unknown_size"] = table["report-unknown-size"]
    if "models" in table:
        values["models"] = _model_overrides(table["models"], path)
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str) or not table["cache-dir"].strip():
            raise ConfigError("`cache-dir` must be a directory path string", path)
        cache_dir = os.path.expanduser(table["cache-dir"].strip())
        values["cache_dir"] = os.path.normpath(os.path.join(os.path.dirname(path), cache_dir))
    return replace(config, **values)


def _per_file_ignores(value: Any, path: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError("`per-file-ignores` must be a table of glob = [codes]", path)
    entries = []
    for pattern, codes in value.items():
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ConfigError(f"`per-file-ignores` entry {pattern!r} must be a list of codes", path)
        entries.append((pattern, tuple(codes)))
    return tuple(entries)


def _model_overrides(value: Any, path: str) -> Tuple[ModelOverride, ...]:
    if not isinstance(value, dict):
        raise ConfigError('`models` must be a table of [tool.cachelint.models."<model id>"]', path)
    overrides = []
    for model, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(f"`models.{model}` must be a table", path)
        unknown = sorted(key for key in table if key not in _MODEL_KEYS)
        if unknown:
            raise ConfigError(
                f'unknown key `{unknown[0]}` in [tool.cachelint.models."{model}"]', path
            )
        minimum = table.get("min-cache-tokens")
        if minimum is not None and (
            isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0
        ):
            raise ConfigError(
                f'`models."{model}".min-cache-tokens` must be a non-negative integer', path
            )
        overrides.append(
            ModelOverride(
                model=model,
                min_cache_tokens=minimum,
                input_usd_per_mtok=_optional_number(table, "input-usd-per-mtok", model, path),
                cache_read_multiplier=_optional_number(table, "cache-read-multiplier", model, path),
            )
        )
    return tuple(overrides)


def _optional_number(table: Dict[str, Any], key: str, model: str, path: str) -> Optional[float]:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f'`models."{model}".{key}` must be a non-negative number', path)
    return float(value)


def _positive_number(value: Any, key: str, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"`{key}` must be a positive number", path)
    return float(value)


def parse_version(text: str) -> Optional[Tuple[int, ...]]:
    """ "0.83.0" -> (0, 83, 0); None when `text` is not a plain dotted version."""
    match = _VERSION.match(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


# -- the anthropic version the project declares ----------------------------------------------------

_REQUIREMENT = re.compile(
    r"^\s*anthropic\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~^]|\(|$)[^;#]*)", re.IGNORECASE
)
_LOWER_BOUND = re.compile(r"(?:>=|==|~=|>|\^|~(?!=))\s*v?(\d+(?:\.\d+)*)")


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
            document = _read_toml(pyproject)
        except ConfigError:
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
    match = _REQUIREMENT.match(requirement)
    if match is None:
        return None
    bounds = [parse_version(version) for version in _LOWER_BOUND.findall(match.group("spec"))]
    bounds = [bound for bound in bounds if bound is not None]
    return max(bounds) if bounds else None


# -- rule selection -------------------------------------------------------------------------------


def known_codes() -> Tuple[str, ...]:
    # Once the rule classes are loaded their catalogue is the authority (it may have grown);
    # before that, the rule modules' names: selecting rules needs neither them nor libcst.
    loaded = sys.modules.get("cachelint.rules")
    if loaded is not None and hasattr(loaded, "ALL_CODES"):
        return tuple(loaded.ALL_CODES)
    from cachelint.rule_codes import all_codes

    return all_codes()


def expand_selector(
    selector: str, origin: str, codes: Optional[Sequence[str]] = None
) -> FrozenSet[str]:
    """The codes a selector (`ALL`, a code, or a code prefix like `CL0`) stands for."""
    codes = known_codes() if codes is None else codes
    text = selector.strip().upper()
    if text == ALL_SELECTOR:
        return frozenset(codes)
    matched = frozenset(code for code in codes if code.startswith(text)) if text else frozenset()
    if not matched:
        raise SelectorError(f"unknown rule selector `{selector.strip()}` in {origin}")
    return matched


def _specificity(selector: str) -> int:
    text = selector.strip().upper()
    return 0 if text == ALL_SELECTOR else len(text)


def resolve_selection(
    layers: Sequence[SelectionLayer], codes: Optional[Sequence[str]] = None
) -> FrozenSet[str]:
    """The enabled codes after applying `layers` bottom-up. All rules are on by default.

    CL000 (syntax errors) stays reportable unless some layer ignores it explicitly.
    """
    from cachelint.rule_codes import SYNTAX_ERROR_CODE

    codes = known_codes() if codes is None else tuple(codes)
    enabled = frozenset(codes)
    syntax_error_ignored = False
    for layer in layers:
        if layer.select is not None:
            enabled = frozenset()
        operations = [(selector, True) for selector in (layer.select or ())]
        operations += [(selector, True) for selector in layer.extend_select]
        operations += [(selector, False) for selector in layer.ignore]
        # Less specific first, so a more specific selector gets the last word; ignore wins ties.
        operations.sort(key=lambda item: (_specificity(item[0]), not item[1]))
        for selector, turn_on in operations:
            matched = expand_selector(selector, layer.origin, codes)
            if turn_on:
                enabled |= matched
            else:
                enabled -= matched
                if SYNTAX_ERROR_CODE in matched:
                    syntax_error_ignored = True
            if turn_on and SYNTAX_ERROR_CODE in matched:
                syntax_error_ignored = False
    if not syntax_error_ignored:
        enabled |= {SYNTAX_ERROR_CODE}
    return enabled


def build_settings(config: Config, command_line: Optional[SelectionLayer] = None) -> Settings:
    """Resolve a Config plus command-line selection into Settings. Raises SelectorError."""
    origin = f"{config.path} ({SECTION})" if config.path else "configuration"
    layers = [SelectionLayer(config.select, config.ignore, config.extend_select, origin)]
    if command_line is not None:
        layers.append(command_line)
    enabled = resolve_selection(layers)
    per_file = tuple(
        PerFileIgnore(
            pattern,
            frozenset().union(
                *(expand_selector(code, f"{origin} per-file-ignores") for code in codes)
            )
            if codes
            else frozenset(),
        )
        for pattern, codes in config.per_file_ignores
    )
    target_sdk = config.target_sdk
    if target_sdk is None:
        target_sdk = detect_target_sdk(find_project_root(config.root) or config.root)
    options = AnalysisOptions(
        enabled_codes=_nonempty(enabled),
        default_model=config.default_model,
        chars_per_token=config.chars_per_token,
        # (0, 83) and (0, 83, 0) are the same release: compare as three numbers
        target_sdk=(tuple(target_sdk) + (0, 0, 0))[:3] if target_sdk is not None else None,
        report_unknown_size=config.report_unknown_size,
        model_overrides=config.models,
    )
    return Settings(
        root=config.root,
        config_path=config.path,
        enabled_codes=enabled,
        exclude=config.exclude + config.extend_exclude,
        per_file_ignores=per_file,
        options=options,
        cache_dir=config.cache_dir,
    )


def _nonempty(codes: FrozenSet[str]) -> FrozenSet[str]:
    """AnalysisOptions reads an empty set as "every rule": keep CL000 in it so that "nothing
    selected" stays nothing (CL000 itself is filtered out again by the runner when it is off)."""
    from cachelint.rule_codes import SYNTAX_ERROR_CODE

    return codes | {SYNTAX_ERROR_CODE}
