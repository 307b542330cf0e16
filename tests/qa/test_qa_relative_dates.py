"""A question naming an absolute date finds the article that called that day "yesterday" (relative dates are
resolved at ingest and their dates added to the chunk's keyword document)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Newsdesk
from qa_helpers import make_settings

ARTICLES = {
    "ferry-aground.md": """---
title: Ferry runs aground off Tolsby
date: 2019-02-11
source: Tolsby Courier
---

Yesterday, the ferry Maren Vik ran aground on a sandbar outside Tolsby harbour with 64 passengers on board.
Tugs pulled the ship free after four hours and nobody was hurt, the harbour office said.
""",
    "ferry-resumes.md": """---
title: Tolsby ferry crossings resume after repairs
date: 2019-03-19
source: Tolsby Courier
---

The ferry Maren Vik resumed its crossings between Tolsby and Skarvik on Monday after a month in the shipyard.
The operator said new depth sensors were fitted to the hull.
""",
    "bakery-prize.md": """---
title: Tolsby bakery wins the coastal bread prize
date: 2019-02-12
source: Tolsby Courier
---

A family bakery from Tolsby won the coastal bread prize for its rye loaf, the judges announced.
The bakery plans to open a second shop near the harbour.
""",
}
QUESTION = "What happened to the ferry near Tolsby on February 10, 2019?"
FERRY = "Ferry runs aground off Tolsby"


@pytest.fixture(scope="module")
def dated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("relative-articles")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("relative-index")
    report = Newsdesk(make_settings(data_dir)).ingest([folder])
    assert report.ok and report.count("added") == 3, report.failed
    return data_dir


def test_a_question_naming_the_date_retrieves_the_article_that_said_yesterday(dated_dir):
    passages = Newsdesk(make_settings(dated_dir)).retrieve(QUESTION, k=3)
    assert passages[0].title == FERRY
    assert passages[0].bm25_rank == 1
    assert "Yesterday" in passages[0].text  # the text itself is unchanged: only the keyword side sees the date


@pytest.mark.parametrize("spelling", ["February 10, 2019", "10 February 2019", "2019-02-10"])
def test_keyword_search_matches_the_resolved_date_in_any_spelling(dated_dir, spelling):
    passages = Newsdesk(make_settings(dated_dir, fusion="bm25")).retrieve(spelling, k=3)
    assert passages[0].title == FERRY  # (the other ferry story's "on Monday" is a day of 2019 too)


def test_without_stored_dates_the_date_matches_nothing(dated_dir, monkeypatch):
    import qa.retrieval.bm25 as bm25

    monkeypatch.setattr(bm25, "date_words", lambda chunk: "")  # as a chunk with no relative dates
    assert Newsdesk(make_settings(dated_dir, fusion="bm25")).retrieve("February 10, 2019", k=3) == []


def test_an_article_published_on_the_named_day_does_not_outrank_the_one_about_it(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text.replace("date: 2019-02-12", "date: 2019-02-10"), encoding="utf-8")
    desk = Newsdesk(make_settings(tmp_path / "data"))
    assert desk.ingest([folder]).ok
    assert desk.retrieve(QUESTION, k=3)[0].title == FERRY
