"""Context compression: from the retrieved chunks, the sentences most similar to the question, grouped into
numbered sources (one per article), with every sentence's offsets in the article body."""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qa.retrieval.hits import Hit
from qa.text import Sentence, split_sentences, tokens

LEXICAL_WEIGHT = 0.6  # weight of the IDF-weighted word overlap next to the embedding similarity
ANSWER_SIM_WEIGHT = 0.4  # quoting: embedding similarity vs IDF-weighted overlap (which finds the rare words)
RELATIVE_FLOOR = 0.5  # a sentence must score at least half the best sentence's score to be sent

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|above|previous)\b|"
    r"\b(you are now|system prompt|as an ai|new instructions?)\b|</?\s*(source|sources|system|user|assistant)\b|<\|im_",
    re.I,
)


def looks_like_instruction(text: str) -> bool:
    """Article sentences addressed to an AI ("ignore previous instructions ...") are kept out of prompts."""
    return bool(_INJECTION.search(text))


@dataclass
class Source:
    """One numbered source in the prompt: an article and the sentences chosen from it."""

    n: int
    article_id: str
    title: str
    source: str
    url: str
    published_at: str
    body: str
    candidates: list[Sentence]  # sentences of the retrieved chunks (quote search space)
    vectors: np.ndarray  # embeddings of `candidates`
    selected: list[int] = field(default_factory=list)  # indices into candidates, document order

    def excerpt(self) -> str:
        """The selected sentences, '…' where article text was left out between them."""
        parts: list[str] = []
        prev: Sentence | None = None
        for i in self.selected:
            sentence = self.candidates[i]
            if prev is not None and self.body[prev.end : sentence.start].strip():
                parts.append("…")
            parts.append(sentence.text)
            prev = sentence
        return " ".join(parts)


class SentenceCache:
    """Article sentences and their embeddings, reused across questions until the index changes."""

    def __init__(self, catalog: Any, embedder: Any, max_articles: int = 512) -> None:
        self.catalog, self.embedder = catalog, embedder
        self._generation: int | None = None
        self._bodies: OrderedDict[str, Any] = OrderedDict()
        self._vectors: dict[tuple[str, int, int], np.ndarray] = {}
        self.max_articles = max_articles

    def _check(self) -> None:
        if self.catalog.generation != self._generation:
            self._generation = self.catalog.generation
            self._bodies.clear()
            self._vectors.clear()

    def article(self, article_id: str) -> tuple[Any, list[Sentence]]:
        self._check()
        if article_id not in self._bodies:
            art = self.catalog.get(article_id)
            body = art.body if art is not None else ""
            self._bodies[article_id] = (art, split_sentences(body))
            if len(self._bodies) > self.max_articles:
                self._bodies.popitem(last=False)
        return self._bodies[article_id]

    def vectors(self, article_id: str, sentences: list[Sentence]) -> np.ndarray:
        keys = [(article_id, s.start, s.end) for s in sentences]
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        if missing:
            embedded = self.embedder.embed_documents([sentences[i].text for i in missing])
            for i, vec in zip(missing, embedded):
                self._vectors[keys[i]] = np.asarray(vec, dtype=np.float32)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])


TITLE_TERM_WEIGHT = 0.35  # a question word that is also in the article's title says little about which sentence answers


def term_weights(q_tokens: set[str], texts: list[str]) -> dict[str, float]:
    """IDF of each question word over the candidate sentences: words in every sentence ('Port Calder') weigh
    little, rare ones ('contract', 'engineer') much; a word in no sentence keeps the highest weight."""
    sets = [set(tokens(t)) for t in texts]
    n = len(sets)
    return {t: max(0.1, math.log((n + 1) / (0.5 + sum(1 for s in sets if t in s)))) for t in q_tokens}


