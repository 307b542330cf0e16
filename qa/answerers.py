"""Answerers: from a question and its numbered sources to a draft answer with `[n]` markers.

`LLMAnswerer` prompts a chat model; `ExtractiveAnswerer` quotes the sentence that holds what was asked.
Both stream text pieces; the engine checks the joined draft with `qa.check.check_answer`.
"""

from __future__ import annotations

import re
from typing import Iterator, Sequence

import numpy as np

from qa.answer_types import (CALENDAR, ENTITY, PERSON, TYPED, answer_kind, asks_for_person, holds_kind,
                             looks_like_person, question_names)
from qa.compare import Side, extractive_sides, is_yes_no, side_hint
from qa.context import Source, best_sentences
from qa.llms.base import ChatBackend
from qa.prompting import REFUSAL, answer_messages
from qa.text import STOPWORDS, fold
from qa.timeliness import TIMELINE, TIMELINE_HINT, Update, still_verdict, update_hint
from qa.tuning import (EXTRACTIVE_CLOSE, EXTRACTIVE_KIND_FLOOR, EXTRACTIVE_MAX_SENTENCES, EXTRACTIVE_MIN_NAMES,
                       EXTRACTIVE_NAME_SENTENCES, EXTRACTIVE_NAME_SPREAD, TIMELINE_MAX_REPORTS)


class Answerer:
    """Drafts an answer from the chosen sources. `generates`: True when a model writes the text."""

    name = "answerer"
    generates = False

    def draft(self, question: str, q_vec: np.ndarray, sources: list[Source], sides: Sequence[Side],
              focus: str = "", update: Update | None = None) -> Iterator[str]:
        """`focus`: qa.timeliness TIMELINE for a dated account, oldest first; `update`: the reports disagree and
        sources[update.newest] (source [1]) is the newest: its statement leads."""
        raise NotImplementedError


class LLMAnswerer(Answerer):
    """A chat model given the numbered sources (and, for comparisons, each part's best sentence)."""

    generates = True

    def __init__(self, backend: ChatBackend, max_tokens: int) -> None:
        self.backend, self.max_tokens, self.name = backend, max_tokens, backend.name

    def draft(self, question: str, q_vec: np.ndarray, sources: list[Source], sides: Sequence[Side],
              focus: str = "", update: Update | None = None) -> Iterator[str]:
        hint = side_hint(list(sides), sources) if len(sides) >= 2 else ""
        note = update_hint(sources, update) if update else TIMELINE_HINT if focus == TIMELINE else ""
        yield from self.backend.stream(answer_messages(question, sources, hint, note, is_yes_no(question)),
                                       self.max_tokens)


class ExtractiveAnswerer(Answerer):
    """No model: the sentence that best answers, preferring one that holds the asked kind of item (a date for
    "when", a number for "how many"); yes/no and choice questions answered per side."""

    name = "extractive"

    def draft(self, question: str, q_vec: np.ndarray, sources: list[Source], sides: Sequence[Side],
              focus: str = "", update: Update | None = None) -> Iterator[str]:
        if update is not None:  # the newest report's statement, then each superseded one
            order = [update.newest, *update.earlier]
            verdict = still_verdict(question, update) if is_yes_no(question) else ""  # "Is it still ...?"
            # each report's own statement: a correction notice's correction, not the figure it withdraws
            statements = [_stopped(sources[si].statement(update.sentences[si])) for si in order]
            yield " ".join([verdict] * bool(verdict) + [f"{text} [{sources[si].n}]"
                                                          for si, text in zip(order, statements)])
            return
        if focus == TIMELINE and len(sources) >= 2:
            yield from self._timeline(question, q_vec, sources)
            return
        if sides and (is_yes_no(question) or all(s.found for s in sides)):
            yield extractive_sides(list(sides), sources, is_yes_no(question), question)
            return
        scored = best_sentences(question, q_vec, sources)
        if not scored:
            yield REFUSAL
            return
        if not names_present(question, sources):  # the sources are about other events altogether
            yield REFUSAL
            return
        kind = answer_kind(question)
        if kind in TYPED:
            holding = [x for x in scored if holds_kind(sources[x[1]].annotated(x[2]), kind, question)
                       and x[0] >= EXTRACTIVE_KIND_FLOOR * scored[0][0]]
            if not holding:  # no sentence gives the asked kind of thing: the articles do not say
                yield REFUSAL
                return
            scored = holding
        picked = [(si, ci) for score, si, ci in scored[:EXTRACTIVE_MAX_SENTENCES]
                  if score >= EXTRACTIVE_CLOSE * scored[0][0]]
        prefix = ""
        if kind in (PERSON, ENTITY):
            named = best_name(scored, sources, question, kind)
            if named is not None:  # the name the best sentences agree on, in its fullest form, then the evidence
                prefix = f"{named[0]}: "
                if named[1:] not in picked:
                    picked = [named[1:], *picked][:EXTRACTIVE_MAX_SENTENCES]
        yield prefix + " ".join(f"{sources[si].annotated(ci)} [{sources[si].n}]" for si, ci in picked)

    def _timeline(self, question: str, q_vec: np.ndarray, sources: list[Source]) -> Iterator[str]:
        """Each report's best sentence, in the sources' (chronological) order."""
        scored = best_sentences(question, q_vec, sources)
        if not scored or not names_present(question, sources):
            yield REFUSAL
            return
        floor = EXTRACTIVE_KIND_FLOOR * scored[0][0]
        best: dict[int, int] = {}
        for score, si, ci in scored:
            if score >= floor and si not in best:
                best[si] = ci
        chosen = sorted(best)[:TIMELINE_MAX_REPORTS]
        yield " ".join(f"{sources[si].annotated(best[si])} [{sources[si].n}]" for si in chosen)


