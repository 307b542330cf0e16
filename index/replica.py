"""Several Newsdesk processes on one Chroma server: the shared article *shelf* and each process's replica of it.

In server mode (`chroma_url` set) the chunks live on the server, but the article records (bodies, chunk spans,
relative dates) that the question side reads through `Catalog` live in each data dir's SQLite ledger. So that
another process (another machine, another data dir) can answer from what one process indexed, a writer also
keeps every article on the server, in a companion Chroma collection `f"{collection}{SHELF_SUFFIX}"`:

- one record per `done` article: id = article id, document = body, metadata = the article's fields, its
  content hash and its chunk spans with their resolved relative dates (`spans`, JSON);
- one stamp record (`STAMP_ID`): a fresh random `token` on every write, the shelf's `shelf_id` (made once), and
  the `embed_model`/`embed_backend` the chunks were embedded with.

Chroma stores an embedding with every record; shelf records are only read by id, so each gets `SHELF_VECTOR`.

Writing (index/pipeline.py, under the data dir's ingest.lock): an ingest or remove first `pull`s the shelf into
its ledger, then writes chunks → shelf records → ledger `done` (flush), and ledger `deleting` → shelf records →
chunks → rows gone (remove), restamping after each. A ledger joins a shelf once (`meta.shelf_id`): at that first
contact its own `done` articles missing from the shelf are published rather than dropped (an index built in
server mode before the shelf existed). After that, an article missing from the shelf was removed elsewhere.

Reading (`Catalog.refresh`, called by the retriever before each question): at most every `SYNC_INTERVAL_S` per
process, one at a time, and never while an ingest of this data dir runs, `Replica` reads the stamp; when its
token changed it lists the shelf's (id, content hash), fetches only new or changed records (embeddings are never
recomputed: the chunks are on the server already), writes them into the local ledger as `done`, drops what is
gone, and groups the new articles into stories locally (index/stories.py). Stories, BM25 and the sentence cache
stay per process, derived from the local copy.

Supported: one writer at a time over the shared server (any process; several in turn), any number of readers.
Not supported: two ingests running at once on different data dirs over one server (nothing serialises them:
one's repair step can drop the other's chunks in flight; the last shelf write per article wins).
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from index.errors import IngestError
from index.ledger import Ledger, Span
from index.models import Article
from index.settings import IndexSettings

log = logging.getLogger(__name__)

SHELF_SUFFIX = "-articles"  # the companion collection next to the chunks: "newsdesk" → "newsdesk-articles"
STAMP_ID = "~shelf-stamp"  # article ids are 16 hex digits, so this id never names an article
SHELF_VECTOR = [1.0]  # Chroma wants an embedding per record; shelf records are read by id, never by similarity
SYNC_INTERVAL_S = 5.0  # a process looks at the shelf at most this often: one small read per question at most
LIST_PAGE = 1000  # (id, metadata) pairs per request when listing the shelf
FETCH_BATCH = 100  # whole records (with bodies) per request when copying changed articles
WRITE_BATCH = 100  # records per upsert (well under Chroma's max batch size)


@dataclass
class Stamp:
    """What the shelf's stamp record says."""

    token: str  # changes on every write
    shelf_id: str  # fixed for the life of the shelf
    embed_model: str
    embed_backend: str


