"""The watched feeds and each one's poll state, kept in `settings.feeds_path` (DATA_DIR/feeds.sqlite3).

`FeedList(settings)` adds, lists and removes feeds and records the outcome of each poll (`index/watch.py` does the
polling). The file is SQLite in WAL mode: every call opens a short connection and writes in one transaction, so
several processes (a `newsdesk watch`, a chat, `newsdesk feeds add`) can use it at once, and a process killed at
any moment leaves either the old state or the new one. Poll state is written only after a poll has finished, so
a poll that was cut short is simply due again.

Times are Unix seconds (wall clock, so they survive restarts); `clock` is injectable for tests. Other modules may
keep their own tables in the same file (helper tables such as HTTP validators): this one owns table `feeds`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from index.sqlite_wal import open_wal
from index.errors import storage_guard
from index.settings import IndexSettings

# Same bounds as settings.feed_interval_min: 3 s lets tests poll quickly, a week is the longest sensible wait.
MIN_INTERVAL_MIN = 0.05
MAX_INTERVAL_MIN = 10080.0
# Exponential backoff after failed polls: the wait doubles per consecutive failure (a flaky feed is retried soon,
# a dead one ever less often)...
BACKOFF_FACTOR = 2.0
# ...up to 6 hours: a feed that is down for a day is still retried four times a day, and comes back within hours.
BACKOFF_CAP_MIN = 360.0
# last_error is one line; longer messages (a server's HTML error page in an exception) are cut here.
MAX_ERROR_CHARS = 300
# How long a writer waits for another process's transaction (they last milliseconds).
BUSY_TIMEOUT_S = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    interval_min REAL,              -- NULL: settings.feed_interval_min
    added_at REAL NOT NULL,
    last_poll REAL,                 -- when the last finished poll started
    last_success REAL,              -- when the last poll that read the feed started
    next_due REAL NOT NULL,
    new_items INTEGER NOT NULL DEFAULT 0,     -- added + updated articles in the last poll
    total_added INTEGER NOT NULL DEFAULT 0,   -- added + updated articles over all polls
    last_error TEXT NOT NULL DEFAULT '',      -- one line; '' when the last poll had no failure
    failures INTEGER NOT NULL DEFAULT 0       -- consecutive polls that could not read the feed
);
"""
COLUMNS = ("url", "interval_min", "added_at", "last_poll", "last_success", "next_due", "new_items", "total_added",
           "last_error", "failures")


@dataclass
class FeedState:
    """One watched feed and what its polls did."""

    url: str
    interval_min: float | None  # this feed's own interval; None follows settings.feed_interval_min
    added_at: float
    last_poll: float | None
    last_success: float | None
    next_due: float
    new_items: int
    total_added: int
    last_error: str
    failures: int

    def interval(self, default_min: float) -> float:
        """Minutes between two polls of this feed."""
        return self.interval_min if self.interval_min is not None else default_min

    def to_json(self) -> dict[str, Any]:
        """The `newsdesk feeds list --json` form: the fields, plus ISO times next to the Unix ones."""
        data = asdict(self)
        for name in ("added_at", "last_poll", "last_success", "next_due"):
            data[f"{name}_iso"] = iso(data[name])
        return data


@dataclass
class FeedChange:
    """What add/remove did to one URL (like `FileResult` for ingest)."""

    url: str
    status: Literal["added", "updated", "unchanged", "removed", "failed"]
    error: str = ""  # one line naming the problem and the fix, when status == "failed"


def iso(timestamp: float | None) -> str:
    """Local time as "YYYY-MM-DD HH:MM:SS", "" for None."""
    return "" if timestamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def url_problem(url: str) -> str:
    """Why `url` cannot be watched ("" when it can): http(s) with a host, no spaces."""
    if not url:
        return "the feed URL is empty; give an http:// or https:// address, e.g. https://example.org/feed.xml"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url}: a feed URL must start with http:// or https://, e.g. https://example.org/feed.xml"
    if not parts.hostname or any(c.isspace() for c in url):
        return f"{url}: not a valid web address (no host, or spaces in it); copy the feed's address again"
    return ""


def interval_problem(interval_min: float | None) -> str:
    """Why `interval_min` cannot be a feed's interval ("" when it can, or when None: the default)."""
    if interval_min is None:
        return ""
    if not isinstance(interval_min, (int, float)) or not MIN_INTERVAL_MIN <= interval_min <= MAX_INTERVAL_MIN:
        return (f"interval_min (--every) {interval_min!r}: a feed's interval must be a number of minutes from "
                f"{MIN_INTERVAL_MIN:g} to {MAX_INTERVAL_MIN:g} (a week), e.g. --every 30")
    return ""


def backoff_delay_min(interval_min: float, failures: int) -> float:
    """Minutes to wait after `failures` consecutive failed polls (0: a success waits the interval).

    interval * BACKOFF_FACTOR ** failures, at most BACKOFF_CAP_MIN, but never less than the interval itself
    (a feed polled weekly is not retried sooner because it failed).
    """
    if failures <= 0:
        return interval_min
    grown = interval_min * BACKOFF_FACTOR ** min(failures, 64)  # the exponent is bounded so it stays a float
    return max(interval_min, min(grown, BACKOFF_CAP_MIN))