def _stopped(text: str) -> str:
    """`text` ending in a full stop (a correction is kept without its own)."""
    return text if text[-1:] in ".!?\"”’)" else f"{text}."


def names_present(question: str, sources: list[Source]) -> bool:
    """False when the question names at least EXTRACTIVE_MIN_NAMES things and the sources mention none of them:
    retrieval found articles about something else (an extractive quote would answer a different event)."""
    names = question_names(question)
    if len(names) < EXTRACTIVE_MIN_NAMES:
        return True
    text = fold(" ".join(f"{src.title} {src.source} {c.text}" for src in sources for c in src.candidates))
    return any(re.search(rf"(?<!\w){re.escape(n)}", text) for n in names)


_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*[\w](?:\s+(?:(?:de|da|van|von|der|bin|al|of|the|for|and)\s+)?"
                  r"[A-Z][\w'’.-]*[\w])*")


def name_runs(text: str, question: str, ordinary: frozenset[str] = frozenset()) -> list[str]:
    """Runs of capitalised words ('Sam Bankman-Fried', 'Binghamton University') that the question does not
    already name ('Kaplan' in "Judge Lewis Kaplan's" counts as named); a sentence's first word counts only as
    part of a longer run, and not at all when it is an `ordinary` word (one the sources also write in lower
    case: "Using Caroline Ellison" names Caroline Ellison)."""
    asked = {re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w'’-]+", fold(question))}
    runs = []
    for m in _RUN.finditer(text):
        words = m.group(0).split()
        if m.start() == 0 or not text[: m.start()].strip() or text[: m.start()].rstrip()[-1:] in ".!?\"“(:":
            if len(words) == 1 or fold(words[0]) in STOPWORDS or words[0].lower() in ordinary:
                words = words[1:]
        words = [w for w in words if not CALENDAR.fullmatch(w)]
        while words and fold(words[-1]) in STOPWORDS:
            words.pop()
        if words and not all(re.sub(r"['’]s?$", "", fold(w)) in asked for w in words):  # "Lewis" keeps its s
            runs.append(re.sub(r"['’]s$", "", " ".join(words)))
    return runs


_LOWER_CASE_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*")


def lower_case_words(sources: list[Source]) -> frozenset[str]:
    """Words the sources write in lower case somewhere: capitalised, they open a sentence; they name no one."""
    return frozenset(w for src in sources for c in src.candidates for w in _LOWER_CASE_WORD.findall(c.text))


def best_name(scored: list[tuple[float, int, int]], sources: list[Source], question: str,
              kind: str = ENTITY) -> tuple[str, int, int] | None:
    """The name (keyed by its last word, so 'Bankman-Fried' and 'Sam Bankman-Fried' agree) with the most
    support, shown in its longest form found in the sources, with its best sentence. Support: the scores of
    the best EXTRACTIVE_NAME_SENTENCES sentences naming it, plus EXTRACTIVE_NAME_SPREAD for each further
    source whose chosen sentences name it (a question built from several articles asks for what they share).
    A question asking for a person prefers names that look like a person's. `scored`: best_sentences' list."""
    ordinary = lower_case_words(sources)
    all_runs = [run for src in sources for i in range(len(src.candidates))
                for run in name_runs(src.annotated(i), question, ordinary)]
    person = kind == PERSON or asks_for_person(question)
    # a surname alone ('Altman') counts where the sources also give the full name ('Sam Altman')
    surnames = {fold(run.split()[-1]) for run in all_runs if looks_like_person(run)}
    votes: dict[str, float] = {}
    where: dict[str, tuple[int, int]] = {}
    naming: dict[str, set[int]] = {}  # key -> the sources whose chosen sentences name it
    for rank, (score, si, ci) in enumerate(scored):
        runs = name_runs(sources[si].annotated(ci), question, ordinary)
        if person:
            runs = [run for run in runs if fold(run.split()[-1]) in surnames]
        for run in dict.fromkeys(runs):
            key = fold(run.split()[-1])
            naming.setdefault(key, set()).add(si)
            where.setdefault(key, (si, ci))
            if rank < EXTRACTIVE_NAME_SENTENCES:
                votes[key] = votes.get(key, 0.0) + score
    for key, named_by in naming.items():
        if len(named_by) > 1:
            votes[key] = votes.get(key, 0.0) + EXTRACTIVE_NAME_SPREAD * (len(named_by) - 1)
    if not votes:
        return None
    key = max(votes, key=votes.get)
    forms = [run for run in all_runs if fold(run.split()[-1]) == key and (not person or looks_like_person(run))]
    name = max(forms, key=lambda r: (len(r.split()), forms.count(r)))
    return (name, *where[key])
