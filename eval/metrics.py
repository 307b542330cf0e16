"""Scores for one case and their aggregation; plain functions on plain data (no LLM judge).

Answers are compared after removing citation markers like `[1]`. A metric that does not apply to a case
(e.g. answer F1 on an unanswerable case, citation precision with no citations) is `None` and is left out
of the averages, so every average says over how many cases it was taken.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?\]])\s+(?=[A-Z0-9\"“‘'(])")
STOPWORDS = frozenset(
    "a an the and or but of to in on at for from by with as is are was were be been being it its this that these "
    "those he she they them his her their we you i not no yes said says say will would can could has have had do "
    "does did than then there here which who whom what when where why how also about into over after before".split()
)


# Answers ----------------------------------------------------------------------------------------
def strip_markers(text: str) -> str:
    return MARKER.sub("", text or "")


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = strip_markers(text).lower()
    text = "".join(" " if ch in string.punctuation or ch in "“”‘’—–€$£" else ch for ch in text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, answers: Sequence[str]) -> float | None:
    """1.0 when the normalised prediction equals a normalised acceptable answer."""
    if not answers:
        return None
    pred = normalize(prediction)
    return float(any(pred == normalize(a) for a in answers))


def token_f1(prediction: str, answers: Sequence[str]) -> float | None:
    """Best SQuAD token F1 over the acceptable answers."""
    if not answers:
        return None
    pred = normalize(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize(answer).split()
        common = sum((Counter(pred) & Counter(gold)).values())
        if common:
            precision, recall = common / len(pred), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def _answer_pattern(answer: str) -> re.Pattern[str] | None:
    """How an acceptable answer is looked for: case-insensitive, on word boundaries, any whitespace between its
    words, its trailing punctuation ignored; None for an empty answer."""
    core = " ".join(answer.strip().rstrip(".!?;:,").split())
    if not core:
        return None
    return re.compile(r"(?<!\w)" + re.escape(core).replace(r"\ ", r"\s+") + r"(?!\w)", re.I)


def _answer_text(prediction: str) -> str:
    return " ".join(strip_markers(prediction).split())


def answer_spans(prediction: str, answers: Sequence[str]) -> list[tuple[int, int]]:
    """Every place where one of `answers` occurs in the prediction (matched as `contains_answer` matches),
    as (start, end) offsets into the prediction without citation markers and with single spaces; sorted."""
    text = _answer_text(prediction)
    spans = {m.span() for answer in answers if (pattern := _answer_pattern(answer)) for m in pattern.finditer(text)}
    return sorted(spans)


def contains_answer(prediction: str, answers: Sequence[str]) -> float | None:
    """1.0 when an acceptable answer occurs in the prediction: case-insensitive, on word boundaries
    ("yes" does not match "yesterday"), whitespace-insensitive, trailing punctuation of the answer ignored."""
    if not answers:
        return None
    text = _answer_text(prediction)
    for answer in answers:
        pattern = _answer_pattern(answer)
        if pattern and pattern.search(text):
            return 1.0
    return 0.0


def newest_statement(prediction: str, newest_answers: Sequence[str], stale_answers: Sequence[str] = (),
                     refused: bool = False) -> float | None:
    """News that changes over time: 1.0 when the answer gives the newest statement (contains one of
    `newest_answers`, matched as `contains_answer` matches) and, if it also repeats a superseded one (one of
    `stale_answers`), gives the newest first; 0.0 otherwise, and for a refusal. None (not scored) for a case
    without `newest_answers`. A stale string found only inside a newest one ("2025" in "spring 2025") does
    not count as stale."""
    if not newest_answers:
        return None
    if refused:
        return 0.0
    newest = answer_spans(prediction, newest_answers)
    if not newest:
        return 0.0
    stale = [(start, end) for start, end in answer_spans(prediction, stale_answers)
             if not any(n_start <= start and end <= n_end for n_start, n_end in newest)]
    return 0.0 if stale and stale[0][0] < newest[0][0] else 1.0


def lenient_overlap(prediction: str, answers: Sequence[str]) -> float | None:
    """MultiHop-RAG's own `qa_evaluate.py` score: right when the lower-cased prediction shares any
    whitespace-separated word with the gold answer. Reported only for comparison: it is lenient."""
    if not answers:
        return None
    words = set(strip_markers(prediction).lower().split())
    return float(any(words & set(a.lower().split()) for a in answers))


# Gold articles ----------------------------------------------------------------------------------
def _norm_url(url: str) -> str:
    return url.strip().rstrip("/")


def matches_gold(gold: str, article: dict[str, Any]) -> bool:
    """A gold id names an article by its URL, its article id, or its exact title (case-insensitive)."""
    gold = gold.strip()
    if not gold:
        return False
    if gold == article.get("article_id") or gold == article.get("id"):
        return True
    if article.get("url") and _norm_url(gold) == _norm_url(article["url"]):
        return True
    return bool(article.get("title")) and gold.lower() == article["title"].strip().lower()


def gold_hits(golds: Sequence[str], article: dict[str, Any]) -> set[int]:
    return {i for i, g in enumerate(golds) if matches_gold(g, article)}


def ranked_articles(passages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct articles in order of their first passage."""
    seen: dict[str, dict[str, Any]] = {}
    for p in passages:
        key = p.get("article_id") or p.get("url") or p.get("title", "")
        if key not in seen:
            seen[key] = p
    return list(seen.values())


