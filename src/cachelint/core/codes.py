"""The rule codes, known without importing the rules (which import libcst).

Selecting rules (`--select`, `[tool.cachelint] select`) needs every code, but importing the rule
classes costs a few hundred milliseconds that a run over files without SDK calls never needs.
Each rule lives in `rules/clNNN_<name>.py` (see `rules/_registry.py`), so the codes are read from
the module names (listed without importing the rules package); a test checks that they match the
rule classes.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: `typing` and `pkgutil` cost start-up time (fastpath.py)
    from typing import Tuple

# CL000 is not a rule class: files that do not parse are reported by the engine under this code.
SYNTAX_ERROR_CODE = "CL000"
SYNTAX_ERROR_NAME = "invalid-syntax"
SYNTAX_ERROR_SUMMARY = "The file could not be parsed as Python; nothing in it was checked."

_CODES: list = []


def all_codes() -> Tuple[str, ...]:
    """CL000 followed by every rule's code, sorted."""
    if not _CODES:
        _CODES.extend((SYNTAX_ERROR_CODE,) + _rule_codes())
    return tuple(_CODES)


def _rule_codes() -> Tuple[str, ...]:
    directory = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules")
    try:
        names = os.listdir(directory)
    except OSError:
        names = []
    # rule modules (`cl001_<name>.py`) or rule packages (`cl001_<name>/__init__.py`)
    codes = sorted(
        {
            "CL" + name[2:5]
            for name in names
            if name.startswith("cl")
            and name[2:5].isdigit()
            and (name.endswith(".py") or os.path.isfile(os.path.join(directory, name, "__init__.py")))
        }
    )
    if codes:
        return tuple(codes)
    return _packaged_rule_codes()


def _packaged_rule_codes() -> Tuple[str, ...]:
    """The codes when the rules package is not a plain directory (a zip, a frozen app): its
    modules listed by the import system, without importing the package (nor libcst)."""
    import importlib.util
    import pkgutil

    spec = importlib.util.find_spec("cachelint.rules")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    return tuple(
        sorted(
            {
                "CL" + info.name[2:5]
                for info in pkgutil.iter_modules(locations)
                if info.name.startswith("cl") and info.name[2:5].isdigit()
            }
        )
    )
