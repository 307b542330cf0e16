"""Context compression: from the retrieved chunks, the sentences most similar to the question, grouped into
numbered sources (one per article), with every sentence's offsets in the article body."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index import annotate_relative_dates, parse_published
from qa.answer_types import BONUS_KINDS, answer_kind, holds_kind
from qa.corrections import correction_for, with_correction
from qa.retrieval.hits import Hit
from qa.text import Sentence, split_sentences, tokens
from qa.tuning import (ANSWER_SIM_WEIGHT, DIVERSITY_FLOOR, GATE_SIM_WEIGHT, KIND_BONUS, LEXICAL_PREFILTER,
                       LEXICAL_WEIGHT, NEIGHBOUR_ANCHORS, RANK_PENALTY, RARE_TERMS, RARE_TERMS_BONUS,
                       RARE_TERMS_HELD, RARE_TERM_KINDS, RELATIVE_FLOOR, TITLE_TERM_WEIGHT)


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
    dates: list[Any] | None = None  # relative dates resolved at ingest (offsets into body); None: resolve here
    _annotated: list[str] | None = field(default=None, repr=False)
    _corrections: list[str | None] | None = field(default=None, repr=False)

    def excerpt(self, indices: list[int] | None = None) -> str:
        """The selected sentences, '…' where article text was left out between them, each relative date
        ("yesterday") followed by the date it means."""
        parts: list[str] = []
        prev: Sentence | None = None
        for i in self.selected if indices is None else indices:
            sentence = self.candidates[i]
            if prev is not None and self.body[prev.end : sentence.start].strip():
                parts.append("…")
            parts.append(self.annotated(i))
            prev = sentence
        return " ".join(parts)

    def annotated(self, i: int) -> str:
        """Candidate `i` with its relative dates resolved against the publication date ("yesterday (October 27,
        2019)") and, when a correction notice retracts it, the correction ("... said 240 jobs (corrected:
        the correct figure is 140)."): what answerers see and what the support check compares answers with."""
        if self._annotated is None:
            day = parse_published(self.published_at)
            self._corrections = [correction_for(self.body, c) for c in self.candidates]
            self._annotated = []
            for c, fix in zip(self.candidates, self._corrections):
                text = (annotate_relative_dates(c.text, day, c.start, self.dates) if self.dates is not None
                        else annotate_relative_dates(c.text, day))
                self._annotated.append(with_correction(text, fix) if fix else text)
        return self._annotated[i]

    def statement(self, i: int) -> str:
        """What this report itself states in candidate `i`: the correction where a notice retracts the
        sentence (it repeats the wrong figure), else the annotated sentence. Reports are compared on this."""
        text = self.annotated(i)
        return (self._corrections or [None] * (i + 1))[i] or text


