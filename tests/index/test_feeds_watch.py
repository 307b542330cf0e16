"""Watched feeds kept fresh: the feed list and its state (index/feeds.py), the watcher (index/watch.py), and
`newsdesk watch` killed mid-poll. Polls run against tests/feed_server.py on 127.0.0.1; where timing matters the
watcher gets a fake clock; only the tests of the background loop wait for a real (3 s) interval."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from feed_server import FeedServer
from index import Catalog, FeedList, FileResult, IngestReport, Watcher, WatcherRunning, ingest, open_store
from index.feeds import BACKOFF_CAP_MIN, BACKOFF_FACTOR, MAX_ERROR_CHARS, backoff_delay_min
from newsdesk_testkit import REPO

FEED = "https://news.example.test/feed.xml"
SHORT_MIN = 0.05  # the shortest interval allowed (3 s): the background-loop test waits for one real interval


class FakeClock:
    """Unix seconds that move only when told."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


def report(*results: FileResult) -> IngestReport:
    return IngestReport(results=list(results))


def entry(url: str, n: int, status: str = "added") -> FileResult:
    return FileResult(input=f"{url}#{n}", status=status, article_id=f"id{n}", title=f"Entry {n}", chunks=1)


def wait_for(condition, what: str, limit_s: float = 30.0) -> None:
    """Poll `condition()` until true; fail naming `what` after `limit_s` (a hang guard, not a timing check)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def fast(settings):
    """The index settings with no pause between two requests to the local test site."""
    settings.fetch_host_delay_s = 0
    return settings


# The feed list -----------------------------------------------------------------------------------------------

def test_add_validates_updates_interval_and_remove_keeps_order(settings):
    clock = FakeClock()
    feeds = FeedList(settings, clock)
    changes = feeds.add([FEED, "ftp://news.example.test/feed", "  ", "https://", "http://a b/feed"])
    assert [c.status for c in changes] == ["added", "failed", "failed", "failed", "failed"]
    assert "must start with http:// or https://" in changes[1].error and "ftp://" in changes[1].error
    assert "empty" in changes[2].error and "not a valid web address" in changes[3].error
    assert all("\n" not in c.error for c in changes)

    clock.advance(1)
    feeds.add(["http://other.example.test/rss"], interval_min=30)
    [first, second] = feeds.list()  # in the order added
    assert (first.url, first.interval_min, first.next_due, first.last_poll) == (FEED, None, clock.now - 60, None)
    assert (second.url, second.interval(15), first.interval(15)) == ("http://other.example.test/rss", 30, 15)
    assert feeds.due() == [first, second]

    assert [c.status for c in feeds.add([f" {FEED} "], interval_min=5)] == ["updated"]  # present: new interval
    assert feeds.get(FEED).interval_min == 5 and len(feeds.list()) == 2
    assert [c.status for c in feeds.add([FEED], interval_min=5)] == ["unchanged"]
    with pytest.raises(ValueError, match=r"interval_min \(--every\) 0.*from 0.05 to 10080"):
        feeds.add([FEED], interval_min=0)
    assert feeds.get(FEED).interval_min == 5  # a refused interval changes nothing

    removed = feeds.remove([FEED, "https://never.example.test/feed"])
    assert [c.status for c in removed] == ["removed", "failed"] and "newsdesk feeds list" in removed[1].error
    assert [f.url for f in FeedList(settings).list()] == ["http://other.example.test/rss"]  # another reader agrees


def test_backoff_grows_exponentially_up_to_the_cap():
    assert backoff_delay_min(15, 0) == 15  # a success waits the interval
    assert [backoff_delay_min(15, n) for n in (1, 2, 3)] == [15 * BACKOFF_FACTOR, 15 * BACKOFF_FACTOR ** 2,
                                                             15 * BACKOFF_FACTOR ** 3]
    assert backoff_delay_min(15, 50) == BACKOFF_CAP_MIN == backoff_delay_min(15, 10_000)
    assert backoff_delay_min(10080, 3) == 10080  # never sooner than the feed's own interval


def test_poll_outcomes_back_off_and_recover_with_a_fake_clock(settings):
    clock = FakeClock()
    answers = []

    def fake_ingest(paths, settings_):
        assert paths == [FEED] and settings_ is settings
        return answers.pop(0)

    watcher = Watcher(settings, ingest=fake_ingest, clock=clock, on_poll=lambda outcome: None)
    watcher.feeds.add([FEED], interval_min=10)
    answers.append(report(entry(FEED, 1), entry(FEED, 2), entry(FEED, 3, "unchanged")))
    [ok] = watcher.poll_due()
    assert (ok.ok, ok.new_items, ok.unchanged) == (True, 2, 1)
    state = ok.state
    assert (state.last_poll, state.last_success, state.next_due) == (clock.now, clock.now, clock.now + 600)
    assert (state.new_items, state.total_added, state.failures, state.last_error) == (2, 2, 0, "")
    assert watcher.poll_due() == []  # not due again before its interval

    down = f"{FEED}: the server answered HTTP 500; check the feed URL\n<html>" + "x" * 1000
    for failures in (1, 2, 3):
        clock.advance(10 * BACKOFF_FACTOR ** (failures - 1))
        answers.append(report(FileResult(input=FEED, status="failed", error=down)))
        [failed] = watcher.poll_due()
        assert not failed.ok and failed.state.failures == failures
        assert failed.state.next_due == clock.now + 60 * 10 * BACKOFF_FACTOR ** failures  # pushed out
        assert failed.state.last_error.startswith(f"{FEED}: the server answered HTTP 500")
        assert "\n" not in failed.state.last_error and len(failed.state.last_error) <= MAX_ERROR_CHARS
        assert failed.state.last_success == state.last_success and failed.state.total_added == 2
        assert "failed (%d in a row)" % failures in failed.line()
        clock.advance(10 * BACKOFF_FACTOR ** failures - 0.5)
        assert watcher.poll_due() == []  # half a minute early: still backing off
        clock.advance(-(10 * BACKOFF_FACTOR ** failures - 0.5))

    clock.advance(80)  # recovers; one bad entry is noted but is no failure of the feed
    answers.append(report(entry(FEED, 4), FileResult(input=f"{FEED} entry 5", status="failed",
                                                     error=f"{FEED} entry 5: the entry has no content")))
    [back] = watcher.poll_due()
    assert back.ok and back.entry_errors and back.state.failures == 0
    assert back.state.next_due == clock.now + 600 and back.state.last_success == clock.now
    assert back.state.last_error == f"{FEED} entry 5: the entry has no content" and back.state.total_added == 3

    restarted = FeedList(settings, clock).get(FEED)  # the state is in feeds.sqlite3, not in the watcher
    assert restarted == back.state
    clock.advance(-60)  # the system clock was set back an hour: polled now, not in an hour and ten minutes
    assert watcher.feeds.due() == [restarted]


def test_a_poll_cut_short_leaves_the_feed_due(settings):
    clock = FakeClock()

    def killed(paths, settings_):
        raise KeyboardInterrupt  # as when Ctrl-C (or a kill) lands inside the ingest

    watcher = Watcher(settings, ingest=killed, clock=clock)
    watcher.feeds.add([FEED])
    before = watcher.feeds.get(FEED)
    with pytest.raises(KeyboardInterrupt):
        watcher.run(once=True)
    assert watcher.feeds.get(FEED) == before and watcher.feeds.due() == [before]
    Watcher(settings).acquire()  # and the watch lock was given back


def test_a_feed_removed_during_its_poll_is_not_brought_back(settings):
    clock = FakeClock()
    feeds = FeedList(settings, clock)

    def removing(paths, settings_):
        feeds.remove(paths)
        return report(entry(FEED, 1))

    feeds.add([FEED])
    [outcome] = Watcher(settings, ingest=removing, clock=clock, on_poll=lambda o: None).poll_due()
    assert outcome.state is None and feeds.list() == []


def test_one_watcher_per_data_dir(settings):
    first = Watcher(settings)
    first.acquire()
    with pytest.raises(WatcherRunning, match=rf"already watched by process {os.getpid()}.*another --data-dir"):
        Watcher(settings).acquire()
    first.release()
    second = Watcher(settings)
    second.acquire()
    second.release()


# Against the local feed server ---------------------------------------------------------------------------------

def test_errors_back_off_then_recover_against_the_server(fast):
    clock = FakeClock()
    with FeedServer(articles=2) as site:
        broken = f"{site.url}/status/500"
        outcomes = []
        watcher = Watcher(fast, clock=clock, on_poll=outcomes.append)
        watcher.feeds.add([site.rss_url, broken], interval_min=1)
        first = {o.url: o for o in watcher.run(once=True)}
        assert first[site.rss_url].ok and first[site.rss_url].new_items == 2
        failed = first[broken].state
        assert failed.failures == 1 and failed.next_due == clock.now + 60 * BACKOFF_FACTOR
        assert "HTTP 500" in failed.last_error and "\n" not in failed.last_error and failed.last_success is None

        clock.advance(1)  # the good feed is due, the broken one is backing off
        assert [o.url for o in watcher.run(once=True)] == [site.rss_url]
        clock.advance(1)
        again = {o.url: o for o in watcher.run(once=True)}
        assert again[broken].state.failures == 2 and again[broken].state.next_due == clock.now + 60 * 4
        assert again[site.rss_url].new_items == 0 and again[site.rss_url].unchanged == 2  # nothing re-embedded
        watcher.feeds.remove([broken])

        site.stop()  # the site goes away: connection refused
        clock.advance(1)
        [gone] = watcher.run(once=True)
        assert gone.state.failures == 1 and "cannot fetch" in gone.state.last_error
        site.start()  # and comes back on the same port
        clock.advance(2)
        [back] = watcher.run(once=True)
        assert back.ok and back.state.failures == 0 and back.state.last_error == ""
        assert back.state.next_due == clock.now + 60 and back.state.total_added == 2
    assert len(outcomes) == 7 and len(Catalog(fast)) == 2


def test_background_watcher_picks_up_a_new_entry_and_state_survives(fast):
    polls: list = []
    with FeedServer(articles=2) as site:
        watcher = Watcher(fast, on_poll=polls.append)
        watcher.feeds.add([site.atom_url], interval_min=SHORT_MIN)
        watcher.start()
        try:
            wait_for(lambda: len(polls) >= 1, "the first poll")
            assert polls[0].ok and polls[0].new_items == 2
            site.add_entry("late-news", title="Harbour ferry resumes night crossings",
                           paragraphs=["The harbour ferry resumed its night crossings on Sunday after repairs to "
                                       "the pier were finished ahead of schedule, the port authority said."])
            wait_for(lambda: any(p.new_items for p in polls[1:]), "a poll that finds the new entry")
        finally:
            assert watcher.stop(timeout=60)
    titles = [a.title for a in Catalog(fast).articles()]
    assert "Harbour ferry resumes night crossings" in titles and len(titles) == 3
    assert all(p.ok for p in polls)

    state = FeedList(fast).get(site.atom_url)  # a new reader (as after a restart) sees what the polls did
    assert state.total_added == 3 and state.last_poll == polls[-1].started and state.failures == 0
    assert state.next_due == polls[-1].state.next_due > state.last_poll
    assert Watcher(fast).feeds.list() == [state]


def test_questions_never_wait_on_the_ingest_lock(tmp_path, monkeypatch):
    """A question gets its passages while the watcher waits for data_dir/ingest.lock, and while it ingests."""
    from qa import Newsdesk

    for name in list(os.environ):
        if name.startswith("NEWSDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "no-config.toml"))
    desk = Newsdesk(data_dir=tmp_path / "data", llm="extractive", embed_threads=1, fetch_host_delay_s=0)
    with FeedServer(articles=2) as site:
        first = site.entries["story-1"]
        assert desk.ingest([site.rss_url]).count("added") == 2
        question = first.title
        assert desk.retrieve(question)  # the retriever is built before the lock is taken
        desk.add_feeds([site.rss_url], interval_min=SHORT_MIN)
        site.add_entry("slow-news", title="Lantern Gazette reprints a story", paragraphs=["A reprint."],
                       link=f"{site.url}/slow/2")  # its page answers late: the ingest is in progress meanwhile
        site.add_entry("late-news", title="Harbour ferry resumes night crossings",
                       paragraphs=["The harbour ferry resumed its night crossings on Sunday after repairs to the "
                                   "pier were finished ahead of schedule, the port authority said."])
        polls: list = []
        with open(desk.settings.data_dir / "ingest.lock", "w") as held:  # as a long ingest would
            fcntl.flock(held, fcntl.LOCK_EX)
            desk.start_watcher(on_poll=polls.append)
            wait_for(lambda: desk._watcher.polling, "the watcher to start its poll")
            passages = desk.retrieve(question)  # must not block on the lock the watcher waits for
            assert passages and passages[0].title == first.title
            assert polls == [] and not site.feed_requests()[1:]  # the poll is still waiting for the lock
        try:
            wait_for(lambda: site.requests_to("/slow"), "the watcher's ingest to reach the slow page")
            assert desk.retrieve(question)[0].title == first.title  # asked while the watcher ingests
            wait_for(lambda: polls, "the poll to finish")
        finally:
            assert desk.stop_watcher(timeout=60)
        assert polls[0].ok and polls[0].new_items == 2
        assert [p.title for p in desk.retrieve("When did the harbour ferry resume its night crossings?")][:1] == [
            "Harbour ferry resumes night crossings"]


# kill -9 of `newsdesk watch` in the middle of a poll ------------------------------------------------------------

FAST_ENTRIES = 66  # one chunk each; ingest writes every 64 chunks (batch size 8), so 64 are in before the kill
SLOW_PAGE_S = 3  # the last entry is a teaser whose page answers this late: the poll is in progress meanwhile


def newsdesk(env: dict[str, str], *args: str, **popen: object) -> subprocess.Popen:
    """The repo's CLI (`python -m qa.cli`, as the console script runs it) in a subprocess, with Ctrl-C's
    default action: a test run started in the background by a shell inherits SIGINT ignored, and so would
    the CLI (Python installs its KeyboardInterrupt handler only where SIGINT is not ignored)."""
    return subprocess.Popen([sys.executable, "-m", "qa.cli", *args], cwd=REPO, env=env, text=True,
                            preexec_fn=_default_sigint, **popen)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_kill_9_mid_poll_then_restart_resumes_clean(fast, tmp_path):
    data = str(fast.data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(REPO),
               NEWSDESK_CONFIG=str(tmp_path / "no-config.toml"), NEWSDESK_EMBED_THREADS="1",
               NEWSDESK_FETCH_HOST_DELAY_S="0", NEWSDESK_FOLD_COPIES="false",
               NEWSDESK_EMBED_BATCH_SIZE="8")  # ingest writes every 32 chunks (index.pipeline MIN_FLUSH_CHUNKS)
    with FeedServer(articles=0) as site:
        site.add_entry("slow-story", title="Varnwick council publishes its water report",
                       paragraphs=["The Varnwick council published its report on the town's water supply on "
                                   "Monday, with figures for every new well dug this year."],
                       link=f"{site.url}/slow/{SLOW_PAGE_S}")  # listed last: polled after the fast ones
        for i in range(FAST_ENTRIES):  # short teasers: each page is fetched (at once) and makes one small chunk
            site.add_entry(f"wells-{i}", title=f"Varnwick{i} counts its new wells",
                           paragraphs=[f"The hill town of Varnwick{i} dug {i + 2} new wells this spring."])
        total = FAST_ENTRIES + 1
        FeedList(fast).add([site.rss_url])

        log = (tmp_path / "watch-1.log").open("w")
        child = newsdesk(env, "watch", "--data-dir", data, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: site.requests_to("/slow") or child.poll() is not None, "the poll to reach the slow page",
                     limit_s=120)
            assert child.poll() is None, (tmp_path / "watch-1.log").read_text()
            child.send_signal(signal.SIGKILL)
        finally:
            assert child.wait(timeout=60) == -signal.SIGKILL
            log.close()

        partial = len(Catalog(fast))
        assert 0 < partial < total  # a batch was indexed before the kill, the rest was not
        killed = FeedList(fast).get(site.rss_url)
        assert killed.last_poll is None and killed.next_due <= time.time()  # nothing recorded: still due

        done = newsdesk(env, "watch", "--once", "--data-dir", data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = done.communicate(timeout=120)
        assert done.returncode == 0, err
        assert "Traceback" not in err and f"{total - partial} new, {partial} unchanged" in out, out

        listed = newsdesk(env, "feeds", "list", "--json", "--data-dir", data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)  # the state, as a new process reads it
        out, err = listed.communicate(timeout=60)
        assert listed.returncode == 0, err
    [state] = json.loads(out)
    assert (state["url"], state["failures"], state["last_error"]) == (site.rss_url, 0, "")
    assert state["new_items"] == state["total_added"] == total - partial
    assert state["last_poll"] == state["last_success"] and state["next_due"] > state["last_poll"]

    catalog, store = Catalog(fast), open_store(fast)  # every entry exactly once; ledger and Chroma agree
    articles = catalog.articles()
    assert len(articles) == total and len({a.url for a in articles}) == total
    assert {a.title for a in articles} == {e.title for e in site.entries.values()}
    stored = store.get()
    assert store.count() == len(stored) == catalog.chunk_count()
    assert {cid for cid, _, _ in stored} == {c.id for c in catalog.iter_chunks()}
    assert {m["article_id"] for _, m, _ in stored} == {a.id for a in articles}
    assert ingest([site.rss_url], fast).count("added") == 0  # nothing left to index


# The command line ------------------------------------------------------------------------------------------------

def test_feeds_commands_json_messages_and_exit_codes(settings, capsys):
    from qa.cli import main

    data = ["--data-dir", str(settings.data_dir)]
    assert main(["feeds", "add", FEED, "ftp://news.example.test/feed", "--every", "30", "--json", *data]) == 1
    added = json.loads(capsys.readouterr().out)
    assert not added["ok"] and [r["status"] for r in added["results"]] == ["added", "failed"]
    assert "http:// or https://" in added["results"][1]["error"]

    assert main(["feeds", "add", FEED, "--every", "0", *data]) == 2  # a bad option value: usage error
    out, err = capsys.readouterr()
    assert err.strip().startswith("newsdesk: error: interval_min (--every) 0") and len(err.strip().splitlines()) == 1

    assert main(["feeds", "list", "--json", *data]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["url"], listed["every_min"], listed["last_poll"], listed["failures"]) == (FEED, 30, None, 0)
    assert main(["feeds", "list", *data]) == 0
    assert FEED in capsys.readouterr().out

    watcher = Watcher(settings)  # another watcher holds the data dir: one line, exit 1
    watcher.acquire()
    try:
        assert main(["watch", "--once", *data]) == 1
        out, err = capsys.readouterr()
        assert err.startswith("newsdesk: error: the feeds of") and "already watched by process" in err
        assert len(err.strip().splitlines()) == 1
    finally:
        watcher.release()

    assert main(["feeds", "remove", FEED, *data]) == 0
    out = capsys.readouterr().out
    assert f"stopped watching {FEED}; its 0 indexed articles stay" in out and f"newsdesk remove {FEED}" in out
    assert main(["feeds", "remove", FEED, *data]) == 1
    assert "not a watched feed" in capsys.readouterr().err
    assert main(["watch", "--once", *data]) == 0
    assert "No feeds are watched yet" in capsys.readouterr().out


def test_watch_logs_each_poll_refuses_a_second_watcher_and_ctrl_c_exits_130(fast, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(REPO),
               NEWSDESK_CONFIG=str(tmp_path / "no-config.toml"), NEWSDESK_EMBED_THREADS="1",
               NEWSDESK_FETCH_HOST_DELAY_S="0")
    data = ["--data-dir", str(fast.data_dir)]
    with FeedServer(articles=2) as site:
        FeedList(fast).add([site.rss_url])
        child = newsdesk(env, "watch", *data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert child.stdout.readline().startswith("Watching 1 feed in")
            poll_line = child.stdout.readline()  # one line per poll
            assert f"{site.rss_url}: 2 new, 0 unchanged" in poll_line and "next poll at" in poll_line

            second = subprocess.run([sys.executable, "-m", "qa.cli", "watch", *data], cwd=REPO, env=env,
                                    capture_output=True, text=True, timeout=60)
            assert second.returncode == 1 and "already watched by process" in second.stderr
            assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr

            child.send_signal(signal.SIGINT)
            try:  # exiting unloads Chroma and the embedder: seconds, more on a crowded machine
                code = child.wait(timeout=180)
            except subprocess.TimeoutExpired:
                child.kill()
                raise AssertionError(f"watch did not stop on Ctrl-C; its stderr: {child.stderr.read()[-2000:]}")
            assert code == 130
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        err = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    assert "newsdesk: interrupted" in err and "Traceback" not in err
    assert FeedList(fast).get(site.rss_url).total_added == 2
