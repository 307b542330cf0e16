"""Answer quality fixes found by the eval: refusal reasons, refusal detection, asked-detail gate, sentence
ranking, and yes/no comparisons answered per publication (bundled sample corpus, extractive backend)."""

from qa.asked import asked_detail_missing, asked_term
from qa.compare import choice_sides, is_yes_no, side_evidence, side_hint, sides_for
from qa.context import build_sources
from qa.prompting import REFUSAL, answer_messages, format_sources, is_refusal
from qa.text import stem
from qa.types import ASKED_DETAIL_MISSING, MODEL_DECLINED, NO_RELEVANT_PASSAGE, NO_SUPPORTED_SENTENCE


def test_refusal_reason_is_in_the_answer_and_its_json(desk):
    answer = desk.ask("What is the population of Lima, Peru?")
    assert answer.refused and answer.refusal_reason == NO_RELEVANT_PASSAGE
    assert answer.to_json()["refusal_reason"] == NO_RELEVANT_PASSAGE
    assert desk.ask("When did Türkiye and Israel begin technical talks?").to_json()["refusal_reason"] == ""


def test_normal_answers_mentioning_a_missing_detail_are_not_refusals():
    assert not is_refusal("The council voted 7 to 2, although the cost was not mentioned.")
    assert not is_refusal("The cost was not specified by the council, which voted 7 to 2.")
    assert not is_refusal("The indexed articles do say that the marathon raised €310,000.")
    assert is_refusal(REFUSAL)
    assert is_refusal("The sources do not mention his salary.")
    assert is_refusal("Unfortunately, the articles do not provide this information.")
    assert is_refusal("There is no information about the rent.")


def _sources(desk, question):
    engine = desk.engine()
    found = engine.retriever.retrieve(question)
    return engine, found, build_sources(found.context_hits(), question, found.query_vector, engine.sentences, 8)


def _check(engine, draft, sources, question, sides=()):
    from qa.check import check_answer

    return check_answer(draft, sources, question, lambda texts: engine._claim_vectors(texts, sources),
                        engine.settings.support_threshold, format_sources(sources), sides)


def test_model_declined_and_unsupported_answers_are_told_apart(samples_desk):
    question = "Who is the mayor of Port Calder?"
    engine, _, sources = _sources(samples_desk, question)
    declined = _check(engine, "Yes. The indexed articles do not say.", sources, question)
    unsupported = _check(engine, "Bananas grow on the moon [1].", sources, question)
    assert declined.refused and declined.reason == MODEL_DECLINED
    assert unsupported.refused and unsupported.reason == NO_SUPPORTED_SENTENCE


def test_a_question_about_an_attribute_no_article_mentions_is_refused(samples_desk):
    from qa import Newsdesk

    assert samples_desk.settings.asked_detail_check
    assert asked_term("What model was the airliner that was shot down?") is None  # names a kind, not a topic
    gated = samples_desk
    answer = gated.ask("What is the annual salary of Kestrel Batteries' chief executive Tomas Heller?")
    assert answer.refused and answer.refusal_reason == ASKED_DETAIL_MISSING and not answer.citations
    assert not gated.ask("Who is the chief engineer of the Port Calder ferry terminal project?").refused


def test_asked_term_reads_the_head_of_the_question():
    assert asked_term("What is the annual salary of the chief executive?") == stem("salary")
    assert asked_term("How much rent does Halvard Robotics pay?") == "rent"
    assert asked_term("Which publication reported it first?") is None  # names the kind of answer, not a topic
    assert asked_term("When did the talks begin?") is None
    assert asked_detail_missing("How much rent does it pay?", ["It pays a monthly rent of 900 euros."]) is None
    assert asked_detail_missing("How much rent does it pay?", ["It employs 85 engineers."]) == "rent"


def test_extractive_quotes_the_answering_sentence_not_the_dateline_lead(samples_desk):
    answer = samples_desk.ask("Which company won the contract to build the Port Calder ferry terminal?")
    assert not answer.refused and "Deltamar Construction" in answer.text
    assert not answer.text.startswith("PORT CALDER")
    answer = samples_desk.ask("Who is the chief engineer of the Port Calder ferry terminal project?")
    assert "Petra Lindqvist" in answer.text


