"""HTML pages: readable text with boilerplate dropped, metadata from <meta> tags."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag

from index.errors import InputProblem
from index.loaders.common import make_article
from index.models import Article

BOILERPLATE = ["nav", "header", "footer", "script", "style", "aside", "form", "noscript", "iframe", "svg",
               "button", "template", "select", "dialog", "menu"]
BLOCKS = ["p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
          "blockquote", "pre", "table", "tr", "td", "th", "br", "figcaption", "figure", "dd", "dt", "hr"]
_META = {
    "title": [("property", "og:title"), ("name", "twitter:title")],
    "author": [("name", "author"), ("property", "article:author"), ("name", "byl"), ("name", "dc.creator")],
    "published": [("property", "article:published_time"), ("name", "date"), ("name", "pubdate"),
                  ("name", "publish-date"), ("itemprop", "datePublished"), ("name", "dc.date")],
    "url": [("property", "og:url")],
    "source": [("property", "og:site_name"), ("name", "publisher"), ("name", "application-name")],
}


def load_html(text: str, origin: str) -> Iterator[Article]:
    """One article per page: title from <title>/og:title/<h1>, body from <article>/<main>/<body>."""
    yield article_from_html(text, origin)


def article_from_html(text: str, origin: str) -> Article:
    soup = BeautifulSoup(text, "lxml")
    meta = {field: _meta(soup, keys) for field, keys in _META.items()}
    h1 = soup.find("h1")
    h1_text = _squash(h1.get_text(" ")) if h1 else ""
    title_tag = soup.find("title")
    title = meta["title"] or (_squash(title_tag.get_text(" ")) if title_tag else "") or h1_text
    url = meta["url"] or _canonical(soup)
    published = meta["published"] or _time_datetime(soup)
    body = html_to_text(soup)
    body = _drop_leading(body, [title, h1_text])
    if not body:
        raise InputProblem("no readable article text in the page; give the article page, not an index page")
    return make_article(title=title, body=body, origin=origin, url=url, source=meta["source"],
                        author=meta["author"], published=published)


def html_to_text(markup: str | BeautifulSoup) -> str:
    """Readable text: boilerplate removed, one paragraph per block element, joined by blank lines."""
    soup = markup if isinstance(markup, BeautifulSoup) else BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(BOILERPLATE):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    paragraphs = (_squash(line) for line in root.get_text().split("\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _meta(soup: BeautifulSoup, keys: list[tuple[str, str]]) -> str:
    for attr, name in keys:
        tag = soup.find("meta", attrs={attr: re.compile(f"^{re.escape(name)}$", re.I)})
        if isinstance(tag, Tag) and tag.get("content"):
            return _squash(str(tag["content"]))
    return ""


def _canonical(soup: BeautifulSoup) -> str:
    link = soup.find("link", rel="canonical")
    return str(link["href"]).strip() if isinstance(link, Tag) and link.get("href") else ""


def _time_datetime(soup: BeautifulSoup) -> str:
    tag = soup.find("time", datetime=True)
    return str(tag["datetime"]) if isinstance(tag, Tag) else ""


def _squash(text: str) -> str:
    return " ".join(text.split())


def _drop_leading(body: str, titles: list[str]) -> str:
    """Drop a first paragraph that only repeats the title."""
    first, _, rest = body.partition("\n\n")
    return rest if first and first in titles else body
