"""Per-input parse time limit: a loader runs in a daemon thread, and only time spent waiting on it counts."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


class ParseTimeout(Exception):
    """The loader spent longer than the limit producing items."""


def iterate_with_limit(make_items: Callable[[], Iterator[T]], limit_s: float) -> Iterator[T]:
    """Yield `make_items()`'s items; raise `ParseTimeout` once waiting for them exceeds `limit_s` in total.

    Exceptions from the loader are re-raised here. A loader that overruns is abandoned (its thread is a
    daemon and stops at its next item).
    """
    items: queue.Queue = queue.Queue(maxsize=32)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in make_items():
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the consumer
            put(("error", exc))

    threading.Thread(target=produce, daemon=True, name="newsdesk-loader").start()
    waited = 0.0
    try:
        while True:
            started = time.monotonic()
            try:
                kind, value = items.get(timeout=max(limit_s - waited, 0.001))
            except queue.Empty:
                raise ParseTimeout(f"reading it took longer than {limit_s:g}s") from None
            finally:
                waited += time.monotonic() - started
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
