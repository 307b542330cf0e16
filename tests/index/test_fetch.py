"""index.fetch (the polite fetcher) and index.http_cache against the local news site in tests/feed_server.py."""

from __future__ import annotations

import threading

import pytest

from feed_server import FeedServer
from index import IndexSettings
from index.fetch import MAX_REDIRECTS, Fetcher, FetchProblem, Validators, is_fetchable
from index.http_cache import CompletedEntry, HttpCache


@pytest.fixture
def site():
    with FeedServer(articles=3, wikinews=False) as server:
        yield server


def make_settings(tmp_path, **overrides) -> IndexSettings:
    values = {"data_dir": tmp_path / "data", "fetch_host_delay_s": 0.0, "fetch_timeout_s": 5.0,
              "fetch_user_agent": "NewsdeskTest/1.0 (+tests)"}
    return IndexSettings(**(values | overrides))


@pytest.fixture
def fetcher(tmp_path):
    with Fetcher(make_settings(tmp_path)) as client:
        yield client


def one_line(problem: pytest.ExceptionInfo) -> str:
    text = str(problem.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_feed_fetch_sends_user_agent_and_reads_charset_and_validators(site, fetcher):
    result = fetcher.fetch(site.rss_url, what="feed")
    assert result.status == 200 and not result.not_modified and b"<rss" in result.data
    assert result.content_type == "application/rss+xml" and result.charset == "utf-8"
    assert result.validators.etag.startswith('"') and result.validators.last_modified.endswith("GMT")
    [request] = site.feed_requests()
    assert request.headers["user-agent"] == "NewsdeskTest/1.0 (+tests)"
    assert "application/rss+xml" in request.headers["accept"]


def test_conditional_get_gives_304_until_the_feed_changes(site, fetcher):
    first = fetcher.fetch(site.rss_url, what="feed")
    again = fetcher.fetch(site.rss_url, what="feed", validators=first.validators)
    assert again.not_modified and again.data == b"" and again.validators.etag == first.validators.etag
    conditional = site.feed_requests()[-1].headers
    assert conditional["if-none-match"] == first.validators.etag
    assert conditional["if-modified-since"] == first.validators.last_modified
    by_date = Validators(last_modified=first.validators.last_modified)
    only_date = fetcher.fetch(site.rss_url, what="feed", validators=by_date)
    assert only_date.not_modified
    site.add_entry("late-news", title="Late news", paragraphs=["Something happened late in the evening."])
    changed = fetcher.fetch(site.rss_url, what="feed", validators=first.validators)
    assert changed.status == 200 and b"Late news" in changed.data and changed.validators != first.validators


def test_charset_comes_from_content_type(site, fetcher):
    site.set_page("story-1", headers={"Content-Type": 'text/html; charset="ISO-8859-1"'})
    result = fetcher.fetch(site.page_url("story-1"))
    assert (result.content_type, result.charset) == ("text/html", "iso-8859-1")


def test_slow_host_times_out_in_one_line_after_one_retry(site, tmp_path):
    with Fetcher(make_settings(tmp_path, fetch_timeout_s=0.3)) as fetcher:
        with pytest.raises(FetchProblem) as problem:
            fetcher.fetch(f"{site.url}/slow/3")
    text = one_line(problem)
    assert text.startswith("cannot fetch the page (no answer within 0.3s)")
    assert "fetch_timeout_s (NEWSDESK_FETCH_TIMEOUT_S)" in text
    assert problem.value.url == f"{site.url}/slow/3"
    assert len(site.requests_to("/slow")) == 2  # the one retry


def test_redirect_loop_is_one_line(site, fetcher):
    with pytest.raises(FetchProblem) as problem:
        fetcher.fetch(f"{site.url}/loop/a")
    text = one_line(problem)
    a, b = f"{site.url}/loop/a", f"{site.url}/loop/b"
    assert text.startswith(f"the page redirects in a loop ({a} → {b} → {a})")
    assert len(site.requests_to("/loop")) == 2  # noticed at the first repeat, not retried


def test_redirects_are_followed_up_to_the_limit(site, fetcher):
    result = fetcher.fetch(f"{site.url}/redirect/{MAX_REDIRECTS}/story-2")
    assert result.final_url == site.page_url("story-2") and b"<article>" in result.data
    with pytest.raises(FetchProblem) as problem:
        fetcher.fetch(f"{site.url}/redirect/{MAX_REDIRECTS + 1}/story-2")
    assert f"redirects more than {MAX_REDIRECTS} times" in one_line(problem)


@pytest.mark.parametrize("route", ["huge", "huge-stream"])
def test_huge_page_is_refused_in_one_line(site, tmp_path, route):
    with Fetcher(make_settings(tmp_path, max_file_mb=0.1)) as fetcher:
        with pytest.raises(FetchProblem) as problem:
            fetcher.fetch(f"{site.url}/{route}/3000000")
    assert one_line(problem) == "the page is over the 0.1 MB limit; raise max_file_mb (NEWSDESK_MAX_FILE_MB)"
    assert len(site.requests_to(f"/{route}")) == 1


def test_one_retry_after_a_single_500_then_success(site, fetcher):
    site.set_page("story-1", status=500, fail_times=1)
    result = fetcher.fetch(site.page_url("story-1"))
    assert result.status == 200 and site.entries["story-1"].paragraphs[0].encode() in result.data
    assert len(site.requests_to("/articles/story-1")) == 2


def test_persistent_500_is_retried_once_then_named(site, fetcher):
    site.set_page("story-1", status=503)
    with pytest.raises(FetchProblem) as problem:
        fetcher.fetch(site.page_url("story-1"))
    assert one_line(problem).startswith("the server answered HTTP 503;") and problem.value.status == 503
    assert len(site.requests_to("/articles/story-1")) == 2


def test_404_is_not_retried(site, fetcher):
    with pytest.raises(FetchProblem) as problem:
        fetcher.fetch(f"{site.url}/missing")
    assert one_line(problem) == "the server answered HTTP 404; check the page URL"
    assert len(site.requests_to("/missing")) == 1


def test_429_retry_after_is_honoured(site, fetcher):
    result = fetcher.fetch(f"{site.url}/busy/1")
    assert result.status == 200
    first, second = site.requests_to("/busy")
    assert second.time - first.time >= 0.8  # asked to wait 1 s (generous margin: behaviour, not speed)


def test_politeness_delay_between_requests_to_one_host(site, tmp_path):
    delay = 0.4
    with Fetcher(make_settings(tmp_path, fetch_host_delay_s=delay)) as fetcher:
        threads = [threading.Thread(target=fetcher.fetch, args=(site.page_url(f"story-{n}"),)) for n in (1, 2, 3)]
        for thread in threads:
            thread.start()
        fetcher.fetch(site.rss_url, what="feed")
        for thread in threads:
            thread.join()
    times = sorted(r.time for r in site.log)
    assert len(times) == 4
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= delay * 0.9, gaps


def test_unreachable_host_names_the_problem(fetcher):
    with pytest.raises(FetchProblem) as problem:
        fetcher.fetch("http://127.0.0.1:9/feed", what="feed")
    assert one_line(problem).startswith("cannot fetch the feed (ConnectError")
    assert one_line(problem).endswith("check the URL and network")


def test_reserved_example_hosts_are_not_fetchable():
    assert not is_fetchable("https://news.example.org/a")
    assert is_fetchable("https://www.notexample.org/a")
    assert not is_fetchable("https://ledger.example.test/floating-market")
    assert not is_fetchable("https://samples.newsdesk.invalid/x")
    assert not is_fetchable("https://example.com/story")
    assert not is_fetchable("javascript:alert(1)")
    assert is_fetchable("http://127.0.0.1:8000/articles/a") and is_fetchable("https://www.bbc.co.uk/news/1")


def test_http_cache_persists_validators_and_completed_entries(tmp_path):
    path = tmp_path / "data" / "http_cache.sqlite3"
    with HttpCache(path) as cache:
        cache.save_validators("http://a/feed", Validators('"abc"', "Mon, 01 Jan 2024 00:00:00 GMT"))
        cache.save_completed("id1", CompletedEntry("entry-hash", "article-hash", "http://a/1"))
        cache.save_validators("http://a/empty", Validators())
    with HttpCache(path) as cache:
        assert cache.validators("http://a/feed") == Validators('"abc"', "Mon, 01 Jan 2024 00:00:00 GMT")
        assert cache.validators("http://a/empty") is None
        assert cache.completed("id1") == CompletedEntry("entry-hash", "article-hash", "http://a/1")
        cache.forget_validators("http://a/feed")
        assert cache.validators("http://a/feed") is None
        assert cache.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
