"""Filters: Chroma `where` clauses, the same test for BM25 results, and clear errors for bad dates."""

import pytest

from qa import Filters, NewsdeskError


def test_where_combines_clauses():
    where = Filters(sources=["Coastal Tribune"], since="2024-04-01", until="2024-04-30").where()
    assert where == {"$and": [{"source": {"$in": ["Coastal Tribune"]}},
                              {"published_ts": {"$gte": 1711929600}}, {"published_ts": {"$lt": 1714521600}}]}
    assert Filters().where() is None
    assert Filters(article_ids="abc").where() == {"article_id": {"$in": ["abc"]}}


def test_bad_date_is_a_clear_error():
    with pytest.raises(NewsdeskError, match="since.*YYYY-MM-DD"):
        Filters(since="April 2024")


def test_matches_agrees_with_where():
    f = Filters(sources=["A"], until="2024-01-31")
    assert f.matches({"source": "A", "published_ts": 1706000000})
    assert not f.matches({"source": "A", "published_ts": -1})  # unknown date is not "before"
    assert not f.matches({"source": "B", "published_ts": 1706000000})


def test_source_filter_limits_retrieval(desk):
    passages = desk.retrieve("harbour", Filters(sources=["Coastal Tribune"]), k=10)
    assert passages and {p.source for p in passages} == {"Coastal Tribune"}


def test_date_range_filter_limits_retrieval(desk):
    passages = desk.retrieve("Riverside tram line", Filters(since="2024-04-01", until="2024-04-30"), k=10)
    assert passages and all(p.published_at.startswith("2024-04") for p in passages)
    assert "Riverside tram line delayed by a year" in {p.title for p in passages}


def test_article_id_filter_limits_retrieval_and_answers(desk):
    festival = next(a for a in desk.articles() if a.title.startswith("Port Ostrava"))
    passages = desk.retrieve("Riverside tram line cost", Filters(article_ids=[festival.id]), k=10)
    assert {p.article_id for p in passages} == {festival.id}
    answer = desk.ask("How many visitors came to the harbour festival?", Filters(article_ids=[festival.id]))
    assert [c.article_id for c in answer.citations] == [festival.id]


def test_filter_that_matches_nothing_refuses(desk):
    answer = desk.ask("When did Türkiye and Israel begin technical talks?", Filters(sources=["No Such Paper"]))
    assert answer.refused and not answer.citations and not answer.contexts
