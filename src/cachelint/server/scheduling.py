"""When to lint what: debounced lints off the event loop, and refreshes of dependent files.

All linting runs in one worker thread, one lint at a time, so the settings cache and the
product's per-process state are only ever touched from that thread, and the event loop stays
free to answer the editor. A document's lint is (re)scheduled on open, change (after a short
debounce: typing does not lint every keystroke) and save; a result is published only if the
document has not changed since its snapshot was taken. After a buffer or a file on disk
changes, every open document whose last lint consulted that module is linted again.
"""

from __future__ import annotations

import asyncio
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Iterable, Optional, Set

from cachelint.server.config import ClientOptions, SettingsCache
from cachelint.server.documents import TextSnapshot, overlay_of
from cachelint.server.linting import AnySnapshot, FixAllOutcome, LintOutcome, fix_all, lint_snapshot

SnapshotSource = Callable[[str], Optional[AnySnapshot]]  # document uri -> its snapshot now
Publisher = Callable[[LintOutcome, Optional[LintOutcome]], None]  # (new, previous)
Logger = Callable[[str], None]
# Dependents wait longer than the changed buffer itself, so the document being typed in is
# linted first (one worker: whatever is scheduled first runs first).
DEPENDENTS_DELAY_SECONDS = 0.3


class LintScheduler:
    def __init__(
        self,
        snapshot_of: SnapshotSource,
        buffers: Callable[[], Dict[str, TextSnapshot]],
        publish: Publisher,
        log_error: Logger,
        default_root: Callable[[str], str],
    ):
        self._snapshot_of = snapshot_of
        self._buffers = buffers
        self._publish = publish
        self._log_error = log_error
        self._default_root = default_root
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachelint-lint")
        self._settings = SettingsCache()
        self._pending: Dict[str, asyncio.Task] = {}
        self.outcomes: Dict[str, LintOutcome] = {}
        self.options = ClientOptions()

    # -- scheduling ---------------------------------------------------------------------------
    def schedule(self, uri: str, delay: Optional[float] = None) -> None:
        """Lint `uri` after `delay` seconds (the debounce by default), replacing a lint of it
        that is still waiting."""
        wait = self.options.debounce_seconds if delay is None else delay
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self._pending[uri] = asyncio.get_running_loop().create_task(self._lint_later(uri, wait))

    def schedule_all(self, delay: float = 0.0) -> None:
        for uri in list(self.outcomes):
            self.schedule(uri, delay)

    def schedule_dependents(self, paths: Iterable[str], exclude: str = "") -> None:
        """Lint again every open document whose last lint consulted one of `paths`."""
        changed = {str(Path(path).resolve()) for path in paths}
        delay = max(self.options.debounce_seconds, DEPENDENTS_DELAY_SECONDS)
        for uri, outcome in list(self.outcomes.items()):
            if uri != exclude and outcome.dependencies & changed:
                self.schedule(uri, delay)

    def forget(self, uri: str) -> Optional[LintOutcome]:
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        return self.outcomes.pop(uri, None)

    async def _lint_later(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            await self.lint_now(uri)
        except asyncio.CancelledError:
            pass
        finally:
            if self._pending.get(uri) is asyncio.current_task():
                del self._pending[uri]

    async def lint_now(self, uri: str) -> Optional[LintOutcome]:
        """Lint the document as it is now and publish the result (unless it changed since)."""
        snapshot = self._snapshot_of(uri)
        if snapshot is None:
            return None
        buffers = overlay_of(self._buffers())
        options = self.options
        outcome = await asyncio.get_running_loop().run_in_executor(
            self._executor, self._lint_guarded, snapshot, options, buffers
        )
        current = self._snapshot_of(uri)
        if current is None or current.version != snapshot.version or current != snapshot:
            return outcome  # a newer lint is on its way; this one is stale
        if outcome.error is not None:
            self._log_error(f"{snapshot.path}: {outcome.error}")
            previous = self.outcomes.get(uri)
            if previous is not None:
                return previous  # keep showing the last good findings
        previous = self.outcomes.get(uri)
        self.outcomes[uri] = outcome
        self._publish(outcome, previous)
        return outcome

    async def current(self, uri: str) -> Optional[LintOutcome]:
        """The outcome for the document as it is now, linting it first if needed."""
        outcome = self.outcomes.get(uri)
        snapshot = self._snapshot_of(uri)
        if outcome is not None and snapshot is not None and outcome.snapshot == snapshot:
            return outcome
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        return await self.lint_now(uri)

    async def fixed_texts(self, snapshot: AnySnapshot) -> FixAllOutcome:
        buffers = overlay_of(self._buffers())
        options = self.options
        fixed = await asyncio.get_running_loop().run_in_executor(
            self._executor, self._fix_guarded, snapshot, options, buffers
        )
        if fixed.error is not None:
            self._log_error(f"{snapshot.path}: {fixed.error}")
        return fixed

    # -- configuration --------------------------------------------------------------------------
    def settings_changed(self) -> None:
        """Configuration files changed: rebuild settings (in the worker, which owns the cache)
        and lint every open document again."""
        self._executor.submit(self._settings.clear)
        self.schedule_all()

    def set_options(self, options: ClientOptions) -> None:
        changed = options != self.options
        self.options = options
        if changed:
            self.settings_changed()

    def close(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()
        self._executor.shutdown(wait=False)

    # -- in the worker thread -----------------------------------------------------------------
    def _file_settings(self, snapshot: AnySnapshot, options: ClientOptions):
        return self._settings.settings_for(
            snapshot.path, options, self._default_root(snapshot.path)
        )

    def _lint_guarded(self, snapshot: AnySnapshot, options: ClientOptions, buffers) -> LintOutcome:
        """One file's internal error is logged and the server goes on."""
        try:
            return lint_snapshot(snapshot, self._file_settings(snapshot, options), options, buffers)
        except Exception as error:  # noqa: BLE001 - any failure of one file must not stop the server
            detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            return LintOutcome(snapshot=snapshot, error=f"internal error: {type(error).__name__}: {error}\n{detail}")

    def _fix_guarded(self, snapshot: AnySnapshot, options: ClientOptions, buffers) -> FixAllOutcome:
        try:
            return fix_all(snapshot, self._file_settings(snapshot, options), options, buffers)
        except Exception as error:  # noqa: BLE001
            return FixAllOutcome({}, error=f"fix all failed: {type(error).__name__}: {error}")


def reported_once(seen: Set[str], message: Optional[str]) -> bool:
    """True the first time `message` is seen (configuration problems are shown once)."""
    if not message or message in seen:
        return False
    seen.add(message)
    return True
