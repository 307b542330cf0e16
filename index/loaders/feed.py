"""RSS and Atom feeds (a file or an http(s) URL), parsed with feedparser."""

from __future__ import annotations

import time
from collections.abc import Iterator

import feedparser

from index.errors import InputProblem
from index.loaders.common import as_text, make_article
from index.loaders.html import html_to_text
from index.loaders.records import ItemFailure
from index.models import Article


def load_feed(data: bytes, origin: str) -> Iterator[Article | ItemFailure]:
    """One article per entry: GUID (else link) gives the id, content/summary HTML becomes the body."""
    if not data.strip():
        raise InputProblem("the feed is empty; give an RSS or Atom feed")
    if not data.lstrip().startswith(b"<") and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise InputProblem("not an RSS/Atom feed (it is not XML); give the feed's XML, or a URL that serves it")
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = str(parsed.get("bozo_exception") or "unreadable XML").splitlines()[0]
            raise InputProblem(f"not a valid RSS/Atom feed ({reason}); check that the file or URL serves a feed")
        raise InputProblem("the feed has no entries; check the feed address or wait for new items")
    source = as_text(parsed.feed.get("title"))
    for n, entry in enumerate(parsed.entries, start=1):
        try:
            yield _entry_article(entry, f"{origin}#{n}", source)
        except InputProblem as exc:
            yield ItemFailure(f"{origin} entry {n}", str(exc))


def _entry_article(entry: feedparser.FeedParserDict, origin: str, source: str) -> Article:
    html = ""
    if entry.get("content"):
        html = max((c.get("value", "") for c in entry.content), key=len)
    html = html or entry.get("summary", "") or entry.get("description", "")
    body = html_to_text(html) if html else ""
    if not body:
        raise InputProblem("the entry has no content or summary text; use a feed that includes article text")
    published: time.struct_time | str | None = entry.get("published_parsed") or entry.get("updated_parsed")
    published = published or entry.get("published") or entry.get("updated")
    entry_source = entry.get("source", {}).get("title") if isinstance(entry.get("source"), dict) else None
    return make_article(
        title=as_text(entry.get("title")),
        body=body,
        origin=origin,
        url=as_text(entry.get("link")),
        guid=as_text(entry.get("id")),
        source=as_text(entry_source) or source,
        author=as_text(entry.get("author")),
        published=published,
    )
