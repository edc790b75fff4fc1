"""What kind of file a path names, judged by its suffix: a Python module or a Jupyter notebook.

Imports nothing: the start-up fast path and triage ask it too.
"""

from __future__ import annotations

PYTHON_SUFFIX = ".py"
NOTEBOOK_SUFFIX = ".ipynb"
# The files discovery collects (notebooks are linted too, as in ruff).
PYTHON_EXTENSIONS = (PYTHON_SUFFIX, NOTEBOOK_SUFFIX)


def is_notebook_path(path: str) -> bool:
    return path.lower().endswith(NOTEBOOK_SUFFIX)
