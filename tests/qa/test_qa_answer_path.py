"""The answer path piece by piece, on the small fictional test articles (tests/qa/qa_articles.py):
answer kinds, context selection, gates, the pure check, the extractive quoter and the retry."""

from __future__ import annotations

from datetime import date
from typing import Iterator

import numpy as np
import pytest

from index import annotate_relative_dates, resolve_relative_dates
from qa.answer_types import (DATE, DURATION, ENTITY, MONEY, NUMBER, OTHER, PERSON, SCORE, TIME, YES_NO, answer_kind,
                             grounded_items, items)
from qa.check import check_answer
from qa.context import build_sources, whole_chunk_sources
from qa.engine import Engine
from qa.gates import asked_detail_gate, relevance_gate
from qa.llms.base import ChatBackend
from qa.prompting import REFUSAL
from qa.types import ASKED_DETAIL_MISSING, MODEL_DECLINED, NO_RELEVANT_PASSAGE, NO_SUPPORTED_SENTENCE


# Answer kinds ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("question, kind", [
    ("On what date did the festival open?", DATE),
    ("When will the first trams run?", DATE),
    ("At about what local time did the fire start?", TIME),
    ("How many hives did the treasurer count?", NUMBER),
    ("How much will the tram line cost?", MONEY),
    ("What was the final score of the match?", SCORE),
    ("How old was the water main?", NUMBER),
    ("How long will the archaeological survey take?", DURATION),
    ("What was the name of the treasurer of the beekeepers' association?", PERSON),
    ("Who led the tall-ship parade?", ENTITY),
    ("Which schooner led the parade?", OTHER),
    ("In which city was the festival held?", ENTITY),
    ("Did the council approve the tram line?", YES_NO),
    ("Why did opponents object?", OTHER),
])
def test_the_question_says_what_kind_of_answer_it_wants(question, kind):
    assert answer_kind(question) == kind


def test_an_answer_item_counts_only_when_the_sources_state_it_and_the_question_does_not():
    evidence = "The treasurer, Ottoline Vasquez-Brindlemoor, counted 1,240 hives on 14 January 2019."
    q_name = "What was the name of the treasurer?"
    assert grounded_items("The treasurer was Ottoline Vasquez-Brindlemoor.", PERSON, q_name, evidence)
    assert not grounded_items("The treasurer was Maria Jones.", PERSON, q_name, evidence)  # not in the sources
    assert not grounded_items("The treasurer counted the hives.", PERSON, q_name, evidence)  # names nobody
    q_date = "On what date did the treasurer count the hives?"
    assert grounded_items("On January 14, 2019.", DATE, q_date, evidence)  # same date, other spelling
    assert not grounded_items("On January 15, 2019.", DATE, q_date, evidence)
    q_count = "How many hives did the treasurer count in 2019?"
    assert grounded_items("1,240 hives.", NUMBER, q_count, evidence)
    assert not grounded_items("In 2019.", NUMBER, q_count, evidence)  # restates the question's number
    assert grounded_items("415 thousand priests", NUMBER, "How many priests?", "about 415,000 priests")


def test_scores_money_and_counts_are_told_from_dates():
    assert [i.text for i in items("Caloundra won 24-10 in round 3.", SCORE)] == ["24-10"]
    assert [i.text for i in items("Bail was set at 100,000 Georgian lari.", MONEY)] == ["100,000 Georgian lari"]
    assert [i.text for i in items("On Monday (November 18, 2019) 18 people died in 2019.", NUMBER)] == ["18"]


# Relative dates -------------------------------------------------------------------------------------------
def test_relative_dates_resolve_against_the_publication_date():
    text = "Yesterday, the mayor resigned. On Tuesday the council met. The vote is next Friday. Sales fell last month."
    published = date(2019, 10, 24)  # a Thursday
    got = {a.phrase: a.label() for a in resolve_relative_dates(text, published)}
    assert got == {"Yesterday": "October 23, 2019", "On Tuesday": "October 22, 2019",
                   "next Friday": "October 25, 2019", "last month": "September 2019"}
    annotated = annotate_relative_dates(text, published)
    assert annotated.startswith("Yesterday (October 23, 2019), the mayor resigned.")
    assert annotated.replace(" (October 23, 2019)", "").replace(" (October 22, 2019)", "") \
        .replace(" (October 25, 2019)", "").replace(" (September 2019)", "") == text  # nothing else changed