def test_yes_no_comparison_answers_from_each_publication(samples_desk):
    question = ("Did the Valley Ledger article and the Northwind Business Review article both report that "
                "Kestrel Batteries would build a sodium-ion plant in Marrowfield?")
    assert is_yes_no(question) and not is_yes_no("Which publication reported it first?")
    assert is_yes_no("Between the two reports, was there a change in the number of jobs?")
    answer = samples_desk.ask(question)
    assert answer.text.startswith("Yes.")
    assert {"Valley Ledger (sample)", "Northwind Business Review (sample)"} <= {c.source for c in answer.citations}


def test_the_llm_sees_each_side_labelled_by_publication_and_date(samples_desk):
    question = ("Did the Valley Ledger article and the Northwind Business Review article both report that "
                "Kestrel Batteries would build a sodium-ion plant in Marrowfield?")
    engine, found, sources = _sources(samples_desk, question)
    sides = side_evidence(sides_for(question, found.plan), sources, engine.embedder)
    assert len(sides) == 2 and all(s.found for s in sides)
    hint = side_hint(sides, sources)
    assert "Part 1 (Valley Ledger (sample), 2024-05-08)" in hint or "Part 2 (Valley Ledger (sample), 2024-05-08)" in hint
    assert "Northwind Business Review (sample), 2024-05-0" in hint
    assert hint.split("\n")[0] in answer_messages(question, sources, hint)[1]["content"]


def test_a_choice_question_quotes_the_evidence_for_each_option(samples_desk):
    question = ("Which Lake Tamsin microcystin test result was lower: the samples of August 2 or the samples "
                "of August 24?")
    sides = choice_sides(question)
    assert [s.text.endswith(day) for s, day in zip(sides, ("August 2", "August 24"))] == [True, True]
    assert choice_sides("Which town voted first?") == []
    answer = samples_desk.ask(question)
    assert not answer.refused and "August 2 " in answer.text and "August 24" in answer.text


def test_an_answer_that_restates_the_question_is_checked_on_what_it_adds(multihop_desk):
    """Small models repeat the question ('The individual ... is Sam Bankman-Fried'): the repeated words are not
    in the sources, but the answer they add is, so the sentence is supported (was 'no supported sentence')."""
    from qa.types import Answer

    question = ("Who is the individual under 30 who was once considered the trustworthy face of the "
                "cryptocurrency industry and is now facing a criminal trial?")
    engine, _, sources = _sources(multihop_desk, question)
    answer = _check(engine, "The individual under 30 who was once considered the trustworthy face of the "
                    "cryptocurrency industry and is now facing a criminal trial is Sam Bankman-Fried. [1]", sources,
                    question)
    assert not answer.refused and "Bankman-Fried" in answer.text and answer.citations
    invented = _check(engine, "The individual under 30 who was once considered the trustworthy face of the "
                      "cryptocurrency industry and is now facing a criminal trial is Gordon Whitfield. [1]", sources,
                      question)
    assert invented.refused and invented.reason in (NO_SUPPORTED_SENTENCE, ASKED_DETAIL_MISSING)


def test_a_yes_no_verdict_keeps_each_sides_sentence_as_evidence(samples_desk):
    """The model's 'Yes.' with wording no source supports: the verdict stays, cited to each side's sentence."""
    from qa.types import Answer

    question = ("Did the Valley Ledger article and the Northwind Business Review article both report that "
                "Kestrel Batteries would build a sodium-ion plant in Marrowfield?")
    engine, found, sources = _sources(samples_desk, question)
    sides = side_evidence(sides_for(question, found.plan), sources, engine.embedder)
    answer = _check(engine, "Yes. Both outlets agreed on the broad strategic outlook for the venture.", sources,
                    question, sides)
    assert not answer.refused and answer.text.startswith("Yes.") and len(answer.citations) == 2
    declined = _check(engine, "No. The indexed articles do not say.", sources, question, sides)
    assert declined.refused and declined.reason == MODEL_DECLINED
