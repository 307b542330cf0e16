"""Retrieval quality shared by both systems: article hit rate@5 and gold-evidence recall@5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def score_cases(eval_set: str, top5: Callable[[str], list[dict[str, Any]]]) -> dict[str, Any]:
    """Mean `article_hit@5` and `article_recall@5` (eval.metrics) over the set's answerable cases."""
    from eval.cases import load_set
    from eval.metrics import retrieval_scores

    cases, fmt = load_set(eval_set)
    hits, recalls = [], []
    for case in cases:
        if not case.answerable or not case.gold_articles:
            continue
        scores = retrieval_scores(top5(case.question), case.gold_articles, [], ks=[5])
        hits.append(scores["article_hit@5"])
        recalls.append(scores["article_recall@5"])
    n = len(hits)
    return {"eval_set": eval_set, "format": fmt, "cases": n,
            "hit_rate@5": round(100 * sum(hits) / n, 1) if n else None,
            "recall@5": round(100 * sum(recalls) / n, 1) if n else None}
