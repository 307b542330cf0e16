"""How many questions are answered at once: a bounded count of questions in flight, and a clear error past it."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qa.errors import BusyError

# Default questions in flight per backend. The in-process model drafts one answer at a time (~4 s each on a
# laptop), so a fifth waiting user is better told "busy" than kept ~20 s; extractive answers take ~50 ms and
# remote servers batch many requests, so 64 keep a burst of users served without unbounded threads.
DEFAULT_IN_FLIGHT = {"local": 4}
DEFAULT_IN_FLIGHT_OTHERS = 64


# Questions worked on at once, out of those admitted. Retrieval, checking and extractive answers are CPU work
# in Python: run 50 at once on 2 cores and the GIL interleaves them so every one finishes near the end of the
# burst (50 extractive answers: p50 3.4 s). Worked on a few at a time, in arrival order, the early ones finish
# early. Remote backends mostly wait on the network, so every admitted question works at once there.
CPU_BOUND_BACKENDS = ("local", "extractive")
CPU_WORKERS_PER_CORE = 1


def worker_limit(settings: Any, in_flight: int) -> int:
    if settings.llm in CPU_BOUND_BACKENDS:
        return max(1, min(in_flight, (os.cpu_count() or 1) * CPU_WORKERS_PER_CORE))
    return in_flight


def in_flight_limit(settings: Any) -> int:
    """`settings.max_in_flight`, or the backend's default."""
    if settings.max_in_flight is not None:
        return int(settings.max_in_flight)
    return DEFAULT_IN_FLIGHT.get(settings.llm, DEFAULT_IN_FLIGHT_OTHERS)


class Admission:
    """Admits at most `limit` questions at once; the next one gets `BusyError` at once instead of queueing
    without bound (a server's callers then see "busy, try again" rather than a request that hangs).
    Of the admitted ones, `workers` are worked on at once (`working()`), the others wait their turn in order."""

    def __init__(self, limit: int, workers: int | None = None) -> None:
        self.limit = limit
        self.workers = workers or limit
        self._turns = _FifoSemaphore(self.workers)
        self._slots = threading.BoundedSemaphore(limit)
        self._count_lock = threading.Lock()
        self.in_flight = 0

    def enter(self) -> None:
        """Take a slot, or raise `BusyError` at once when all are taken."""
        if not self._slots.acquire(blocking=False):
            raise BusyError(f"busy: {self.limit} questions are being answered already; try again in a moment, "
                            "or raise max_in_flight (NEWSDESK_MAX_IN_FLIGHT)")
        with self._count_lock:
            self.in_flight += 1

    def leave(self) -> None:
        with self._count_lock:
            self.in_flight -= 1
        self._slots.release()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    @contextmanager
    def working(self) -> Iterator[None]:
        """Hold one of the `workers` turns (blocking, first come first served)."""
        self._turns.acquire()
        try:
            yield
        finally:
            self._turns.release()


class _FifoSemaphore:
    """A counting semaphore that hands turns out in arrival order (threading.Semaphore wakes any waiter)."""

    def __init__(self, value: int) -> None:
        self._value = value
        self._lock = threading.Lock()
        self._waiters: "deque[threading.Event]" = deque()

    def acquire(self) -> None:
        with self._lock:
            if self._value > 0 and not self._waiters:
                self._value -= 1
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # release() hands its unit straight to us

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._value += 1
