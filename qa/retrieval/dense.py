"""Dense retrieval: the question's embedding against Chroma, with metadata filters."""

from __future__ import annotations

from typing import Any

import numpy as np

from qa.retrieval.hits import Hit, chunk_id


def dense_search(store: Any, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[Hit]:
    """Top-k chunks by cosine similarity; an empty store or an empty filter result gives []."""
    if k <= 0:
        return []
    rows = store.query(vector, k, where=where)
    return [Hit(chunk_id(meta), dict(meta), text, dense=float(sim)) for meta, text, sim in rows]
