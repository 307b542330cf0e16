"""Reciprocal-rank fusion, metadata boosts, and per-article diversification."""

from __future__ import annotations

from collections import defaultdict

from qa.retrieval.hits import Hit
from qa.tuning import BOOST_FACTOR, LATEST_BOOST, LATEST_RELEVANT


def rrf(ranked_lists: list[list[Hit]], k: int, weights: list[float] | None = None) -> list[Hit]:
    """Merge ranked lists: score = Σ weight / (k + rank); a chunk keeps the best of its dense/BM25 fields."""
    merged: dict[str, Hit] = {}
    weights = weights or [1.0] * len(ranked_lists)
    for hits, weight in zip(ranked_lists, weights):
        for rank, hit in enumerate(hits, start=1):
            target = merged.get(hit.chunk_id)
            if target is None:
                target = merged[hit.chunk_id] = Hit(hit.chunk_id, hit.meta, hit.text, score=0.0)
            target.score += weight / (k + rank)
            if hit.dense is not None:
                target.dense = max(target.dense if target.dense is not None else -1.0, hit.dense)
            if hit.bm25 is not None:
                target.bm25 = max(target.bm25 or 0.0, hit.bm25)
                target.bm25_rank = min(target.bm25_rank or hit.bm25_rank or 10**9, hit.bm25_rank or 10**9)
            target.tags |= hit.tags
    return sorted(merged.values(), key=lambda h: -h.score)


def boost(hits: list[Hit], sources: list[str], date_ranges: list[tuple[int, int]], latest: bool,
          factor: float = BOOST_FACTOR, event_days: dict[str, list[int]] | None = None) -> list[Hit]:
    """Prefer hits from named publications, mentioned dates (the article's publication day, or a day its
    relative dates resolve to: "yesterday" in a report of 11 February is 10 February; `event_days` maps chunk
    ids to those days), and (for 'latest') newer articles."""
    event_days = event_days or {}
    if not (sources or date_ranges or latest):
        return hits
    stamps = [int(h.meta.get("published_ts", -1)) for h in hits]
    best = max((h.dense for h in hits if h.dense is not None), default=0.0)
    relevant = [h.dense is not None and h.dense >= LATEST_RELEVANT * best for h in hits]  # 'latest' among the relevant ones
    known = [s for s, ok in zip(stamps, relevant) if s > 0 and ok]
    lo, hi = (min(known), max(known)) if known else (0, 0)
    for hit, ts, ok in zip(hits, stamps, relevant):
        mult = 1.0
        if sources and hit.meta.get("source") in sources:
            mult *= factor
        days = [ts, *event_days.get(hit.chunk_id, ())]
        if date_ranges and any(a <= d < b for a, b in date_ranges for d in days):
            mult *= factor
        if latest and ok and ts > 0 and hi > lo:
            mult *= 1.0 + LATEST_BOOST * (ts - lo) / (hi - lo)
        hit.score *= mult
    return sorted(hits, key=lambda h: -h.score)


def diversify(hits: list[Hit], per_article: int) -> list[Hit]:
    """Keep at most `per_article` chunks per article, then interleave so the best chunk of each article comes first."""
    seen: dict[str, int] = defaultdict(int)
    firsts: list[Hit] = []
    rest: list[Hit] = []
    for hit in hits:
        n = seen[hit.article_id]
        if n >= per_article:
            continue
        seen[hit.article_id] = n + 1
        (firsts if n == 0 else rest).append(hit)
    return firsts + rest


def interleave(lists: list[list[Hit]]) -> list[Hit]:
    """Round-robin merge, skipping duplicates: each sub-query contributes its best results early."""
    out: list[Hit] = []
    seen: set[str] = set()
    depth = max((len(x) for x in lists), default=0)
    for i in range(depth):
        for hits in lists:
            if i < len(hits) and hits[i].chunk_id not in seen:
                seen.add(hits[i].chunk_id)
                out.append(hits[i])
    return out