class SentenceCache:
    """Article sentences and their embeddings, reused across questions until the index changes."""

    def __init__(self, catalog: Any, embedder: Any, max_articles: int = 512) -> None:
        self.catalog, self.embedder = catalog, embedder
        self._generation: int | None = None
        self._bodies: OrderedDict[str, Any] = OrderedDict()
        self._vectors: dict[tuple[str, int, int], np.ndarray] = {}
        self._dates: dict[str, list[Any] | None] = {}
        self.max_articles = max_articles
        self._lock = threading.Lock()  # questions answered in parallel share the cache

    def _check(self) -> None:
        if self.catalog.generation != self._generation:
            with self._lock:
                self._generation = self.catalog.generation
                self._bodies.clear()
                self._vectors.clear()
                self._dates.clear()

    def article(self, article_id: str) -> tuple[Any, list[Sentence]]:
        self._check()
        with self._lock:
            found = self._bodies.get(article_id)
        if found is None:
            art = self.catalog.get(article_id)
            body = art.body if art is not None else ""
            found = (art, split_sentences(body))
            with self._lock:
                self._bodies[article_id] = found
                if len(self._bodies) > self.max_articles:
                    self._bodies.popitem(last=False)
        return found

    def dates(self, article_id: str) -> list[Any] | None:
        """The article's relative dates as resolved at ingest (whole-article context: a quote's "today" is
        not the publication day), or None when the catalog cannot say."""
        self._check()
        with self._lock:
            if article_id in self._dates:
                return self._dates[article_id]
        reader = getattr(self.catalog, "relative_dates", None)
        found = list(reader(article_id)) if reader is not None else None
        with self._lock:
            self._dates[article_id] = found
            if len(self._dates) > self.max_articles:
                self._dates.pop(next(iter(self._dates)))
        return found

    def vectors(self, article_id: str, sentences: list[Sentence]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        keys = [(article_id, s.start, s.end) for s in sentences]
        with self._lock:
            known = {k: self._vectors[k] for k in keys if k in self._vectors}
        missing = [i for i, k in enumerate(keys) if k not in known]
        if missing:
            embedded = self.embedder.embed_each([sentences[i].text for i in missing])
            fresh = {keys[i]: np.asarray(vec, dtype=np.float32) for i, vec in zip(missing, embedded)}
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
        return np.stack([known[k] for k in keys])


def term_weights(q_tokens: set[str], texts: list[str]) -> dict[str, float]:
    """IDF of each question word over the candidate sentences: words in every sentence ('Port Calder') weigh
    little, rare ones ('contract', 'engineer') much; a word in no sentence keeps the highest weight. Keyed in
    sorted word order, so ties come out the same under any PYTHONHASHSEED."""
    sets = [set(tokens(t)) for t in texts]
    n = len(sets)
    return {t: max(0.1, math.log((n + 1) / (0.5 + sum(1 for s in sets if t in s)))) for t in sorted(q_tokens)}


def weighted_overlap(weights: dict[str, float], text: str, title_tokens: set[str] = frozenset()) -> float:
    """0..1: weighted share of the question's words found in `text` (title words count less)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    have = set(tokens(text))
    return sum(w * (TITLE_TERM_WEIGHT if t in title_tokens else 1.0) for t, w in weights.items() if t in have) / total


def _prefilter(sentences: list[Sentence], weights: dict[str, float], cap: int, title_tokens: set[str],
               kind: str, question: str) -> list[Sentence]:
    """The `cap` sentences sharing most (weighted) words with the question, or holding the asked kind of item,
    plus their neighbours; only these get embedded (speed). Document order kept."""
    if len(sentences) <= cap:
        return sentences
    def lexical(i: int) -> float:
        bonus = KIND_BONUS if kind in BONUS_KINDS and holds_kind(sentences[i].text, kind, question) else 0.0
        return weighted_overlap(weights, sentences[i].text, title_tokens) + bonus
    ranked = sorted(range(len(sentences)), key=lambda i: -lexical(i))[:cap]
    keep = set(ranked)
    for i in ranked[:NEIGHBOUR_ANCHORS]:
        keep |= {j for j in (i - 1, i + 1) if 0 <= j < len(sentences)}
    return [sentences[i] for i in sorted(keep)]


def _by_article(hits: list[Hit]) -> OrderedDict[str, list[Hit]]:
    """Hits grouped by article, articles in order of their best hit."""
    grouped: OrderedDict[str, list[Hit]] = OrderedDict()
    for hit in hits:
        grouped.setdefault(hit.article_id, []).append(hit)
    return grouped


def _in_chunks(sentences: list[Sentence], hits: list[Hit]) -> list[int]:
    """Indices of the sentences that overlap one of the hits' chunks."""
    spans = [(int(h.meta.get("start_char", 0)), int(h.meta.get("end_char", 0))) for h in hits]
    return [i for i, s in enumerate(sentences) if any(s.start < b and a < s.end for a, b in spans)]


def _pool(article: Any, sentences: list[Sentence], hits: list[Hit]) -> list[Sentence]:
    """Sentences of the article's retrieved chunks, one more on each side of every chunk (the sentence before
    a chunk often says who or what it is about); the title line and instruction-like text are left out."""
    inside = _in_chunks(sentences, hits)
    keep = set(inside) | {i - 1 for i in inside if i > 0} | {i + 1 for i in inside if i + 1 < len(sentences)}
    title_folded = article.title.strip().lower()
    return [sentences[i] for i in sorted(keep)
            if sentences[i].text.strip().lower() != title_folded and not looks_like_instruction(sentences[i].text)]


_CAPITALISED_WORD = re.compile(r"(?<=[\w,;:] )[A-Z][\w'’-]*")


def rarest_terms(weights: dict[str, float], question: str) -> set[str]:
    """The question's RARE_TERMS rarest words that are not names (names say what it is about; the rare
    ordinary words, "won" and "contract", say what it asks): empty for questions with few such words."""
    names = {t for m in _CAPITALISED_WORD.finditer(question) for t in tokens(m.group(0))}
    plain = [t for t in weights if t not in names]
    if len(plain) <= RARE_TERMS_HELD + 1:
        return set()
    return set(sorted(plain, key=lambda t: (-weights[t], t))[:RARE_TERMS])  # ties by word: hash-seed free


def holds_rare_terms(rare: set[str], text: str) -> bool:
    return bool(rare) and len(rare & set(tokens(text))) >= RARE_TERMS_HELD


def build_sources(hits: list[Hit], question: str, q_vec: np.ndarray, cache: SentenceCache,
                  max_sentences: int, max_words: int = 10**9, kind: str | None = None) -> list[Source]:
    """Choose the sentences the answerer sees and number their articles.

    Each candidate scores embedding similarity + IDF-weighted word overlap + a bonus when it holds an item of
    the asked kind (a date for "when"); the best sentence of every article comes first (diversity), then the
    rest by score, up to `max_sentences` anchors and `max_words` words; the best anchors bring their
    neighbouring sentences along."""
    kind = kind or answer_kind(question)
    by_article = _by_article(hits)
    pools: list[tuple[int, Any, list[Sentence]]] = []
    for rank, (article_id, article_hits) in enumerate(by_article.items()):
        article, sentences = cache.article(article_id)
        if article is not None:
            pools.append((rank, article, _pool(article, sentences, article_hits)))
    weights = term_weights(set(tokens(question)), [s.text for _, _, pool in pools for s in pool])
    rare = rarest_terms(weights, question) if kind in RARE_TERM_KINDS else set()
    sources: list[Source] = []
    scored: list[tuple[float, int, int]] = []  # (score, source index, candidate index)
    for rank, article, pool in pools:
        title_tokens = set(tokens(article.title))
        cap = max(6, LEXICAL_PREFILTER * 3 // max(1, len(by_article)))
        candidates = _prefilter(pool, weights, cap, title_tokens, kind, question)
        if not candidates:
            continue
        vectors = cache.vectors(article.id, candidates)
        src = Source(0, article.id, article.title, article.source, article.url, article.published_at,
                     article.body, candidates, vectors, dates=cache.dates(article.id))
        sources.append(src)
        sims = vectors @ q_vec
        for i, s in enumerate(candidates):
            score = float(sims[i]) + LEXICAL_WEIGHT * weighted_overlap(weights, s.text, title_tokens)
            if kind in BONUS_KINDS and holds_kind(s.text, kind, question):
                score += KIND_BONUS
            if holds_rare_terms(rare, s.text):
                score += RARE_TERMS_BONUS
            scored.append((score - RANK_PENALTY * rank, len(sources) - 1, i))
    scored.sort(key=lambda x: -x[0])
    if scored:  # sentences far less relevant than the best one only distract a small model
        floor = RELATIVE_FLOOR * scored[0][0]
        scored = [x for x in scored if x[0] >= floor]
    anchors: list[tuple[int, int]] = []
    top = scored[0][0] if scored else 0.0
    for score, si, ci in scored:  # the best sentence of each close-enough article first (diversity)
        if si not in {s for s, _ in anchors} and score >= DIVERSITY_FLOOR * top:
            anchors.append((si, ci))
    for _, si, ci in scored:
        if (si, ci) not in anchors:
            anchors.append((si, ci))
    chosen: set[tuple[int, int]] = set()
    words = 0

    def take(si: int, ci: int) -> bool:
        nonlocal words
        if (si, ci) in chosen:
            return True
        n = len(sources[si].candidates[ci].text.split())
        if chosen and words + n > max_words:
            return False
        chosen.add((si, ci))
        words += n
        return True

    def neighbours(si: int, ci: int) -> None:
        src = sources[si]
        for cj in (ci - 1, ci + 1):  # adjacent in the article, not just in the candidate list
            if 0 <= cj < len(src.candidates) and _adjacent(src, min(ci, cj), max(ci, cj)):
                take(si, cj)

    best = [(si, ci) for _, si, ci in scored[:NEIGHBOUR_ANCHORS]]
    for count, (si, ci) in enumerate(anchors):
        if count >= max_sentences or not take(si, ci):
            break
        if best and (si, ci) == best[0]:  # the best sentence's neighbours at once ...
            neighbours(si, ci)
    for si, ci in best[1:]:  # ... the next ones' where the budget allows
        if (si, ci) in chosen:
            neighbours(si, ci)
    for si, src in enumerate(sources):
        src.selected = sorted(ci for s, ci in chosen if s == si)
    kept = [s for s in sources if s.selected]
    for n, src in enumerate(kept, start=1):
        src.n = n
    return kept


def _adjacent(src: Source, a: int, b: int) -> bool:
    """Candidates a < b are neighbouring sentences of the article (nothing but whitespace between them)."""
    return not src.body[src.candidates[a].end : src.candidates[b].start].strip()


def rank_sentences(question: str, q_vec: np.ndarray, sources: list[Source]) -> list[tuple[float, int, int]]:
    """(score, source index, candidate index) of every selected sentence, best first: how directly it answers."""
    q = set(tokens(question))
    scored: list[tuple[float, int, int]] = []
    for si, src in enumerate(sources):
        sims = src.vectors @ q_vec
        for ci in src.selected:
            lexical = len(q & set(tokens(src.candidates[ci].text))) / len(q) if q else 0.0
            scored.append((GATE_SIM_WEIGHT * float(sims[ci]) + (1 - GATE_SIM_WEIGHT) * lexical, si, ci))
    return sorted(scored, key=lambda x: -x[0])


def best_sentences(question: str, q_vec: np.ndarray, sources: list[Source],
                   rare_bonus: bool = True) -> list[tuple[float, int, int]]:
    """(score, source index, candidate index) of every selected sentence, best first, for quoting: embedding
    similarity plus the IDF-weighted overlap with the question's rarer words (title words count less)."""
    weights = term_weights(set(tokens(question)), [c.text for src in sources for c in src.candidates])
    rare = rarest_terms(weights, question) if rare_bonus and answer_kind(question) in RARE_TERM_KINDS else set()
    scored: list[tuple[float, int, int]] = []
    for si, src in enumerate(sources):
        sims = src.vectors @ q_vec
        title_tokens = set(tokens(src.title))
        for ci in src.selected:
            text = src.candidates[ci].text
            lexical = weighted_overlap(weights, text, title_tokens)
            bonus = RARE_TERMS_BONUS if holds_rare_terms(rare, text) else 0.0
            scored.append((ANSWER_SIM_WEIGHT * float(sims[ci]) + (1 - ANSWER_SIM_WEIGHT) * lexical + bonus, si, ci))
    return sorted(scored, key=lambda x: -x[0])


def whole_chunk_sources(hits: list[Hit], cache: SentenceCache) -> list[Source]:
    """The retrieved chunks whole (every sentence shown), one numbered source per article: the retry when the
    model found nothing in the chosen sentences."""
    sources: list[Source] = []
    for article_id, article_hits in _by_article(hits).items():
        article, sentences = cache.article(article_id)
        if article is None:
            continue
        candidates = [sentences[i] for i in _in_chunks(sentences, article_hits)
                      if not looks_like_instruction(sentences[i].text)]
        if not candidates:
            continue
        src = Source(len(sources) + 1, article.id, article.title, article.source, article.url, article.published_at,
                     article.body, candidates, cache.vectors(article.id, candidates), dates=cache.dates(article.id))
        src.selected = list(range(len(candidates)))
        sources.append(src)
    return sources
