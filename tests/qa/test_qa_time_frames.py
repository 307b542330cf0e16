"""Questions framed in time, on reports written for these tests (in-memory sources, no index): "first" values come
from the oldest report on the story, and a past-framed question gets the newest report *as of then*."""

from datetime import date

import numpy as np

from qa.context import Source
from qa.timeliness import AS_OF, CURRENT, FIRST, as_of, find_update, first_report, time_focus

from qa_helpers import in_memory_source

BID = ("HALLOW — Corran Buses has offered 250 pence a share for Tivvy Ferries, valuing it at £90 million, the two "
       "companies said on Monday.")
RAISED = ("HALLOW — Corran Buses raised its offer for Tivvy Ferries to 300 pence a share on Thursday, after Tivvy's "
          "board rejected the first approach.")
OTHER = "HALLOW — The town's new bus station opened on Friday, two years late."


def _source(n: int, published: str, body: str) -> Source:
    return in_memory_source(n, published, body, f"Report {n}")


def test_first_value_questions_are_answered_from_the_oldest_report_on_the_story():
    question = "What was Corran Buses' first offer for Tivvy Ferries?"
    assert time_focus(question, date(2025, 1, 1)).kind == FIRST
    sources = [_source(1, "2024-06-20", RAISED), _source(2, "2024-03-01", OTHER), _source(3, "2024-05-06", BID)]
    kept = first_report(question, sources)
    assert [s.published_at for s in kept] == ["2024-05-06"] and kept[0].n == 1  # the older bus-station story is
    #                                                                             not about the offer
    for plain in ("Who was the first person to cross the bridge?", "Which was the first Tivvy ferry?",
                  "What is Corran's offer for Tivvy Ferries?",
                  "Which was larger: Corran's original offer or its revised offer?"):  # a comparison of both
        assert time_focus(plain, date(2025, 1, 1)).kind == CURRENT  # "first" alone frames no time


def test_a_past_framed_question_gets_the_newest_report_as_of_then():
    question = "In June 2024, how much was Corran Buses offering a share for Tivvy Ferries?"
    focus = time_focus(question, date(2025, 1, 1))
    assert focus.kind == AS_OF and focus.until == date(2024, 6, 30)
    later = ("HALLOW — Corran Buses completed its takeover of Tivvy Ferries at 320 pence a share on Monday, after a "
             "final raise.")
    sources = as_of([_source(1, "2024-05-06", BID), _source(2, "2024-06-20", RAISED), _source(3, "2024-09-02", later)],
                    focus.until)
    assert [s.published_at for s in sources] == ["2024-05-06", "2024-06-20"]
    update = find_update(question, np.zeros(4, dtype=np.float32), sources, "money")
    assert update is not None and sources[update.newest].published_at == "2024-06-20"
