"""Keeping the watched feeds fresh: poll every due feed through `index.ingest`, record each poll, back off on errors.

A `Watcher` loops: poll the feeds that are due (`FeedList.due`), one after another, each with
`ingest([url], settings)` (which fetches the feed, skips unchanged entries and indexes new or changed ones), record
the outcome (`FeedList.record_poll`: new items, errors, the next due time with backoff), then sleep until the
next feed is due. `run()` loops in the calling thread (`newsdesk watch`; Ctrl-C interrupts it, and what the
interrupted ingest did is recovered by the next one); `start()` runs the same loop in a daemon thread (a chat with
`--watch`). Questions never wait for it: qa reads the ledger and Chroma without `ingest.lock`.

Crash safety: a poll's state is written only after its ingest returned, so a watcher killed mid-poll (kill -9)
leaves the feed due; the next watcher polls it again, and that ingest first cleans up what the killed one left
half-written (the ledger's pending/done protocol). One watcher per data directory: `DATA_DIR/watch.lock` is held
with an advisory lock (released by the OS when the process dies); a second one raises `WatcherRunning`.

Why a plain loop and not APScheduler: the schedule is one number per feed (`next_due`, already in feeds.sqlite3,
which survives restarts and is shared with other processes), polls must run one at a time anyway (ingest takes
an exclusive lock on the data directory), and backoff changes each feed's next time after every poll. APScheduler
would add a dependency and a second copy of the schedule (its job store) to keep in step with feeds.sqlite3, for
nothing a 60-line loop over `next_due` does not do.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from index.errors import IngestError
from index.feeds import FeedList, FeedState, iso, one_line
from index.models import IngestReport
from index.settings import IndexSettings

log = logging.getLogger("newsdesk.watch")

# Longest sleep between two looks at the feed list: feeds added by another process (`newsdesk feeds add` while a
# watcher runs) get their first poll within this; an in-process add wakes the watcher at once.
RECHECK_S = 10.0
# After the feed list itself could not be read (disk full, broken file), wait this long before trying again.
STORAGE_RETRY_S = 30.0
# Log lines give a next poll sooner than this as a time of day; later ones (long intervals, backoff) with the date.
TIME_ONLY_WITHIN_S = 20 * 3600
WATCH_LOCK = "watch.lock"  # in the data dir; holds the watcher's pid for the "already running" message

Ingest = Callable[..., IngestReport]  # index.ingest's signature: (paths, settings) -> IngestReport


class WatcherRunning(IngestError):
    """Another watcher already watches this data directory's feeds."""


@dataclass
class PollOutcome:
    """One finished poll of one feed."""

    url: str
    started: float
    seconds: float
    new_items: int = 0  # added + updated articles
    unchanged: int = 0
    removed: int = 0  # articles the feed no longer holds (dropped by ingest)
    feed_error: str = ""  # the feed could not be read at all (counts as a failure, backs off)
    entry_errors: list[str] = field(default_factory=list)  # some entries could not be read
    state: FeedState | None = None  # after recording; None when the feed was removed meanwhile

    @property
    def ok(self) -> bool:
        return not self.feed_error

    def line(self) -> str:
        """One log line: when, which feed, what came of it, when it is polled next."""
        head = f"{iso(self.started)} {self.url}: "
        nxt = ""
        if self.state:  # the time of day, with the date when it is not within a day
            nxt = iso(self.state.next_due)
            nxt = nxt[11:] if self.state.next_due - self.started < TIME_ONLY_WITHIN_S else nxt
        if self.feed_error:
            failures = self.state.failures if self.state else 1
            return head + f"failed ({failures} in a row): {self.feed_error}" + (f"; retry at {nxt}" if nxt else "")
        parts = [f"{self.new_items} new", f"{self.unchanged} unchanged"]
        if self.removed:
            parts.append(f"{self.removed} removed")
        if self.entry_errors:
            parts.append(f"{len(self.entry_errors)} entries failed ({one_line(self.entry_errors[0])})")
        return head + ", ".join(parts) + f" in {self.seconds:.1f}s" + (f"; next poll at {nxt}" if nxt else "")