class Shelf:
    """The companion collection holding one record per indexed article, and its stamp."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    def stamp(self) -> Stamp | None:
        """The stamp, or None for a shelf no writer has stamped yet."""
        found = self.collection.get(ids=[STAMP_ID], include=["metadatas"])
        if not found["ids"]:
            return None
        meta = found["metadatas"][0] or {}
        return Stamp(str(meta.get("token", "")), str(meta.get("shelf_id", "")), str(meta.get("embed_model", "")),
                     str(meta.get("embed_backend", "")))

    def restamp(self, settings: IndexSettings, shelf_id: str) -> None:
        """Record a write: a new token (readers see a change), the shelf id and the embedding the chunks use."""
        meta = {"token": uuid.uuid4().hex, "shelf_id": shelf_id, "embed_model": settings.embed_model,
                "embed_backend": settings.embed_backend, "written_at": time.time()}
        self.collection.upsert(ids=[STAMP_ID], embeddings=[SHELF_VECTOR], metadatas=[meta], documents=[""])

    def versions(self) -> dict[str, str]:
        """Article id → content hash of every article on the shelf."""
        found: dict[str, str] = {}
        offset = 0
        while True:
            page = self.collection.get(include=["metadatas"], limit=LIST_PAGE, offset=offset)
            for article_id, meta in zip(page["ids"], page["metadatas"]):
                if article_id != STAMP_ID:
                    found[article_id] = str((meta or {}).get("content_hash", ""))
            if len(page["ids"]) < LIST_PAGE:
                return found
            offset += LIST_PAGE

    def records(self, article_ids: Sequence[str]) -> list[tuple[Article, list[Span]]]:
        """These articles with their chunk spans (those still on the shelf)."""
        found = []
        for start in range(0, len(article_ids), FETCH_BATCH):
            page = self.collection.get(ids=list(article_ids[start : start + FETCH_BATCH]),
                                       include=["metadatas", "documents"])
            for article_id, meta, body in zip(page["ids"], page["metadatas"], page["documents"]):
                found.append(_from_record(article_id, meta or {}, body or ""))
        return found

    def put(self, items: Iterable[tuple[Article, list[Span]]]) -> None:
        """Write (or replace) these articles' records."""
        items = list(items)
        for start in range(0, len(items), WRITE_BATCH):
            batch = items[start : start + WRITE_BATCH]
            self.collection.upsert(
                ids=[a.id for a, _ in batch], embeddings=[SHELF_VECTOR] * len(batch),
                metadatas=[_metadata(a, spans) for a, spans in batch], documents=[a.body for a, _ in batch],
            )

    def delete(self, article_ids: Sequence[str]) -> None:
        ids = list(article_ids)
        for start in range(0, len(ids), WRITE_BATCH):
            self.collection.delete(ids=ids[start : start + WRITE_BATCH])


def open_shelf(settings: IndexSettings) -> Shelf | None:
    """The shelf on the Chroma server at `settings.chroma_url`; None with files in data_dir/chroma (one process
    owns such an index, so there is nothing to share)."""
    if not settings.chroma_url:
        return None
    from index.store import open_companion

    return Shelf(open_companion(settings, SHELF_SUFFIX))


def pull(ledger: Ledger, shelf: Shelf, settings: IndexSettings, writer: bool) -> bool:
    """Bring the ledger up to date with the shelf; True when the ledger changed.

    A `writer` (holding ingest.lock) also joins the shelf: it stamps an unstamped shelf, publishing its own done
    articles, and at first contact with a stamped one publishes its done articles the shelf lacks. A reader never
    writes the shelf: it joins at first contact only when it holds no article the shelf lacks (a fresh data dir);
    until it has joined, it drops nothing local (the next ingest or remove in its data dir publishes those).
    Articles the local ledger holds unfinished (`pending`/`deleting`) are left to that data dir's next ingest.
    """
    stamp = shelf.stamp()
    if stamp is None:
        if writer:
            shelf_id = uuid.uuid4().hex
            _publish(ledger, shelf, [i for i, (_, state) in ledger.states().items() if state == "done"])
            shelf.restamp(settings, shelf_id)
            ledger.set_meta("shelf_id", shelf_id)
        return False
    _check_embedding(stamp, settings)
    if not writer and ledger.get_meta("shelf_token") == stamp.token:
        return False
    remote = shelf.versions()
    local = ledger.states()
    joined = ledger.get_meta("shelf_id") == stamp.shelf_id
    local_only = [i for i, (_, state) in local.items() if state == "done" and i not in remote]
    if not joined and (writer or not local_only):  # a reader joins when that loses nothing local
        if local_only:
            _publish(ledger, shelf, local_only)
            shelf.restamp(settings, stamp.shelf_id)
            local_only = []
        ledger.set_meta("shelf_id", stamp.shelf_id)
        joined = True
    elif not joined:
        log.warning("%d article(s) in %s are not on the shared index at %s; the next ingest or remove there "
                    "publishes them", len(local_only), settings.data_dir, settings.chroma_url)
    changed = sorted(i for i, version in remote.items() if i not in local
                     or (local[i][1] == "done" and local[i][0] != version))
    gone = local_only if joined else []
    for key, value in (("embed_model", stamp.embed_model), ("embed_backend", stamp.embed_backend)):
        if changed and ledger.get_meta(key) != value:  # what the copied articles' chunks were embedded with
            ledger.set_meta(key, value)
    for start in range(0, len(changed), FETCH_BATCH):
        ledger.import_done(shelf.records(changed[start : start + FETCH_BATCH]))
    if gone:
        ledger.forget(gone)
    ledger.set_meta("shelf_token", stamp.token)
    if changed:
        log.info("took in %d article(s) indexed elsewhere and dropped %d removed elsewhere", len(changed), len(gone))
    return bool(changed or gone)


