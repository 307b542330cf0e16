"""Opening the small SQLite side files of a data dir (feeds, HTTP cache) in WAL mode with their schema."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def open_wal(path: Path, schema: str, busy_timeout_s: float, **connect: object) -> sqlite3.Connection:
    """A connection to `path` in WAL mode (synchronous=NORMAL: a killed process loses nothing committed) with
    `schema` applied. Two connections creating the file at once (a chat and its watcher thread) can get
    "database is locked" at once, without SQLite's busy wait: that is retried for up to `busy_timeout_s`."""
    db = sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None, **connect)
    deadline = time.monotonic() + busy_timeout_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(schema)
            return db
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)
