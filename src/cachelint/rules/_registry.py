"""Rule discovery: every `clNNN_*.py` module of this package holds exactly one rule class.

Adding a rule touches one file: write `rules/cl123_some_name.py` with a `Rule` subclass.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import List

from cachelint.rules.base import Rule


def _discover() -> List[type]:
    import cachelint.rules as package

    found: List[type] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not (info.name.startswith("cl") and info.name[2:5].isdigit()):
            continue
        module = importlib.import_module(f"cachelint.rules.{info.name}")
        classes = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule
            and value.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one rule class, found {len(classes)}")
        found.append(classes[0])
    return found


RULE_CLASSES: List[type] = _discover()
