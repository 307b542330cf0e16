"""Checked citations: parse `[n]` markers, drop unknown numbers, verify each sentence against its source,
attach the best-supporting source where the model forgot one, and renumber in order of first use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index import parse_published, resolve_relative_dates
from qa.answer_types import CHOICE_VERDICTS, question_names
from qa.context import Source
from qa.text import fold, split_sentences, tokens
from qa.tuning import (ANCHOR_MIN_SHARE, ANCHOR_PENALTY, BARE_CLAIM_PENALTY, BARE_CLAIM_WORDS, LEXICAL_ONLY_WEIGHT,
                       MISSING_NUMBER_PENALTY,
                       QUOTE_COVERAGE, QUOTE_MAX_GAP_CHARS, QUOTE_MAX_SENTENCES, SUPPORT_LEXICAL_WEIGHT,
                       UNION_DISCOUNT)
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
        """'Yes.' / 'No.' / 'Consistent.' style sentences (a verdict alone) carry no checkable content."""
        words = [t for t in tokens(self.text) if t not in ("yes", "no")]
        return not words or (len(words) == 1 and words[0] in _VERDICT_STEMS)


_VERDICT_STEMS = frozenset(t for word in CHOICE_VERDICTS for t in tokens(word, keep_stopwords=True))


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


def restated_names(claim: str, question: str) -> list[str]:
    """The question's proper-name words that the claim repeats ('bradford', 'jong'): what the claim is about."""
    said = set(re.findall(r"[\w'’-]+", fold(claim)))
    return [n for n in subject_names(question) if n in said]


def subject_names(question: str) -> list[str]:
    """The question's proper-name words long enough to identify something ('US', 'UK' are not), including
    quoted ones ("the 'TechCrunch' article")."""
    names = question_names(question.replace("'", " ").replace("‘", " ").replace("’ ", " ").replace('"', " "))
    return [n for n in names if len(n) > 2]


def _names_found(names: list[str], folded: str) -> int:
    """How many of `names` the folded text holds; a hyphenated name counts by its first part too
    ('moscow-bound' by 'Moscow')."""
    return sum(1 for n in names if any(re.search(rf"(?<!\w){re.escape(form)}(?!\w)", folded)
                                       for form in dict.fromkeys((n, n.split("-")[0])) if form))


def about_subject(claim: str, question: str, text: str) -> bool:
    """Is `text` (an article) about what the claim is about? A claim repeating the question's names needs at
    least ANCHOR_MIN_SHARE of them there; a bare answer ("Three.", "45-24.") answers the question, so the
    article must name at least one of the question's names. Questions naming nothing pass."""
    restated = restated_names(claim, question)
    folded = fold(text)
    if restated:
        return _names_found(restated, folded) / len(restated) >= ANCHOR_MIN_SHARE
    names = subject_names(question)
    return not names or _names_found(names, folded) > 0


# words tokens() keeps that say nothing about what a sentence is about ("from", "after")
_FUNCTION_WORDS = frozenset("from after before off under over into onto upon since until during between against "
                            "through without within among across toward towards".split())


