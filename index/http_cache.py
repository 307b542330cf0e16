"""What fetching remembers between runs (SQLite, WAL, `data_dir/http_cache.sqlite3`).

`validators`: the ETag / Last-Modified a feed or page last answered with, for conditional GETs.
`entries`: a feed entry whose teaser was completed from its page — the entry's content hash and the hash of
the full article indexed for it — so a re-poll of an unchanged entry reuses the indexed article without
fetching the page. Losing this file costs only re-fetching; nothing indexed depends on it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from index.fetch import Validators
from index.sqlite_wal import open_wal

SCHEMA = """
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY, etag TEXT NOT NULL, last_modified TEXT NOT NULL, saved_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    article_id TEXT PRIMARY KEY, entry_hash TEXT NOT NULL, article_hash TEXT NOT NULL, page_url TEXT NOT NULL,
    saved_at REAL NOT NULL
);
"""
BUSY_TIMEOUT_S = 60  # another process (the feed watcher, an ingest) may hold the write lock this long


@dataclass(frozen=True)
class CompletedEntry:
    """A teaser entry (by its content hash) that became the full article with `article_hash`."""

    entry_hash: str
    article_hash: str
    page_url: str


def http_cache_path(data_dir: Path) -> Path:
    return data_dir / "http_cache.sqlite3"


class HttpCache:
    """Read/write access to the HTTP cache of one data directory (single autocommit statements; any thread)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = open_wal(path, SCHEMA, BUSY_TIMEOUT_S, check_same_thread=False)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HttpCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # validators ----------------------------------------------------------------------------------------------
    def validators(self, url: str) -> Validators | None:
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return Validators(*row) if row else None

    def save_validators(self, url: str, validators: Validators) -> None:
        if not validators:
            self.forget_validators(url)
            return
        self.db.execute("INSERT OR REPLACE INTO validators VALUES (?, ?, ?, ?)",
                        (url, validators.etag, validators.last_modified, time.time()))

    def forget_validators(self, url: str) -> None:
        self.db.execute("DELETE FROM validators WHERE url = ?", (url,))

    # completed teaser entries --------------------------------------------------------------------------------
    def completed(self, article_id: str) -> CompletedEntry | None:
        row = self.db.execute("SELECT entry_hash, article_hash, page_url FROM entries WHERE article_id = ?",
                              (article_id,)).fetchone()
        return CompletedEntry(*row) if row else None

    def save_completed(self, article_id: str, entry: CompletedEntry) -> None:
        self.db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                        (article_id, entry.entry_hash, entry.article_hash, entry.page_url, time.time()))
