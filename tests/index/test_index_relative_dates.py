"""Relative dates: the resolver's rules (on sentences written for these tests), their storage with the chunks at
ingest, and ledgers from before they were stored."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from index import Catalog, RelativeDate, ingest, resolve_relative_dates
from index.ledger import SCHEMA_VERSION
from index.relative_dates import RESOLVER_VERSION, dumps_dates, loads_dates

THU = date(2021, 6, 17)  # a Thursday
SUN, MON, FRI = date(2021, 6, 20), date(2021, 6, 21), date(2021, 6, 18)


def resolved(text: str, published: date) -> dict[str, tuple[str, str]]:
    return {r.phrase: (r.resolved.isoformat(), r.granularity) for r in resolve_relative_dates(text, published)}


# The resolver -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, published, phrase, expected", [
    ("The bakery on Pell Street burned down yesterday.", THU, "yesterday", ("2021-06-16", "day")),
    ("The mayor of Orlow resigns today.", THU, "today", ("2021-06-17", "day")),
    ("The council votes on the budget tomorrow.", THU, "tomorrow", ("2021-06-18", "day")),
    ("Two lanterns went missing last night.", THU, "last night", ("2021-06-16", "day")),
    ("The ferry left port this morning.", THU, "this morning", ("2021-06-17", "day")),
    ("The choir sang on Monday at the old mill.", THU, "on Monday", ("2021-06-14", "day")),
    ("The choir sang Thursday at the old mill.", THU, "Thursday", ("2021-06-17", "day")),  # the publication day
    ("Engineers finished the weir late on Tuesday.", THU, "late on Tuesday", ("2021-06-15", "day")),
    # tense: the present future looks ahead, the future in the past takes the nearer day
    ("The new bridge will open on Tuesday.", THU, "on Tuesday", ("2021-06-22", "day")),
    ("The storm is expected to reach the coast late on Saturday.", THU, "late on Saturday", ("2021-06-19", "day")),
    ("The board was set to meet on Saturday, but postponed.", THU, "on Saturday", ("2021-06-19", "day")),
    ("The board was set to meet on Tuesday.", THU, "on Tuesday", ("2021-06-15", "day")),
    # a "will" in another clause says nothing about the weekday's tense
    ("Ada Brenn, who will chair the panel, spoke on Tuesday.", THU, "on Tuesday", ("2021-06-15", "day")),
    # "last Friday" is the Friday of the previous calendar week
    ("The guild elected a new master last Friday.", MON, "last Friday", ("2021-06-18", "day")),
    ("The guild elected a new master last Wednesday.", FRI, "last Wednesday", ("2021-06-09", "day")),
    ("Voting closes this coming Saturday.", THU, "this coming Saturday", ("2021-06-19", "day")),
    ("Voting closes next Tuesday.", THU, "next Tuesday", ("2021-06-22", "day")),
    ("This past Sunday the market reopened.", THU, "This past Sunday", ("2021-06-13", "day")),
    # weeks, weekends, months, years
    ("The orchard fair took place this week.", THU, "this week", ("2021-06-14", "week")),
    ("Two wolves were sighted near Tarn last week.", THU, "last week", ("2021-06-07", "week")),
    ("The trial resumes next week.", THU, "next week", ("2021-06-21", "week")),
    ("The law is to take effect this week.", SUN, "this week", ("2021-06-21", "week")),  # a Sunday looking ahead
    ("Floods closed the valley road this weekend.", MON, "this weekend", ("2021-06-19", "weekend")),
    ("The regatta is planned for this weekend.", THU, "this weekend", ("2021-06-19", "weekend")),
    ("Ticket sales fell last month.", date(2021, 1, 12), "last month", ("2020-12-01", "month")),
    ("The museum reopens next year.", THU, "next year", ("2022-01-01", "year")),
    ("Earlier this year the dam was repaired.", THU, "Earlier this year", ("2021-01-01", "year")),
])
def test_phrases_resolve_by_the_news_conventions(text, published, phrase, expected):
    assert resolved(text, published)[phrase] == expected


@pytest.mark.parametrize("text", [
    '"Today I hand over the keys," the harbour master said.',  # the quote's own day is unknown
    '“I slept there last night,” Oren told reporters.',
    "((Mila Sarto)) I flew in yesterday from Tallinn.",  # an interview transcript
    "The story first ran in USA Today.",
    "She writes a column for Dorrin This Week.",
    "The guild was founded in 1990. The next month, it opened a school.",
    "On the last night of the festival the lights failed.",
    "The orchestra rehearses every Friday and performed on a Tuesday.",
    "Turnout on Super Tuesday and Good Friday processions.",
    "The vote was held on Monday, June 14.",
    "The depot hosts a Saturday market.",
])
def test_phrases_that_are_not_dates_relative_to_publication_are_left_alone(text):
    assert resolved(text, THU) == {}


def test_weekdays_months_and_years_in_quotes_are_still_resolved():
    got = resolved('"We met the inspectors on Monday and will finish next year," she said.', THU)
    assert got == {"on Monday": ("2021-06-14", "day"), "next year": ("2022-01-01", "year")}


def test_labels_and_search_terms():
    day = RelativeDate(0, 9, "yesterday", date(2019, 2, 10), "day")
    assert day.label() == "February 10, 2019"
    assert day.search_terms() == ["February 10 2019", "10 February 2019", "2019-02-10"]
    week = RelativeDate(0, 9, "last week", date(2019, 1, 28), "week")
    assert week.label() == "the week of January 28, 2019"
    assert week.search_terms() == ["January 2019", "February 2019"]
    assert RelativeDate(0, 10, "last month", date(2019, 1, 1), "month").search_terms() == ["January 2019"]


def test_stored_form_round_trips_and_other_versions_are_recomputed():
    dates = resolve_relative_dates("Yesterday the pier reopened; last week it flooded.", THU)
    assert loads_dates(dumps_dates(dates)) == dates
    assert loads_dates(dumps_dates([])) == []
    stale = json.dumps({"v": RESOLVER_VERSION - 1, "d": [[0, 9, "Yesterday", "2000-01-01", "day"]]})
    assert loads_dates(stale) is None and loads_dates(None) is None and loads_dates("{broken") is None


# Storage at ingest ---------------------------------------------------------------------------------------------
ARTICLE = """---
title: Lantern boats return to the Orlow canal
date: 2019-02-11
source: Orlow Evening Post
---

