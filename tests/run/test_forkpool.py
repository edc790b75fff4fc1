"""The forked worker pool: every message answered once, under its key; a message submitted
`first` goes to the next free worker; a dead worker's message comes back unanswered (None) for
the caller to redo; no worker outlives the pool."""

from __future__ import annotations

import os
import time

import pytest

from cachelint.run.pool import ForkPool

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool forks")


def reverse(message: bytes) -> bytes:
    return message[::-1]


def answers(pool, messages):
    for position, message in enumerate(messages):
        pool.submit(position, message)
    return dict(pool.results())


def assert_reaped(pids):
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_every_message_is_answered_once():
    messages = [str(i).encode() * (i % 7 + 1) for i in range(200)]
    pool = ForkPool(3, reverse)
    pids = [worker.pid for worker in pool._workers]
    try:
        assert answers(pool, messages) == {i: m[::-1] for i, m in enumerate(messages)}
        assert answers(pool, [b"again"]) == {0: b"niaga"}  # the pool can be reused
    finally:
        pool.close()
    assert_reaped(pids)


def test_answers_bigger_than_a_pipe_holds():
    big = bytes(range(256)) * 20_000  # 5 MB each way
    pool = ForkPool(2, reverse)
    try:
        assert answers(pool, [big, b"x", big]) == {0: big[::-1], 1: b"x", 2: big[::-1]}
    finally:
        pool.close()


def test_a_message_submitted_first_goes_to_the_next_free_worker():
    pool = ForkPool(1, reverse)
    order = []
    try:
        for position in range(5):
            pool.submit(position, b"%d" % position)
        for key, answer in pool.results():
            order.append(key)
            if key == 1:  # found while answers come in: goes ahead of 2, 3 and 4
                pool.submit("urgent", b"!", first=True)
    finally:
        pool.close()
    assert order == [0, 1, "urgent", 2, 3, 4]


def test_a_dead_worker_loses_only_what_it_held():
    parent = os.getpid()

    def serve(message: bytes) -> bytes:
        if message == b"die" and os.getpid() != parent:
            os._exit(3)
        return message.upper()

    messages = [b"a", b"b", b"die"] + [b"c%d" % i for i in range(40)]
    pool = ForkPool(2, serve)
    try:
        answered = answers(pool, messages)
    finally:
        pool.close()
    assert answered == {i: (None if m == b"die" else m.upper()) for i, m in enumerate(messages)}


def test_when_every_worker_dies_the_rest_comes_back_unanswered():
    def serve(message: bytes) -> bytes:
        os._exit(1)

    pool = ForkPool(2, serve)
    try:
        answered = answers(pool, [b"%d" % i for i in range(10)])
    finally:
        pool.close()
    assert answered == {i: None for i in range(10)}


def test_an_exception_in_serve_is_a_dead_worker():
    def serve(message: bytes) -> bytes:
        raise ValueError(message)

    pool = ForkPool(1, serve)
    try:
        assert answers(pool, [b"x", b"y"]) == {0: None, 1: None}
    finally:
        pool.close()


def test_terminate_stops_busy_workers():
    def serve(message: bytes) -> bytes:
        time.sleep(60)
        return message

    pool = ForkPool(2, serve)
    pids = [worker.pid for worker in pool._workers]
    for message in (b"a", b"b", b"c"):
        pool.submit(message, message)
    with pytest.raises(TimeoutError):
        _first_within(pool.results(), seconds=0.5)  # both workers are busy with a message now
    started = time.monotonic()
    pool.terminate()
    assert time.monotonic() - started < 10
    assert_reaped(pids)


def _first_within(answers, seconds: float):
    import signal

    def expire(*_):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return next(answers)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_release_lets_idle_workers_exit():
    pool = ForkPool(2, reverse)
    pids = [worker.pid for worker in pool._workers]
    assert answers(pool, [b"ab"]) == {0: b"ba"}
    pool.release()
    running = set(pids)
    deadline = time.monotonic() + 10
    while running and time.monotonic() < deadline:  # they exit before anyone waits for them
        running = {pid for pid in running if not os.waitpid(pid, os.WNOHANG)[0]}
        time.sleep(0.01)
    assert not running, "released workers did not exit"
    pool.close()
