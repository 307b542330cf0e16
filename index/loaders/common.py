"""Shared helpers for loaders: decoding bytes, and building an `Article` from loosely named fields."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

from index.dates import normalize_date
from index.errors import InputProblem
from index.identity import article_id, content_hash
from index.models import Article

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "body": ("body", "text", "content", "article", "full_text"),
    "url": ("url", "link", "href"),
    "guid": ("guid",),
    "source": ("source", "publisher", "site", "site_name", "feed"),
    "author": ("author", "authors", "byline", "creator"),
    "published": ("published_at", "date", "published", "pubdate", "pub_date", "datetime", "timestamp"),
}
BODY_FIX = "give each article a 'body' (or 'text' / 'content') field"


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; refuse empty, binary and other encodings."""
    if not data.strip():
        raise InputProblem("the file is empty; add article text to it or leave it out")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputProblem(f"broken UTF-16 text ({exc.reason}); re-save the file as UTF-8") from None
    if b"\x00" in data[:8192]:
        raise InputProblem("looks like a binary file, not text; give a text, HTML, JSON, CSV or feed file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise InputProblem(
            f"not UTF-8 text (byte 0x{bad} at offset {exc.start}); re-save the file as UTF-8"
        ) from None


def clean_body(text: str) -> str:
    """Normalise newlines, strip trailing spaces on lines and surrounding blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    return text.strip()


def pick(record: Mapping[str, Any], field: str) -> Any:
    """First non-empty value among the accepted spellings of `field` (case-insensitive keys)."""
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    for name in FIELD_NAMES[field]:
        value = lowered.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def as_text(value: Any) -> str:
    """Flatten a field value (string, list of names, {"name": ...} dict) to one line of text."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("title") or value.get("href") or ""
    if isinstance(value, (list, tuple)):
        return ", ".join(t for t in (as_text(v) for v in value) if t)
    return " ".join(str(value).split())


def make_article(
    *,
    title: str,
    body: str,
    origin: str,
    url: str = "",
    guid: str = "",
    source: str = "",
    author: str = "",
    published: Any = None,
) -> Article:
    """Normalise fields into an `Article` with its stable id and content hash."""
    body = clean_body(body)
    if not body:
        raise InputProblem(f"no article text (missing or empty body); {BODY_FIX}")
    title = " ".join(title.split()) or _title_from_body(body)
    published_at, published_ts = normalize_date(published)
    article = Article(
        id=article_id(url=url, guid=guid, title=title, body=body),
        title=title,
        body=body,
        source=source.strip(),
        url=url.strip(),
        author=author.strip(),
        published_at=published_at,
        published_ts=published_ts,
        origin=origin,
    )
    article.content_hash = content_hash(article)
    return article


def article_from_record(record: Any, origin: str, default_source: str = "") -> Article:
    """Build an article from one JSON object / CSV row with the field names in FIELD_NAMES."""
    if not isinstance(record, Mapping):
        raise InputProblem(f"expected an object with title and body fields, got {type(record).__name__}; {BODY_FIX}")
    body = pick(record, "body")
    if body is None:
        raise InputProblem(f"missing body field; {BODY_FIX}")
    if not isinstance(body, str):
        raise InputProblem(f"the body field is a {type(body).__name__}, not text; {BODY_FIX}")
    return make_article(
        title=as_text(pick(record, "title")),
        body=body,
        origin=origin,
        url=as_text(pick(record, "url")),
        guid=as_text(pick(record, "guid")),
        source=as_text(pick(record, "source")) or default_source,
        author=as_text(pick(record, "author")),
        published=pick(record, "published"),
    )


def _title_from_body(body: str) -> str:
    first = body.split("\n", 1)[0]
    return first if len(first) <= 100 else first[:97].rsplit(" ", 1)[0] + "..."