def _publish(ledger: Ledger, shelf: Shelf, article_ids: Sequence[str]) -> None:
    for start in range(0, len(article_ids), WRITE_BATCH):
        shelf.put(ledger.with_spans(article_ids[start : start + WRITE_BATCH]))


def _check_embedding(stamp: Stamp, settings: IndexSettings) -> None:
    """Query vectors must come from the model and backend the shared chunks were embedded with."""
    if (stamp.embed_model, stamp.embed_backend) != (settings.embed_model, settings.embed_backend):
        raise IngestError(
            f"the shared index on {settings.chroma_url} (collection '{settings.collection}') was embedded with "
            f"embed_model '{stamp.embed_model}' and embed_backend '{stamp.embed_backend}', not "
            f"'{settings.embed_model}' and '{settings.embed_backend}'; set those, or use another collection"
        )


class Replica:
    """A process's read-side sync of its ledger with the shelf (`Catalog.refresh`): throttled, one at a time."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._last = float("-inf")  # monotonic time of the last sync attempt
        self._ledger: Ledger | None = None  # its own connection: a sync commits as a whole, readers never see half
        self._shelf: Shelf | None = None

    def refresh(self) -> bool:
        """Sync unless one ran in the last `SYNC_INTERVAL_S`, one is running, or this data dir is being ingested
        into (that ingest syncs itself). A server that cannot be reached is logged, not raised: the question
        goes on with the local copy (and its own Chroma query reports the server)."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if time.monotonic() - self._last < SYNC_INTERVAL_S:
                return False
            self._last = time.monotonic()
            with open(self.settings.data_dir / "ingest.lock", "a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                return self._sync()
        finally:
            self._lock.release()

    def _sync(self) -> bool:
        from index.stories import StoryFolder

        try:
            if self._shelf is None:
                self._shelf = open_shelf(self.settings)
            if self._ledger is None:
                self._ledger = Ledger(self.settings.ledger_path)
            changed = pull(self._ledger, self._shelf, self.settings, writer=False)
            if changed:
                StoryFolder(self._ledger, self.settings.fold_copies).group_ungrouped()
            return changed
        except IngestError as exc:
            if exc.__class__ is IngestError:  # a setting to fix (the embedding): say so to the asker
                raise
            log.warning("cannot sync with the shared index at %s (%s); answering from the local copy",
                        self.settings.chroma_url, exc)
        except Exception as exc:  # chromadb raises several types for a server that is gone or busy
            log.warning("cannot sync with the shared index at %s (%s); answering from the local copy",
                        self.settings.chroma_url, " ".join(str(exc).split()) or type(exc).__name__)
        return False

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


def _metadata(article: Article, spans: list[Span]) -> dict:
    return {
        "title": article.title, "source": article.source, "url": article.url, "author": article.author,
        "published_at": article.published_at, "published_ts": article.published_ts, "origin": article.origin,
        "content_hash": article.content_hash,
        "spans": json.dumps([list(s) for s in spans], ensure_ascii=False, separators=(",", ":")),
    }


def _from_record(article_id: str, meta: dict, body: str) -> tuple[Article, list[Span]]:
    article = Article(id=article_id, title=str(meta.get("title", "")), body=body, source=str(meta.get("source", "")),
                      url=str(meta.get("url", "")), author=str(meta.get("author", "")),
                      published_at=str(meta.get("published_at", "")), published_ts=int(meta.get("published_ts", -1)),
                      origin=str(meta.get("origin", "")), content_hash=str(meta.get("content_hash", "")))
    spans = [(int(i), int(s), int(e), d) for i, s, e, d in json.loads(str(meta.get("spans") or "[]"))]
    return article, spans


def spans_of(chunks: Iterable[Any]) -> list[Span]:
    """Shelf spans of freshly made chunks (index.models.Chunk), as the ledger stores them."""
    from index.relative_dates import dumps_dates

    return [(c.index, c.start_char, c.end_char, dumps_dates(c.dates)) for c in chunks]
