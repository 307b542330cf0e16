"""Web pages → one `Article`: main text and metadata by trafilatura, the page's charset by index.loaders.charset.

trafilatura (measured on real news pages, see bench/RESULTS.md "HTML pages: main-text F1") drops menus, footers,
teasers and comment threads far better than tag rules do, and reads title, author, site name, canonical URL and the
publication date (htmldate). Our own <meta> reading fills what it leaves empty. The lxml tag-rule extractor remains
for two cases trafilatura is not made for: `html_to_text` on feed-entry fragments (no page chrome to remove, and
trafilatura discards short fragments), and pages where trafilatura finds no main text at all (a saved fragment, a
one-paragraph page). Pages whose "text" is a list of headline links (front, section and tag pages) are refused.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from datetime import date
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from index.errors import InputProblem
from index.loaders.charset import decode_page
from index.loaders.common import make_article
from index.models import Article

# trafilatura options, chosen on the benchmark (python -m bench.html_extraction): precision mode scored the best F1
# (it drops teasers and widgets the default keeps); comments are reader posts, not the article; tables hold article
# facts (dropping them cost recall); deduplication keeps state across pages, so a re-ingested page would vanish.
TRAFILATURA_OPTIONS: dict[str, Any] = {"favor_precision": True, "include_comments": False, "include_tables": True,
                                       "deduplicate": False, "include_links": False, "include_images": False}
# htmldate reads dates from the markup only (meta tags, JSON-LD, <time>, the page URL): its "extensive" text search
# takes a related story's URL or the footer's "© 2021" (as 2021-01-01) when the page itself has no date, and a wrong
# date misleads date-aware answers more than a missing one (on the benchmark it found 2 more dates of 181).
DATE_OPTIONS: dict[str, Any] = {"extensive_search": False, "original_date": True}
INDEX_PAGE_SHARE = 0.5  # a body whose text is at least this share headline links / teasers is an index page
INDEX_PAGE_MIN_STORIES = 3  # ... on a page listing at least this many stories (one "read more" link is no index)
HEADLINE_MIN_WORDS = 3  # a link this long and alone in its block is a story headline, not a menu entry
TEASER_MAX_NODES = 40  # a teaser (headline link + summary) is a small block; an article body is bigger
TEASER_LEVELS = 3  # how far above a headline link its teaser block may start
LOGGERS_TO_QUIET = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")  # they log per page

NO_TEXT = "no readable article text in the page; give the article page, not an index, search or login page"
INDEX_PAGE = "the page is a list of headlines (an index or section page), not an article; give one article's page"
CHROME_SHARE = 0.9  # a body this much menu/footer/aside/noscript text is no article (trafilatura's last-resort pick)
BOILERPLATE = ("nav", "header", "footer", "script", "style", "aside", "form", "noscript", "iframe", "svg",
               "button", "template", "select", "dialog", "menu")
# page chrome (and "enable JavaScript" notices); not <header> or <form>: some sites wrap the whole article in one
CHROME = ("nav", "footer", "aside", "menu", "dialog", "noscript")
BLOCKS = frozenset({"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
                    "blockquote", "pre", "table", "tr", "td", "th", "br", "figcaption", "figure", "dd", "dt", "hr"})
_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True)
_META = {
    "title": [("property", "og:title"), ("name", "twitter:title")],
    "author": [("name", "author"), ("property", "article:author"), ("name", "byl"), ("name", "dc.creator")],
    "published": [("property", "article:published_time"), ("name", "date"), ("name", "pubdate"),
                  ("name", "publish-date"), ("itemprop", "datePublished"), ("name", "dc.date")],
    "url": [("property", "og:url")],
    "source": [("property", "og:site_name"), ("name", "publisher"), ("name", "application-name")],
}


def load_html_file(data: bytes, origin: str) -> Iterator[Article]:
    """The loader for .html/.htm files: one article per page (see `load_html_bytes`)."""
    yield load_html_bytes(data, origin)


def load_html_bytes(data: bytes, origin: str, *, charset: str | None = None, url: str = "") -> Article:
    """One article from a page's bytes. `charset`: the HTTP Content-Type charset, when fetched; `url`: the page's
    address, when fetched (trafilatura resolves links with it; it is the article url when the page names no
    canonical one). Raises InputProblem (one line) for an empty, binary or index page, or one without text."""
    markup, _ = decode_page(data, charset)
    try:
        return article_from_html(markup, origin, url=url)
    except InputProblem:
        raise
    except Exception as exc:  # lxml or a library choking on a hostile page: one line, never a traceback
        detail = " ".join(str(exc).split())[:200]
        raise InputProblem(
            f"could not read the page ({type(exc).__name__}: {detail}); check that it is an HTML page") from None


def article_from_html(markup: str, origin: str, url: str = "") -> Article:
    """One article from a decoded page; see `load_html_bytes`."""
    doc = parse_html(markup)
    if doc is None:
        raise InputProblem(NO_TEXT)
    meta = page_metadata(doc)
    found = _extract(doc, url)
    title = _text(found, "title") or meta["title"]
    text = _text(found, "text", squash=False) or document_text(_copy(doc))  # the tag rules when trafilatura gives up
    body = _drop_leading(_paragraphs(text), [title, meta["title"], meta["h1"]])
    paragraphs = body.split("\n\n") if body else []
    if not body or _is_chrome_only(paragraphs, doc):
        raise InputProblem(NO_TEXT)
    if _is_index_page(paragraphs, doc):
        raise InputProblem(INDEX_PAGE)
    page_url = urljoin(url, _text(found, "url") or meta["url"]) if url else _text(found, "url") or meta["url"]
    return make_article(title=title, body=body, origin=origin, url=page_url,
                        source=_text(found, "sitename") or meta["source"],
                        author=_text(found, "author") or meta["author"], published=_published(found, meta))


def page_metadata(doc: lxml_html.HtmlElement) -> dict[str, str]:
    """title/author/published/url/source from <meta> tags (<title>, <h1>, canonical link, <time> as fallbacks)."""
    meta = {field: _meta(doc, keys) for field, keys in _META.items()}
    meta["h1"] = _first_text(doc, "h1")
    meta["title"] = meta["title"] or _first_text(doc, "title") or meta["h1"]
    meta["url"] = meta["url"] or _attr(doc, "link", "href", rel="canonical")
    meta["published"] = meta["published"] or _attr(doc, "time", "datetime")
    return meta


def parse_html(markup: str) -> lxml_html.HtmlElement | None:
    """The parsed document, or None for an empty one."""
    if not markup.strip():
        return None
    try:
        return lxml_html.document_fromstring(markup.encode("utf-8", errors="replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment or page (see `document_text`); feeds use it for entry content."""
    doc = parse_html(markup)
    return document_text(doc) if doc is not None else ""