class Watcher:
    """Polls the due feeds of `settings.data_dir`, in the calling thread (`run`) or a background one (`start`)."""

    def __init__(self, settings: IndexSettings, on_poll: Callable[[PollOutcome], Any] | None = None,
                 ingest: Ingest | None = None, clock: Callable[[], float] = time.time,
                 on_problem: Callable[[str], Any] | None = None) -> None:
        self.settings = settings
        self.feeds = FeedList(settings, clock)
        self.clock = clock
        self.on_poll = on_poll or (lambda outcome: log.info(outcome.line()))
        self.on_problem = on_problem or log.warning
        self._ingest = ingest
        self._lock_file: IO[str] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.polling: str | None = None  # the feed being polled now

    # one watcher per data dir ----------------------------------------------------------------
    def acquire(self) -> None:
        """Take DATA_DIR/watch.lock, or raise `WatcherRunning` naming the process that holds it."""
        if self._lock_file is not None:
            return
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.settings.data_dir / WATCH_LOCK
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip()
            handle.close()
            who = f"process {pid}" if pid.isdigit() else "another process"
            raise WatcherRunning(
                f"the feeds of {self.settings.data_dir} are already watched by {who} (`newsdesk watch` or "
                "`newsdesk chat --watch`); stop that one first, or use another --data-dir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def release(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing drops the flock
            self._lock_file = None

    # polling -----------------------------------------------------------------------------------
    def poll(self, feed: FeedState) -> PollOutcome:
        """Ingest one feed now and record the outcome (the state is written only once the ingest returned)."""
        ingest = self._ingest
        if ingest is None:
            from index.pipeline import ingest
        started, began = self.clock(), time.monotonic()
        outcome = PollOutcome(url=feed.url, started=started, seconds=0.0)
        self.polling = feed.url
        try:
            report = ingest([feed.url], self.settings)
        except IngestError as exc:  # storage or settings trouble: one line, and back off like a broken feed
            outcome.feed_error = one_line(str(exc))
        except Exception as exc:  # a bug must not stop the other feeds; the traceback goes to the log
            log.exception("polling %s failed", feed.url)
            outcome.feed_error = one_line(f"unexpected {type(exc).__name__}: {exc}; see the log, report it")
        else:
            outcome.new_items = report.count("added") + report.count("updated")
            outcome.unchanged = report.count("unchanged")
            outcome.removed = report.count("removed")
            for failed in report.failed:
                if failed.input == feed.url:  # the feed itself: unreachable, HTTP error, not a feed
                    outcome.feed_error = one_line(failed.error)
                else:  # one entry ("URL entry N: ...")
                    outcome.entry_errors.append(one_line(failed.error))
        finally:
            self.polling = None
        outcome.seconds = time.monotonic() - began
        outcome.state = self.feeds.record_poll(feed.url, started, outcome.new_items, outcome.feed_error,
                                               outcome.entry_errors)
        return outcome

    def poll_due(self) -> list[PollOutcome]:
        """Poll every feed that is due now, longest overdue first; stops early when `stop()` was called."""
        outcomes = []
        for feed in self.feeds.due():
            if self._stop.is_set():
                break
            outcome = self.poll(feed)
            outcomes.append(outcome)
            self.on_poll(outcome)
        return outcomes

    def seconds_to_next(self) -> float:
        """How long to sleep: until the soonest feed is due, at most RECHECK_S."""
        soonest = self.feeds.next_due()
        if soonest is None:
            return RECHECK_S
        return min(max(0.0, soonest - self.clock()), RECHECK_S)

    def run(self, once: bool = False) -> list[PollOutcome]:
        """Poll due feeds until `stop()` (or one pass with `once`); returns the outcomes of a `once` pass.

        Holds DATA_DIR/watch.lock meanwhile (`WatcherRunning` if another watcher has it). A storage failure
        ends a `once` pass (raised); the loop reports it through `on_problem` and tries again later.
        """
        self.acquire()
        try:
            if once:
                return self.poll_due()
            while not self._stop.is_set():
                try:
                    self.poll_due()
                    wait = self.seconds_to_next()
                except IngestError as exc:
                    self.on_problem(f"cannot read the watched feeds: {one_line(str(exc))}; trying again in "
                                    f"{STORAGE_RETRY_S:g} s")
                    wait = STORAGE_RETRY_S
                self._wake.wait(wait)
                self._wake.clear()
            return []
        finally:
            self.release()

    # in the background -------------------------------------------------------------------------
    def start(self) -> threading.Thread:
        """Run the loop in a daemon thread; the lock is taken here, so `WatcherRunning` raises in the caller."""
        if self._thread is not None and self._thread.is_alive():
            return self._thread
        self.acquire()
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, daemon=True, name="newsdesk-watch")
        self._thread.start()
        return self._thread

    def wake(self) -> None:
        """Look at the feed list now (a feed was added or its interval changed)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop after the poll in progress (an ingest is not cut short); True once the loop has ended."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            self.release()
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
