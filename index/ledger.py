"""The ingest ledger (SQLite, WAL): what is indexed, from which file, and whether Chroma holds it yet.

Articles are `pending` from before their chunks are written to Chroma until after; `deleting` while
their chunks are removed. Anything not `done` at the start of an ingest is repaired first (see pipeline).
`Catalog` is the read side that `qa` uses.

`meta` also records how the index was embedded: `embed_model` and `embed_backend` (schema 2). A ledger from
before schema 2 that holds articles was embedded with `LEGACY_BACKEND`, the default of that time; opening it
records that. `backend_problem`/`check_backend` refuse vectors of another backend (see pipeline and store).

Each chunk row also stores the relative dates resolved at ingest (`chunks.dates`, schema 3: JSON from
`index.relative_dates.dumps_dates`, offsets into the article body). Ledgers from before schema 3 get the column
on opening, empty; `Catalog` resolves the dates of such chunks (and of chunks stored by another resolver
version) from the article body when reading, so every index serves current annotations.

Schema 4: table `stories` holds each article's story label and MinHash sketch (`index.stories`), written in the
same transaction as the article row (`mark_pending`) and dropped with it (`forget`). A story is the set of `done`
articles sharing a label; its representative (earliest published, ties → longest body) is derived when read,
never stored. A ledger from before schema 4 gets the (empty) table on opening; its articles, and any ingested
with `fold_copies` off, have no row and are grouped at the next ingest or remove (`StoryFolder.group_ungrouped`).
Until then `Catalog` shows each of them as its own story. `meta.story_sketch` names the sketch constants of the
stored rows; rows made with other constants are dropped and made again at the next ingest.

Server mode (index/replica.py): `meta.shelf_id` names the shared shelf this ledger has joined and `meta.shelf_token`
the shelf stamp last copied; `import_done` writes articles another process indexed (file "", no story row yet).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import IngestError
from index.models import Article, Chunk
from index.relative_dates import (RelativeDate, dates_in_span, dumps_dates, loads_dates, parse_published,
                                  resolve_relative_dates)
from index.settings import IndexSettings
from index.stories import Placement, Plan, Sketch

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL, source TEXT NOT NULL, url TEXT NOT NULL, author TEXT NOT NULL,
    published_at TEXT NOT NULL, published_ts INTEGER NOT NULL,
    origin TEXT NOT NULL, file TEXT NOT NULL, body TEXT NOT NULL, content_hash TEXT NOT NULL,
    chunks INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'deleting'))
);
CREATE INDEX IF NOT EXISTS articles_file ON articles(file);
CREATE INDEX IF NOT EXISTS articles_origin ON articles(origin);
-- covering indexes for the reads a question repeats after an ingest (they never touch the bodies)
CREATE INDEX IF NOT EXISTS articles_versions ON articles(state, id, content_hash);
CREATE INDEX IF NOT EXISTS articles_dates ON articles(state, published_ts);
CREATE INDEX IF NOT EXISTS articles_sources ON articles(state, source);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, dates TEXT
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS stories (
    article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL,
    shingles INTEGER NOT NULL, body_chars INTEGER NOT NULL, sketch BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_story ON stories(story_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
"""
SCHEMA_VERSION = 4  # 1: no schema key; 2: `embed_backend` recorded in meta; 3: `chunks.dates`; 4: `stories`
LEGACY_BACKEND = "torch"  # what an index built before schema 2 was embedded with
ARTICLE_FIELDS = "id, title, source, url, author, published_at, published_ts, origin, file, body, content_hash, chunks, state"


Span = tuple[int, int, int, str | None]  # a stored chunk: (index, start char, end char, dates JSON or None)


@dataclass
class ArticleRecord:
    """An indexed article without its body (for listings)."""

    id: str
    title: str
    source: str
    url: str
    author: str
    published_at: str
    published_ts: int
    origin: str
    chunks: int


