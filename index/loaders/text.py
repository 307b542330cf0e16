"""Plain text and Markdown: the title is the first line (or the first `#` heading), the rest is the body."""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.errors import InputProblem
from index.loaders.common import make_article
from index.models import Article

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_FRONT_KEYS = {"title", "url", "link", "source", "publisher", "author", "date", "published", "published_at"}


def load_text(text: str, origin: str) -> Iterator[Article]:
    """A .txt file: first non-empty line is the title; everything after it (datelines included) is the body."""
    title, body = _split_first_line(text.replace("\r\n", "\n").replace("\r", "\n"))
    yield make_article(title=title, body=_require_body(body), origin=origin)


def load_markdown(text: str, origin: str) -> Iterator[Article]:
    """A .md file: optional `---` front matter (title/date/author/url/source), then `# Title` or a first line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = _parse_front_matter(match.group(1))
        text = text[match.end() :]
    if meta.get("title"):  # front matter names the title: the text is all body (a leading heading is dropped)
        title = meta["title"]
        body = _markdown_title(text)[1] if _starts_with_heading(text) else text
    else:
        title, body = _markdown_title(text)
    yield make_article(
        title=title,
        body=_require_body(body),
        origin=origin,
        url=meta.get("url") or meta.get("link", ""),
        source=meta.get("source") or meta.get("publisher", ""),
        author=meta.get("author", ""),
        published=meta.get("published_at") or meta.get("published") or meta.get("date"),
    )


def _split_first_line(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    return first.strip(), rest


def _markdown_title(text: str) -> tuple[str, str]:
    """Title from the first `#` heading when the file starts with one, else the first line."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        heading = _HEADING.match(line.strip())
        if heading:
            return heading.group(1), "\n".join(lines[:i] + lines[i + 1 :])
        break
    return _split_first_line(text)


def _starts_with_heading(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].strip()
    return bool(_HEADING.match(first))


def _parse_front_matter(block: str) -> dict[str, str]:
    meta = {}
    for line in block.split("\n"):
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in _FRONT_KEYS:
            meta[key] = value.strip().strip("'\"")
    return meta


def _require_body(body: str) -> str:
    if not body.strip():
        raise InputProblem("only a title line, no article text; put the article text below the title line")
    return body
