"""Run one command and measure it: wall time, exit code, and peak memory.

Wall time is taken around the whole process (start-up included), because that is what a user
waits for. Memory is measured two ways:
- the largest single process (ru_maxrss from wait4: exact, free, covers waited-for workers);
- the sum over the whole process tree, sampled from /proc (Linux only, and only when asked,
  because polling /proc costs CPU that would disturb the timing).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Command:
    label: str
    argv: Sequence[str]
    cwd: Path
    one_core: bool = False  # pin to a single CPU (sched_setaffinity) for single-core comparisons


@dataclass(frozen=True)
class RunResult:
    seconds: float
    exit_code: int
    max_process_rss_mb: float
    cpu_seconds: float  # user + system time of the process and the children it waited for
    load_average: float  # 1-minute load average when the run started (other work on the machine)
    tree_rss_peak_mb: Optional[float]
    output_tail: str


def _pin_to_one_core():
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})


def can_pin() -> bool:
    return hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")


def _children(pid: int) -> List[int]:
    found: List[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _tree_rss_bytes(root_pid: int) -> int:
    total = 0
    pending = [root_pid]
    while pending:
        pid = pending.pop()
        total += _rss_bytes(pid)
        pending.extend(_children(pid))
    return total


class _TreeMemorySampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, _tree_rss_bytes(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def tree_sampling_available() -> bool:
    return os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def tool_environment() -> Dict[str, str]:
    """The environment the measured tools run in: this one, but with Python's bytecode cache on
    (PYTHONDONTWRITEBYTECODE would make every Python tool recompile its modules on every run,
    which no installed tool does)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(
    command: Command,
    sample_tree_memory: bool = False,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 3600.0,
) -> RunResult:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command.argv),
            cwd=str(command.cwd),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env if env is not None else tool_environment(),
            preexec_fn=_pin_to_one_core if command.one_core else None,
        )
        sampler = _TreeMemorySampler(process.pid) if sample_tree_memory else None
        if sampler:
            sampler.start()
        # Block in wait4 (no polling delay in the timing); a timer kills a runaway command.
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: do not leave the command running on its own
            process.kill()
            process.wait()
            raise
        finally:
            killer.cancel()
            if sampler:
                sampler.stop()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        tail = output.read()[-2000:].decode("utf-8", "replace")
    return RunResult(
        seconds=seconds,
        exit_code=process.returncode,
        # Linux reports ru_maxrss in KiB.
        max_process_rss_mb=usage.ru_maxrss * 1024 / 1e6,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        load_average=load,
        tree_rss_peak_mb=(sampler.peak / 1e6) if sampler else None,
        output_tail=tail,
    )
