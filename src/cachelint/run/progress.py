"""A progress bar on stderr for long runs, and nothing otherwise.

The CLI enables it only when stderr is a terminal and the output format is a human one, so
machine formats, pipes and CI logs never see it. Even then it appears only once a run has taken
`DELAY_SECONDS`: short runs (pre-commit) never import rich for it. It is transient: the bar is
erased when the run ends, before the report is printed.
"""

from __future__ import annotations

import time

DELAY_SECONDS = 1.0


class Progress:
    def __init__(self, total: int, enabled: bool, description: str = "Checking"):
        self.total = total
        self.enabled = enabled and total > 0
        self.description = description
        self.done = 0
        self._started = time.monotonic()
        self._bar = None
        self._task = None

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self._started < DELAY_SECONDS or self.done >= self.total:
                return
            self._start_bar()
        self._bar.update(self._task, completed=self.done, total=self.total)

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.description, total=self.total, completed=self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