def test_named_days_that_are_not_relative_are_left_alone():
    assert resolve_relative_dates("The Easter Sunday bombings and Super Tuesday.", date(2019, 4, 25)) == []
    assert resolve_relative_dates("He died on Sunday, October 27.", date(2019, 10, 28)) == []
    assert resolve_relative_dates("He died yesterday.", None) == []


# Context selection ----------------------------------------------------------------------------------------
def _sources(desk, question, words=260, sentences=8):
    engine = desk.engine()
    found = engine.retriever.retrieve(question)
    return found, build_sources(found.context_hits(), question, found.query_vector, engine.sentences, sentences, words)


def test_the_sentence_holding_the_asked_number_is_chosen_with_its_neighbour(desk):
    found, sources = _sources(desk, "How many hives did the beekeepers' association count in its survey?")
    shown = " ".join(s.excerpt() for s in sources)
    assert "1,240 hives" in shown
    beekeepers = next(s for s in sources if "Beekeepers" in s.title)
    picked = [beekeepers.candidates[i].text for i in beekeepers.selected]
    at = next(i for i, t in enumerate(picked) if "1,240" in t)
    assert at > 0 and "mild weather" in picked[at - 1]  # the sentence before it came along


def test_the_word_budget_bounds_what_the_answerer_sees(desk):
    _, small = _sources(desk, "What did the Glenmoor council decide about the tram line?", words=40)
    _, large = _sources(desk, "What did the Glenmoor council decide about the tram line?", words=400)
    count = lambda sources: sum(len(s.candidates[i].text.split()) for s in sources for i in s.selected)  # noqa: E731
    assert count(small) < count(large)
    assert count(small) <= 40 + max(len(s.candidates[i].text.split()) for s in small for i in s.selected)


def test_sources_show_the_publication_date_and_resolved_relative_dates(desk):
    from qa.prompting import format_sources

    _, sources = _sources(desk, "When did Mayor Ilse Varga tell reporters about the archaeological survey?")
    text = format_sources(sources)
    assert "published Monday, April 15, 2024" in text
    assert "on Friday (April 12, 2024)" in text


# Gates ----------------------------------------------------------------------------------------------------
def test_relevance_gate_refuses_when_nothing_relevant_was_found(desk):
    found, sources = _sources(desk, "How many hives did the beekeepers' association count?")
    assert relevance_gate("q", found.query_vector, True, sources, 0.3) is None
    assert relevance_gate("q", found.query_vector, False, sources, 0.3) == NO_RELEVANT_PASSAGE
    assert relevance_gate("q", found.query_vector, True, [], 0.3) == NO_RELEVANT_PASSAGE


def test_asked_detail_gate_fires_only_for_an_attribute_no_article_mentions():
    texts = ["Glenmoor tram\nThe line will cost 240 million euros."]
    assert asked_detail_gate("What is the salary of the Glenmoor mayor?", texts) == ASKED_DETAIL_MISSING
    assert asked_detail_gate("What is the cost of the Glenmoor tram line?", texts) is None


# The check ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def treasurer(desk):
    question = "What was the name of the treasurer of the beekeepers' association?"
    found, sources = _sources(desk, question)
    from qa.prompting import format_sources

    embedder = desk.engine().embedder
    return question, sources, format_sources(sources), lambda texts: np.asarray(embedder.embed_documents(texts))


def test_a_supported_answer_keeps_its_checked_citation(treasurer):
    question, sources, evidence, embed = treasurer
    n = next(s.n for s in sources if "Beekeepers" in s.title)
    verdict = check_answer(f"The treasurer was Ottoline Vasquez-Brindlemoor [{n}].", sources, question, embed, 0.55,
                           evidence)
    assert not verdict.refused and verdict.citations[0].title.startswith("Beekeepers")
    assert "Vasquez-Brindlemoor" in verdict.citations[0].quote


def test_an_unconfirmed_sentence_is_flagged_not_a_refusal(treasurer):
    question, sources, evidence, embed = treasurer
    draft = ("The treasurer was Ottoline Vasquez-Brindlemoor [1]. "
             "She also breeds racing pigeons in the valley of the Ardennes [1].")
    verdict = check_answer(draft, sources, question, embed, 0.55, evidence)
    assert not verdict.refused
    assert verdict.unsupported == ["She also breeds racing pigeons in the valley of the Ardennes."]


