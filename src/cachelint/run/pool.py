"""A small pool of forked worker processes that answer byte messages, for the scheduler.

Why not `concurrent.futures.ProcessPoolExecutor`: in a run over a big tree that does almost no
analysis (measured: 7,224 files, 0.5 s in all on 2 cores) the executor costs a tenth of the run.
Importing it with `multiprocessing` takes 15 to 20 ms before the first worker starts, and its
two threads in this process (a manager and a queue feeder) pickle, unpickle and hand over every
batch, about 0.3 ms of CPU each, which competes with the workers for the same cores. Here each
worker is forked once, gets its messages on a pipe of its own and answers on another; this
process only writes small messages and reads answers (`poll`), without threads.

Each message is answered by `serve(message)` in a worker, one message per worker at a time, so
that a message submitted `first` (a file to analyse, found while triaging) goes to the next
worker that is free. A worker that dies (killed, out of memory, an exception escaping `serve`)
loses the message it held: `results` gives it with the answer None, for the caller to redo, and
the other workers go on.

POSIX only (it forks): the scheduler uses it where it forks anyway (Linux).
"""

from __future__ import annotations

import collections
import os
import select
import struct
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Deque, Iterable, Iterator, List, Optional, Tuple

_HEADER = struct.Struct("<Q")  # the length of the message that follows
# Messages a worker holds. One: a message never waits behind a worker's long analysis while
# another worker is free, and one submitted `first` goes to the next free worker.
_IN_FLIGHT = 1
_READ_SIZE = 1 << 20


class _Worker:
    def __init__(self, pid: int, to_worker: int, from_worker: int):
        self.pid = pid
        self.to_worker = to_worker  # None once closed
        self.from_worker = from_worker
        self.held: List[object] = []  # keys of the messages sent and not yet answered


class ForkPool:
    def __init__(self, workers: int, serve: "Callable[[bytes], bytes]"):
        self._workers: List[_Worker] = []
        self._waiting: Deque[Tuple[object, bytes]] = collections.deque()
        try:
            for _ in range(workers):
                self._workers.append(self._fork(serve))
        except BaseException:
            self.terminate()
            raise

    def _fork(self, serve: "Callable[[bytes], bytes]") -> _Worker:
        task_read, task_write = os.pipe()
        answer_read, answer_write = os.pipe()
        _flush_standard_streams()  # nothing buffered here is written twice, by a worker too
        try:
            pid = os.fork()
        except OSError:
            for descriptor in (task_read, task_write, answer_read, answer_write):
                os.close(descriptor)
            raise
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                os.close(task_write)
                os.close(answer_read)
                for other in self._workers:  # the other workers' pipes, inherited at the fork
                    for descriptor in (other.to_worker, other.from_worker):
                        if descriptor is not None:
                            os.close(descriptor)
                _ignore_interrupts()  # Ctrl-C stops this process's parent, which ends the pool
                while True:
                    message = _read_message(task_read)
                    if message is None:  # the pool is closing
                        break
                    _write_message(answer_write, serve(message))
                code = 0
            finally:
                os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
        os.close(task_read)
        os.close(answer_write)
        return _Worker(pid, task_write, answer_read)

    def submit(self, key: object, message: bytes, first: bool = False) -> None:
        """Queue `message`; `first`: ahead of every message still waiting. `results` gives
        its answer with `key`. May be called while `results` is being iterated."""
        if first:
            self._waiting.appendleft((key, message))
        else:
            self._waiting.append((key, message))

    def results(self) -> "Iterator[Tuple[object, Optional[bytes]]]":
        """(key, answer) for each submitted message as answers arrive, until none is waiting or
        in flight; the answer is None for a message whose worker died before answering it."""
        while True:
            live = [worker for worker in self._workers if worker.to_worker is not None]
            if not live:
                while self._waiting:  # no worker left: all of it to redo
                    yield self._waiting.popleft()[0], None
                return
            for worker in live:
                if self._waiting and len(worker.held) < _IN_FLIGHT:
                    key, message = self._waiting[0]
                    try:
                        _write_message(worker.to_worker, message)
                    except OSError:  # its end of the pipe is closed: it died
                        for lost in self._lost(worker):
                            yield lost, None
                        continue
                    self._waiting.popleft()
                    worker.held.append(key)
            busy = {worker.from_worker: worker for worker in live if worker.held}
            if not busy:
                if self._waiting:
                    continue  # the workers it was sent to had died: try the others
                return
            for descriptor in _readable(busy):
                worker = busy[descriptor]
                answer = _read_message(descriptor)
                if answer is None:  # it died: what it held is redone by the caller
                    for lost in self._lost(worker):
                        yield lost, None
                    continue
                yield worker.held.pop(0), answer

    def _lost(self, worker: _Worker) -> "List[object]":
        """A worker that died: wait for its end; the keys of the messages it held."""
        self._bury(worker)
        held, worker.held = worker.held, []
        return held

    def release(self) -> None:
        """Tell every worker to exit once it has answered what it holds; do not wait."""
        for worker in self._workers:
            if worker.to_worker is not None:
                os.close(worker.to_worker)
                worker.to_worker = None

    def close(self) -> None:
        """Let the workers finish and wait for them to exit."""
        self.release()
        for worker in self._workers:
            self._bury(worker)
        self._workers = []

    def terminate(self) -> None:
        """Stop the workers at once (this process is giving up: an error, Ctrl-C)."""
        import signal

        for worker in self._workers:
            if worker.pid:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except OSError:
                    pass
        self.close()

    def _bury(self, worker: _Worker) -> None:
        if worker.to_worker is not None:
            os.close(worker.to_worker)
            worker.to_worker = None
        if worker.from_worker is not None:
            os.close(worker.from_worker)
            worker.from_worker = None
        if worker.pid:
            try:
                os.waitpid(worker.pid, 0)
            except ChildProcessError:
                pass
            worker.pid = 0


def _readable(descriptors: "Iterable[int]") -> "List[int]":
    """The descriptors with something to read (or at their end); waits for one at least.
    `poll` where there is one: `select` cannot wait on descriptor numbers past 1023."""
    if hasattr(select, "poll"):
        poller = select.poll()
        for descriptor in descriptors:
            poller.register(descriptor, select.POLLIN)
        return [descriptor for descriptor, _ in poller.poll()]
    return select.select(list(descriptors), [], [])[0]


def _flush_standard_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # closed, or nowhere to write: nothing to duplicate then
            pass


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_message(descriptor: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _read_message(descriptor: int) -> "Optional[bytes]":
    """The next message, or None at the end of the stream (also in the middle of a message:
    its writer died)."""
    header = _read_exactly(descriptor, _HEADER.size)
    if header is None:
        return None
    return _read_exactly(descriptor, _HEADER.unpack(header)[0])


def _read_exactly(descriptor: int, size: int) -> "Optional[bytes]":
    first = os.read(descriptor, size)
    if len(first) == size:
        return first
    if not first and size:
        return None
    parts = [first]
    missing = size - len(first)
    while missing:
        part = os.read(descriptor, min(missing, _READ_SIZE))
        if not part:
            return None
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)