def one_line(text: str) -> str:
    """`text` on one line, at most MAX_ERROR_CHARS characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"


class FeedList:
    """The watched feeds of one data directory. Cheap to create; every call reads the file afresh."""

    def __init__(self, settings: IndexSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.path = settings.feeds_path
        self.clock = clock

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with storage_guard(self.settings):  # read-only or full data dir, broken file: one line naming data_dir
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = open_wal(self.path, SCHEMA, BUSY_TIMEOUT_S)
            try:
                if not write:
                    yield db
                    return
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            finally:
                db.close()

    # reads ---------------------------------------------------------------------------------------
    def list(self) -> list[FeedState]:
        """Every watched feed, in the order they were added."""
        with self._db() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feeds ORDER BY added_at, url").fetchall()
        return [FeedState(*row) for row in rows]

    def get(self, url: str) -> FeedState | None:
        with self._db() as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feeds WHERE url = ?", (url.strip(),)).fetchone()
        return FeedState(*row) if row else None

    def due(self, now: float | None = None) -> list[FeedState]:
        """Feeds whose next poll is due at `now` (default: the clock), longest overdue first. A feed last polled
        "in the future" (the system clock was set back) is due too, rather than waiting for the clock to catch up."""
        now = self.clock() if now is None else now
        due = [f for f in self.list() if f.next_due <= now or (f.last_poll is not None and f.last_poll > now)]
        return sorted(due, key=lambda f: (f.next_due, f.url))

    def next_due(self) -> float | None:
        """When the soonest poll is due (None: no feeds)."""
        with self._db() as db:
            (soonest,) = db.execute("SELECT MIN(next_due) FROM feeds").fetchone()
        return soonest

    # writes --------------------------------------------------------------------------------------
    def add(self, urls: Iterable[str], interval_min: float | None = None) -> list[FeedChange]:
        """Watch these feeds (first poll due at once). A feed already watched gets `interval_min` (None: the
        default) as its interval: "updated" when that changed it, else "unchanged". Bad URLs are "failed";
        a bad interval raises ValueError (one line) and changes nothing."""
        urls = [urls] if isinstance(urls, str) else list(urls)
        problem = interval_problem(interval_min)
        if problem:
            raise ValueError(problem)
        changes: list[FeedChange] = []
        now = self.clock()
        with self._db(write=True) as db:
            for raw in urls:
                url = raw.strip()
                problem = url_problem(url)
                if problem:
                    changes.append(FeedChange(url, "failed", problem))
                    continue
                row = db.execute("SELECT interval_min, last_poll, failures FROM feeds WHERE url = ?", (url,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO feeds (url, interval_min, added_at, next_due) VALUES (?, ?, ?, ?)",
                               (url, interval_min, now, now))
                    changes.append(FeedChange(url, "added"))
                elif row[0] == interval_min:
                    changes.append(FeedChange(url, "unchanged"))
                else:
                    _, last_poll, failures = row
                    wait = backoff_delay_min(interval_min or self.settings.feed_interval_min, failures)
                    next_due = now if last_poll is None else max(last_poll + wait * 60, now)
                    db.execute("UPDATE feeds SET interval_min = ?, next_due = ? WHERE url = ?",
                               (interval_min, next_due, url))
                    changes.append(FeedChange(url, "updated"))
        return changes

    def remove(self, urls: Iterable[str]) -> list[FeedChange]:
        """Stop watching these feeds (their indexed articles stay: `remove` in index drops those)."""
        urls = [urls] if isinstance(urls, str) else list(urls)
        changes = []
        with self._db(write=True) as db:
            for raw in urls:
                url = raw.strip()
                if db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount:
                    changes.append(FeedChange(url, "removed"))
                else:
                    changes.append(FeedChange(url, "failed", f"{url}: not a watched feed; list them with "
                                                             "`newsdesk feeds list`"))
        return changes

    def record_poll(self, url: str, started: float, new_items: int, feed_error: str = "",
                    entry_errors: Iterable[str] = ()) -> FeedState | None:
        """Record a finished poll that started at `started`; returns the new state (None: no longer watched).

        `feed_error` (one line) means the feed could not be read at all: it counts as a failure and the next
        poll backs off. `entry_errors` (some entries unreadable, the feed itself fine) are kept in last_error
        but are no failure: the feed is polled at its normal interval.
        """
        entry_errors = list(entry_errors)
        if feed_error:
            error = one_line(feed_error)
        elif entry_errors:
            more = f"{len(entry_errors)} entries failed, first: " if len(entry_errors) > 1 else ""
            error = one_line(more + entry_errors[0])
        else:
            error = ""
        with self._db(write=True) as db:
            row = db.execute("SELECT interval_min, failures FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is None:  # removed while it was being polled
                return None
            interval = row[0] if row[0] is not None else self.settings.feed_interval_min
            failures = row[1] + 1 if feed_error else 0
            next_due = self.clock() + backoff_delay_min(interval, failures) * 60
            db.execute(
                "UPDATE feeds SET last_poll = ?, last_success = CASE WHEN ? THEN last_success ELSE ? END, "
                "next_due = ?, new_items = ?, total_added = total_added + ?, last_error = ?, failures = ? "
                "WHERE url = ?",
                (started, bool(feed_error), started, next_due, new_items, new_items, error, failures, url),
            )
            found = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(*found)

