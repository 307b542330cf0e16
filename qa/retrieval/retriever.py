"""The retrieval pipeline: analyse → dense + BM25 per (sub-)query → fuse → boost → merge → diversify."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qa.filters import Filters, and_where
from qa.retrieval.bm25 import BM25Cache
from qa.retrieval.dense import dense_search
from qa.retrieval.fusion import boost, diversify, interleave, rrf
from qa.retrieval.hits import Hit
from qa.retrieval.query_analysis import QueryPlan, SubQuery, analyze
from qa.retrieval.stories import copies_of, fold_copies
from qa.tuning import STRONG_BM25_COVERAGE
from qa.types import StoryCopy



@dataclass
class Retrieval:
    question: str
    hits: list[Hit]  # ranked, diversified by article
    plan: QueryPlan
    query_vector: np.ndarray
    best_dense: float = -1.0
    bm25_coverage: float = 0.0
    seconds: float = 0.0
    sub_hits: list[list[Hit]] = field(default_factory=list)
    min_relevance: float = 0.3
    pool: list[Hit] = field(default_factory=list)  # every fused hit (one article per story), before diversify and cut
    copies: dict[str, list[StoryCopy]] = field(default_factory=dict)  # article id of a hit → its story's other copies

    def context_hits(self, per_article: int = 3, depth: int = 30) -> list[Hit]:
        """`hits` plus further chunks of the same articles from the top of the pool (the answer may sit there)."""
        chosen = {h.article_id for h in self.hits}
        out = list(self.hits)
        counts = {a: sum(1 for h in self.hits if h.article_id == a) for a in chosen}
        seen = {h.chunk_id for h in self.hits}
        for hit in self.pool[:depth]:
            if hit.article_id in chosen and hit.chunk_id not in seen and counts[hit.article_id] < per_article:
                out.append(hit)
                seen.add(hit.chunk_id)
                counts[hit.article_id] += 1
        return out

    @property
    def relevant_enough(self) -> bool:
        """False when neither the embedding nor keywords find anything close to the question."""
        return bool(self.hits) and (self.best_dense >= self.min_relevance or self.bm25_coverage >= STRONG_BM25_COVERAGE)


class Retriever:
    """Hybrid retriever over one index; all collaborators come from `index`'s public API."""

    def __init__(self, settings: Any, catalog: Any, store: Any, embedder: Any) -> None:
        self.settings, self.catalog, self.store, self.embedder = settings, catalog, store, embedder
        self.bm25 = BM25Cache()
        self._meta_generation: int | None = None
        self._sources: list[str] = []
        self._newest_ts: int | None = None

    def corpus_facts(self) -> tuple[list[str], int | None]:
        """Publication names and the newest article date, cached per index generation."""
        generation = self.catalog.generation
        if generation != self._meta_generation:
            self._sources = list(self.catalog.sources())
            newest = getattr(self.catalog, "newest_ts", None)
            if callable(newest):  # one indexed MAX(), not a read of every record
                self._newest_ts = newest()
            else:
                stamps = [r.published_ts for r in self.catalog.articles() if (r.published_ts or -1) > 0]
                self._newest_ts = max(stamps) if stamps else None
            self._meta_generation = generation
        return self._sources, self._newest_ts

    def retrieve(self, question: str, filters: Filters | None = None, limit: int | None = None) -> Retrieval:
        """Ranked, article-diverse hits for the question (at most `limit`, default `settings.top_k`)."""
        started = time.perf_counter()
        s = self.settings
        filters = filters or Filters()
        refresh = getattr(self.catalog, "refresh", None)  # server mode: take in what other processes indexed
        if refresh is not None:
            refresh()
        sources, newest = self.corpus_facts()
        plan = analyze(question, sources, newest)
        vector = self.embedder.embed_query(question)
        bm25 = self.bm25.get(self.catalog)
        dense = dense_search(self.store, vector, s.dense_k, filters.where())
        keyword = bm25.search(question, s.bm25_k, filters.matches)
        main = boost(self._fuse(dense, keyword), plan.sources, plan.date_ranges, plan.latest,
                     event_days=bm25.event_days)
        subs = [self._sub(sq, filters, bm25, vector if sq.text == question else None, plan) for sq in plan.subqueries]
        merged = interleave([main, *subs]) if subs else main
        if s.fold_copies:  # syndicated copies of one story: one article contributes (qa/retrieval/stories.py)
            merged = fold_copies(merged, self.catalog, newest=plan.latest)
        ranked = diversify(merged, per_article=2)[: limit or s.top_k]
        result = Retrieval(question, ranked, plan, vector, sub_hits=subs, min_relevance=s.min_relevance, pool=merged)
        if s.fold_copies:
            result.copies = copies_of([h.article_id for h in ranked], self.catalog)
        result.best_dense = max((h.dense for h in dense if h.dense is not None), default=-1.0)
        result.bm25_coverage = bm25.coverage(question, keyword[0]) if keyword else 0.0
        result.seconds = time.perf_counter() - started
        return result

    def _fuse(self, dense: list[Hit], keyword: list[Hit]) -> list[Hit]:
        mode = self.settings.fusion
        if mode == "dense":
            return rrf([dense], self.settings.rrf_k)
        if mode == "bm25":
            return rrf([keyword], self.settings.rrf_k)
        return rrf([dense, keyword], self.settings.rrf_k)

    def _sub(self, sq: SubQuery, filters: Filters, bm25: Any, vector: np.ndarray | None, plan: QueryPlan) -> list[Hit]:
        """Results for one part of a multi-part question, restricted to its publication/date when it names one."""
        clauses = [c for c in [filters.where()] if c]
        if sq.sources:
            clauses.append({"source": {"$in": sq.sources}})
        if sq.date_range:
            clauses.append({"published_ts": {"$gte": sq.date_range[0]}})
            clauses.append({"published_ts": {"$lt": sq.date_range[1]}})

        def keep(meta: dict[str, Any]) -> bool:
            if not filters.matches(meta) or (sq.sources and meta.get("source") not in sq.sources):
                return False
            ts = int(meta.get("published_ts", -1))
            return not sq.date_range or sq.date_range[0] <= ts < sq.date_range[1]

        k = max(5, self.settings.dense_k // 3)
        vec = vector if vector is not None else self.embedder.embed_query(sq.text)
        dense = dense_search(self.store, vec, k, and_where(clauses))
        keyword = bm25.search(sq.text, k, keep)
        return boost(self._fuse(dense, keyword), [], plan.date_ranges, plan.latest, event_days=bm25.event_days)
