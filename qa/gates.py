"""Refusal gates before any answer is drafted. Each returns a refusal reason, or None to go on.

A gate saves an LLM call on a question the articles cannot answer, and must almost never fire on one they
can: each gate's precision on the dev sets' answerable questions is in eval/RESULTS.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qa.asked import asked_detail_missing
from qa.context import Source, rank_sentences
from qa.types import ASKED_DETAIL_MISSING, NO_RELEVANT_PASSAGE


def relevance_gate(question: str, q_vec: np.ndarray, relevant_enough: bool, sources: list[Source],
                   min_relevance: float) -> str | None:
    """Nothing close to the question: no retrieved chunk near it (embedding or keywords), or no chosen
    sentence scoring `min_relevance`."""
    if not relevant_enough or not sources:
        return NO_RELEVANT_PASSAGE
    if rank_sentences(question, q_vec, sources)[0][0] < min_relevance:
        return NO_RELEVANT_PASSAGE
    return None


def asked_detail_gate(question: str, article_texts: list[str]) -> str | None:
    """The question asks for an attribute ('salary', 'rent') that none of the retrieved articles mentions."""
    return ASKED_DETAIL_MISSING if asked_detail_missing(question, article_texts) else None


def article_texts(articles: list[Any]) -> list[str]:
    return [f"{a.title}\n{a.body}" for a in articles if a is not None]

