"""Correction notices and "still" questions, on sentences written for these tests (in-memory sources, no index):
a notice that restates an earlier figure and says it was wrong states the correction, not the wrong figure;
a yes/no question naming a value ("still due in October?") is answered from the newest report."""

from datetime import date

import numpy as np
import pytest

from qa.answer_types import DATE, NUMBER, items
from qa.context import Source
from qa.corrections import correction_for, with_correction
from qa.text import split_sentences
from qa.timeliness import CURRENT, dated_answer, find_update, newest_first, stated_kind, still_verdict, time_focus
from qa.types import Citation

from qa_helpers import in_memory_source


def _first_sentence(body: str):
    return split_sentences(body)[0]


@pytest.mark.parametrize(("body", "expected"), [
    ("An article on Monday said the pier repairs would cost £4 million. The correct figure is £6 million. "
     "The work starts in May.", "The correct figure is £6 million"),
    ("A report in yesterday's edition said 31 homes were flooded. That number was wrong. "
     "The council says 13 homes were flooded.", "The council says 13 homes were flooded"),  # marker, then value
    ("A story on Tuesday incorrectly said the harbour master was 54. She is 45. She took the post in 2019.",
     "She is 45"),  # the restating sentence marks itself
])
def test_a_restated_figure_followed_by_its_correction_is_retracted(body, expected):
    assert correction_for(body, _first_sentence(body)) == expected


@pytest.mark.parametrize("body", [
    "A UN report said 300 people died in the floods. Rescue work continued on Sunday.",  # a citation, no marker
    "The mayor said the pier would reopen in May. Critics said the figure was wrong.",  # no earlier article restated
    "An article in the journal said the species was extinct. Divers found it again in 2019. "
    "Scientists said the old claim was wrong.",  # the marker comes too late to be this notice's
])
def test_ordinary_reporting_is_not_a_correction(body):
    assert correction_for(body, _first_sentence(body)) is None


def test_the_correction_goes_before_the_final_stop():
    assert with_correction("It said 240 jobs.", "the correct figure is 140") == \
        "It said 240 jobs (corrected: the correct figure is 140)."
    assert with_correction('He said "no"', "he said yes") == 'He said "no" (corrected: he said yes)'


def _source(n: int, published: str, body: str, title: str = "Harbour pier repairs") -> Source:
    return in_memory_source(n, published, body, title)


ORIGINAL = ("KESTON — Repairs to the Keston harbour pier will cost £4 million, the port board said on Monday. "
            "The pier has been closed since a storm in March.")
NOTICE = ("Correction: An article on Monday said repairs to the Keston harbour pier would cost £4 million. "
          "The port board says the correct figure is £6 million. We apologise for the error.")


def test_a_source_shows_the_correction_and_states_only_the_corrected_value():
    notice = _source(2, "2024-06-12", NOTICE)
    assert notice.annotated(0).endswith("£4 million (corrected: The port board says the correct figure is "
                                        "£6 million).")
    assert notice.statement(0) == "The port board says the correct figure is £6 million"
    assert notice.statement(1) == notice.annotated(1)  # an ordinary sentence states itself


def test_a_correction_notice_supersedes_the_figure_it_corrects():
    question = "How much will the repairs to the Keston harbour pier cost?"
    sources = [_source(1, "2024-06-10", ORIGINAL), _source(2, "2024-06-12", NOTICE)]
    update = find_update(question, np.zeros(4, dtype=np.float32), sources, "money")
    assert update is not None
    assert sources[update.newest].published_at == "2024-06-12"
    assert [sources[i].published_at for i in update.earlier] == ["2024-06-10"]
    # without the correction the two reports would agree: both say £4 million
    plain = [_source(1, "2024-06-10", ORIGINAL), _source(2, "2024-06-12", NOTICE.replace("correct figure", "figure"))]
    assert find_update(question, np.zeros(4, dtype=np.float32), plain, "money") is None


BRIDGE_MARCH = ("OSBY — The Ferrin Bridge will not reopen until October 2024, the county council said on Monday. "
                "Engineers found corroded bearings.")
BRIDGE_SEPT = ("OSBY — The Ferrin Bridge will not reopen until the spring of 2025, the county council said yesterday. "
               "The bridge had been due to reopen in October 2024. New bearings are being made.")


def test_a_still_question_names_a_value_and_is_answered_from_the_newest_report():
    question = "Is the Ferrin Bridge still expected to reopen in October?"
    focus = time_focus(question, date(2025, 1, 1))
    assert focus.kind == CURRENT and focus.says_now  # the month is the value asked about, not a time frame
    assert stated_kind(question) == DATE
    sources = [_source(1, "2024-03-12", BRIDGE_MARCH, "Ferrin Bridge"), _source(2, "2024-09-05", BRIDGE_SEPT,
                                                                                   "Ferrin Bridge")]
    update = find_update(question, np.zeros(4, dtype=np.float32), sources, DATE, stated=True)
    assert update is not None and sources[update.newest].published_at == "2024-09-05"
    # the newest report's own statement, not its mention of the value it supersedes ("had been due ...")
    assert "spring of 2025" in sources[update.newest].candidates[update.sentences[update.newest]].text
    assert still_verdict(question, update) == "No."
    assert still_verdict("Is the Ferrin Bridge still expected to reopen in spring 2025?", update) == "Yes."
    assert still_verdict("Is the Ferrin Bridge still closed?", update) == ""  # names no value: no verdict
    reordered, moved = newest_first(sources, update)
    assert reordered[0].published_at == "2024-09-05" and moved.items[moved.newest] == update.items[update.newest]


def test_a_verdict_stays_ahead_of_the_date_the_answer_is_given_as_of():
    cites = [Citation(1, "new", "t", "s", "", "2024-09-05", "q", 0, 1),
             Citation(2, "old", "t", "s", "", "2024-03-12", "q", 0, 1)]
    out = dated_answer("No. OSBY — The bridge will not reopen until the spring of 2025 [1].", cites, CURRENT,
                       ("new", ["old"]))
    assert out == "No. As of September 5, 2024, the bridge will not reopen until the spring of 2025 [1]."


def test_dates_are_single_items_with_their_year():
    text = "It will not reopen until October 2024, was announced on September 4, 2024 and is due by the spring of 2025."
    assert [i.text for i in items(text, DATE)] == ["October 2024", "September 4, 2024", "spring of 2025"]
    assert [i.text for i in items("on 5 March 2019, in 2020 and on Tuesday", DATE)] == ["5 March 2019", "2020",
                                                                                        "Tuesday"]
    assert stated_kind("Is Keston still cutting 240 jobs?") == NUMBER


def test_a_later_report_saying_only_the_year_agrees_with_the_dated_one():
    question = "When will the Ferrin Bridge reopen?"
    march = _source(1, "2024-03-12", "OSBY — The Ferrin Bridge will not reopen until the spring of 2026, the council "
                                     "said on Monday.", "Ferrin Bridge")
    later = _source(2, "2024-05-02", "OSBY — Traffic still crosses by the old ferry, because the Ferrin Bridge will "
                                     "not reopen until 2026.", "Ferrin Bridge")
    older = _source(3, "2023-11-08", "OSBY — The Ferrin Bridge is due to reopen in June 2024, the council said.",
                    "Ferrin Bridge")
    update = find_update(question, np.zeros(4, dtype=np.float32), [march, later, older], DATE)
    assert update is not None
    # "2026" and "the spring of 2026" agree: the March report (the one that says more) is not superseded by May's
    assert [s.published_at for s in (march, later, older)][update.earlier[0]] == "2023-11-08"
