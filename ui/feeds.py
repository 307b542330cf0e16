"""The watched feeds on the Articles tab: a table of their poll state, and add / stop-watching one by URL.

Thin over `qa.Newsdesk` (`feeds`, `add_feeds`, `remove_feeds`, `watching`); every action returns a one-line
status and the table rows, and never raises for bad input.
"""

from __future__ import annotations

import time
from typing import Any

from qa import NewsdeskError

FEED_HEADERS = ["feed", "every (min)", "last poll", "new", "total added", "failures", "last error"]


def _when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "never"


def feed_rows(desk: Any) -> list[list[Any]]:
    """One row per watched feed: URL, interval, last poll, new items in it, total added, failures, last error."""
    default = desk.settings.feed_interval_min
    return [[f.url, f"{f.interval(default):g}", _when(f.last_poll), f.new_items, f.total_added, f.failures,
             f.last_error] for f in desk.feeds()]


def watch_note(desk: Any) -> str:
    """Who polls the feeds: this chat (started with --watch) or a separate `newsdesk watch`."""
    if desk.watching:
        return "This chat polls the feeds below when each is due (started with `--watch`)."
    return ("Feeds are polled while `newsdesk watch` runs (or a chat started with `newsdesk chat --watch`); "
            "this chat does not poll them.")


def _interval(every: Any) -> float | None:
    """The interval field: None (empty: the default) or its number."""
    if every is None or (isinstance(every, str) and not every.strip()):
        return None
    return float(every)


def add_feed(desk: Any, url: str | None, every: Any = None) -> tuple[str, list[list[Any]]]:
    """Watch `url` every `every` minutes (empty: the default); returns (status line, table rows)."""
    url = (url or "").strip()
    if not url:
        return "Paste a feed URL first (https://…/feed.xml), then press **Watch feed**.", feed_rows(desk)
    try:
        [change] = desk.add_feeds([url], _interval(every))
    except (NewsdeskError, ValueError) as exc:
        return f"Could not watch {url}: {exc}", feed_rows(desk)
    if change.status == "failed":
        return f"Could not watch it: {change.error}", feed_rows(desk)
    feed = next((f for f in desk.feeds() if f.url == change.url), None)
    minutes = f"{feed.interval(desk.settings.feed_interval_min):g}" if feed else "?"
    first = "now" if desk.watching else "when `newsdesk watch` runs"
    message = {"added": f"Watching {change.url} every {minutes} min; first poll {first}.",
               "updated": f"Now polling {change.url} every {minutes} min.",
               "unchanged": f"Already watching {change.url} every {minutes} min."}[change.status]
    return message, feed_rows(desk)


def remove_feed(desk: Any, url: str | None) -> tuple[str, list[list[Any]]]:
    """Stop watching `url`; its indexed articles stay. Returns (status line, table rows)."""
    url = (url or "").strip()
    if not url:
        return "Paste the URL of a watched feed first, then press **Stop watching**.", feed_rows(desk)
    try:
        [change] = desk.remove_feeds([url])
    except NewsdeskError as exc:
        return f"Could not stop watching {url}: {exc}", feed_rows(desk)
    if change.status == "failed":
        return f"Could not stop watching it: {change.error}", feed_rows(desk)
    kept = sum(1 for r in desk.articles() if r.origin.rsplit("#", 1)[0] == change.url)
    return (f"Stopped watching {change.url}. Its {kept} indexed article{'s' * (kept != 1)} stay; remove them "
            f"below, or with `newsdesk remove {change.url}`."), feed_rows(desk)
