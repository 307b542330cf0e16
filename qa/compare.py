"""Comparison and yes/no questions over named publications ("Did the Sporting News article ... while The Age
...?"): each side is answered from its own publication's sentences, and the verdict comes from the sides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa.answer_types import AGREEMENT_OPTIONS, DISAGREEMENT_OPTIONS, ORDER_OPTIONS
from qa.context import Source, term_weights, weighted_overlap
from qa.prompting import clean_data
from qa.retrieval.query_analysis import QueryPlan
from qa.text import fold, tokens
from qa.tuning import FOCUS_WEIGHT, PHRASE_BONUS, SIDE_SUPPORT

_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)"
YES_NO = re.compile(rf"^\s*{_AUX}\b|^(?!\s*(?:who|whom|whose|what|which|when|where|why|how)\b)[^?]*,\s*{_AUX}\s+(?:there|the|it|both|all|this|that|they)\b", re.I)


@dataclass
class Side:
    """One part of a comparison: its sub-question, publications, and best sentence (source index, candidate)."""

    text: str
    publications: list[str]
    focus: frozenset[str] = frozenset()  # words that tell this side from the others (a choice's option)
    phrase: str = ""  # the option's last words, matched as a phrase ("august 24", not "august 2")
    score: float = 0.0
    source_index: int = -1
    candidate: int = -1

    @property
    def found(self) -> bool:
        return self.source_index >= 0


def sides_of(plan: QueryPlan) -> list[Side]:
    """The question's parts that name a publication; with fewer than two, the whole question is one side
    (restricted to the publications it names, if any)."""
    sides = [Side(sq.text, list(sq.sources)) for sq in plan.subqueries if sq.sources]
    return sides if len(sides) >= 2 else [Side(plan.question, list(plan.sources))]


_CHOICE = re.compile(r"^(?P<stem>.+?)[:,]\s*(?:the\s+)?(?P<a>[^:,]+?),?\s+or\s+(?:the\s+)?(?P<b>[^:?]+?)\s*\?*\s*$", re.I)


def choice_sides(question: str) -> list[Side]:
    """'Which was larger: A or B?' → one side per option, each asked as the stem plus the option."""
    match = _CHOICE.match(question.strip())
    if not match or not re.match(r"\s*(which|what|who|where|when)\b", match.group("stem"), re.I):
        return []
    stem = match.group("stem")
    options = [match.group("a"), match.group("b")]
    return [Side(f"{stem} {option}", [], frozenset(tokens(option)) - frozenset(tokens(other)),
                 fold(" ".join(option.split()[-2:])))
            for option, other in zip(options, reversed(options))]


def sides_for(question: str, plan: QueryPlan) -> list[Side]:
    """The parts to answer separately: publications of a yes/no question, or the options of a choice."""
    if is_yes_no(question):
        return sides_of(plan)
    return choice_sides(question)


def is_yes_no(question: str) -> bool:
    """'Did ...?', 'Is ...?', or 'Between A and B, was there ...?'."""
    return bool(YES_NO.search(question))


def side_evidence(sides: list[Side], sources: list[Source], embedder: Any) -> list[Side]:
    """Best sentence for each side among the sources from that side's publications, scored against the
    side's own sub-question (embedding similarity + IDF-weighted word overlap)."""
    vectors = embedder.embed_each([s.text for s in sides]) if hasattr(embedder, "embed_each") else None
    for k, side in enumerate(sides):
        q_vec = np.asarray(embedder.embed_query(side.text)) if vectors is None else np.asarray(vectors[k])
        mine = [(si, src) for si, src in enumerate(sources) if not side.publications or src.source in side.publications]
        weights = term_weights(set(tokens(side.text)), [c.text for _, src in mine for c in src.candidates])
        weights = {t: w * (FOCUS_WEIGHT if t in side.focus else 1.0) for t, w in weights.items()}
        for si, src in mine:
            sims = src.vectors @ q_vec
            for ci, sentence in enumerate(src.candidates):
                score = 0.5 * float(sims[ci]) + 0.5 * weighted_overlap(weights, sentence.text)
                if side.phrase and re.search(rf"(?<!\w){re.escape(side.phrase)}(?!\w)", fold(sentence.text)):
                    score += PHRASE_BONUS
                if score > side.score:
                    side.score, side.source_index, side.candidate = score, si, ci
    return sides


