"""Shared pytest setup: keep this file minimal and documented; other helpers may add to it.

- The test folders mirror src/cachelint and are packages (`tests.cli`, `tests.model`, ...), so
  pytest imports every test module under its full name with the repository root on sys.path;
  helpers are imported as `tests.support.<module>` and `tests.e2e.<module>`.
- `tests.support.rule_harness` gets pytest's assertion rewriting, so a golden that differs is
  shown as a diff.
- `fake_anthropic`: a started `tests.support.fake_api.FakeAnthropicServer` on 127.0.0.1, with
  its own cache simulator and clock; stopped at teardown.
"""

from __future__ import annotations

from typing import Iterator

import pytest

pytest.register_assert_rewrite("tests.support.rule_harness")

from tests.support.fake_api import FakeAnthropicServer  # noqa: E402 - after the rewrite hook


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as server:
        yield server