def context_recall(contexts: Sequence[dict[str, Any]], gold_articles: Sequence[str]) -> float | None:
    """Share of gold articles among the passages the answerer was given (the answer's contexts)."""
    if not gold_articles:
        return None
    covered = set().union(*(gold_hits(gold_articles, p) for p in contexts)) if contexts else set()
    return len(covered) / len(gold_articles)


def answer_in_context(context: str, answers: Sequence[str], gold_retrieved: float | None) -> float | None:
    """1.0 when an acceptable answer occurs in the text the answerer was given; measured only for answerable
    cases whose gold article was retrieved (where the answer could have been given) and whose answer is not a
    bare yes/no. A case refused before any context was built counts 0."""
    if not answers or not gold_retrieved or all(a.strip(" .").lower() in ("yes", "no") for a in answers):
        return None  # a yes/no verdict is not a string the context could hold
    return contains_answer(context or "", answers)


def failure_reason(result: dict[str, Any]) -> str | None:
    """Why a case is wrong: error, refused, gold evidence not given to the answerer, answer missed, or
    (unanswerable) answered anyway; None when it is right."""
    if result.get("correct"):
        return None
    if result.get("error"):
        return "error"
    if not result.get("answers"):
        return "answered an unanswerable question"
    if result.get("refused"):
        return "refused although answerable"
    if result.get("scores", {}).get("context_recall") == 0.0:
        return "no gold article in the answerer's context"
    return "answer missed with gold evidence in context"


# Retrieval --------------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return " ".join(_WORD.findall((text or "").lower()))


def quote_found(quote: str, passage_text: str) -> bool:
    """The quote is inside the passage, or (for long reference contexts) the passage is inside the quote."""
    q, p = _squash(quote), _squash(passage_text)
    return bool(q and p) and (q in p or (len(p) >= 80 and p in q))


def retrieval_scores(passages: Sequence[dict[str, Any]], gold_articles: Sequence[str], gold_quotes: Sequence[str],
                     ks: Iterable[int]) -> dict[str, float | None]:
    """Hit rate, recall and MRR at each k, for gold articles (ranked distinct articles) and gold quotes
    (ranked passages). Keys: `article_hit@k`, `article_recall@k`, `article_mrr@k`, `quote_hit@k`, ..."""
    scores: dict[str, float | None] = {}
    articles = ranked_articles(passages)
    for k in ks:
        for prefix, golds, items, found in (
            ("article", gold_articles, articles, lambda i, item: gold_hits(gold_articles, item)),
            ("quote", gold_quotes, passages,
             lambda i, item: {j for j, q in enumerate(gold_quotes) if quote_found(q, item.get("text", ""))}),
        ):
            if not golds:
                scores.update({f"{prefix}_hit@{k}": None, f"{prefix}_recall@{k}": None, f"{prefix}_mrr@{k}": None})
                continue
            covered: set[int] = set()
            first_rank = 0
            for rank, item in enumerate(items[:k], start=1):
                hits = found(rank, item)
                if hits and not first_rank:
                    first_rank = rank
                covered |= hits
            scores[f"{prefix}_hit@{k}"] = float(bool(covered))
            scores[f"{prefix}_recall@{k}"] = len(covered) / len(golds)
            scores[f"{prefix}_mrr@{k}"] = 1.0 / first_rank if first_rank else 0.0
    return scores


# Citations --------------------------------------------------------------------------------------
def sentences(text: str) -> list[str]:
    """Answer sentences, each keeping the markers that follow it; marker-only fragments are dropped."""
    parts = [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]
    return [s for s in parts if strip_markers(s).strip(" .!?")]


def markers(sentence: str) -> list[int]:
    return [int(n) for group in MARKER.findall(sentence) for n in re.split(r"\s*,\s*", group)]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(strip_markers(text).lower()) if w not in STOPWORDS and (len(w) > 2 or w.isdigit())}