def document_text(doc: lxml_html.HtmlElement) -> str:
    """Tag rules: boilerplate elements removed, the text of <article>/<main>/<body>, one paragraph per block
    element, joined by blank lines. Modifies `doc`."""
    for element in list(doc.iter(*BOILERPLATE)):
        if element.getparent() is not None:
            element.drop_tree()  # keeps the text that follows the element
    root = _first(doc, "article")
    root = root if root is not None else _first(doc, "main")
    root = root if root is not None else doc.find("body")
    root = root if root is not None else doc
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if element.tag in BLOCKS:
                parts.append("\n")
            if isinstance(element.tag, str) and element.text:  # not a comment or processing instruction
                parts.append(element.text)
        else:
            if element.tag in BLOCKS:
                parts.append("\n")
            if element is not root and element.tail:
                parts.append(element.tail)
    return _paragraphs("".join(parts))


def _extract(doc: lxml_html.HtmlElement, url: str) -> Any:
    """trafilatura's Document for the page (it works on its own copy of `doc`), or None when it finds no text."""
    date_options = {**DATE_OPTIONS, "max_date": date.today().isoformat()}  # as trafilatura's default
    try:
        return _trafilatura().bare_extraction(doc, url=url or None, with_metadata=True,
                                              date_extraction_params=date_options, **TRAFILATURA_OPTIONS)
    except (ValueError, TypeError, AttributeError, LookupError, RecursionError, etree.LxmlError):
        return None  # a trafilatura bug on odd markup: the tag rules read the page instead


@functools.cache
def _trafilatura() -> Any:
    """The trafilatura module, imported on the first page (~0.4 s that feed-only and text-only runs skip), with
    its and its helpers' per-page log lines silenced."""
    for name in LOGGERS_TO_QUIET:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    import trafilatura

    return trafilatura


def _published(found: Any, meta: dict[str, str]) -> str:
    """trafilatura's date (htmldate), with the time of day from the page's <meta> when that names the same day."""
    day = _text(found, "date")
    if not day:
        return meta["published"]
    return meta["published"] if meta["published"].startswith(day) else day