def weighted_overlap(weights: dict[str, float], text: str, title_tokens: set[str] = frozenset()) -> float:
    """0..1: weighted share of the question's words found in `text` (title words count less)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    have = set(tokens(text))
    return sum(w * (TITLE_TERM_WEIGHT if t in title_tokens else 1.0) for t, w in weights.items() if t in have) / total


def _most_lexical(sentences: list[Sentence], weights: dict[str, float], cap: int,
                  title_tokens: set[str]) -> list[Sentence]:
    """Only the `cap` sentences sharing most (weighted) words with the question get embedded (speed);
    document order kept."""
    if len(sentences) <= cap:
        return sentences
    ranked = sorted(range(len(sentences)), key=lambda i: -weighted_overlap(weights, sentences[i].text, title_tokens))
    return [sentences[i] for i in sorted(ranked[:cap])]


def build_sources(hits: list[Hit], question: str, q_vec: np.ndarray, cache: SentenceCache,
                  max_sentences: int) -> list[Source]:
    """Pick the best `max_sentences` sentences (at least the best one of each article) and number the articles."""
    by_article: OrderedDict[str, list[Hit]] = OrderedDict()
    for hit in hits:
        by_article.setdefault(hit.article_id, []).append(hit)
    q_tokens = set(tokens(question))
    pools: list[tuple[int, Any, list[Sentence]]] = []
    for rank, (article_id, article_hits) in enumerate(by_article.items()):
        article, sentences = cache.article(article_id)
        if article is None:
            continue
        spans = [(int(h.meta.get("start_char", 0)), int(h.meta.get("end_char", 0))) for h in article_hits]
        title_folded = article.title.strip().lower()
        pools.append((rank, article, [s for s in sentences
                                      if any(s.start < b and a < s.end for a, b in spans)
                                      and s.text.strip().lower() != title_folded and not looks_like_instruction(s.text)]))
    weights = term_weights(q_tokens, [s.text for _, _, pool in pools for s in pool])
    sources: list[Source] = []
    scored: list[tuple[float, int, int]] = []  # (score, source index, candidate index)
    for rank, article, pool in pools:
        title_tokens = set(tokens(article.title))
        candidates = _most_lexical(pool, weights, max(6, 3 * max_sentences // max(1, len(by_article))), title_tokens)
        if not candidates:
            continue
        vectors = cache.vectors(article.id, candidates)
        src = Source(0, article.id, article.title, article.source, article.url, article.published_at,
                     article.body, candidates, vectors)
        sources.append(src)
        sims = vectors @ q_vec
        for i, s in enumerate(candidates):
            lexical = weighted_overlap(weights, s.text, title_tokens)
            scored.append((float(sims[i]) + LEXICAL_WEIGHT * lexical - 0.02 * rank, len(sources) - 1, i))
    scored.sort(key=lambda x: -x[0])
    if scored:  # sentences far less relevant than the best one only distract a small model
        floor = RELATIVE_FLOOR * scored[0][0]
        scored = [x for x in scored if x[0] >= floor]
    chosen: set[tuple[int, int]] = set()
    for _, si, ci in scored:  # the best sentence of each article first (diversity), in rank order
        if len({s for s, _ in chosen}) < len(sources) and si not in {s for s, _ in chosen}:
            chosen.add((si, ci))
        if len(chosen) >= max_sentences:
            break
    for _, si, ci in scored:
        if len(chosen) >= max_sentences:
            break
        chosen.add((si, ci))
    for si, src in enumerate(sources):
        src.selected = sorted(ci for s, ci in chosen if s == si)
    kept = [s for s in sources if s.selected]
    for n, src in enumerate(kept, start=1):
        src.n = n
    return kept


def rank_sentences(question: str, q_vec: np.ndarray, sources: list[Source]) -> list[tuple[float, int, int]]:
    """(score, source index, candidate index) of every selected sentence, best first: how directly it answers."""
    q = set(tokens(question))
    scored: list[tuple[float, int, int]] = []
    for si, src in enumerate(sources):
        sims = src.vectors @ q_vec
        for ci in src.selected:
            lexical = len(q & set(tokens(src.candidates[ci].text))) / len(q) if q else 0.0
            scored.append((0.6 * float(sims[ci]) + 0.4 * lexical, si, ci))
    return sorted(scored, key=lambda x: -x[0])


def best_sentences(question: str, q_vec: np.ndarray, sources: list[Source]) -> list[tuple[float, int, int]]:
    """(score, source index, candidate index) of every selected sentence, best first, for quoting: embedding
    similarity plus the IDF-weighted overlap with the question's rarer words (title words count less)."""
    weights = term_weights(set(tokens(question)), [c.text for src in sources for c in src.candidates])
    scored: list[tuple[float, int, int]] = []
    for si, src in enumerate(sources):
        sims = src.vectors @ q_vec
        title_tokens = set(tokens(src.title))
        for ci in src.selected:
            lexical = weighted_overlap(weights, src.candidates[ci].text, title_tokens)
            scored.append((ANSWER_SIM_WEIGHT * float(sims[ci]) + (1 - ANSWER_SIM_WEIGHT) * lexical, si, ci))
    return sorted(scored, key=lambda x: -x[0])
