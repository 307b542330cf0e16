"""BM25 keyword retrieval over every stored chunk (title and source included), kept current article by article.

Scores are BM25's Lucene variant, as bm25s computes them (idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
tf part = tf / (tf + k1 * (1 - b + b * len / avg_len))), with N, df and the average length over the chunks
indexed now. The index is inverted (token → chunk slots and term counts) and grows in place: when the catalog's
generation changes, only articles that are new or changed are tokenized and appended, and removed ones are
masked out, so one new article costs milliseconds instead of a rebuild over the whole corpus. Once masked-out
slots outnumber live ones, the index is rebuilt from the catalog.

Each chunk's keyword document also holds the dates its relative phrases resolve to (`Chunk.dates`, resolved
at ingest): "yesterday" in an article of 11 February 2019 adds "February 10 2019 10 February 2019 2019-02-10",
so a question naming that date finds the chunk. Only the keyword side sees them; embeddings are unchanged.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import numpy as np

from qa.retrieval.hits import Hit
from qa.text import tokens

K1 = 1.5  # bm25s' default term-frequency saturation (kept so scores match the bm25s index this replaced)
B = 0.75  # bm25s' default length normalisation
REBUILD_WHEN_DEAD = 0.5  # rebuild once this share of slots belongs to removed or replaced articles
RECORDS_ONE_BY_ONE = 500  # up to this many new articles, read their records by id rather than the whole catalog
EMPTY_DOC = "∅"  # a chunk with no tokens still takes a slot (its length is 1), as it did under bm25s


class _Postings:
    """One token's chunk slots and term counts, appended in place (compact C arrays, no Python ints)."""

    __slots__ = ("slots", "counts")

    def __init__(self) -> None:
        self.slots = array("i")
        self.counts = array("f")


class BM25Index:
    """An inverted BM25 index over `Catalog` chunks; `sync(catalog)` brings it up to date incrementally."""

    def __init__(self, catalog: Any | None = None) -> None:
        self._lock = threading.RLock()  # sync and search never interleave (searches are milliseconds)
        self._reset()
        if catalog is not None:
            self.sync(catalog)

    def _reset(self) -> None:
        self.metas: list[dict[str, Any]] = []  # per slot
        self.texts: list[str] = []  # per slot
        self.date_words: dict[str, str] = {}  # chunk id → the words of its resolved relative dates
        self.event_days: dict[str, list[int]] = {}  # chunk id → its resolved dates (Unix seconds, UTC midnight)
        self.df: Counter[str] = Counter()  # over live slots
        self._lengths = array("f")
        self._alive = bytearray()
        self._postings: dict[str, _Postings] = {}
        self._articles: dict[str, tuple[str, list[int]]] = {}  # article id → (version, its slots)
        self._live_length = 0.0
        self.n = 0  # live slots
        self.rebuilds = 0
        self.articles_added = 0  # articles tokenized since the index was created (a measure of sync cost)

    # keeping current ---------------------------------------------------------------------------
    def sync(self, catalog: Any) -> None:
        """Index what is new or changed in `catalog`, drop what it no longer holds."""
        with self._lock:
            versions = _versions(catalog)
            dead = len(self._alive) - self.n
            if versions is None or (dead and dead >= REBUILD_WHEN_DEAD * len(self._alive)):
                self._rebuild(catalog, versions)
                return
            gone = [a for a, (version, _) in self._articles.items() if versions.get(a) != version]
            for article_id in gone:
                self._drop(article_id)
            new = [a for a in versions if a not in self._articles]
            if new:
                self._add(catalog, new, versions)
            dead = len(self._alive) - self.n
            if dead and dead >= REBUILD_WHEN_DEAD * len(self._alive):
                self._rebuild(catalog, versions)

    def _rebuild(self, catalog: Any, versions: dict[str, str] | None) -> None:
        rebuilds = self.rebuilds + 1
        self._reset()
        self.rebuilds = rebuilds
        self._add(catalog, None, versions)

    def _add(self, catalog: Any, article_ids: list[str] | None, versions: dict[str, str] | None) -> None:
        records = _records(catalog, article_ids)
        chunks = catalog.iter_chunks() if article_ids is None else catalog.iter_chunks(article_ids)
        for chunk in chunks:
            if versions is not None and chunk.article_id not in versions:
                continue  # written after the versions were read: the next sync takes it whole
            if chunk.article_id not in self._articles:
                self._articles[chunk.article_id] = ((versions or {}).get(chunk.article_id, ""), [])
                self.articles_added += 1
            self._add_chunk(records.get(chunk.article_id), chunk)

    def _add_chunk(self, record: Any, chunk: Any) -> None:
        meta = _meta(record, chunk)
        slot = len(self.metas)
        self.metas.append(meta)
        self.texts.append(chunk.text)
        dates = date_words(chunk)
        if dates:
            self.date_words[chunk.id] = dates
            self.event_days[chunk.id] = [_midnight(d.resolved) for d in chunk.dates]
        counts = Counter(_document(meta, chunk.text, dates))
        for token, count in counts.items():
            postings = self._postings.get(token)
            if postings is None:
                postings = self._postings[token] = _Postings()
            postings.slots.append(slot)
            postings.counts.append(count)
        self.df.update(counts.keys())
        length = float(sum(counts.values()))
        self._lengths.append(length)
        self._alive.append(1)
        self._live_length += length
        self.n += 1
        self._articles[chunk.article_id][1].append(slot)

    def _drop(self, article_id: str) -> None:
        """Mask out an article's slots (its postings stay until the next rebuild)."""
        _, slots = self._articles.pop(article_id)
        for slot in slots:
            meta = self.metas[slot]
            self.df.subtract(set(_document(meta, self.texts[slot], self.date_words.get(_chunk_key(meta), ""))))
            self.date_words.pop(_chunk_key(meta), None)
            self.event_days.pop(_chunk_key(meta), None)
            self._alive[slot] = 0
            self._live_length -= self._lengths[slot]
            self.n -= 1

    # reading -------------------------------------------------------------------------------------
    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every slot (0 for removed ones); a token repeated in the query counts each time."""
        with self._lock:
            total = np.zeros(len(self._alive), dtype=np.float32)
            if not self.n:
                return total
            # the arithmetic of bm25s (float64 per term, float32 idf and sums), so that ties break alike
            lengths = np.frombuffer(self._lengths, dtype=np.float32).astype(np.float64)
            norm = K1 * ((1 - B) + B * lengths / (self._live_length / self.n))
            for token in query_tokens:
                postings = self._postings.get(token)
                if postings is None or not self.df.get(token):
                    continue
                slots = np.frombuffer(postings.slots, dtype=np.int32)
                counts = np.frombuffer(postings.counts, dtype=np.float32).astype(np.float64)
                idf = np.float64(np.float32(self.idf(token)))
                total[slots] += (idf * counts / (counts + norm[slots])).astype(np.float32)
                del slots  # release the view so the array can grow again
            total *= np.frombuffer(bytes(self._alive), dtype=np.uint8)
            return total

    def search(self, query: str, k: int, keep: Callable[[dict[str, Any]], bool] | None = None) -> list[Hit]:
        """Top-k chunks with a positive score that pass `keep`."""
        with self._lock:
            q = [t for t in tokens(query) if self.df.get(t)]
            if not q or not self.n:
                return []
            scores = self.scores(q)
            candidates = np.flatnonzero(scores > 0)
            order = candidates[np.argsort(-scores[candidates], kind="stable")]
            hits: list[Hit] = []
            for idx in order:
                if len(hits) >= k:
                    break
                meta = self.metas[idx]
                if keep is not None and not keep(meta):
                    continue
                hits.append(Hit(_chunk_key(meta), meta, self.texts[idx], bm25=float(scores[idx]),
                                bm25_rank=len(hits) + 1))
            return hits

    def coverage(self, query: str, hit: Hit) -> float:
        """IDF-weighted share of the query's terms that the hit contains (0..1): 'a strong keyword match'."""
        q = set(tokens(query))
        if not q:
            return 0.0
        dates = self.date_words.get(hit.chunk_id, "")
        doc = set(tokens(f"{hit.meta.get('title', '')} {hit.meta.get('source', '')} {hit.text} {dates}"))
        total = sum(self.idf(t) for t in q)
        return sum(self.idf(t) for t in q if t in doc) / total if total else 0.0


