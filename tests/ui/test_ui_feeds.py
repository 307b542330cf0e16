"""The watched feeds on the Articles tab (ui/feeds.py) against a real index and the local feed server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from feed_server import FeedServer
from qa import Newsdesk

from ui import feeds

URL = "https://news.example.test/feed.xml"


@pytest.fixture
def desk(tmp_path: Path, monkeypatch) -> Newsdesk:
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "no-config.toml"))
    return Newsdesk(data_dir=tmp_path / "data", llm="extractive", embed_threads=1, fetch_host_delay_s=0)


def test_add_change_and_stop_watching_with_clear_messages(desk):
    assert feeds.add_feed(desk, "  ", 15)[0].startswith("Paste a feed URL first")
    message, rows = feeds.add_feed(desk, "javascript:alert(1)", 15)
    assert message.startswith("Could not watch it:") and "http:// or https://" in message and rows == []

    message, rows = feeds.add_feed(desk, URL, None)  # an empty interval field: the default
    assert message == f"Watching {URL} every 15 min; first poll when `newsdesk watch` runs."
    assert rows == [[URL, "15", "never", 0, 0, 0, ""]]
    assert feeds.add_feed(desk, URL, 30)[0] == f"Now polling {URL} every 30 min."
    assert feeds.add_feed(desk, URL, 30.0)[0] == f"Already watching {URL} every 30 min."
    message, rows = feeds.add_feed(desk, URL, 0)
    assert message.startswith(f"Could not watch {URL}: interval_min (--every) 0") and rows[0][1] == "30"
    assert "does not poll them" in feeds.watch_note(desk)

    assert feeds.remove_feed(desk, "")[0].startswith("Paste the URL of a watched feed first")
    message, _ = feeds.remove_feed(desk, "https://other.example.test/rss")
    assert message.startswith("Could not stop watching it:") and "not a watched feed" in message
    message, rows = feeds.remove_feed(desk, URL)
    assert message.startswith(f"Stopped watching {URL}. Its 0 indexed articles stay") and rows == []


def test_the_table_shows_what_the_chats_watcher_polled(desk):
    with FeedServer(articles=2) as site:
        desk.start_watcher()
        try:
            assert "This chat polls the feeds" in feeds.watch_note(desk)
            message, _ = feeds.add_feed(desk, site.rss_url, 5)
            assert message == f"Watching {site.rss_url} every 5 min; first poll now."
            deadline = time.monotonic() + 30
            while feeds.feed_rows(desk)[0][2] == "never":  # the watcher was woken by the add
                assert time.monotonic() < deadline, "the watcher never polled the new feed"
                time.sleep(0.05)
        finally:
            assert desk.stop_watcher(timeout=60)
        [[url, every, last_poll, new, total, failures, error]] = feeds.feed_rows(desk)
        assert (url, every, new, total, failures, error) == (site.rss_url, "5", 2, 2, 0, "")
        assert last_poll[:4].isdigit()
        message, rows = feeds.remove_feed(desk, site.rss_url)
        assert "Its 2 indexed articles stay" in message and rows == [] and len(desk.articles()) == 2


def test_the_articles_tab_has_the_feed_controls(desk):
    from ui.app import build_app

    demo = build_app(desk)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    assert {"nd-feeds", "nd-watch-url", "nd-watch-every", "nd-watch-add", "nd-watch-remove"} <= ids


def test_chat_watch_runs_a_watcher_for_the_chat_and_steps_aside_for_another(desk, capsys):
    from index import Watcher

    from ui.cli import _watching

    with _watching(desk, True):
        assert desk.watching
    assert not desk.watching and "Watching 0 feeds (add some with `newsdesk feeds add URL`" in capsys.readouterr().out

    other = Watcher(desk.settings)  # e.g. a `newsdesk watch` in another terminal
    other.acquire()
    try:
        with _watching(desk, True):
            assert not desk.watching  # the chat goes on without one
        err = capsys.readouterr().err
        assert err.startswith("newsdesk: note: not watching feeds:") and "already watched by process" in err
    finally:
        other.release()