def test_an_answer_without_the_asked_name_is_refused(treasurer):
    question, sources, evidence, embed = treasurer
    no_name = check_answer("The treasurer counted 1,240 hives in the survey [1].", sources, question, embed, 0.55,
                           evidence)
    assert no_name.refused and no_name.reason == ASKED_DETAIL_MISSING
    invented = check_answer("The treasurer was Maria Jones, who counted 1,240 hives [1].", sources, question,
                            embed, 0.55, evidence)
    assert invented.refused and invented.reason == ASKED_DETAIL_MISSING


def test_declined_and_unsupported_drafts_are_told_apart(treasurer):
    question, sources, evidence, embed = treasurer
    assert check_answer(REFUSAL, sources, question, embed, 0.55, evidence).reason == MODEL_DECLINED
    off = check_answer("The moon is made of green cheese [1].", sources, question, embed, 0.55, evidence)
    assert off.refused and off.reason == NO_SUPPORTED_SENTENCE


# Extractive -----------------------------------------------------------------------------------------------
def test_extractive_quotes_the_sentence_with_the_asked_kind(desk):
    answer = desk.ask("How much will the Riverside tram line in Glenmoor cost?")
    assert "240 million euros" in answer.text and not answer.refused
    answer = desk.ask("When did the Marlow harbour office publish its summer tide tables?")
    assert "May 1, 2024" in answer.text  # "on Wednesday" resolved against the publication date


def test_extractive_refuses_when_no_sentence_holds_the_asked_kind(desk):
    answer = desk.ask("What was the name of the contractor that found old harbour walls under the Glenmoor route?")
    assert answer.refused and answer.refusal_reason == ASKED_DETAIL_MISSING


# The retry ------------------------------------------------------------------------------------------------
class ScriptedLLM(ChatBackend):
    """A chat backend that replies from a script and records every prompt it was given."""

    name, model, generates = "scripted", "scripted", True

    def __init__(self, replies: list[str]) -> None:
        super().__init__()
        self.replies, self.prompts = list(replies), []

    def stream(self, messages, max_tokens) -> Iterator[str]:
        self.prompts.append(messages[-1]["content"])
        yield self.replies.pop(0) if self.replies else REFUSAL


def test_a_declined_draft_is_retried_once_with_the_top_chunks_whole(desk):
    llm = ScriptedLLM([REFUSAL, "The survey counted 1,240 hives [1]."])
    engine = Engine(desk.settings, desk.retriever(), llm)
    answer = list(engine.stream("How many hives did the beekeepers' association count in its survey?"))[-1]
    assert len(llm.prompts) == 2 and not answer.refused
    assert "1,240" in answer.text and answer.citations[0].title.startswith("Beekeepers")
    found = desk.retriever().retrieve("How many hives did the beekeepers' association count in its survey?")
    whole = whole_chunk_sources(found.hits[:2], engine.sentences)
    assert all(c.text in llm.prompts[1] for c in whole[0].candidates)  # every sentence of the chunk shown


def test_a_second_decline_is_a_refusal_and_there_is_no_third_try(desk):
    llm = ScriptedLLM([REFUSAL, REFUSAL, "never asked"])
    engine = Engine(desk.settings, desk.retriever(), llm)
    answer = list(engine.stream("How many hives did the beekeepers' association count in its survey?"))[-1]
    assert answer.refused and answer.refusal_reason == MODEL_DECLINED and len(llm.prompts) == 2


def test_a_declined_two_publication_yes_no_question_is_decided_by_its_sides(desk):
    question = ("Did the Glenmoor Herald report that the Riverside tram line will cost 240 million euros, while the "
                "Coastal Tribune reported that about 85,000 visitors came to the Port Ostrava harbour festival?")
    llm = ScriptedLLM([REFUSAL, REFUSAL])
    answer = list(Engine(desk.settings, desk.retriever(), llm).stream(question))[-1]
    assert not answer.refused and answer.text.startswith("Yes.")
    assert {c.source for c in answer.citations} == {"Glenmoor Herald", "Coastal Tribune"}
    assert "240 million euros" in answer.text and "85,000" in answer.text  # each side's own sentence, quoted
    assert "[sides]" in answer.draft  # the record says how the answer was reached