def support(claim: str, claim_vec: np.ndarray, src: Source, given: frozenset[str] = frozenset(),
            question: str = "") -> tuple[float, int]:
    """Best combined support (0..1) of the claim by one source's sentences, and the index of that sentence.
    A source supports only what it says about the claim's subject: when the claim repeats the question's
    names, the article must name them (a prison term from another trial in another article is not this
    trial's; small models fill a detail the right article lacks from a neighbouring one)."""
    if not src.candidates:
        return 0.0, -1
    sims = src.vectors @ claim_vec
    best, best_i = 0.0, -1
    union = " ".join(src.annotated(i) for i in src.selected) if src.selected else ""
    about = about_subject(claim, question, f"{src.title} {src.source} {src.body}")
    union_lex = UNION_DISCOUNT * lexical_support(claim, union, given) if union else 0.0
    words = tokens(claim)
    bare = bool(given) and len(words) <= BARE_CLAIM_WORDS and not set(words) & given
    own_best = -1.0
    for i in range(len(src.candidates)):
        text = src.annotated(i)  # relative dates resolved: "died yesterday (October 27, 2019)"
        cos = max(0.0, float(sims[i]))
        own = lexical_support(claim, text, given)
        score, own_score = (max(SUPPORT_LEXICAL_WEIGHT * lex + (1 - SUPPORT_LEXICAL_WEIGHT) * cos,
                                LEXICAL_ONLY_WEIGHT * lex)  # a short claim in a long sentence: low cosine
                            for lex in (own if bare else max(own, union_lex), own))  # an item: one sentence
        if numbers_missing(claim, text + " " + union, question):
            score *= MISSING_NUMBER_PENALTY
        if bare and not (given - _FUNCTION_WORDS) & set(tokens(text)):  # "Eight [1].": from a sentence about it
            score *= BARE_CLAIM_PENALTY
        if not about:
            score *= ANCHOR_PENALTY
        best = max(best, score)
        if own_score > own_best:  # the quote: the sentence that itself shows the claim best
            own_best, best_i = own_score, i
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
            if idx >= 0:
                first, last = quote_span(by_n[n], claim.text, idx)
                quotes.setdefault(n, []).append((claim.support, first))
                if last != first:
                    quotes[n].append((claim.support, last))
    citations = []
    for n, new in sorted(order.items(), key=lambda kv: kv[1]):
        src = by_n[n]
        start, end, quote, score = _quote(src, quotes.get(n, []))
        citations.append(Citation(new, src.article_id, src.title, src.source, src.url, src.published_at,
                                  quote, start, end, round(score, 3), dates=quote_dates(src, start, end)))
    supported = sum(1 for c in claims if c.sources)
    return Checked(" ".join(pieces), citations, unsupported, supported)


def add_story_copies(citations: list[Citation], copies: dict[str, list[StoryCopy]]) -> None:
    """Fill each citation's `also_reported_by` with the other copies of its article's story (retrieval folded
    them into the cited one)."""
    for citation in citations:
        citation.also_reported_by = list(copies.get(citation.article_id, []))


def quote_span(src: Source, claim: str, idx: int) -> tuple[int, int]:
    """Sentences `idx`.. shown as the quote for a claim: `idx` alone, or with the neighbouring sentence(s)
    that add the claim's words while fewer than half of them are shown (an answer naming the ship and its old
    name needs the sentence before "Their ship ... was previously MV Professor Albrecht Penck")."""
    words = set(tokens(claim))
    if not words:
        return idx, idx
    first = last = idx

    def shown(a: int, b: int) -> set[str]:
        return words & set(tokens(" ".join(src.candidates[j].text for j in range(a, b + 1))))

    while len(shown(first, last)) < QUOTE_COVERAGE * len(words) and last - first + 1 < QUOTE_MAX_SENTENCES:
        # (first - 1, last) adds the sentence before, (first, last + 1) the one after: each only when it follows
        # on in the article from its neighbour in the span
        options = [(a, b) for a, b, gap in ((first - 1, last, (first - 1, first)), (first, last + 1, (last, last + 1)))
                   if 0 <= a and b < len(src.candidates)
                   and src.candidates[gap[1]].start - src.candidates[gap[0]].end < QUOTE_MAX_GAP_CHARS]
        gains = [(len(shown(a, b)), -(b - a), a, b) for a, b in options]
        if not gains or max(gains)[0] <= len(shown(first, last)):
            break
        _, _, first, last = max(gains)
    return first, last


def quote_dates(src: Source, start: int, end: int) -> list[str]:
    """'yesterday = January 14, 2019' for each relative date in the quote body[start:end], as resolved at ingest
    (the answerer saw the same resolution next to the phrase)."""
    if src.dates is not None:
        found = [a for a in src.dates if start <= a.start and a.end <= end]
    else:
        found = resolve_relative_dates(src.body[start:end], parse_published(src.published_at))
    return [f"{a.phrase} = {a.label()}" for a in found]


def _quote(src: Source, picks: list[tuple[float, int]]) -> tuple[int, int, str, float]:
    """Verbatim span of the supporting sentence(s): one sentence, or a short run of adjacent ones."""
    idxs = sorted({i for _, i in picks if i >= 0})
    score = max((s for s, _ in picks), default=0.0)
    if not idxs:
        idxs = src.selected[:1] or [0]
    if idxs[-1] - idxs[0] >= QUOTE_MAX_SENTENCES:  # far apart: keep the best-supported claim's sentence
        idxs = [max(picks, key=lambda p: p[0])[1]]
    first, last = src.candidates[idxs[0]], src.candidates[idxs[-1]]
    return first.start, last.end, src.body[first.start : last.end], score
