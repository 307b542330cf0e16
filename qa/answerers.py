"""Answerers: from a question and its numbered sources to a draft answer with `[n]` markers.

`LLMAnswerer` prompts a chat model; `ExtractiveAnswerer` quotes the sentence that holds what was asked.
Both stream text pieces; the engine checks the joined draft with `qa.check.check_answer`.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from qa.answer_types import TYPED, answer_kind, holds_kind
from qa.compare import Side, extractive_sides, is_yes_no, side_hint
from qa.context import Source, best_sentences
from qa.llms.base import ChatBackend
from qa.prompting import REFUSAL, answer_messages
from qa.tuning import EXTRACTIVE_CLOSE, EXTRACTIVE_KIND_FLOOR, EXTRACTIVE_MAX_SENTENCES


class Answerer:
    """Drafts an answer from the chosen sources. `generates`: True when a model writes the text."""

    name = "answerer"
    generates = False

    def draft(self, question: str, q_vec: np.ndarray, sources: list[Source], sides: Sequence[Side]) -> Iterator[str]:
        raise NotImplementedError


class LLMAnswerer(Answerer):
    """A chat model given the numbered sources (and, for comparisons, each part's best sentence)."""

    generates = True

    def __init__(self, backend: ChatBackend, max_tokens: int) -> None:
        self.backend, self.max_tokens, self.name = backend, max_tokens, backend.name

    def draft(self, question: str, q_vec: np.ndarray, sources: list[Source], sides: Sequence[Side]) -> Iterator[str]:
        hint = side_hint(list(sides), sources) if len(sides) >= 2 else ""
        yield from self.backend.stream(answer_messages(question, sources, hint), self.max_tokens)


class ExtractiveAnswerer(Answerer):
    """No model: the sentence that best answers, preferring one that holds the asked kind of item (a date for
    "when", a number for "how many"); yes/no and choice questions answered per side."""

    name = "extractive"

    def draft(self, question: str, q_vec: np.ndarray, sources: list[Source], sides: Sequence[Side]) -> Iterator[str]:
        if sides and (is_yes_no(question) or all(s.found for s in sides)):
            yield extractive_sides(list(sides), sources, is_yes_no(question))
            return
        scored = best_sentences(question, q_vec, sources)
        if not scored:
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
        picked = [x for x in scored[:EXTRACTIVE_MAX_SENTENCES] if x[0] >= EXTRACTIVE_CLOSE * scored[0][0]]
        yield " ".join(f"{sources[si].annotated(ci)} [{sources[si].n}]" for _, si, ci in picked)
