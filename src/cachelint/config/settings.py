"""`[tool.cachelint]` configuration resolved into Settings.

Finding, reading and validating the file is `cachelint.config.file` and rule selection is
`cachelint.config.selection` (plain functions, light enough for the start-up fast path); this module
wraps their results in frozen dataclasses and resolves them, with the command line's selection,
into the Settings a run uses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import FrozenSet, Optional, Sequence, Tuple

from cachelint.config.file import (
    SECTION,
    config_file_for,
    detect_target_sdk,
    find_project_root,
    read_config_values,
)
from cachelint.source.discover import PatternSet
from cachelint.core.options import AnalysisOptions, ModelOverride
from cachelint.config.selection import expand_per_file_codes, resolve_selection


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


# -- loading ---------------------------------------------------------------------------------------


def load_config(path: Optional[str], default_root: Optional[str] = None) -> Config:
    """Validate the cachelint table of `path` (None: defaults rooted at `default_root` or cwd)."""
    if path is None:
        return Config(root=os.path.abspath(default_root or os.getcwd()))
    values = read_config_values(path)
    if "models" in values:
        values["models"] = tuple(ModelOverride(**fields) for fields in values["models"])
    return Config(**values)


def discover_config(paths: Sequence[str], config_flag: Optional[str] = None) -> Config:
    """The configuration for a run: `--config` when given, else the nearest one (like ruff)."""
    return load_config(config_file_for(paths, config_flag), default_root=os.getcwd())


# -- resolving -------------------------------------------------------------------------------------


def build_settings(config: Config, command_line: Optional[SelectionLayer] = None) -> Settings:
    """Resolve a Config plus command-line selection into Settings. Raises SelectorError."""
    origin = f"{config.path} ({SECTION})" if config.path else "configuration"
    layers = [SelectionLayer(config.select, config.ignore, config.extend_select, origin)]
    if command_line is not None:
        layers.append(command_line)
    enabled = resolve_selection(layers)
    per_file = tuple(
        PerFileIgnore(pattern, expand_per_file_codes(codes, f"{origin} per-file-ignores"))
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
    from cachelint.core.codes import SYNTAX_ERROR_CODE

    return codes | {SYNTAX_ERROR_CODE}