# Representative first: known dates oldest first (unknown last), then the longest body, then the id.
STORY_ORDER = "(a.published_ts < 0), a.published_ts, COALESCE(s.body_chars, 0) DESC, a.id"
RECORD_FIELDS = "a.id, a.title, a.source, a.url, a.author, a.published_at, a.published_ts, a.origin, a.chunks"


@dataclass
class LedgerRow:
    """What the ledger holds about one article (for the pipeline's change detection)."""

    id: str
    content_hash: str
    origin: str
    file: str
    state: str


class Ledger:
    """Read/write access to the ledger database."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring an older ledger up to `SCHEMA_VERSION` (idempotent; one small transaction when needed)."""
        if (self.get_meta("schema") or 1) >= SCHEMA_VERSION:
            return
        with self.transaction() as db:
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found and int(found[0]) >= SCHEMA_VERSION:  # another process migrated it meanwhile
                return
            recorded = db.execute("SELECT value FROM meta WHERE key = 'embed_backend'").fetchone()
            if recorded is None and _holds_articles(db):
                db.execute("INSERT INTO meta VALUES ('embed_backend', ?)", (LEGACY_BACKEND,))
            if "dates" not in {row[1] for row in db.execute("PRAGMA table_info(chunks)")}:
                db.execute("ALTER TABLE chunks ADD COLUMN dates TEXT")  # NULL: resolved when read (Catalog)
            # schema 4: `stories` comes from SCHEMA (created if missing), empty: grouped at the next ingest
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # reads ---------------------------------------------------------------------------------
    def row(self, article_id: str) -> LedgerRow | None:
        found = self.db.execute(
            "SELECT id, content_hash, origin, file, state FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return LedgerRow(*found) if found else None

    def ids_in_file(self, file: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM articles WHERE file = ?", (file,))}

    def files_under(self, folder: str) -> set[str]:
        prefix = folder.rstrip("/") + "/"
        rows = self.db.execute("SELECT DISTINCT file FROM articles WHERE substr(file, 1, ?) = ?", (len(prefix), prefix))
        return {r[0] for r in rows}

    def unfinished(self) -> list[tuple[Article, str]]:
        """Articles left `pending` or `deleting` by an interrupted run, with their state."""
        rows = self.db.execute(f"SELECT {ARTICLE_FIELDS} FROM articles WHERE state != 'done'").fetchall()
        return [(_article(r), r[12]) for r in rows]

    def chunk_ids(self) -> dict[str, str]:
        """Chunk id → article id, for every chunk of a `done` article."""
        rows = self.db.execute(
            "SELECT chunks.id, article_id FROM chunks JOIN articles ON articles.id = article_id WHERE state = 'done'"
        )
        return dict(rows.fetchall())

    def articles_by_id(self, article_ids: Iterable[str]) -> list[Article]:
        found = []
        for article_id in article_ids:
            row = self.db.execute(f"SELECT {ARTICLE_FIELDS} FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row:
                found.append(_article(row))
        return found

    def ids_at_origin(self, origin: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM articles WHERE origin = ?", (origin,))}

    def describe(self, article_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(id, title, origin) of these articles, in the given order."""
        found = []
        for article_id in article_ids:
            row = self.db.execute("SELECT id, title, origin FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row:
                found.append(tuple(row))
        return found

    def file_of(self, article_id: str) -> str:
        found = self.db.execute("SELECT file FROM articles WHERE id = ?", (article_id,)).fetchone()
        return found[0] if found else ""

    # writes --------------------------------------------------------------------------------
    def mark_pending(self, items: Iterable[tuple[Article, str, list[Chunk]]], stories: Plan | None = None) -> None:
        """Record new/changed articles (with their chunk spans and story placements) as `pending`, before
        Chroma is touched. Without a placement an article's old story row goes (it is grouped later)."""
        with self.transaction() as db:
            if stories is not None:
                _write_stories(db, stories)
            for article, file, chunks in items:
                if stories is None or article.id not in stories.placements:
                    db.execute("DELETE FROM stories WHERE article_id = ?", (article.id,))
                db.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
                db.execute(
                    f"INSERT OR REPLACE INTO articles ({ARTICLE_FIELDS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'pending')",
                    (article.id, article.title, article.source, article.url, article.author, article.published_at,
                     article.published_ts, article.origin, file, article.body, article.content_hash, len(chunks)),
                )
                db.executemany(
                    "INSERT INTO chunks (id, article_id, idx, start_char, end_char, dates) VALUES (?,?,?,?,?,?)",
                    [(c.id, c.article_id, c.index, c.start_char, c.end_char, dumps_dates(c.dates)) for c in chunks],
                )

    def mark_done(self, article_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE articles SET state = 'done' WHERE id = ?", [(i,) for i in article_ids])
            _bump(db)

    def mark_deleting(self, article_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE articles SET state = 'deleting' WHERE id = ?", [(i,) for i in article_ids])

    def forget(self, article_ids: Iterable[str]) -> None:
        """Drop articles (after their Chroma chunks are gone)."""
        ids = [(i,) for i in article_ids]
        with self.transaction() as db:
            db.executemany("DELETE FROM chunks WHERE article_id = ?", ids)
            db.executemany("DELETE FROM stories WHERE article_id = ?", ids)
            db.executemany("DELETE FROM articles WHERE id = ?", ids)
            _bump(db)

    def holds_articles(self) -> bool:
        """Whether any article (in any state) is indexed: only then do its vectors have a backend."""
        return _holds_articles(self.db)

    def embed_backend(self) -> str | None:
        """The backend the index's vectors were made with; None for an index that holds none."""
        return built_backend(self.db)

    def get_meta(self, key: str) -> str | int | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | int) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # stories ----------------------------------------------------------------------------------
    def story_rows(self, version: str) -> Iterator[tuple[str, str, Sketch]]:
        """(article id, story label, sketch) of every grouped article not being deleted. Rows made with other
        sketch constants than `version` are dropped first (their articles count as ungrouped again)."""
        if self.get_meta("story_sketch") != version:
            with self.transaction() as db:
                db.execute("DELETE FROM stories")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('story_sketch', ?)", (version,))
        rows = self.db.execute(
            "SELECT s.article_id, s.story_id, s.shingles, s.sketch FROM stories s JOIN articles a "
            "ON a.id = s.article_id WHERE a.state != 'deleting'"
        )
        for article_id, story_id, shingles, sketch in rows:
            yield article_id, story_id, Sketch.from_bytes(sketch, shingles)

    def ungrouped(self) -> list[str]:
        """Ids of the done articles without a story row, oldest first."""
        rows = self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN stories s ON s.article_id = a.id "
            "WHERE s.article_id IS NULL AND a.state = 'done' ORDER BY a.published_ts, a.id"
        )
        return [r[0] for r in rows]

    def bodies(self, article_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(id, content hash, body) of these articles that are still done, in the given order."""
        found = []
        for article_id in article_ids:
            row = self.db.execute("SELECT id, content_hash, body FROM articles WHERE id = ? AND state = 'done'",
                                  (article_id,)).fetchone()
            if row:
                found.append(tuple(row))
        return found

    def write_stories(self, plan: Plan) -> None:
        """Store placements of already indexed articles (grouping them after the fact); readers see it at once."""
        with self.transaction() as db:
            _write_stories(db, plan)
            _bump(db)

    def body(self, article_id: str) -> str | None:
        found = self.db.execute("SELECT body FROM articles WHERE id = ? AND state != 'deleting'",
                                (article_id,)).fetchone()
        return found[0] if found else None

    def title_and_source(self, article_id: str) -> tuple[str, str] | None:
        found = self.db.execute("SELECT title, source FROM articles WHERE id = ?", (article_id,)).fetchone()
        return (found[0], found[1]) if found else None

    def move(self, article_id: str, origin: str, file: str) -> None:
        """An unchanged article now comes from another place."""
        with self.transaction() as db:
            db.execute("UPDATE articles SET origin = ?, file = ? WHERE id = ?", (origin, file, article_id))

    # the shared shelf (server mode, index/replica.py) ---------------------------------------------
    def states(self) -> dict[str, tuple[str, str]]:
        """Article id → (content hash, state) of every article in the ledger."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT id, content_hash, state FROM articles")}

    def with_spans(self, article_ids: Iterable[str]) -> list[tuple[Article, list[Span]]]:
        """These articles (any state) with their stored chunk spans, in the given order: what the shelf holds."""
        found = []
        for article in self.articles_by_id(article_ids):
            spans = self.db.execute("SELECT idx, start_char, end_char, dates FROM chunks WHERE article_id = ? "
                                    "ORDER BY idx", (article.id,)).fetchall()
            found.append((article, [tuple(s) for s in spans]))
        return found

    def import_done(self, items: Iterable[tuple[Article, list[Span]]]) -> None:
        """Write articles another process indexed (their chunks are already in Chroma) as `done`, replacing any
        local version; an article new here gets file "" (only ingesting its file here ties it to a file). Their
        story rows go: they are grouped here afterwards (`StoryFolder.group_ungrouped`)."""
        with self.transaction() as db:
            for article, spans in items:
                known = db.execute("SELECT file FROM articles WHERE id = ?", (article.id,)).fetchone()
                db.execute("DELETE FROM stories WHERE article_id = ?", (article.id,))
                db.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
                db.execute(
                    f"INSERT OR REPLACE INTO articles ({ARTICLE_FIELDS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'done')",
                    (article.id, article.title, article.source, article.url, article.author, article.published_at,
                     article.published_ts, article.origin, known[0] if known else "", article.body,
                     article.content_hash, len(spans)),
                )
                db.executemany(
                    "INSERT INTO chunks (id, article_id, idx, start_char, end_char, dates) VALUES (?,?,?,?,?,?)",
                    [(f"{article.id}:{idx}", article.id, idx, start, end, dates) for idx, start, end, dates in spans],
                )
            _bump(db)


def _write_stories(db: sqlite3.Connection, plan: Plan) -> None:
    """Placements and merges of one plan, inside the caller's transaction (merges first: placements hold the
    labels after them)."""
    for old, new in plan.relabel.items():
        db.execute("UPDATE stories SET story_id = ? WHERE story_id = ?", (new, old))
    db.executemany(
        "INSERT OR REPLACE INTO stories (article_id, story_id, shingles, body_chars, sketch) VALUES (?,?,?,?,?)",
        [_story_row(p) for p in plan.placements.values()],
    )


def _story_row(p: Placement) -> tuple[str, str, int, int, bytes]:
    return p.article_id, p.story_id, p.sketch.size, p.body_chars, p.sketch.to_bytes()


def _holds_articles(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None


def built_backend(db: sqlite3.Connection) -> str | None:
    """The recorded `embed_backend` (`LEGACY_BACKEND` for an unmigrated ledger with articles); None when empty."""
    if not _holds_articles(db):
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'embed_backend'").fetchone()
    return str(row[0]) if row else LEGACY_BACKEND


def backend_problem(built_with: str | None, settings: IndexSettings) -> str | None:
    """The one-line refusal when an index built with `built_with` is used with another embed_backend."""
    wanted = settings.embed_backend
    if built_with is None or built_with == wanted:
        return None
    return (f"the index in {settings.data_dir} was built with embed_backend '{built_with}', not '{wanted}' (their "
            f"vectors differ slightly and must not mix); set NEWSDESK_EMBED_BACKEND={built_with} (or "
            f"embed_backend = \"{built_with}\" in config.toml), or use a new data_dir and ingest again")


def check_backend(settings: IndexSettings) -> None:
    """Raise `IngestError` if the index in `settings.data_dir` was embedded with another backend.

    Read-only (the ledger is not created or migrated here). A ledger that cannot be read is left to the
    caller's own ledger access to report (Catalog, ingest), so this never masks a clearer storage error.
    """
    path = settings.ledger_path
    if not path.is_file():
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
        try:
            built_with = built_backend(db)
        finally:
            db.close()
    except sqlite3.Error:
        return
    problem = backend_problem(built_with, settings)
    if problem:
        raise IngestError(problem)


def _bump(db: sqlite3.Connection) -> None:
    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def _article(row: tuple) -> Article:
    return Article(id=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published_at=row[5],
                   published_ts=row[6], origin=row[7], body=row[9], content_hash=row[10])


class Catalog:
    """Read side of the ledger: what is indexed. Cheap to create; reads are always current."""

    def __init__(self, settings: IndexSettings) -> None:
        self._ledger = Ledger(settings.ledger_path)
        self._db = self._ledger.db
        self._fold = settings.fold_copies
        self._stories: tuple[int, dict] | None = None  # (generation, story lookups memoised in it)
        self._settings = settings
        self._replica: Any = None  # server mode: index.replica.Replica, made on the first refresh

    def close(self) -> None:
        if self._replica is not None:
            self._replica.close()
        self._ledger.close()

    def refresh(self) -> bool:
        """Server mode (`chroma_url` set): take in what other processes indexed on the shared Chroma server, at
        most every `index.replica.SYNC_INTERVAL_S` (index/replica.py). True when this catalog changed; always
        False (and free) with files in data_dir/chroma."""
        if not self._settings.chroma_url:
            return False
        if self._replica is None:
            from index.replica import Replica

            self._replica = Replica(self._settings)
        return self._replica.refresh()

    def articles(self) -> list[ArticleRecord]:
        """Every indexed article, newest first (unknown dates last)."""
        rows = self._db.execute(
            "SELECT id, title, source, url, author, published_at, published_ts, origin, chunks FROM articles "
            "WHERE state = 'done' ORDER BY published_ts DESC, title"
        )
        return [ArticleRecord(*r) for r in rows]

    def get(self, article_id: str) -> Article | None:
        row = self._db.execute(f"SELECT {ARTICLE_FIELDS} FROM articles WHERE id = ? AND state = 'done'",
                               (article_id,)).fetchone()
        return _article(row) if row else None

    def iter_chunks(self, article_ids: Iterable[str] | None = None) -> Iterator[Chunk]:
        """Every stored chunk (or those of these articles) with its text and relative dates, article by article
        in chunk order."""
        if article_ids is None:
            articles = self._db.execute(
                "SELECT id, body, published_at FROM articles WHERE state = 'done' ORDER BY id"
            ).fetchall()
        else:
            articles = []
            for article_id in sorted(set(article_ids)):
                articles += self._db.execute("SELECT id, body, published_at FROM articles WHERE id = ? AND "
                                             "state = 'done'", (article_id,)).fetchall()
        for article_id, body, published_at in articles:
            yield from self._chunks(article_id, body, published_at)

    def versions(self) -> dict[str, str]:
        """Article id → content hash of every indexed article: what changed since a cache was built."""
        return dict(self._db.execute("SELECT id, content_hash FROM articles WHERE state = 'done'").fetchall())

    def relative_dates(self, article_id: str) -> list[RelativeDate]:
        """The relative date phrases of an indexed article's body ("yesterday" → its date), in text order,
        as resolved at ingest (offsets into the body); [] for an unknown article."""
        row = self._db.execute("SELECT body, published_at FROM articles WHERE id = ? AND state = 'done'",
                               (article_id,)).fetchone()
        if row is None:
            return []
        unique = {(d.start, d.end): d for c in self._chunks(article_id, *row) for d in c.dates}
        return [unique[k] for k in sorted(unique)]

    def _chunks(self, article_id: str, body: str, published_at: str) -> Iterator[Chunk]:
        spans = self._db.execute(
            "SELECT idx, start_char, end_char, dates FROM chunks WHERE article_id = ? ORDER BY idx", (article_id,)
        ).fetchall()
        resolved: list[RelativeDate] | None = None  # the body's, resolved only if some chunk lacks stored dates
        for idx, start, end, stored in spans:
            dates = loads_dates(stored)
            if dates is None:
                if resolved is None:
                    resolved = resolve_relative_dates(body, parse_published(published_at))
                dates = dates_in_span(resolved, start, end)
            yield Chunk(id=f"{article_id}:{idx}", article_id=article_id, index=idx, text=body[start:end],
                        start_char=start, end_char=end, dates=dates)

    # stories -------------------------------------------------------------------------------------
    def story_of(self, article_id: str) -> str:
        """The story label of an indexed article ("" for an unknown one). An article not grouped (yet), or any
        article while `fold_copies` is off, is its own story, labelled with its article id."""
        memo = self._story_memo()
        key = ("of", article_id)
        if key not in memo:
            row = self._db.execute("SELECT s.story_id FROM articles a LEFT JOIN stories s ON s.article_id = a.id "
                                   "WHERE a.id = ? AND a.state = 'done'", (article_id,)).fetchone()
            memo[key] = "" if row is None else (row[0] if self._fold and row[0] else article_id)
        return memo[key]

    def story_members(self, story_id: str) -> list[ArticleRecord]:
        """The indexed articles of a story, representative first: the earliest published (unknown dates
        last), ties → the longest body. [] for an unknown label."""
        memo = self._story_memo()
        key = ("members", story_id)
        if key not in memo:
            rows = []
            if self._fold:
                rows = self._db.execute(
                    # CROSS JOIN: SQLite keeps this order, so the story's rows come from its index, not a scan
                    f"SELECT {RECORD_FIELDS} FROM stories s CROSS JOIN articles a ON a.id = s.article_id "
                    f"WHERE s.story_id = ? AND a.state = 'done' ORDER BY {STORY_ORDER}", (story_id,)).fetchall()
            if not rows:  # an article alone: not grouped (yet), or folding is off
                rows = [r for r in self._db.execute(
                    f"SELECT {RECORD_FIELDS}, s.story_id FROM articles a LEFT JOIN stories s ON s.article_id = a.id "
                    "WHERE a.id = ? AND a.state = 'done'", (story_id,)).fetchall()
                    if not (self._fold and r[9] and r[9] != story_id)]
                rows = [r[:9] for r in rows]
            memo[key] = tuple(ArticleRecord(*r) for r in rows)
        return list(memo[key])

    def representative(self, article_id: str) -> str:
        """The id of the representative of the article's story (the article itself when alone; "" unknown)."""
        members = self.story_members(self.story_of(article_id)) if self.story_of(article_id) else []
        return members[0].id if members else ""

    def _story_memo(self) -> dict:
        """Story lookups of the current index generation: read per article from SQLite (indexed), never the
        whole table, so a new article costs the next question nothing here."""
        generation = self.generation
        if self._stories is None or self._stories[0] != generation:
            self._stories = (generation, {})
        return self._stories[1]

    def chunk_count(self) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM chunks JOIN articles ON articles.id = chunks.article_id WHERE state = 'done'"
        ).fetchone()
        return int(row[0])

    @property
    def generation(self) -> int:
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def sources(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT source FROM articles WHERE state = 'done' AND source != '' ORDER BY source")
        return [r[0] for r in rows]

    def newest_ts(self) -> int | None:
        """The newest known publication time (Unix seconds) among indexed articles; None when none is dated."""
        row = self._db.execute("SELECT MAX(published_ts) FROM articles WHERE state = 'done' AND published_ts > 0"
                               ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles WHERE state = 'done'").fetchone()[0])