def quote_supports(sentence: str, quote: str, threshold: float = 0.5) -> bool:
    """Lexical support: at least `threshold` of the sentence's content words occur in the quote."""
    words = content_words(sentence)
    if not words:
        return False
    return len(words & content_words(quote)) / len(words) >= threshold


def shown_quote(citation: dict[str, Any]) -> str:
    """The quote as a reader sees it behind [n]: its text, plus what each relative date in it means
    ("yesterday = January 14, 2019", shown with the quote by the UI and the CLI)."""
    return " ".join([citation.get("quote") or "", *(citation.get("dates") or [])])


def quote_is_verbatim(citation: dict[str, Any], body: str | None) -> bool | None:
    """The quote is the article text at its offsets (or, failing that, anywhere in it); None if unknown."""
    if body is None:
        return None
    quote = citation.get("quote") or ""
    if not quote.strip():
        return False
    start, end = citation.get("start_char", -1), citation.get("end_char", -1)
    if 0 <= start < end <= len(body) and body[start:end] == quote:
        return True
    return " ".join(quote.split()) in " ".join(body.split())


def citation_scores(answer_text: str, citations: Sequence[dict[str, Any]], gold_articles: Sequence[str],
                    bodies: dict[str, str] | None = None) -> dict[str, float | None]:
    """Citation precision and recall against gold articles, quote precision (cited quotes that are
    verbatim and support their sentence), and the share of answer sentences carrying a valid citation.
    `bodies` maps article ids to their full text, to check quotes; without it quotes are not checked."""
    bodies = bodies or {}
    by_n = {int(c.get("n", 0)): c for c in citations}
    verbatim = {n: quote_is_verbatim(c, bodies.get(c.get("article_id", ""))) for n, c in by_n.items()}
    scores: dict[str, float | None] = {
        "citation_precision": None, "citation_recall": None, "quote_precision": None, "cited_sentences": None,
    }
    if citations and gold_articles:
        right = [c for c in citations if gold_hits(gold_articles, c)]
        scores["citation_precision"] = len(right) / len(citations)
    if gold_articles:
        cited = set().union(*(gold_hits(gold_articles, c) for c in citations)) if citations else set()
        scores["citation_recall"] = len(cited) / len(gold_articles)
    pairs = [(s, n) for s in sentences(answer_text) for n in markers(s)]
    if pairs:
        good = [n in by_n and verbatim[n] is not False and quote_supports(s, shown_quote(by_n[n])) for s, n in pairs]
        scores["quote_precision"] = sum(good) / len(good)
    sents = sentences(answer_text)
    if sents:
        valid = [any(n in by_n and verbatim[n] is not False for n in markers(s)) for s in sents]
        scores["cited_sentences"] = sum(valid) / len(valid)
    return scores


# Aggregation ------------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    data = [v for v in values if v is not None]
    return sum(data) / len(data) if data else None


def summarize(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Averages of every score over the cases where it applies, plus refusal, latency and token figures."""
    scored = [r for r in results if not r.get("error")]
    keys = sorted({k for r in scored for k, v in r.get("scores", {}).items() if v is not None})
    summary: dict[str, Any] = {"cases": len(results), "errors": len(results) - len(scored)}
    for key in keys:
        summary[key] = mean(r["scores"].get(key) for r in scored)
        summary[f"n_{key}"] = sum(1 for r in scored if r["scores"].get(key) is not None)
    unanswerable = [r for r in results if not r.get("answers")]
    answerable = [r for r in results if r.get("answers")]
    summary["accuracy"] = mean(float(bool(r.get("correct"))) for r in results)
    summary["refusal_accuracy"] = mean(float(bool(r.get("refused")) and not r.get("error")) for r in unanswerable)
    summary["false_refusals"] = mean(float(bool(r.get("refused"))) for r in answerable if not r.get("error"))
    latencies = [r["latency_s"] for r in scored if r.get("latency_s") is not None]
    summary["latency_p50_s"] = percentile(latencies, 50)
    summary["latency_p95_s"] = percentile(latencies, 95)
    summary["prompt_tokens"] = sum(r.get("prompt_tokens") or 0 for r in scored)
    summary["completion_tokens"] = sum(r.get("completion_tokens") or 0 for r in scored)
    summary["tokens_per_case"] = mean((r.get("prompt_tokens") or 0) + (r.get("completion_tokens") or 0) for r in scored)
    return summary


def is_correct(case_answers: Sequence[str], answer_text: str, refused: bool) -> bool:
    """The headline per case: an answerable case is right when it is answered (not refused) and contains an
    acceptable answer; an unanswerable case is right when it is refused."""
    if not case_answers:
        return refused
    return not refused and bool(contains_answer(answer_text, case_answers))
