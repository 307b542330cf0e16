"""RSS and Atom feeds (a file or an http(s) URL), parsed with feedparser; teaser entries and their full text.

`load_feed` yields one `EntryArticle` per entry (an `Article` that also knows its GUID and whether its text is
only a teaser of the page at its link). `is_teaser` is the teaser rule; `merge_page` turns a teaser entry and
the article extracted from its page into the full article, keeping the entry's identity (GUID/link → id).
Fetching pages is not done here (see index/fulltext.py): parsing stays free of network waits.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import feedparser

from index.errors import InputProblem
from index.loaders.common import as_text, make_article
from index.loaders.html import html_to_text
from index.loaders.records import ItemFailure
from index.models import Article

# An entry of fewer words is a teaser: the shortest of the 293 real Wikinews articles (../shared) has 114 words,
# while a teaser is at most the lede (there: median 47 words, 90% under 75). A short full article costs one fetch.
TEASER_MAX_WORDS = 100
# Texts ending like this are cut off whatever their length ("…", "[...]", a "Read more" link, WordPress's footer).
TEASER_ENDING = re.compile(
    r"(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\(more(?:…|\.\.\.)?\)"
    r"|\b(?:read|see) (?:the )?(?:more|full (?:story|article|text|post))|\bcontinue reading\b.{0,80}"
    r"|\bkeep reading|\bfull story|\bmore »|\bthe post .{1,200} appeared first on .{1,120})"
    r"[\s\W]*$",
    re.IGNORECASE | re.DOTALL,
)
# Link phrases dropped from the end of a teaser that is kept (they are not article text).
TRAILER = re.compile(
    r"\s*(?:\b(?:read|see) (?:the )?(?:more|full (?:story|article|text|post))|\bcontinue reading\b.{0,80}"
    r"|\bkeep reading|\bfull story|\bmore »|\bthe post .{1,200} appeared first on .{1,120})[\s\W]*$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class EntryArticle(Article):
    """An article made from a feed entry: `teaser` when its text is only the start of the page at `url`."""

    guid: str = ""
    teaser: bool = False

    def as_article(self) -> Article:
        """The plain `Article` (what the index stores)."""
        return Article(id=self.id, title=self.title, body=self.body, source=self.source, url=self.url,
                       author=self.author, published_at=self.published_at, published_ts=self.published_ts,
                       origin=self.origin, content_hash=self.content_hash)


def is_teaser(text: str) -> bool:
    """Whether an entry's text is only a teaser: under TEASER_MAX_WORDS words, or cut off (TEASER_ENDING)."""
    text = text.strip()
    return len(text.split()) < TEASER_MAX_WORDS or bool(TEASER_ENDING.search(text[-400:]))


def load_feed(data: bytes, origin: str) -> Iterator[EntryArticle | ItemFailure]:
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


def _entry_article(entry: feedparser.FeedParserDict, origin: str, source: str) -> EntryArticle:
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
    guid = as_text(entry.get("id"))
    article = make_article(
        title=as_text(entry.get("title")),
        body=body,
        origin=origin,
        url=as_text(entry.get("link")),
        guid=guid,
        source=as_text(entry_source) or source,
        author=as_text(entry.get("author")),
        published=published,
    )
    return EntryArticle(**vars(article), guid=guid, teaser=is_teaser(article.body))


def without_trailer(entry: EntryArticle) -> Article:
    """The teaser as an article, without a trailing "Read more"-style link phrase (same id)."""
    body = TRAILER.sub("", entry.body).strip()
    if not body or body == entry.body:
        return entry.as_article()
    return make_article(title=entry.title, body=body, origin=entry.origin, url=entry.url, guid=entry.guid,
                        source=entry.source, author=entry.author, published=entry.published_at)


def merge_page(entry: EntryArticle, page: Article) -> Article | None:
    """The full article: the page's text under the entry's identity, or None when the page adds nothing.

    Title: the entry's (feed headlines carry no " | Site" suffix), the page's when the entry has none or it is
    cut off. Author: the entry's, the page's when the entry has none or only an e-mail address. Date: the
    entry's, the page's when the entry has none or only a day where the page has a time. Source: the feed's,
    the page's site name when the feed has none.
    """
    teaser = without_trailer(entry)
    if len(page.body.split()) <= len(teaser.body.split()):
        return None
    title = entry.title
    if not title or title.endswith(("…", "...")) or title == _first_words(entry.body, len(title)):
        title = page.title or title
    author = entry.author
    if not author or re.fullmatch(r"\S+@\S+", author):
        author = page.author or author
    published = entry.published_at
    if not published or (len(published) == 10 and page.published_at.startswith(published) and
                         len(page.published_at) > 10):
        published = page.published_at or published
    return make_article(title=title, body=page.body, origin=entry.origin, url=entry.url, guid=entry.guid,
                        source=entry.source or page.source, author=author, published=published)


def _first_words(text: str, length: int) -> str:
    """The start of `text` as long as a title made from it by `make_article` (no title in the entry)."""
    return text.split("\n", 1)[0][:length]