def decided_by_sides(question: str, sides: list[Side]) -> bool:
    """A yes/no question in two or more parts, each with a sentence found: its sides can decide it."""
    return is_yes_no(question) and len(sides) >= 2 and all(s.found for s in sides)


def verdict(sides: list[Side]) -> str:
    """'Yes' when every side has a sentence that supports it, else 'No'."""
    return "Yes" if sides and all(s.found and s.score >= SIDE_SUPPORT for s in sides) else "No"


def side_hint(sides: list[Side], sources: list[Source]) -> str:
    """A line for the LLM prompt: which source holds each side of the comparison, with publication and date."""
    lines = []
    for k, side in enumerate(sides, start=1):
        if side.found:
            src = sources[side.source_index]
            lines.append(f"Part {k} ({clean_data(src.source)}, {src.published_at[:10] or 'undated'}): see [{src.n}]: "
                         f"\"{clean_data(src.candidates[side.candidate].text)}\"")
        else:
            lines.append(f"Part {k} ({clean_data(', '.join(side.publications))}): no sentence found")
    return "\n".join(lines)


# A yes/no question that offers agreement against disagreement ("... consistent or inconsistent?", "similar ...,
# or do they present different reasons?") or an order ("before or after ...?") asks for one of its options
_AGREE = "|".join(AGREEMENT_OPTIONS)
_DISAGREE = "|".join(DISAGREEMENT_OPTIONS)
_AGREEMENT_CHOICE = re.compile(rf"\b(?P<a>{_AGREE}|{_DISAGREE})\b[^?]*?,?\s+or\s+(?:\w+\s+){{0,4}}?"
                               rf"(?P<b>{_AGREE}|{_DISAGREE})\b", re.I)
_ORDER_CHOICE = re.compile(r"\b{0}\s+or\s+{1}\b|\b{1}\s+or\s+{0}\b".format(*ORDER_OPTIONS), re.I)


def option_verdict(question: str, sides: list[Side], sources: list[Source]) -> str:
    """The option a choice-shaped yes/no question asks for, decided as `verdict` decides: the sides found as
    the question describes them → its agreement option; for "before or after", the first side's report date
    against the second's. "" when the question offers no such options (or the dates do not tell)."""
    order = _ORDER_CHOICE.search(question)
    if order:
        found = [s for s in sides if s.found]
        if len(found) < 2:
            return ""
        first, second = (sources[s.source_index].published_at[:10] for s in found[:2])
        if not first or not second or first == second:
            return ""
        return "Before" if first < second else "After"
    match = _AGREEMENT_CHOICE.search(question)
    if not match:
        return ""
    a, b = match.group("a"), match.group("b")
    agree = [o for o in (a, b) if re.fullmatch(_AGREE, o, re.I)]
    disagree = [o for o in (a, b) if re.fullmatch(_DISAGREE, o, re.I)]
    if len(agree) != 1 or len(disagree) != 1:
        return ""
    word = agree[0] if verdict(sides) == "Yes" else disagree[0]
    word = re.sub(r"^(?:a|the)\s+", "", word, flags=re.I)
    return word[:1].upper() + word[1:].lower()


def extractive_sides(sides: list[Side], sources: list[Source], yes_no: bool, question: str = "") -> str:
    """Each side's best sentence quoted with its `[n]`, after 'Yes.'/'No.' for a yes/no question (or the
    option it offers, for "consistent or inconsistent?" / "before or after?", when `question` is given)."""
    head = ((option_verdict(question, sides, sources) if question else "") or verdict(sides)) if yes_no else ""
    quotes = []
    for side in sides:
        if side.found:
            src = sources[side.source_index]
            quote = f"{src.candidates[side.candidate].text} [{src.n}]"
            if quote not in quotes:
                quotes.append(quote)
    return " ".join([f"{head}." if head else "", *quotes]).strip()
