"""A retrieved chunk with its metadata, before it becomes a public `Passage`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa.types import Passage


@dataclass
class Hit:
    chunk_id: str
    meta: dict[str, Any]  # the Chroma metadata keys (article_id, title, source, published_ts, ...)
    text: str
    dense: float | None = None
    bm25: float | None = None
    bm25_rank: int | None = None
    score: float = 0.0
    tags: set[str] = field(default_factory=set)

    @property
    def article_id(self) -> str:
        return str(self.meta.get("article_id", ""))

    def to_passage(self) -> Passage:
        m = self.meta
        return Passage(
            chunk_id=self.chunk_id, article_id=self.article_id, title=str(m.get("title", "")),
            source=str(m.get("source", "")), url=str(m.get("url", "")), published_at=str(m.get("published_at", "")),
            text=self.text, start_char=int(m.get("start_char", 0)), end_char=int(m.get("end_char", 0)),
            score=self.score, dense=self.dense, bm25_rank=self.bm25_rank,
        )


def chunk_id(meta: dict[str, Any]) -> str:
    return f"{meta.get('article_id', '')}:{meta.get('chunk_index', 0)}"
