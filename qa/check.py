"""The answer check: a pure function from an answerer's draft to the answer a user sees, or a refusal.

    verdict = check_answer(draft, sources, question, embed, threshold, evidence, sides)

1. Split the draft into sentences and their `[n]` markers; sentences saying the sources do not answer are
   dropped. Nothing left: the model declined.
2. Each sentence is checked against its cited source (word overlap + embedding similarity, `support`); a wrong
   or missing citation moves to the source that supports it; markers are renumbered by first use. A sentence
   no source supports stays in the answer, flagged in `unsupported` (the UI underlines it).
3. Refuse only when no sentence is supported, or when the question asks for a kind of thing (a date, a
   number, a name) and the answer gives none that the sources state: an answer to "What was the name of the
   engineer?" that names nobody, or names someone the sources never mention, is not an answer.
4. Yes/no questions: a bare "Yes."/"No." whose own wording is unsupported keeps its verdict, cited to each
   side's best sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from qa.answer_types import TYPED, answer_kind, grounded_items
from qa.citations import check_claims, parse_claims, render
from qa.compare import Side, extractive_sides, is_yes_no, option_verdict
from qa.context import Source
from qa.prompting import REFUSAL, is_refusal
from qa.types import ASKED_DETAIL_MISSING, MODEL_DECLINED, NO_SUPPORTED_SENTENCE, Citation

_LEADING_VERDICT = re.compile(r"^\s*(yes|no)\b", re.I)
_LEADING_YES_NO = re.compile(r"^\s*(yes|no)\s*[.,!]\s+(?=\S)", re.I)

Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Verdict:
    """What the check made of a draft: the cited answer, or a refusal with its reason."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    refused: bool = False
    reason: str = ""  # one of qa.types.REFUSAL_REASONS when refused


def drop_stray_yes_no(question: str, text: str) -> str:
    """Small models open with 'Yes.' even for 'when/who' questions; keep it only for yes/no questions."""
    return text if is_yes_no(question) else _LEADING_YES_NO.sub("", text, count=1)


def refusal(reason: str, unsupported: Sequence[str] = ()) -> Verdict:
    return Verdict(REFUSAL, [], list(unsupported), True, reason)


def check_answer(draft: str, sources: list[Source], question: str, embed: Embed, threshold: float,
                 evidence: str = "", sides: Sequence[Side] = (), kind: str | None = None,
                 yes_no_fallback: bool = True) -> Verdict:
    """Check a draft against the sources it was written from (see the module docstring).
    `embed(texts) -> vectors` embeds answer sentences; `evidence` is the text the answerer was given (the
    asked item must be stated there); `sides` are a yes/no question's parts with their best sentences."""
    draft = drop_stray_yes_no(question, draft)
    parsed = parse_claims(draft)
    claims = [c for c in parsed if not is_refusal(c.text)]
    if claims:
        check_claims(claims, embed([c.text for c in claims]), sources, threshold, question)
    checked = render(claims, sources)
    verdict = _LEADING_VERDICT.match(draft)
    if (yes_no_fallback and checked.supported_claims == 0 and verdict and len(parsed) == len(claims)
            and is_yes_no(question) and any(s.found for s in sides)):
        evidence_text = extractive_sides(list(sides), sources, False)
        # "Yes" does not answer "consistent or inconsistent?": there the sides decide the option
        head = option_verdict(question, list(sides), sources) or verdict.group(1).capitalize()
        return check_answer(f"{head}. {evidence_text}", sources, question, embed,
                            threshold, evidence, sides, kind, yes_no_fallback=False)
    if checked.supported_claims == 0:
        declined = not [c for c in claims if not c.trivial]
        return refusal(MODEL_DECLINED if declined else NO_SUPPORTED_SENTENCE, checked.unsupported)
    kind = kind or answer_kind(question)
    if kind in TYPED and evidence:
        said = " ".join(c.text for c in claims)
        if not grounded_items(said, kind, question, evidence):
            return refusal(ASKED_DETAIL_MISSING, checked.unsupported)
    return Verdict(checked.text, checked.citations, checked.unsupported)
