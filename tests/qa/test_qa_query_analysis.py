"""Query analysis: publications, dates (absolute and relative to the newest article), recency, sub-queries."""

from datetime import date

from qa.filters import day_range
from qa.retrieval.query_analysis import analyze, find_dates, source_aliases, find_sources

SOURCES = ["TechCrunch", "The Verge", "The Independent - Sports", "The Independent - Life and Style",
           "Cnbc | World Business News Leader", "Fortune", "Glenmoor Herald"]
NEWEST = day_range(date(2023, 12, 20))[0]


def test_publication_names_are_matched_in_their_usual_forms():
    assert analyze("What did the TechCrunch article say about Google?", SOURCES, NEWEST).sources == ["TechCrunch"]
    assert analyze("According to The Verge, who won?", SOURCES, NEWEST).sources == ["The Verge"]
    assert analyze("What did CNBC report?", SOURCES, NEWEST).sources == ["Cnbc | World Business News Leader"]
    both = analyze("What did The Independent say?", SOURCES, NEWEST).sources
    assert set(both) == {"The Independent - Sports", "The Independent - Life and Style"}


def test_a_lowercase_common_word_is_not_a_publication():
    assert analyze("Is it good fortune to find a verge?", SOURCES, NEWEST).sources == []


def test_the_longest_publication_name_wins():
    mentions = find_sources("the 'The Independent - Sports' report", source_aliases(SOURCES))
    assert [names for _, _, names in mentions] == [["The Independent - Sports"]]


def test_absolute_dates_in_several_formats():
    newest = date(2023, 12, 20)
    day = day_range(date(2023, 11, 24))
    assert find_dates("reported on 2023-11-24", newest) == [day]
    assert find_dates("published at 2023-11-24T22:38:05+00:00", newest) == [day]
    assert find_dates("on November 24, 2023", newest) == [day]
    assert find_dates("on 24 November 2023", newest) == [day]


def test_month_and_relative_dates_resolve_against_the_newest_article():
    newest = date(2023, 12, 20)
    assert find_dates("what happened in April?", newest) == [day_range(date(2023, 4, 1), 30)]
    assert find_dates("news from last week", newest) == [day_range(date(2023, 12, 13), 8)]
    assert find_dates("what happened yesterday", newest) == [day_range(date(2023, 12, 19))]
    assert find_dates("what may happen next", newest) == []


def test_latest_sets_recency():
    assert analyze("What is the latest on the tram line?", SOURCES, NEWEST).latest
    assert not analyze("When was the tram line approved?", SOURCES, NEWEST).latest


def test_comparison_is_split_into_one_sub_query_per_publication():
    plan = analyze("Did the TechCrunch article report a loss, while the Fortune article reported a profit?",
                   SOURCES, NEWEST)
    assert [s.sources for s in plan.subqueries] == [["TechCrunch"], ["Fortune"]]
    assert "loss" in plan.subqueries[0].text and "profit" in plan.subqueries[1].text


def test_two_publications_in_one_clause_still_get_a_sub_query_each():
    plan = analyze("Do the TechCrunch and Fortune articles both mention Gaza?", SOURCES, NEWEST)
    assert sorted(s.sources[0] for s in plan.subqueries) == ["Fortune", "TechCrunch"]


def test_a_plain_question_has_no_sub_queries():
    assert analyze("When did the talks begin?", SOURCES, NEWEST).subqueries == []
