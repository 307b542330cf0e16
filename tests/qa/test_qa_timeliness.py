"""News over time: the newest report wins for present-tense questions, past-framed questions are answered as of
then, timelines come oldest first, and dates are said in the answer (on the qa test articles, extractive)."""

from datetime import date

import pytest

from qa.timeliness import AS_OF, CURRENT, NONE, TIMELINE, dated_answer, time_focus
from qa.types import Citation

TRAM_OPENING = "When will the first Riverside trams run?"


@pytest.mark.parametrize(("question", "kind"), [
    ("When is the bridge now expected to reopen?", CURRENT),
    ("How much will the tram line cost?", CURRENT),  # no time at all: the state now
    ("What is the latest budget of the tram line?", CURRENT),
    ("In March 2024, when was the tram line due to open?", AS_OF),
    ("As of April 2024, how much was the tram budget?", AS_OF),
    ("What happened at the council meeting on 12 March 2024?", NONE),  # a dated event, not a state
    ("How did the Riverside tram project develop?", TIMELINE),
    ("What happened with the Riverside tram line?", TIMELINE),
])
def test_time_focus_reads_what_time_the_question_is_about(question, kind):
    assert time_focus(question, date(2025, 1, 1)).kind == kind


def test_as_of_ends_with_the_framed_period():
    focus = time_focus("In March 2024, when was the tram line due to open?", date(2025, 1, 1))
    assert focus.until == date(2024, 3, 31)


def _first(text: str, *needles: str) -> str:
    found = [(text.find(n), n) for n in needles if n in text]
    return min(found)[1] if found else ""


def test_the_newest_report_leads_dated_and_the_earlier_is_marked_superseded(desk):
    answer = desk.ask(TRAM_OPENING)
    assert not answer.refused
    assert _first(answer.text, "2027", "2026") == "2027", answer.text
    assert answer.text.startswith("As of April 15, 2024, ")
    assert "An earlier report, on March 12, 2024, said:" in answer.text
    newest = next(c for c in answer.citations if c.published_at.startswith("2024-04-15"))
    older = next(c for c in answer.citations if c.published_at.startswith("2024-03-12"))
    assert newest.n == 1 and older.superseded_by == newest.n and newest.superseded_by == 0
    assert "2027" in newest.quote and "2026" in older.quote  # quotes stay verbatim; the dates are in the text
    assert older.reference().endswith(f"(superseded by [{newest.n}])")


def test_a_past_framed_question_is_answered_as_of_then(desk):
    answer = desk.ask("In March 2024, when were the first Riverside trams due to run?")
    assert not answer.refused and "2026" in answer.text and "2027" not in answer.text
    assert all(c.published_at <= "2024-03-31" for c in answer.citations)


def test_a_timeline_is_dated_and_oldest_first(desk):
    answer = desk.ask("How did the Riverside tram line project develop?")
    assert not answer.refused
    march, april = answer.text.find("March 12, 2024:"), answer.text.find("April 15, 2024:")
    assert 0 <= march < april, answer.text
    dates = [c.published_at for c in sorted(answer.citations, key=lambda c: c.n)]
    assert dates == sorted(dates)


def test_reports_that_agree_get_no_dating(desk):
    answer = desk.ask("How many visitors came to the Port Ostrava harbour festival?")
    assert not answer.text.startswith("As of") and "earlier report" not in answer.text
    assert all(c.superseded_by == 0 for c in answer.citations)


def _citation(n: int, article: str, published: str) -> Citation:
    return Citation(n, article, "t", "s", "", published, "q", 0, 1)


def test_dated_answer_says_the_dates_after_the_check():
    cites = [_citation(1, "new", "2025-02-20"), _citation(2, "old", "2024-03-14")]
    text = "The terminal will open in spring 2027 [1]. HOLLIN BAY — Deltamar said summer 2026 [2]."
    out = dated_answer(text, cites, CURRENT, ("new", ["old"]))
    assert out == ("As of February 20, 2025, the terminal will open in spring 2027 [1]. An earlier report, on "
                   "March 14, 2024, said: Deltamar said summer 2026 [2].")
    timeline = dated_answer("It was approved [2]. It slipped [1].", cites, TIMELINE, None)
    assert timeline == "March 14, 2024: It was approved [2]. February 20, 2025: It slipped [1]."
    assert dated_answer("No citation here.", cites, CURRENT, ("new", ["old"])) == "No citation here."
