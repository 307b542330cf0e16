"""`newsdesk feeds add|list|remove` and `newsdesk watch`: the watched feeds, kept fresh (registered by qa/cli.py).

Same contract as the other subcommands: exit 0 done, 1 some inputs failed (a bad URL, a feed that could not be
polled with `--once`, another watcher already running), 2 usage/configuration, 3 storage, 130 interrupted; `--json`
prints one document on stdout; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any, Callable

from qa.errors import EXIT_FAILED_INPUTS, EXIT_OK

FEEDS_EPILOG = """examples:
  newsdesk feeds add https://example.org/feed.xml --every 30
  newsdesk feeds list --json
  newsdesk feeds remove https://example.org/feed.xml
  newsdesk watch            poll the due feeds until Ctrl-C (one line per poll)

--json (add, remove) {"ok": bool, "results": [{"url", "status", "error"}]}; status is
  added|updated|unchanged|removed|failed
--json (list)         [{"url", "interval_min", "every_min", "added_at", "last_poll", "last_success",
  "next_due", "new_items", "total_added", "last_error", "failures", and *_iso local times}]
"""


def add_parsers(subparsers: argparse._SubParsersAction,
                add_global_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `feeds` (add, list, remove) and `watch`."""
    feeds = subparsers.add_parser(
        "feeds", help="Add, list or remove the RSS/Atom feeds that `newsdesk watch` keeps fresh.",
        description="The watched feeds (DATA_DIR/feeds.sqlite3): `newsdesk watch` (or `newsdesk chat --watch`) "
                    "polls each one every --every minutes and indexes its new and changed entries.",
        epilog=FEEDS_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = feeds.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="watch these feeds (a watched one gets the new interval)")
    add.add_argument("urls", nargs="+", metavar="URL", help="http(s) feed URLs")
    add.add_argument("--every", type=float, metavar="MIN",
                     help="minutes between polls of these feeds (default: the feed_interval_min setting, 15)")
    add.add_argument("--json", action="store_true", help="print the per-URL results as JSON")
    listing = actions.add_parser("list", help="the watched feeds: last poll, new items, last error")
    listing.add_argument("--json", action="store_true", help="print JSON")
    remove = actions.add_parser("remove", help="stop watching these feeds (their articles stay indexed)")
    remove.add_argument("urls", nargs="+", metavar="URL", help="watched feed URLs (see `newsdesk feeds list`)")
    remove.add_argument("--json", action="store_true", help="print the per-URL results as JSON")
    for parser in (add, listing, remove):
        add_global_options(parser)
    feeds.set_defaults(func=cmd_feeds)

    watch = subparsers.add_parser(
        "watch", help="Keep the watched feeds fresh: poll each when due, index new entries (Ctrl-C stops).",
        description="Poll every watched feed when it is due (its interval, longer after errors) and index its new "
                    "and changed entries; one line per poll. Runs until Ctrl-C (exit 130); a poll cut short is "
                    "redone next time. One watcher per data directory.",
        epilog="examples:\n  newsdesk feeds add https://example.org/feed.xml && newsdesk watch\n"
               "  newsdesk watch --once     poll the feeds that are due, then exit (e.g. from cron)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_global_options(watch)
    watch.add_argument("--once", action="store_true", help="poll the feeds that are due now, then exit")
    watch.set_defaults(func=cmd_watch)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def cmd_feeds(args: argparse.Namespace) -> int:
    from qa.cli import make_desk

    desk = make_desk(args)
    if args.feeds_action == "list":
        return _list(desk, args.json)
    if args.feeds_action == "add":
        changes = desk.add_feeds(args.urls, args.every)
    else:
        changes = desk.remove_feeds(args.urls)
    ok = all(c.status != "failed" for c in changes)
    if args.json:
        _print_json({"ok": ok, "results": [asdict(c) for c in changes]})
        return EXIT_OK if ok else EXIT_FAILED_INPUTS
    default = desk.settings.feed_interval_min
    kept = _articles_per_feed(desk) if args.feeds_action == "remove" else {}
    for change in changes:
        if change.status == "failed":
            print(f"failed: {change.error}", file=sys.stderr)
        elif args.feeds_action == "add":
            every = args.every if args.every is not None else default
            word = {"added": "watching", "updated": "now polling", "unchanged": "already watching"}[change.status]
            print(f"{word} {change.url} every {every:g} min" + (
                "; it is polled by `newsdesk watch` or `newsdesk chat --watch`" if change.status == "added" else ""))
        else:
            count = kept.get(change.url, 0)
            print(f"stopped watching {change.url}; its {count} indexed article{'s' * (count != 1)} stay "
                  f"(drop them with `newsdesk remove {change.url}`)")
    return EXIT_OK if ok else EXIT_FAILED_INPUTS


def _articles_per_feed(desk: Any) -> dict[str, int]:
    """Indexed articles per feed URL (an entry's origin is "URL#n")."""
    counts: dict[str, int] = {}
    for record in desk.articles():
        feed = record.origin.rsplit("#", 1)[0]
        counts[feed] = counts.get(feed, 0) + 1
    return counts


def _list(desk: Any, as_json: bool) -> int:
    feeds = desk.feeds()
    default = desk.settings.feed_interval_min
    if as_json:
        _print_json([{**f.to_json(), "every_min": f.interval(default)} for f in feeds])
        return EXIT_OK
    if not feeds:
        print("No feeds are watched. Add one: newsdesk feeds add https://example.org/feed.xml")
        return EXIT_OK
    print(f"{'every':>7}  {'last poll':19}  {'new':>4}  {'total':>5}  {'fails':>5}  url / last error")
    for f in feeds:
        last = f.to_json()["last_poll_iso"] or "never"
        print(f"{f.interval(default):>5g}m  {last:19}  {f.new_items:>4}  {f.total_added:>5}  {f.failures:>5}  {f.url}")
        if f.last_error:
            print(f"{'':49}{f.last_error}")
    print(f"{len(feeds)} feed{'s' * (len(feeds) != 1)} watched")
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    from index import WatcherRunning

    from qa.cli import make_desk
    from qa.errors import NewsdeskError

    desk = make_desk(args)
    feeds = desk.feeds()
    if not feeds:
        print("No feeds are watched yet; add one with `newsdesk feeds add URL`"
              + ("." if args.once else " (this watcher picks it up)."), flush=True)
        if args.once:
            return EXIT_OK
    elif not args.once:
        print(f"Watching {len(feeds)} feed{'s' * (len(feeds) != 1)} in {desk.settings.data_dir} "
              "(Ctrl-C stops).", flush=True)

    def on_poll(outcome: Any) -> None:
        print(outcome.line(), flush=True)

    try:
        outcomes = desk.watch(once=args.once, on_poll=on_poll)
    except NewsdeskError as exc:
        if isinstance(exc.__cause__, WatcherRunning):  # not a configuration error: exit 1, one line
            print(f"newsdesk: error: {exc}", file=sys.stderr)
            return EXIT_FAILED_INPUTS
        raise
    if args.once and not outcomes and feeds:
        soonest = min(feeds, key=lambda f: f.next_due)
        print(f"No feed is due yet; the next is {soonest.url} at {soonest.to_json()['next_due_iso']}.")
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED_INPUTS
