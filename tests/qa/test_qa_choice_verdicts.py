"""Yes/no questions shaped as a choice ("... consistent or inconsistent?", "before or after ...?") are answered
with the option, decided from each side's evidence, on in-memory fictional sources."""

from __future__ import annotations

import pytest

from qa.citations import Claim
from qa.compare import Side, extractive_sides, option_verdict
from qa_helpers import in_memory_source


def _sources():
    return [in_memory_source(1, "2026-03-02", "The Larkin ferry was fined for two failed crossings.", "Ferry fined"),
            in_memory_source(2, "2026-04-11", "The Larkin ferry failed a third crossing in April.", "Ferry fails")]


def _side(text: str, source_index: int, score: float) -> Side:
    side = Side(text, [])
    side.source_index, side.candidate, side.score = source_index, 0, score
    return side


STRONG, WEAK = 0.9, 0.05  # a side's best sentence scoring above / below SIDE_SUPPORT


@pytest.mark.parametrize("question, strong, weak", [
    ("Between the March and April reports, is the ferry's record portrayed consistent or inconsistent?",
     "Consistent", "Inconsistent"),
    ("Does the Gazette report the fine in a similar way to the Courier, or do they present different reasons?",
     "Similar", "Different"),
    ("Do both reports agree that the ferry failed, or do they present different accounts?", "Agree", "Different"),
    ("Did the April report show a change or consistency in the ferry's record?", "Consistency", "Change"),
])
def test_an_agreement_choice_is_answered_with_its_option(question, strong, weak):
    sources = _sources()
    both = [_side("fined", 0, STRONG), _side("failed", 1, STRONG)]
    assert option_verdict(question, both, sources) == strong
    one_unsupported = [_side("fined", 0, STRONG), _side("failed", 1, WEAK)]
    assert option_verdict(question, one_unsupported, sources) == weak
    answer = extractive_sides(both, sources, True, question)
    assert answer.startswith(f"{strong}. The Larkin ferry was fined for two failed crossings. [1]")
    assert answer.endswith("The Larkin ferry failed a third crossing in April. [2]")


def test_before_or_after_is_decided_by_the_report_dates():
    sources = _sources()
    question = "Was the fine reported before or after the third failed crossing was reported?"
    assert option_verdict(question, [_side("fine", 0, STRONG), _side("third", 1, STRONG)], sources) == "Before"
    assert option_verdict(question, [_side("third", 1, STRONG), _side("fine", 0, STRONG)], sources) == "After"
    assert option_verdict(question, [_side("fine", 0, STRONG), _side("third", 0, STRONG)], sources) == ""  # same day


def test_a_plain_yes_no_question_keeps_yes_and_no():
    sources = _sources()
    question = "Did the Gazette report a fine while the Courier reported a third failed crossing?"
    both = [_side("fined", 0, STRONG), _side("failed", 1, STRONG)]
    assert option_verdict(question, both, sources) == ""
    assert extractive_sides(both, sources, True, question).startswith("Yes. ")
    assert extractive_sides(both, sources, True).startswith("Yes. ")  # no question: the plain verdict


def test_a_one_word_verdict_has_nothing_to_check_but_a_claim_does():
    assert Claim("Consistent.").trivial and Claim("Yes.").trivial and Claim("Before.").trivial
    assert not Claim("Consistent reporting of the fine.").trivial
    assert not Claim("Larkin.").trivial


def test_a_models_bare_yes_to_a_choice_question_becomes_the_option_its_sides_give():
    import numpy as np

    from qa.check import check_answer

    sources = _sources()
    question = "Between the March and April reports, is the ferry's record portrayed consistent or inconsistent?"
    both = [_side("fined", 0, STRONG), _side("failed", 1, STRONG)]
    verdict = check_answer("Yes [1].", sources, question, lambda texts: np.zeros((len(texts), 4), np.float32),
                           0.55, "", both)
    assert verdict.text.startswith("Consistent. The Larkin ferry was fined for two failed crossings")
    assert not verdict.refused