def _is_chrome_only(paragraphs: list[str], doc: lxml_html.HtmlElement) -> bool:
    """True when (nearly) all of the body is text of the page's menus, footers, asides and dialogs."""
    chrome = "\n".join(_squash(e.text_content()) for e in doc.iter(*CHROME))
    if not chrome:
        return False
    allowed = (1 - CHROME_SHARE) * sum(len(p) for p in paragraphs)
    for paragraph in paragraphs:
        if paragraph not in chrome:
            allowed -= len(paragraph)
            if allowed < 0:  # stops at the first real paragraph of an article
                return False
    return True


def _is_index_page(paragraphs: list[str], doc: lxml_html.HtmlElement) -> bool:
    """True when most of the body is story headlines (standalone links) or the teasers around them."""
    headlines: dict[lxml_html.HtmlElement, str] = {}
    for link in doc.iter("a"):
        if link.get("href"):
            text = _squash(link.text_content())
            if len(text.split()) >= HEADLINE_MIN_WORDS:
                headlines[link] = text
    if len(headlines) < INDEX_PAGE_MIN_STORIES:
        return False
    unlisted: dict[str, int] = {}  # body text (characters per paragraph text) not yet found in a headline or teaser
    for paragraph in paragraphs:
        unlisted[paragraph] = unlisted.get(paragraph, 0) + len(paragraph)
    needed = INDEX_PAGE_SHARE * sum(unlisted.values())
    stories: set[str] = set()
    for link, headline in headlines.items():
        if headline in stories:
            continue
        block = _teaser_block(link, headline, headlines)
        if block is None:
            continue
        stories.add(headline)
        for element in block.iter():
            if isinstance(element.tag, str):
                needed -= unlisted.pop(_squash(element.text_content()), 0)
        if needed <= 0 and len(stories) >= INDEX_PAGE_MIN_STORIES:
            return True
    return False


def _teaser_block(link: lxml_html.HtmlElement, headline: str,
                  headlines: dict[lxml_html.HtmlElement, str]) -> lxml_html.HtmlElement | None:
    """The small block a standalone headline link heads (its own block when it has no summary), else None.

    Standalone: the link is all the text of its nearest block (an in-text link shares its paragraph). The
    teaser is the largest ancestor within TEASER_LEVELS that stays small and holds no other headline link.
    """
    block = link
    while block is not None and block.tag not in BLOCKS:
        block = block.getparent()
    if block is None or block.tag == "p" or _is_large(block) or _squash(block.text_content()) != headline:
        return None
    teaser, candidate = block, block.getparent()
    for _ in range(TEASER_LEVELS):
        if candidate is None or candidate.tag in ("body", "html") or _is_large(candidate):
            break
        if sum(1 for a in candidate.iter("a") if a in headlines) > 1:
            break
        teaser, candidate = candidate, candidate.getparent()
    return teaser


def _is_large(element: lxml_html.HtmlElement) -> bool:
    return sum(1 for _ in islice(element.iter(), TEASER_MAX_NODES + 1)) > TEASER_MAX_NODES


def _text(found: Any, field: str, squash: bool = True) -> str:
    value = getattr(found, field, None) if found is not None else None
    if not isinstance(value, str):
        return ""
    return _squash(value) if squash else value


def _paragraphs(text: str) -> str:
    """One paragraph per line of `text`, spaces squashed, joined by blank lines."""
    return "\n\n".join(p for p in (_squash(line) for line in text.split("\n")) if p)


def _copy(doc: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(etree.tostring(doc), parser=_PARSER)


def _first(doc: lxml_html.HtmlElement, tag: str) -> lxml_html.HtmlElement | None:
    return next(doc.iter(tag), None)


def _first_text(doc: lxml_html.HtmlElement, tag: str) -> str:
    element = _first(doc, tag)
    return _squash(element.text_content()) if element is not None else ""


def _meta(doc: lxml_html.HtmlElement, keys: list[tuple[str, str]]) -> str:
    metas = list(doc.iter("meta"))
    for attr, name in keys:
        for tag in metas:
            if (tag.get(attr) or "").strip().lower() == name and tag.get("content"):
                return _squash(tag.get("content"))
    return ""


def _attr(doc: lxml_html.HtmlElement, tag: str, attr: str, **match: str) -> str:
    for element in doc.iter(tag):
        if all((element.get(k) or "").lower() == v for k, v in match.items()) and element.get(attr):
            return element.get(attr).strip()
    return ""


def _squash(text: str) -> str:
    return " ".join(text.split())


def _drop_leading(body: str, titles: list[str]) -> str:
    """Drop a first paragraph that only repeats the title."""
    first, _, rest = body.partition("\n\n")
    return rest if first and first in titles else body
