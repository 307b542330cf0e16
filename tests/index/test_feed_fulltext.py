"""Full text behind teaser feed entries, through `ingest`, against the local news site in tests/feed_server.py."""

from __future__ import annotations

import pytest

from feed_server import ASIDE_TEXT, FOOTER_TEXT, NAV_TEXT, FeedServer
from index import Catalog, ingest
from index.identity import article_id
from index.loaders.feed import TEASER_MAX_WORDS, is_teaser


@pytest.fixture
def site():
    with FeedServer(articles=3) as server:
        yield server


@pytest.fixture
def fast(settings):
    """Test settings without the politeness delay (asserted in test_fetch.py and below where it matters)."""
    settings.fetch_host_delay_s = 0.0
    settings.fetch_timeout_s = 5.0
    return settings


def indexed(settings) -> dict[str, object]:
    catalog = Catalog(settings)
    return {record.id: catalog.get(record.id) for record in catalog.articles()}


def squash(text: str) -> str:
    return " ".join(text.split())


def assert_full_text(article, entry) -> None:
    body = squash(article.body)
    for paragraph in entry.paragraphs:
        assert squash(paragraph) in body
    for chrome in (NAV_TEXT, FOOTER_TEXT, ASIDE_TEXT, "Subscribe", "All rights reserved"):
        assert chrome not in article.body


def test_teaser_rule():
    assert is_teaser("A short teaser about a town meeting.")
    assert is_teaser(" ".join(["word"] * (TEASER_MAX_WORDS + 50)) + " …")
    assert is_teaser(" ".join(["word"] * (TEASER_MAX_WORDS + 50)) + ". Continue reading →")
    assert is_teaser(" ".join(["word"] * (TEASER_MAX_WORDS + 50)) + " [...]")
    assert not is_teaser(" ".join(["word"] * (TEASER_MAX_WORDS + 50)) + ".")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_teaser_feed_becomes_full_articles(fast, site, kind):
    url = site.feed_url("news", kind)
    report = ingest([url], fast)
    assert report.ok and report.count("added") == 3, report.results
    assert all(not r.note for r in report.results)
    articles = indexed(fast)
    for entry in site.entries.values():
        article = articles[article_id(guid=entry.guid)]  # the entry's identity, not the page's
        assert_full_text(article, entry)
        assert article.title == entry.title and article.url == site.page_url(entry.slug)
        assert article.author == entry.author
        assert article.published_at[:10] == entry.published[:10]
    assert {r.path for r in site.page_requests()} == {f"/articles/{slug}" for slug in site.entries}
    assert all(r.headers["user-agent"] == fast.fetch_user_agent for r in site.log)


def test_second_poll_is_a_conditional_request_and_costs_nothing(fast, site):
    first = ingest([site.rss_url], fast)
    assert first.count("added") == 3
    site.clear_log()
    again = ingest([site.rss_url], fast)
    assert again.count("unchanged") == 3 and again.ok and again.chunks_embedded == 0
    [feed_request] = site.log  # the feed only, conditionally; no page fetched
    assert "if-none-match" in feed_request.headers and "if-modified-since" in feed_request.headers
    assert sorted(r.input for r in again.results) == sorted(r.input for r in first.results)
    assert len(indexed(fast)) == 3  # a 304 removes nothing


def test_unchanged_entries_cost_no_page_fetch_without_validators(fast):
    with FeedServer(articles=3, validators=False) as site:
        assert ingest([site.rss_url], fast).count("added") == 3
        site.clear_log()
        again = ingest([site.rss_url], fast)
        assert again.count("unchanged") == 3 and again.chunks_embedded == 0
        assert [r.path for r in site.log] == ["/feeds/news.rss"]


def test_failed_page_keeps_the_teaser_and_the_next_poll_updates_it(fast, site):
    site.set_page("story-2", status=500)
    report = ingest([site.rss_url], fast)
    assert report.ok and report.count("added") == 3
    [kept] = [r for r in report.results if r.note]
    assert kept.note == f"teaser kept: {site.page_url('story-2')}: the server answered HTTP 500; " \
                        "the site has a problem, try again later"
    teaser = indexed(fast)[kept.article_id]
    assert teaser.body.startswith(site.entries["story-2"].teaser.split()[0])
    assert site.entries["story-2"].paragraphs[-1] not in teaser.body
    assert len(site.requests_to("/articles/story-2")) == 2  # one retry

    site.set_page("story-2", status=200)
    site.clear_log()
    again = ingest([site.rss_url], fast)
    statuses = {r.article_id: r.status for r in again.results}
    assert statuses.pop(kept.article_id) == "updated" and set(statuses.values()) == {"unchanged"}
    assert "if-none-match" not in site.feed_requests()[0].headers  # the feed is read again after a failure
    assert [r.path for r in site.page_requests()] == ["/articles/story-2"]  # only the kept teaser is retried
    assert_full_text(indexed(fast)[kept.article_id], site.entries["story-2"])
    assert not [r for r in again.results if r.note]