Yesterday, the lantern boats of Orlow returned to the canal after a winter in dry dock.

The boat guild said on Friday it will repaint the hulls next month. "Tonight we celebrate," its master said.
"""


def _stored(settings) -> dict[str, str | None]:
    """Article id → the `dates` column of its first chunk."""
    db = sqlite3.connect(settings.ledger_path)
    try:
        return dict(db.execute("SELECT article_id, dates FROM chunks WHERE idx = 0"))
    finally:
        db.close()


def _stored_dates(settings) -> list[str | None]:
    db = sqlite3.connect(settings.ledger_path)
    try:
        return [row[0] for row in db.execute("SELECT dates FROM chunks ORDER BY id")]
    finally:
        db.close()


def test_ingest_stores_each_chunks_relative_dates(settings, docs):
    report = ingest(docs.write("lanterns.md", ARTICLE), settings)
    assert report.ok and report.count("added") == 1
    assert all(stored and json.loads(stored)["v"] == RESOLVER_VERSION for stored in _stored_dates(settings))
    catalog = Catalog(settings)
    try:
        chunks = list(catalog.iter_chunks())
        body = catalog.get(chunks[0].article_id).body
        got = [(d.phrase, d.resolved.isoformat(), d.granularity) for c in chunks for d in c.dates]
        assert got == [("Yesterday", "2019-02-10", "day"), ("on Friday", "2019-02-08", "day"),
                       ("next month", "2019-03-01", "month")]  # "Tonight" is inside a quote
        for chunk in chunks:
            for d in chunk.dates:  # offsets into the article body, inside the chunk
                assert body[d.start : d.end] == d.phrase and chunk.start_char <= d.start < chunk.end_char
        article_dates = catalog.relative_dates(chunks[0].article_id)
        assert [d.phrase for d in article_dates] == ["Yesterday", "on Friday", "next month"]
        assert catalog.relative_dates("no-such-article") == []
    finally:
        catalog.close()


def test_an_article_without_a_date_has_no_relative_dates(settings, docs):
    ingest(docs.write("undated.txt", "Orlow canal reopens\n\nThe canal reopened yesterday after repairs."), settings)
    catalog = Catalog(settings)
    try:
        assert [c.dates for c in catalog.iter_chunks()] == [[]]
    finally:
        catalog.close()


def _make_old_ledger(settings) -> None:
    """What a ledger written before schema 3 looks like: a chunks table without the `dates` column."""
    db = sqlite3.connect(settings.ledger_path)
    db.executescript("""
        CREATE TABLE chunks_old (id TEXT PRIMARY KEY, article_id TEXT NOT NULL, idx INTEGER NOT NULL,
                                 start_char INTEGER NOT NULL, end_char INTEGER NOT NULL);
        INSERT INTO chunks_old SELECT id, article_id, idx, start_char, end_char FROM chunks;
        DROP TABLE chunks;
        ALTER TABLE chunks_old RENAME TO chunks;
        CREATE INDEX chunks_article ON chunks(article_id);
        UPDATE meta SET value = 2 WHERE key = 'schema';
    """)
    db.commit()
    db.close()


def test_an_old_ledger_is_migrated_and_still_serves_dates(settings, docs):
    first = docs.write("lanterns.md", ARTICLE)
    old_id = ingest(first, settings).results[0].article_id
    _make_old_ledger(settings)
    catalog = Catalog(settings)  # opening it adds the column, empty
    try:
        assert _stored_dates(settings) == [None] * catalog.chunk_count()
        db = sqlite3.connect(settings.ledger_path)
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == SCHEMA_VERSION
        db.close()
        # resolved from the stored body when read
        assert [d.phrase for c in catalog.iter_chunks() for d in c.dates] == ["Yesterday", "on Friday", "next month"]
    finally:
        catalog.close()
    # re-ingesting the unchanged article embeds nothing; a new article stores its dates
    again = ingest([first, docs.write("mill.md", ARTICLE.replace("lantern boats", "mill wheels")
                                      .replace("Lantern boats", "Mill wheels"))], settings)
    assert again.count("unchanged") == 1 and again.count("added") == 1 and again.chunks_embedded == 1
    new_id = next(r.article_id for r in again.results if r.status == "added")
    assert _stored(settings)[old_id] is None and json.loads(_stored(settings)[new_id])["d"]
    catalog = Catalog(settings)
    try:
        per_article = {}
        for chunk in catalog.iter_chunks():
            per_article.setdefault(chunk.article_id, []).extend(d.resolved.isoformat() for d in chunk.dates)
        assert sorted(per_article.values()) == [["2019-02-10", "2019-02-08", "2019-03-01"]] * 2
    finally:
        catalog.close()


def test_dates_stored_by_another_resolver_version_are_recomputed(settings, docs):
    ingest(docs.write("lanterns.md", ARTICLE), settings)
    db = sqlite3.connect(settings.ledger_path)
    db.execute("UPDATE chunks SET dates = ?", (json.dumps({"v": RESOLVER_VERSION - 1, "d": [[0, 9, "Yesterday",
                                                                                         "1999-01-01", "day"]]}),))
    db.commit()
    db.close()
    catalog = Catalog(settings)
    try:
        assert [d.resolved.isoformat() for c in catalog.iter_chunks() for d in c.dates][0] == "2019-02-10"
    finally:
        catalog.close()
