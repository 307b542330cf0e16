"""BM25 keyword retrieval over every stored chunk (title and source included), rebuilt per index generation.

Each chunk's keyword document also holds the dates its relative phrases resolve to (`Chunk.dates`, resolved
at ingest): "yesterday" in an article of 11 February 2019 adds "February 10 2019 10 February 2019 2019-02-10",
so a question naming that date finds the chunk. Only the keyword side sees them; embeddings are unchanged.
"""

from __future__ import annotations

from datetime import datetime, timezone

import math
import threading
from collections import Counter
from typing import Any, Callable

import numpy as np

from qa.retrieval.hits import Hit
from qa.text import tokens


class BM25Index:
    """bm25s over `Catalog.iter_chunks()`; metadata joined from `Catalog.articles()`."""

    def __init__(self, catalog: Any) -> None:
        import bm25s

        records = {r.id: r for r in catalog.articles()}
        self.metas: list[dict[str, Any]] = []
        self.texts: list[str] = []
        self.date_words: dict[str, str] = {}  # chunk id → the words of its resolved relative dates
        self.event_days: dict[str, list[int]] = {}  # chunk id → its resolved dates (Unix seconds, UTC midnight)
        corpus: list[list[str]] = []
        for chunk in catalog.iter_chunks():
            rec = records.get(chunk.article_id)
            meta = _meta(rec, chunk)
            self.metas.append(meta)
            self.texts.append(chunk.text)
            dates = date_words(chunk)
            if dates:
                self.date_words[chunk.id] = dates
                self.event_days[chunk.id] = [_midnight(d.resolved) for d in chunk.dates]
            # each date token once: "2019" in three spellings of one day must not outweigh the text's own words
            words = tokens(f"{meta['title']} {meta['source']} {chunk.text}") + list(dict.fromkeys(tokens(dates)))
            corpus.append(words or ["∅"])
        self.df: Counter[str] = Counter(t for doc in corpus for t in set(doc))
        self.n = len(corpus)
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def idf(self, token: str) -> float:
        return math.log(1 + (self.n - self.df.get(token, 0) + 0.5) / (self.df.get(token, 0) + 0.5))

    def search(self, query: str, k: int, keep: Callable[[dict[str, Any]], bool] | None = None) -> list[Hit]:
        """Top-k chunks with a positive score that pass `keep`."""
        q = [t for t in tokens(query) if t in self.df]
        if not q or not self.n:
            return []
        scores = self._bm25.get_scores(q)
        order = np.argsort(-scores, kind="stable")
        hits: list[Hit] = []
        for idx in order:
            if scores[idx] <= 0 or len(hits) >= k:
                break
            meta = self.metas[idx]
            if keep is not None and not keep(meta):
                continue
            hits.append(Hit(f"{meta['article_id']}:{meta['chunk_index']}", meta, self.texts[idx],
                            bm25=float(scores[idx]), bm25_rank=len(hits) + 1))
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
    """One BM25 index per catalog generation (rebuilt lazily after ingest/remove)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._index: BM25Index | None = None

    def get(self, catalog: Any) -> BM25Index:
        generation = catalog.generation
        with self._lock:
            if self._index is None or generation != self._generation:
                self._index = BM25Index(catalog)
                self._generation = generation
            return self._index