def test_unreachable_pages_keep_teasers_with_one_line_notes(fast, site):
    fast.fetch_timeout_s = 0.3
    fast.max_file_mb = 0.2
    site.update_entry("story-1", link=f"{site.url}/slow/3")
    site.update_entry("story-2", link=f"{site.url}/loop/a")
    site.update_entry("story-3", link=f"{site.url}/huge/1000000")
    report = ingest([site.rss_url], fast)
    assert report.ok and report.count("added") == 3
    notes = {r.article_id: r.note for r in report.results}
    by_slug = {slug: notes[article_id(guid=e.guid)] for slug, e in site.entries.items()}
    assert by_slug["story-1"].startswith(f"teaser kept: {site.url}/slow/3: cannot fetch the page "
                                         "(no answer within 0.3s)")
    assert by_slug["story-2"].startswith(f"teaser kept: {site.url}/loop/a: the page redirects in a loop")
    assert by_slug["story-3"] == (f"teaser kept: {site.url}/huge/1000000: the page is over the 0.2 MB limit; "
                                  "raise max_file_mb (NEWSDESK_MAX_FILE_MB)")
    assert all("\n" not in note for note in notes.values())
    articles = indexed(fast)
    for entry in site.entries.values():
        assert articles[article_id(guid=entry.guid)].body.split()[:5] == entry.teaser.split()[:5]


def test_full_text_off_keeps_teasers_and_fetches_no_page(fast, site):
    fast.fetch_full_text = False
    report = ingest([site.rss_url], fast)
    assert report.ok and report.count("added") == 3
    assert site.page_requests() == [] and [r.path for r in site.log] == ["/feeds/news.rss"]
    for article in indexed(fast).values():
        assert len(article.body.split()) < TEASER_MAX_WORDS


def test_changed_entry_with_unchanged_page_is_a_conditional_page_fetch(fast, site):
    ingest([site.rss_url], fast)
    site.update_entry("story-1", title="A corrected headline for the first story")
    site.clear_log()
    again = ingest([site.rss_url], fast)
    [page_request] = site.page_requests()
    assert page_request.path == "/articles/story-1" and "if-none-match" in page_request.headers
    [updated] = [r for r in again.results if r.status == "updated"]
    article = indexed(fast)[updated.article_id]
    assert article.title == "A corrected headline for the first story"
    assert_full_text(article, site.entries["story-1"])


def test_feed_file_on_disk_gets_full_text(fast, site, docs):
    import httpx

    path = docs.write("news.rss", httpx.get(site.rss_url).content)
    site.clear_log()
    report = ingest([str(path)], fast)
    assert report.ok and report.count("added") == 3
    assert len(site.page_requests()) == 3
    for entry in site.entries.values():
        assert_full_text(indexed(fast)[article_id(guid=entry.guid)], entry)


def test_page_fetches_and_host_delay_do_not_count_against_the_parse_limit(fast):
    """5 teasers at a 0.3 s host delay spend > 1.5 s on the network, over a 1 s parse limit: all still go in."""
    fast.file_timeout_s = 1.0
    fast.fetch_host_delay_s = 0.3
    with FeedServer(articles=5) as site:
        report = ingest([site.rss_url], fast)
        assert report.ok and report.count("added") == 5, [r.error for r in report.failed]
        times = sorted(r.time for r in site.log)
        assert times[-1] - times[0] >= 5 * 0.3 * 0.9  # the delay was really spent between the 6 requests
        assert min(b - a for a, b in zip(times, times[1:])) >= 0.3 * 0.9
        for entry in site.entries.values():
            assert_full_text(indexed(fast)[article_id(guid=entry.guid)], entry)


def test_feed_url_errors_stay_one_line(fast, site):
    report = ingest([f"{site.url}/feeds/missing", f"{site.url}/status/503", f"{site.url}/loop/a"], fast)
    errors = [r.error for r in report.failed]
    assert errors[0] == f"{site.url}/feeds/missing: the server answered HTTP 404; check the feed URL"
    assert errors[1].startswith(f"{site.url}/status/503: the server answered HTTP 503;")
    assert errors[2].startswith(f"{site.url}/loop/a: the feed redirects in a loop")
    assert all("\n" not in e for e in errors)


def test_feed_is_a_window_entries_that_scroll_out_stay_and_new_ones_are_added(fast, site):
    first = ingest([site.rss_url], fast)
    assert first.count("added") == 3
    oldest = sorted(site.entries)[0]
    site.remove_entry(oldest)  # scrolled out of the feed's window
    site.add_entry("harbour-vote", title="Harbour vote delayed", author="Staff",
                   paragraphs=["The council delayed its harbour vote to March after objections from fishermen.",
                               "Councillors said the wall's cost had doubled since the storms."])
    again = ingest([site.rss_url], fast)
    assert again.ok and again.count("removed") == 0, again.results
    assert again.count("added") == 1 and again.count("updated") == 0 and again.count("unchanged") == 2
    assert len(indexed(fast)) == 4  # the scrolled-out entry is still indexed
    # removing the feed's articles drops them all, and the next poll reads the feed whole again (no 304)
    from index import remove

    assert remove([site.rss_url], fast).count("removed") == 4
    site.clear_log()
    back = ingest([site.rss_url], fast)
    assert back.count("added") == 3
    assert "if-none-match" not in site.feed_requests()[0].headers
