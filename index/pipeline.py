"""ingest() and remove(): files → articles → chunks → embeddings → Chroma, tracked in the ledger.

Articles stream through: each input is parsed item by item, changed articles are chunked and buffered,
and the buffer is embedded and written in batches across articles. Unchanged articles (same id and content
hash) cost no embedding at all. See docs/ARCHITECTURE.md for the crash-safety protocol.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from index.chunking import chunk_budget, chunk_spans, fit_title
from index.embedding import Embedder, get_embedder
from index.errors import IngestError, InputProblem, storage_guard
from index.fulltext import FullText
from index.http_cache import HttpCache, http_cache_path
from index.ledger import Ledger, backend_problem
from index.loaders import ItemFailure, discover, is_url, load_input
from index.models import Article, Chunk, FileResult, IngestReport
from index.relative_dates import dates_in_span, parse_published, resolve_relative_dates
from index.replica import Shelf, open_shelf, pull, spans_of
from index.settings import IndexSettings
from index.store import ChunkStore, open_store
from index.stories import Plan, StoryFolder
from index.timelimit import ParseTimeout, iterate_with_limit

Progress = Callable[[int, int, int], None]  # (inputs done, inputs total, chunks embedded so far)
Pending = tuple[Article, str, list[Chunk]]  # article, the file it came from, its chunks

FLUSH_BATCHES = 4  # model calls per written batch (embed_batch_size texts each): the embedding sessions share
#                    them out, and one written batch embeds while the next is parsed
MIN_FLUSH_CHUNKS = 32  # ... but never fewer chunks than this per write (an interrupted run redoes at most this)


def ingest(
    paths: str | Path | Iterable[str | Path],
    settings: IndexSettings,
    prune: bool = False,
    on_progress: Progress | None = None,
) -> IngestReport:
    """Index files, folders (recursively) and feed URLs. Bad inputs become failed results; nothing raises for them.

    With `prune=True`, articles whose origin file no longer exists below one of the given folders are removed.
    """
    started = time.monotonic()
    targets = [str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    with storage_guard(settings), _Run(settings, on_progress) as run:
        run.recover()
        inputs = [found for target in targets for found in discover(target)]
        for done, target in enumerate(inputs, start=1):
            run.ingest_input(target)
            run.progress(done, len(inputs))
        run.flush()
        if prune:
            run.prune([t for t in targets if not is_url(t) and Path(t).expanduser().is_dir()])
        run.report.seconds = time.monotonic() - started
        return run.report


def remove(targets: Iterable[str | Path], settings: IndexSettings) -> IngestReport:
    """Remove articles by id, or every article from a file / below a folder."""
    started = time.monotonic()
    with storage_guard(settings), _Run(settings, None) as run:
        run.recover()
        for target in [str(t) for t in ([targets] if isinstance(targets, (str, Path)) else targets)]:
            ids = run.ids_for(target)
            if ids:
                run.remove_ids(sorted(ids))
            else:
                run.report.results.append(FileResult(
                    input=target, status="failed",
                    error=f"{target}: no indexed article has this id or comes from this path; "
                          "list indexed articles with `newsdesk sources`",
                ))
        run.report.seconds = time.monotonic() - started
        return run.report


class _Run:
    """State of one ingest/remove call."""

    def __init__(self, settings: IndexSettings, on_progress: Progress | None) -> None:
        self.settings = settings
        self.on_progress = on_progress
        self.report = IngestReport()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = open(settings.data_dir / "ingest.lock", "w")  # one writer per data dir at a time
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            self.ledger = Ledger(settings.ledger_path)
            self._check_model()
            self.store: ChunkStore = open_store(settings)
            self.shelf: Shelf | None = open_shelf(settings)  # server mode: the articles other processes read
        except BaseException:  # a failed start (disk full, server gone) must not leave the data dir locked
            if hasattr(self, "ledger"):
                self.ledger.close()
            self.lock.close()
            raise
        self._embedder: Embedder | None = None
        self.buffer: list[Pending] = []
        self.buffered_chunks = 0
        self.seen: set[str] = set()  # article ids met in this run
        self.replaced: set[str] = set()  # old ids whose origin now holds a changed article ("updated", not "removed")
        self.flush_at = max(MIN_FLUSH_CHUNKS, FLUSH_BATCHES * settings.embed_batch_size)
        # One batch at a time is embedded in a worker thread (ONNX Runtime and torch release the GIL) while
        # this thread parses and chunks the next one; everything is written here, in order (see flush).
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: tuple[list[Pending], Future] | None = None
        self.progress_state = (0, 0)
        self.stories = StoryFolder(self.ledger, settings.fold_copies)  # syndicated copies → stories

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:  # a batch still embedding after an error is dropped: nothing of it was written
            self._pool.shutdown(wait=True, cancel_futures=True)
        self.ledger.close()
        self.lock.close()

    def _check_model(self) -> None:
        """Vectors from different models (or backends) do not mix: refuse to write with another one than the index's."""
        built_with = self.ledger.get_meta("embed_model")
        if built_with is None:
            self.ledger.set_meta("embed_model", self.settings.embed_model)
        elif built_with != self.settings.embed_model:
            self.ledger.close()
            self.lock.close()
            raise IngestError(
                f"the index in {self.settings.data_dir} was built with embed_model '{built_with}', not "
                f"'{self.settings.embed_model}'; set embed_model back, or use a new data_dir and ingest again"
            )
        # Same model, other runtime: close but not identical vectors. An index holding articles keeps its
        # backend (refused in one line); an empty one takes the current backend. Recorded before any write.
        problem = backend_problem(self.ledger.embed_backend(), self.settings)
        if problem:
            self.ledger.close()
            self.lock.close()
            raise IngestError(problem)
        if self.ledger.get_meta("embed_backend") != self.settings.embed_backend:
            self.ledger.set_meta("embed_backend", self.settings.embed_backend)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    # inputs --------------------------------------------------------------------------------
    def ingest_input(self, target: str) -> None:
        """Parse one input and queue its new/changed articles; drop what the input no longer holds."""
        seen_here: set[str] = set()
        clean = True
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        limit = self.settings.file_timeout_s
        # Network waits (the feed, teaser pages, politeness delays) happen in this thread, outside the parse
        # limit, which counts only time spent waiting on the loader (see index/fulltext.py).
        with FullText(self.settings, self.ledger) as full:
            try:
                data = None
                if is_url(target):
                    feed = full.fetch_feed(target, indexed=bool(self.ledger.ids_in_file(target)))
                    if feed.not_modified:  # every article from the feed stays as it is
                        self._unchanged_input(target)
                        full.finish(target, clean=True)
                        return
                    data = feed.data
                items = iterate_with_limit(lambda: load_input(target, max_bytes, limit, data), limit)
                for item in items:
                    if isinstance(item, ItemFailure):
                        clean = False
                        self._fail(item.where, f"{item.where}: {item.problem}")
                    else:
                        item, note = full.complete(item)
                        seen_here.add(item.id)
                        first = len(self.report.results)
                        self.add_article(item, target)
                        if note and len(self.report.results) > first:  # a flush may have noted it already
                            result = self.report.results[first]
                            result.note = f"{note}; {result.note}" if result.note else note
            except InputProblem as exc:
                clean = False
                self._fail(target, f"{target}: {exc}")
            except ParseTimeout as exc:
                clean = False
                self._fail(target,
                           f"{target}: {exc}; raise file_timeout_s (NEWSDESK_FILE_TIMEOUT_S) or split the file")
            # A file is the truth about what it holds: what it no longer holds goes (unless part of it was
            # unreadable). A feed URL is a window onto the newest entries: an entry that scrolled out stays
            # indexed (`newsdesk remove URL` drops a feed's articles).
            if clean and not is_url(target):
                stale = self.ledger.ids_in_file(target) - seen_here - self.seen
                if stale:
                    self.remove_ids(sorted(stale))
            full.finish(target, clean)

    def _unchanged_input(self, target: str) -> None:
        """A feed answered 304: report each article it gave as unchanged (in feed order)."""
        described = self.ledger.describe(self.ledger.ids_in_file(target))
        for article_id, title, origin in sorted(described, key=lambda d: _entry_number(d[2])):
            self.seen.add(article_id)
            self.report.results.append(FileResult(input=origin, status="unchanged", article_id=article_id,
                                                  title=title))

    def add_article(self, article: Article, file: str) -> None:
        if article.id in self.seen:  # the same article twice in this run (same URL/GUID or same text)
            self._result(article, "unchanged")
            return
        self.seen.add(article.id)
        row = self.ledger.row(article.id)
        if row and row.state == "done" and row.content_hash == article.content_hash:
            if (row.origin, row.file) != (article.origin, file):
                self.ledger.move(article.id, article.origin, file)
            self._result(article, "unchanged")
            return
        # In a file, another article at this article's place (same path, same item number) is its old version;
        # a feed URL's entries move down the feed and keep their own ids (GUID or link), so none replaces another.
        previous = set() if is_url(file) else self.ledger.ids_at_origin(article.origin) - {article.id}
        self.replaced |= previous
        replaces = row is not None or bool(previous)
        chunks = self.chunk(article)
        self.buffer.append((article, file, chunks))
        self.buffered_chunks += len(chunks)
        self._result(article, "updated" if replaces else "added", len(chunks))
        if self.buffered_chunks >= self.flush_at:
            self.flush(wait=False)

    def chunk(self, article: Article) -> list[Chunk]:
        count = self.embedder.count_pieces
        budget = chunk_budget(article.title, count, self.settings.chunk_size, self.embedder.max_pieces)
        spans = chunk_spans(article.body, budget, self.settings.chunk_overlap, count)
        dates = resolve_relative_dates(article.body, parse_published(article.published_at))  # stored with the chunks
        return [
            Chunk(id=f"{article.id}:{i}", article_id=article.id, index=i, text=article.body[s.start : s.end],
                  start_char=s.start, end_char=s.end, dates=dates_in_span(dates, s.start, s.end))
            for i, s in enumerate(spans)
        ]

    # writing -------------------------------------------------------------------------------
    def flush(self, wait: bool = True) -> None:
        """Embed the buffer and write it: before returning (`wait`), or left embedding in the worker thread
        while the batch before it is written, to be written by the next flush (the worker starts on this
        batch the moment the previous one is embedded). Batches are written in the order they were taken,
        each ledger `pending` → Chroma → ledger `done`."""
        if not self.buffer:
            self._write_in_flight()
            return
        batch, self.buffer, self.buffered_chunks = self.buffer, [], 0
        texts = self._texts(batch)
        if wait:
            self._write_in_flight()
            self._write(batch, self.embedder.embed_documents(texts))
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-embed")
        queued = (batch, self._pool.submit(self.embedder.embed_documents, texts))
        self._write_in_flight()
        self._in_flight = queued

    def _write_in_flight(self) -> None:
        if self._in_flight is not None:
            batch, future = self._in_flight
            self._in_flight = None
            self._write(batch, future.result())

    def _texts(self, batch: list[Pending]) -> list[str]:
        titles = {a.id: fit_title(a.title, self.embedder.count_pieces) for a, _, _ in batch}
        return [f"{titles[a.id]}\n{c.text}" for a, _, cs in batch for c in cs]

    def _write(self, batch: list[Pending], vectors: Any) -> None:
        chunks = [(a, c) for a, _, cs in batch for c in cs]
        article_ids = [a.id for a, _, _ in batch]
        stories = self.stories.plan([a for a, _, _ in batch])  # written with the rows (index/stories.py)
        self.ledger.mark_pending(batch, stories)
        self.store.delete_articles(article_ids)
        self.store.add([c.id for _, c in chunks], [c.text for _, c in chunks],
                       [chunk_metadata(a, c) for a, c in chunks], vectors)
        self._shelve(batch)
        self.ledger.mark_done(article_ids)
        self._note_copies(batch, stories)
        self.report.chunks_embedded += len(chunks)
        self.progress(*self.progress_state)

    def remove_ids(self, article_ids: list[str]) -> None:
        """Delete articles: ledger `deleting` → Chroma → ledger rows gone."""
        described = self.ledger.describe(article_ids)
        feeds = {file for file in (self.ledger.file_of(a) for a in article_ids) if is_url(file)}
        if feeds:  # the next poll reads these feeds whole again (no 304), so what they still carry comes back
            with HttpCache(http_cache_path(self.settings.data_dir)) as cache:
                for feed in feeds:
                    cache.forget_validators(feed)
        self.ledger.mark_deleting(article_ids)
        self._unshelve(article_ids)
        self.store.delete_articles(article_ids)
        self.ledger.forget(article_ids)
        self.stories.forget(article_ids)
        for article_id, title, origin in described:
            if article_id in self.replaced:
                continue
            self.report.results.append(FileResult(input=origin, status="removed", article_id=article_id, title=title))

    def _shelve(self, batch: list[Pending]) -> None:
        """Server mode: publish the batch's article records for the other processes (after its chunks)."""
        if self.shelf is not None:
            self.shelf.put((article, spans_of(chunks)) for article, _, chunks in batch)
            self.shelf.restamp(self.settings, str(self.ledger.get_meta("shelf_id")))

    def _unshelve(self, article_ids: list[str]) -> None:
        """Server mode: withdraw these articles from the other processes (before their chunks go)."""
        if self.shelf is not None:
            self.shelf.delete(article_ids)
            self.shelf.restamp(self.settings, str(self.ledger.get_meta("shelf_id")))

    def recover(self) -> None:
        """Take in what other processes did on a shared server (index/replica.py), then finish what an
        interrupted run left: redo `pending` articles, complete `deleting` ones."""
        if self.shelf is not None:
            pull(self.ledger, self.shelf, self.settings, writer=True)
        unfinished = self.ledger.unfinished()
        deleting = [a.id for a, state in unfinished if state == "deleting"]
        if deleting:
            self._unshelve(deleting)
            self.store.delete_articles(deleting)
            self.ledger.forget(deleting)
        for article, state in unfinished:
            if state == "pending":
                self.buffer.append((article, self.ledger.file_of(article.id), self.chunk(article)))
        self.flush()
        self.reconcile()
        self.stories.group_ungrouped()  # articles from before ledger schema 4, or ingested with fold_copies off

    def reconcile(self) -> None:
        """If Chroma and the ledger disagree (chunks lost or left over), re-embed or drop to make them agree."""
        expected = self.ledger.chunk_ids()
        stored = set(self.store.ids())
        if stored == expected.keys():
            return
        extra = [chunk_id for chunk_id in stored if chunk_id not in expected]
        if extra:
            self.store.delete_ids(extra)
        missing = sorted({article_id for chunk_id, article_id in expected.items() if chunk_id not in stored})
        for article in self.ledger.articles_by_id(missing):
            self.buffer.append((article, self.ledger.file_of(article.id), self.chunk(article)))
        self.flush()

    def prune(self, folders: list[str]) -> None:
        """Remove articles whose origin file below these folders no longer exists."""
        for folder in folders:
            for file in sorted(self.ledger.files_under(str(Path(folder).expanduser().resolve()))):
                if not Path(file).exists():
                    self.remove_ids(sorted(self.ledger.ids_in_file(file)))

    def ids_for(self, target: str) -> set[str]:
        if self.ledger.row(target):
            return {target}
        path = target if is_url(target) else str(Path(target).expanduser().resolve())
        ids = self.ledger.ids_in_file(path)
        for file in self.ledger.files_under(path):
            ids |= self.ledger.ids_in_file(file)
        return ids

    # reporting -----------------------------------------------------------------------------
    def progress(self, done: int, total: int) -> None:
        self.progress_state = (done, total)
        if self.on_progress and total:
            self.on_progress(done, total, self.report.chunks_embedded)

    def _result(self, article: Article, status: str, chunks: int = 0) -> None:
        self.report.results.append(FileResult(input=article.origin, status=status, article_id=article.id,  # type: ignore[arg-type]
                                              title=article.title, chunks=chunks))

    def _note_copies(self, batch: list[Pending], plan: Plan | None) -> None:
        """Tell on a copy's result which article it copies: "copy of 'Title' (Source)"."""
        notes = self.stories.notes(plan, {a.id: a for a, _, _ in batch})
        if not notes:
            return
        for result in self.report.results:
            note = notes.get(result.article_id) if result.status in ("added", "updated") else None
            if note and note not in result.note:
                result.note = f"{result.note}; {note}" if result.note else note

    def _fail(self, where: str, error: str) -> None:
        self.report.results.append(FileResult(input=where, status="failed", error=" ".join(error.split())))


def _entry_number(origin: str) -> int:
    """n of a "feed#n" origin (0 without one), for listing a feed's articles in order."""
    tail = origin.rsplit("#", 1)[-1]
    return int(tail) if "#" in origin and tail.isdigit() else 0


def chunk_metadata(article: Article, chunk: Chunk) -> dict:
    """The flat Chroma metadata of one chunk (docs/ARCHITECTURE.md)."""
    return {
        "article_id": article.id, "title": article.title, "source": article.source, "url": article.url,
        "author": article.author, "published_at": article.published_at, "published_ts": article.published_ts,
        "origin": article.origin, "chunk_index": chunk.index, "start_char": chunk.start_char,
        "end_char": chunk.end_char,
    }
