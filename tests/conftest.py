"""Shared pytest setup: keep this file minimal and documented; other helpers may add to it.

- Puts the repository root on sys.path so tests import helpers as `tests.support.<module>`
  (the `pytest` script does not put the current directory on sys.path).
- `fake_anthropic`: a started `tests.support.fake_api.FakeAnthropicServer` on 127.0.0.1, with
  its own cache simulator and clock; stopped at teardown.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from tests.support.fake_api import FakeAnthropicServer  # noqa: E402 - needs the path above


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as server:
        yield server
