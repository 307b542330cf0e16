"""An answer depends on the question and the index, never on which questions were asked before it (the
sentence cache fills in whatever order questions arrive; bundled sample corpus, extractive backend)."""

from qa import Newsdesk

# the load test's questions: distinct answers over the bundled samples
from bench.stress.load import QUESTIONS  # noqa: E402


def _answers(desk: Newsdesk, questions: list[str]) -> dict[str, tuple]:
    out = {}
    for question in questions:
        answer = desk.ask(question)
        out[question] = (answer.text, tuple((c.article_id, c.quote) for c in answer.citations))
    return out


def test_the_same_question_gets_the_same_answer_whatever_was_asked_before(samples_desk):
    forward = _answers(Newsdesk(samples_desk.settings), QUESTIONS)
    backward = _answers(Newsdesk(samples_desk.settings), QUESTIONS[::-1])
    each_first = {q: _answers(Newsdesk(samples_desk.settings), [q])[q] for q in QUESTIONS}
    assert all(text for text, _ in forward.values())
    assert backward == forward
    assert each_first == forward


def test_a_question_asking_for_a_person_takes_a_persons_name_not_a_place():
    from qa.answer_types import asks_for_person, looks_like_person

    assert asks_for_person("Who was the first victim?") and asks_for_person("Which federal judge ruled?")
    assert asks_for_person("Of the two, which man was older when he died?")
    assert not asks_for_person("Which team won the final?") and not asks_for_person("Where did it happen?")
    assert looks_like_person("Skandaraj Navaratnam") and looks_like_person("Walter Munk")
    assert not looks_like_person("Canada") and not looks_like_person("Governor of Tyumen Oblast")
    assert not looks_like_person("University of California")
