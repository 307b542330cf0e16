"""Pure HTML rendering of answers and sources for the chat.

Everything that comes from an article or the model (titles, bodies, quotes, URLs, answer text) is
escaped with `html.escape` here; callers never build HTML from article text themselves.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable
from urllib.parse import urlsplit

MARKER = re.compile(r"\[(\d{1,3})\]")
# Markdown punctuation that could turn model text into links, images, emphasis or headings.
_MARKDOWN_PUNCT = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
EXCERPT_CONTEXT = 180  # characters of article text shown on each side of a quote


def esc(text: str) -> str:
    """Escape text for the chat message (Markdown with HTML): shown literally, never interpreted."""
    return html.escape(_MARKDOWN_PUNCT.sub(r"\\\1", text or ""), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None (so `javascript:` never becomes a link)."""
    if not url:
        return None
    url = url.strip()
    if any(ord(ch) < 32 or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def source_anchor(turn: int, n: int) -> str:
    """DOM id of citation `n` of answer number `turn` in the sources panel."""
    return f"nd-src-{turn}-{n}"


def _with_markers(text: str, turn: int, known: set[int]) -> str:
    """Escape `text`, turning known `[n]` markers into links to the sources panel."""
    out: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        n = int(match.group(1))
        if n not in known:
            continue
        out.append(esc(text[last:match.start()]))
        out.append(f'<a class="nd-cite" href="#{source_anchor(turn, n)}" title="Source {n}">[{n}]</a>')
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def _unsupported_spans(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        sentence = (sentence or "").strip()
        start = text.find(sentence) if sentence else -1
        if start >= 0 and not any(a < start + len(sentence) and start < b for a, b in spans):
            spans.append((start, start + len(sentence)))
    return sorted(spans)


def answer_message(answer: Any, turn: int) -> str:
    """The chat message for a final Answer: escaped text, linked `[n]` markers, unsupported sentences marked."""
    text = answer.text or ""
    if answer.refused:
        return (
            '<div class="nd-refusal"><strong>No answer from these articles.</strong> '
            f"{esc(text)}</div>"
        )
    known = {c.n for c in answer.citations}
    parts: list[str] = []
    last = 0
    for start, end in _unsupported_spans(text, list(answer.unsupported or [])):
        parts.append(_with_markers(text[last:start], turn, known))
        parts.append(
            '<span class="nd-unsupported" title="No indexed article supports this sentence">'
            f"{_with_markers(text[start:end], turn, known)}"
            '<sup class="nd-unsupported-flag">⚠ unsupported</sup></span>'
        )
        last = end
    parts.append(_with_markers(text[last:], turn, known))
    body = "".join(parts)
    if answer.unsupported:
        body += (
            '\n\n<span class="nd-unsupported-note">⚠ Sentences marked <em>unsupported</em> are not backed by '
            "any indexed article.</span>"
        )
    return body


def streaming_message(text: str, status: str = "") -> str:
    """The chat message while the answer is still streaming (plain escaped text), or what is happening
    before the first word ("Preparing the model (first use, about a minute)…", "Searching the articles…")."""
    if not text and status:
        return f'<span class="nd-status">{html.escape(status)}</span> ▌'
    return esc(text) + " ▌"


PREVIEW_PASSAGES = 4  # retrieved passages shown while the answer is drafted (the answer cites a few of them)


def retrieved_html(question: str, passages: list[Any], turn: int) -> str:
    """The sources panel section while an answer is drafted: the passages retrieval found, best first."""
    header = f'<div class="nd-turn-question">Q{turn}: {html.escape(question or "")}</div>'
    if not passages:
        return f'<section class="nd-turn">{header}<p class="nd-empty">No passage found yet.</p></section>'
    cards = []
    for p in passages[:PREVIEW_PASSAGES]:
        meta = " · ".join(html.escape(x) for x in (p.source, _date(p.published_at)) if x)
        text = p.text if len(p.text) <= 2 * EXCERPT_CONTEXT else p.text[: 2 * EXCERPT_CONTEXT].rsplit(" ", 1)[0] + " …"
        cards.append(
            '<div class="nd-source nd-retrieved">'
            f'<div class="nd-source-title">{html.escape(p.title or "Untitled article")}</div>'
            f'<div class="nd-source-meta">{meta}</div>'
            f'<blockquote class="nd-excerpt">{html.escape(text)}</blockquote></div>'
        )
    note = '<p class="nd-retrieved-note">Found these passages; the answer is being written…</p>'
    return f'<section class="nd-turn nd-pending">{header}{note}{"".join(cards)}</section>'


def excerpt_html(body: str, start: int, end: int, quote: str, context: int = EXCERPT_CONTEXT) -> str:
    """A short escaped excerpt of `body` with the quote highlighted in `<mark>`.

    Uses the citation offsets when they match the quote, else searches for the quote; when the body is
    unavailable or the quote cannot be found, shows the quote alone.
    """
    body = body or ""
    if not (0 <= start < end <= len(body)) or (quote and body[start:end].strip() != quote.strip()):
        found = body.find(quote) if quote else -1
        if found < 0:
            return f"<mark>{html.escape(quote or '')}</mark>"
        start, end = found, found + len(quote)
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    left = max(0, start - context)
    right = min(len(body), end + context)
    # Cut at word boundaries so the excerpt does not start or end mid-word.
    if left > 0:
        space = body.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(body):
        space = body.rfind(" ", end, right)
        right = space if space >= 0 else right
    before = ("… " if left > 0 else "") + html.escape(body[left:start])
    after = html.escape(body[end:right]) + (" …" if right < len(body) else "")
    return f"{before}<mark>{html.escape(body[start:end])}</mark>{after}"


def _date(value: str) -> str:
    return (value or "")[:10]


def citation_card(citation: Any, turn: int, body: str | None) -> str:
    """One source card: number, title, source, date, link to the original, highlighted excerpt."""
    meta = [html.escape(x) for x in (citation.source, _date(citation.published_at)) if x]
    url = safe_url(citation.url)
    if url:
        meta.append(
            f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer nofollow">'
            "original article ↗</a>"
        )
    excerpt = excerpt_html(body or "", citation.start_char, citation.end_char, citation.quote)
    newer = getattr(citation, "superseded_by", 0)
    badge = (f' <a class="nd-superseded" href="#{source_anchor(turn, newer)}" title="A newer report changed '
             f'what this one said">superseded by [{newer}]</a>') if newer else ""
    return (
        f'<div class="nd-source" id="{source_anchor(turn, citation.n)}">'
        f'<div class="nd-source-title"><span class="nd-source-n">[{citation.n}]</span> '
        f"{html.escape(citation.title or 'Untitled article')}{badge}</div>"
        f'<div class="nd-source-meta">{" · ".join(meta)}</div>'
        f"{also_reported_html(getattr(citation, 'also_reported_by', None) or [])}"
        f'<blockquote class="nd-excerpt">{excerpt}</blockquote>'
        f"{dates_html(getattr(citation, 'dates', None) or [])}"
        "</div>"
    )


def dates_html(dates: list[str]) -> str:
    """'dates in this quote: yesterday = January 14, 2019': what each relative date in the quote means (the
    answer gives the date, the article says "yesterday"); "" when the quote has none."""
    if not dates:
        return ""
    return f'<div class="nd-quote-dates">dates in this quote: {html.escape("; ".join(dates))}</div>'


def also_reported_html(copies: list[Any]) -> str:
    """'also reported by: Outlet (2019-05-02), Outlet (2019-05-03)': the other copies of a cited story (each
    outlet linked to its copy when it has a safe URL); "" when the story has no other copy."""
    if not copies:
        return ""
    items = []
    for copy in copies:
        name = html.escape(copy.source or copy.title or "another outlet")
        url = safe_url(copy.url)
        if url:
            name = (f'<a href="{html.escape(url, quote=True)}" title="{html.escape(copy.title or "", quote=True)}" '
                    f'target="_blank" rel="noopener noreferrer nofollow">{name}</a>')
        day = _date(copy.published_at)
        items.append(f"{name} ({html.escape(day)})" if day else name)
    return f'<div class="nd-also-reported">also reported by: {", ".join(items)}</div>'


def sources_html(answer: Any, turn: int, article_body: Callable[[str], str | None]) -> str:
    """The sources panel section for one answer; `article_body(id)` returns an article's full text."""
    header = f'<div class="nd-turn-question">Q{turn}: {html.escape(answer.question or "")}</div>'
    if answer.refused or not answer.citations:
        note = "No sources: the indexed articles do not answer this." if answer.refused else "No citations."
        return f'<section class="nd-turn">{header}<p class="nd-empty">{note}</p></section>'
    bodies: dict[str, str | None] = {}
    cards = []
    for citation in sorted(answer.citations, key=lambda c: c.n):
        if citation.article_id not in bodies:
            bodies[citation.article_id] = article_body(citation.article_id)
        cards.append(citation_card(citation, turn, bodies[citation.article_id]))
    return f'<section class="nd-turn">{header}{"".join(cards)}</section>'


def sources_panel(sections: list[str]) -> str:
    """The whole panel: newest answer's sources first and open, older ones folded."""
    if not sections:
        return '<div class="nd-sources"><p class="nd-empty">Sources of each answer appear here.</p></div>'
    newest, older = sections[-1], sections[-2::-1]
    folded = "".join(f'<details class="nd-older"><summary>Earlier answer</summary>{s}</details>' for s in older)
    return f'<div class="nd-sources">{newest}{folded}</div>'
