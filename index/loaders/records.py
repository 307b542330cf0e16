"""Per-item failures inside multi-article files (one bad JSONL line or CSV row does not sink the rest)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ItemFailure:
    """One record of a multi-article file could not be read; the other records still ingest."""

    where: str  # e.g. "articles.jsonl line 7"
    problem: str  # "<problem>; <fix>"
