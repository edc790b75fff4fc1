"""What the server lints with: the client's options and each file's own settings.

The client's options (`initializationOptions`, `workspace/didChangeConfiguration`) add a
selection layer on top of each file's configuration file, exactly as `--select/--ignore/
--extend-select` do on the command line, and say whether unsafe fixes take part in "fix all".
Each file's settings come from its nearest pyproject.toml (`config.settings.discover_config`,
the lookup `cachelint check FILE` makes), cached per configuration file until a watched
configuration file changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from cachelint.config.selection import command_line_codes
from cachelint.config.file import PYPROJECT, config_file_for
from cachelint.config.settings import SelectionLayer, Settings, build_settings, load_config
from cachelint.core.errors import CachelintError

SECTION = "cachelint"  # the client's settings section (`{"cachelint": {...}}`)
DEFAULT_DEBOUNCE_SECONDS = 0.05
CLIENT_ORIGIN = "the editor's cachelint settings (select/ignore/extendSelect)"
CONFIG_FILE_NAMES = (PYPROJECT,)


@dataclass(frozen=True)
class ClientOptions:
    """The editor-side options. `select` None: the configuration file's selection stands."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    unsafe_fixes: bool = False
    debounce_seconds: float = DEFAULT_DEBOUNCE_SECONDS

    @property
    def selection(self) -> Optional[SelectionLayer]:
        if self.select is None and not self.ignore and not self.extend_select:
            return None
        return SelectionLayer(self.select, self.ignore, self.extend_select, CLIENT_ORIGIN)

    @classmethod
    def parse(cls, raw: Any, previous: Optional["ClientOptions"] = None) -> "ClientOptions":
        """Read `{"cachelint": {...}}` or the inner table itself; keys in camelCase (as editors
        send them) or as in pyproject.toml (`extend-select`, `unsafe-fixes`). A missing key
        keeps its previous value; a value of the wrong type is ignored."""
        base = previous or cls()
        table = _table(raw)
        if table is None:
            return base
        select = _codes(_first(table, "select"))
        ignore = _codes(_first(table, "ignore"))
        extend_select = _codes(_first(table, "extendSelect", "extend-select", "extend_select"))
        unsafe = _first(table, "unsafeFixes", "unsafe-fixes", "unsafe_fixes")
        debounce = _first(table, "debounceMs", "debounce-ms", "debounce_ms")
        return cls(
            select=select if select is not None else base.select,
            ignore=ignore if ignore is not None else base.ignore,
            extend_select=extend_select if extend_select is not None else base.extend_select,
            unsafe_fixes=unsafe if isinstance(unsafe, bool) else base.unsafe_fixes,
            debounce_seconds=(
                max(0.0, float(debounce)) / 1000.0
                if isinstance(debounce, (int, float)) and not isinstance(debounce, bool)
                else base.debounce_seconds
            ),
        )


def _table(raw: Any) -> Optional[Mapping[str, Any]]:
    if not isinstance(raw, Mapping):
        return None
    inner = raw.get(SECTION)
    if isinstance(inner, Mapping):
        return inner
    return raw


def _first(table: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in table:
            return table[name]
    return None


def _codes(value: Any) -> Optional[Tuple[str, ...]]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return None
    return command_line_codes(list(value))


@dataclass(frozen=True)
class FileSettings:
    """The settings one file is linted with, and the problem met finding them (if any)."""

    settings: Settings
    problem: Optional[str] = None  # a configuration error: the defaults were used instead


class SettingsCache:
    """Settings per configuration file (or per directory without one), built once."""

    def __init__(self) -> None:
        self._by_config: Dict[Tuple[Optional[str], str, ClientOptions], FileSettings] = {}

    def clear(self) -> None:
        self._by_config.clear()

    def settings_for(self, path: str, options: ClientOptions, default_root: str) -> FileSettings:
        """`cachelint check PATH`'s settings, plus the client's selection layer. A broken
        configuration file or selector does not stop linting: the defaults stand in, and the
        problem is reported once by the caller."""
        try:
            config_path = config_file_for([path])
        except CachelintError as error:
            return self._fallback(options, default_root, error.one_line())
        key = (config_path, default_root if config_path is None else "", options)
        cached = self._by_config.get(key)
        if cached is None:
            cached = self._build(config_path, options, default_root)
            self._by_config[key] = cached
        return cached

    def _build(self, config_path: Optional[str], options: ClientOptions, default_root: str) -> FileSettings:
        try:
            config = load_config(config_path, default_root=default_root)
            return FileSettings(build_settings(config, options.selection))
        except CachelintError as error:
            return self._fallback(options, default_root, error.one_line())

    @staticmethod
    def _fallback(options: ClientOptions, default_root: str, problem: str) -> FileSettings:
        config = load_config(None, default_root=default_root)
        try:
            return FileSettings(build_settings(config, options.selection), problem)
        except CachelintError as error:  # the client's own selection is what is wrong
            return FileSettings(build_settings(config), f"{problem}; {error.one_line()}")


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_FILE_NAMES
