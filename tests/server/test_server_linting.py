"""One lint in-process: the product's findings, imports through the buffers' overlay, the
modules consulted; and the scheduler keeps serving after a file's internal error."""

from __future__ import annotations

import asyncio
from pathlib import Path


from cachelint.resolve.project import Project
from cachelint.server import scheduling
from cachelint.server.config import ClientOptions, SettingsCache
from cachelint.server.documents import TextSnapshot, overlay_of
from cachelint.server.linting import lint_snapshot

LONG = "HANDBOOK = '''\n" + "Answer questions about orders, returns and shipping politely.\n" * 80 + "'''\n"
BOT = (
    "import anthropic\nfrom prompts import HANDBOOK\nclient = anthropic.Anthropic()\n\n"
    "def ask(q):\n    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9,\n"
    "        system=HANDBOOK, messages=[{'role': 'user', 'content': q}])\n"
)


def _snapshot(path: Path, text: str, version: int = 1) -> TextSnapshot:
    return TextSnapshot(uri=path.as_uri(), path=str(path), version=version, text=text)


def test_an_open_buffer_wins_over_the_file_on_disk(tmp_path):
    (tmp_path / "prompts.py").write_text('HANDBOOK = "short"\n')
    bot = _snapshot(tmp_path / "bot.py", BOT)
    settings = SettingsCache().settings_for(bot.path, ClientOptions(), str(tmp_path))
    on_disk = lint_snapshot(bot, settings, ClientOptions(), {})
    assert on_disk.diagnostics == ()
    assert str((tmp_path / "prompts.py").resolve()) in on_disk.dependencies
    buffers = overlay_of({"p": _snapshot(tmp_path / "prompts.py", LONG)})
    unsaved = lint_snapshot(bot, settings, ClientOptions(), buffers)
    assert [d.code for d in unsaved.diagnostics] == ["CL001"]


def test_project_overlay_stands_in_for_missing_files(tmp_path):
    missing = (tmp_path / "notyet.py").resolve()
    project = Project(overlay={missing: "X = 1\n"})
    assert project.module_file(tmp_path / "bot.py", "notyet", 0) == missing
    assert project.read_source(missing) == b"X = 1\n"
    assert project.parsed(missing) is not None


def test_an_internal_error_is_logged_and_the_next_lint_works(tmp_path, monkeypatch):
    path = tmp_path / "bot.py"
    current = {"snapshot": _snapshot(path, BOT)}
    logged, published = [], []
    scheduler = scheduling.LintScheduler(
        snapshot_of=lambda uri: current["snapshot"],
        buffers=dict,
        publish=lambda outcome, previous: published.append(outcome),
        log_error=logged.append,
        default_root=lambda p: str(tmp_path),
    )
    real = scheduling.lint_snapshot

    def failing(*args, **kwargs):
        raise RuntimeError("boom")

    async def scenario():
        monkeypatch.setattr(scheduling, "lint_snapshot", failing)
        await scheduler.lint_now(path.as_uri())
        monkeypatch.setattr(scheduling, "lint_snapshot", real)
        current["snapshot"] = _snapshot(path, BOT + "\n", version=2)
        return await scheduler.lint_now(path.as_uri())

    try:
        outcome = asyncio.run(scenario())
    finally:
        scheduler.close()
    assert len(logged) == 1 and "internal error: RuntimeError: boom" in logged[0]
    # the failed lint published nothing but an empty list (there was nothing earlier to keep)
    assert published[0].error is not None and published[0].diagnostics == ()
    assert outcome.error is None and published[-1] is outcome
