"""The extractive quoter's answer name for "who / which X" questions, on in-memory fictional sources: the name
the sources share, never one the question already gives, never an ordinary word opening a sentence."""

from __future__ import annotations

import numpy as np

from qa.answerers import best_name, name_runs
from qa.context import best_sentences
from qa.tuning import EXTRACTIVE_NAME_SPREAD
from qa_helpers import in_memory_source


def test_a_name_the_question_gives_with_a_possessive_is_not_the_answer():
    question = "Who admitted it after Judge Lewis Kaplan's intervention?"
    runs = name_runs("It was not until Judge Lewis Kaplan intervened that Orrin Maddleby admitted it.", question)
    assert runs == ["Orrin Maddleby"]


def test_an_ordinary_word_opening_a_sentence_is_not_part_of_the_name():
    text = "Using Petra Langlois as a front, the trader had secret access to the funds."
    assert name_runs(text, "Who had secret access?") == ["Using Petra Langlois"]  # no evidence it is ordinary
    assert name_runs(text, "Who had secret access?", frozenset({"using"})) == ["Petra Langlois"]


def _sources():
    first = in_memory_source(1, "2026-03-02", (
        "Quentin Ashdown-Reyes said the harbour trust fined the ferry operator after the failed crossings. "
        "Mirela Oduya signed the fine."), "Larkin ferry fined")
    second = in_memory_source(2, "2026-03-09", (
        "The ferry engines were old. Mirela Oduya resigned from the harbour trust on Friday."), "Trust chair resigns")
    return [first, second]


QUESTION = "Who signed the fine the harbour trust gave the ferry operator, and later resigned?"
NO_VECTOR = np.zeros(4, dtype=np.float32)  # the in-memory sources have zero vectors: word overlap alone ranks


def test_the_name_both_sources_give_wins_over_a_better_sentence_naming_someone_else():
    sources = _sources()
    scored = best_sentences(QUESTION, NO_VECTOR, sources)
    assert "Ashdown-Reyes" in sources[scored[0][1]].candidates[scored[0][2]].text  # the best sentence
    name, si, ci = best_name(scored, sources, QUESTION)
    assert name == "Mirela Oduya"
    assert sources[si].candidates[ci].text == "Mirela Oduya signed the fine."  # its best sentence is the evidence


def test_without_the_spread_the_best_sentences_alone_decide(monkeypatch):
    import qa.answerers as answerers

    sources = _sources()
    scored = best_sentences(QUESTION, NO_VECTOR, sources)
    assert EXTRACTIVE_NAME_SPREAD > 0
    monkeypatch.setattr(answerers, "EXTRACTIVE_NAME_SPREAD", 0.0)
    assert best_name(scored, sources, QUESTION)[0] == "Quentin Ashdown-Reyes"