def _records(catalog: Any, article_ids: list[str] | None) -> dict[str, Any]:
    """Article id → record (title, source, dates...) for these articles: one `catalog.get` each for a few,
    else one `catalog.articles()` (a whole-catalog read: ~0.3 s at 10,000 articles)."""
    get = getattr(catalog, "get", None)
    if article_ids is not None and callable(get) and len(article_ids) <= RECORDS_ONE_BY_ONE:
        found = {a: get(a) for a in article_ids}
        return {a: r for a, r in found.items() if r is not None}
    return {r.id: r for r in catalog.articles()}


def _versions(catalog: Any) -> dict[str, str] | None:
    """Article id → content version, or None for a catalog that cannot say (then every sync rebuilds)."""
    versions = getattr(catalog, "versions", None)
    return versions() if callable(versions) else None


def _document(meta: dict[str, Any], text: str, dates: str) -> list[str]:
    # each date token once: "2019" in three spellings of one day must not outweigh the text's own words
    words = tokens(f"{meta['title']} {meta['source']} {text}") + list(dict.fromkeys(tokens(dates)))
    return words or [EMPTY_DOC]


def _chunk_key(meta: dict[str, Any]) -> str:
    return f"{meta['article_id']}:{meta['chunk_index']}"


def _midnight(day: Any) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def date_words(chunk: Any) -> str:
    """The search terms of the chunk's resolved relative dates, each distinct term once ('' when none; a
    chunk from a catalog without dates counts as none)."""
    terms = dict.fromkeys(term for d in (getattr(chunk, "dates", None) or []) for term in d.search_terms())
    return " ".join(terms)


def _meta(rec: Any, chunk: Any) -> dict[str, Any]:
    """The same metadata keys that Chroma stores per chunk, from the article record."""

    def get(name: str) -> Any:
        return getattr(rec, name, None) if rec is not None else None

    ts = get("published_ts")
    return {
        "article_id": chunk.article_id, "chunk_index": chunk.index, "start_char": chunk.start_char,
        "end_char": chunk.end_char, "title": get("title") or "", "source": get("source") or "",
        "url": get("url") or "", "author": get("author") or "", "published_at": get("published_at") or "",
        "published_ts": int(ts) if ts is not None else -1, "origin": get("origin") or "",
    }


class BM25Cache:
    """The keyword index of one catalog, synced when the catalog's generation changes (after ingest/remove)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._index: BM25Index | None = None

    def get(self, catalog: Any) -> BM25Index:
        generation = catalog.generation
        with self._lock:
            if self._index is None:
                self._index = BM25Index()
            if generation != self._generation:
                self._index.sync(catalog)
                self._generation = generation
            return self._index
