"""Checked citations: parse `[n]` markers, drop unknown numbers, verify each sentence against its source,
attach the best-supporting source where the model forgot one, and renumber in order of first use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from qa.context import Source
from qa.text import split_sentences, tokens
from qa.tuning import LEXICAL_ONLY_WEIGHT, MISSING_NUMBER_PENALTY, SUPPORT_LEXICAL_WEIGHT, UNION_DISCOUNT
from qa.types import Citation, StoryCopy

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass
class Claim:
    """One answer sentence, its markers removed, with the source numbers it cited."""

    text: str
    cited: list[int] = field(default_factory=list)  # as written by the model (may be unknown numbers)
    sources: list[int] = field(default_factory=list)  # after checking: supported source numbers
    support: float = 0.0
    quote: dict[int, int] = field(default_factory=dict)  # source number → best candidate index

    @property
    def trivial(self) -> bool:
        """'Yes.' / 'No.' style sentences carry no checkable content."""
        return not [t for t in tokens(self.text) if t not in ("yes", "no")]


def parse_claims(answer: str) -> list[Claim]:
    """Split an answer into sentences and pull out their `[n]` / `[n, m]` markers."""
    claims: list[Claim] = []
    for sentence in split_sentences(answer):
        cited = [int(x) for m in MARKER.finditer(sentence.text) for x in re.split(r"[,;]", m.group(1))]
        text = MARKER.sub("", sentence.text).strip()
        if not text and claims:  # a marker on its own line belongs to the sentence before
            claims[-1].cited.extend(cited)
            continue
        if text:
            claims.append(Claim(text, cited))
    return claims


def lexical_support(claim: str, sentence: str, given: frozenset[str] = frozenset()) -> float:
    """Share of the claim's content words found in the sentence. Words in `given` (the question's own words,
    which answers restate) are left out when the claim has other words: those carry what it asserts."""
    c = set(tokens(claim))
    if c - given:
        c -= given
    return len(c & set(tokens(sentence))) / len(c) if c else 0.0


def numbers_missing(claim: str, evidence: str, given: str = "") -> bool:
    """True when the claim states a number the evidence does not contain (a classic hallucination);
    numbers from `given` (the question) may be restated."""
    have = set(_NUMBER.findall(evidence)) | set(_NUMBER.findall(given))
    return any(n not in have for n in _NUMBER.findall(claim))


def support(claim: str, claim_vec: np.ndarray, src: Source, given: frozenset[str] = frozenset(),
            question: str = "") -> tuple[float, int]:
    """Best combined support (0..1) of the claim by one source's sentences, and the index of that sentence."""
    if not src.candidates:
        return 0.0, -1
    sims = src.vectors @ claim_vec
    best, best_i = 0.0, -1
    union = " ".join(src.annotated(i) for i in src.selected) if src.selected else ""
    for i in range(len(src.candidates)):
        text = src.annotated(i)  # relative dates resolved: "died yesterday (October 27, 2019)"
        lex = max(lexical_support(claim, text, given),
                  UNION_DISCOUNT * lexical_support(claim, union, given) if union else 0.0)
        score = max(SUPPORT_LEXICAL_WEIGHT * lex + (1 - SUPPORT_LEXICAL_WEIGHT) * max(0.0, float(sims[i])),
                    LEXICAL_ONLY_WEIGHT * lex)  # a short claim whose words a long sentence holds: low cosine
        evidence = text + " " + union
        if numbers_missing(claim, evidence, question):
            score *= MISSING_NUMBER_PENALTY
        if score > best:
            best, best_i = score, i
    return best, best_i


def check_claims(claims: list[Claim], vectors: np.ndarray, sources: list[Source], threshold: float,
                 question: str = "") -> None:
    """Keep citations whose source supports the sentence; otherwise attach the best source if strong enough.
    Words restated from `question` do not count as support (small models repeat the question in the answer)."""
    by_n = {s.n: s for s in sources}
    given = frozenset(tokens(question))
    for claim, vec in zip(claims, vectors):
        if claim.trivial:
            continue
        scores = {n: support(claim.text, vec, src, given, question) for n, src in by_n.items()}
        valid = [n for n in dict.fromkeys(claim.cited) if n in by_n]
        kept = [n for n in valid if scores[n][0] >= threshold]
        if not kept and scores:
            best_n = max(scores, key=lambda n: scores[n][0])
            if scores[best_n][0] >= threshold:
                kept = [best_n]
        claim.sources = kept
        claim.support = max((scores[n][0] for n in kept), default=max((v[0] for v in scores.values()), default=0.0))
        claim.quote = {n: scores[n][1] for n in kept}


@dataclass
class Checked:
    text: str
    citations: list[Citation]
    unsupported: list[str]
    supported_claims: int


def render(claims: list[Claim], sources: list[Source]) -> Checked:
    """Answer text with markers renumbered by first use, and one Citation per used source."""
    by_n = {s.n: s for s in sources}
    order: dict[int, int] = {}
    for claim in claims:
        for n in claim.sources:
            order.setdefault(n, len(order) + 1)
    pieces, unsupported = [], []
    quotes: dict[int, list[tuple[float, int]]] = {}
    for claim in claims:
        marks = "".join(f"[{order[n]}]" for n in sorted(claim.sources, key=order.get))
        text = claim.text
        if marks:
            stripped = text.rstrip()
            end = len(stripped) - len(stripped.rstrip(".!?…\"”'’"))
            text = stripped[: len(stripped) - end] + " " + marks + stripped[len(stripped) - end:] if end else f"{stripped} {marks}"
        elif not claim.trivial:
            unsupported.append(claim.text)
        pieces.append(text)
        for n, idx in claim.quote.items():
            quotes.setdefault(n, []).append((claim.support, idx))
    citations = []
    for n, new in sorted(order.items(), key=lambda kv: kv[1]):
        src = by_n[n]
        start, end, quote, score = _quote(src, quotes.get(n, []))
        citations.append(Citation(new, src.article_id, src.title, src.source, src.url, src.published_at,
                                  quote, start, end, round(score, 3)))
    supported = sum(1 for c in claims if c.sources)
    return Checked(" ".join(pieces), citations, unsupported, supported)


def add_story_copies(citations: list[Citation], copies: dict[str, list[StoryCopy]]) -> None:
    """Fill each citation's `also_reported_by` with the other copies of its article's story (retrieval folded
    them into the cited one)."""
    for citation in citations:
        citation.also_reported_by = list(copies.get(citation.article_id, []))


def _quote(src: Source, picks: list[tuple[float, int]]) -> tuple[int, int, str, float]:
    """Verbatim span of the supporting sentence(s): one sentence, or a short run of adjacent ones."""
    idxs = sorted({i for _, i in picks if i >= 0})
    score = max((s for s, _ in picks), default=0.0)
    if not idxs:
        idxs = src.selected[:1] or [0]
    if idxs[-1] - idxs[0] > 2:  # far apart: keep the best-supported one
        idxs = [max(picks, key=lambda p: p[0])[1]]
    first, last = src.candidates[idxs[0]], src.candidates[idxs[-1]]
    return first.start, last.end, src.body[first.start : last.end], score
