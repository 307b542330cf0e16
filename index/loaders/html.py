"""HTML pages: readable text with boilerplate dropped, metadata from <meta> tags (lxml, linear time)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from index.errors import InputProblem
from index.loaders.common import make_article
from index.models import Article

BOILERPLATE = ("nav", "header", "footer", "script", "style", "aside", "form", "noscript", "iframe", "svg",
               "button", "template", "select", "dialog", "menu")
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


def load_html(text: str, origin: str) -> Iterator[Article]:
    """One article per page: title from og:title/<title>/<h1>, body from <article>/<main>/<body>."""
    yield article_from_html(text, origin)


def article_from_html(text: str, origin: str) -> Article:
    doc = parse_html(text)
    if doc is None:
        raise InputProblem("no readable article text in the page; give the article page, not an index page")
    meta = {field: _meta(doc, keys) for field, keys in _META.items()}
    h1_text = _first_text(doc, "h1")
    title = meta["title"] or _first_text(doc, "title") or h1_text
    url = meta["url"] or _attr(doc, "link", "href", rel="canonical")
    published = meta["published"] or _attr(doc, "time", "datetime")
    body = _drop_leading(document_text(doc), [title, h1_text])
    if not body:
        raise InputProblem("no readable article text in the page; give the article page, not an index page")
    return make_article(title=title, body=body, origin=origin, url=url, source=meta["source"],
                        author=meta["author"], published=published)


def parse_html(markup: str) -> lxml_html.HtmlElement | None:
    """The parsed document, or None for an empty one."""
    if not markup.strip():
        return None
    try:
        return lxml_html.document_fromstring(markup.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment or page (see `document_text`)."""
    doc = parse_html(markup)
    return document_text(doc) if doc is not None else ""


def document_text(doc: lxml_html.HtmlElement) -> str:
    """Boilerplate removed, one paragraph per block element, joined by blank lines. Modifies `doc`."""
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
    paragraphs = (_squash(line) for line in "".join(parts).split("\n"))
    return "\n\n".join(p for p in paragraphs if p)


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
