"""A local news site for tests: RSS 2.0 and Atom feeds of teaser entries, linking to full article pages.

Usage (tests/ is on sys.path)::

    from feed_server import FeedServer

    with FeedServer(articles=3) as site:          # 127.0.0.1, free port, daemon thread
        site.rss_url, site.atom_url               # the "news" feed as RSS 2.0 / Atom
        site.feed_url("sport", "atom")            # any other named feed (entries added with feed="sport")
        entry = site.entries["story-1"]           # Entry: slug, title, paragraphs, author, published, link ...
        entry.teaser                              # the feed's text: one short paragraph ending in "…" or "Read more"
        site.add_entry("late-news", title=..., paragraphs=[...])      # appears in the feed (new ETag)
        site.set_page("story-1", status=500)                          # the page now answers 500
        site.set_page("story-1", status=500, fail_times=1)            # 500 once, then the page again
        site.set_page("story-1", paragraphs=["New text."])            # the page changes (new ETag / Last-Modified)
        site.requests_to("/articles/story-1")     # the request log: Request(method, path, headers, time)
        site.page_requests(), site.feed_requests(), site.clear_log()

Every feed and page sends `ETag` and `Last-Modified` and answers 304 to a matching `If-None-Match` (or, without
one, an `If-Modified-Since` not older than the resource); `FeedServer(validators=False)` sends neither.
Pages are whole HTML documents: <nav>, <header> with a byline and <time>, <meta> date and author, several <p>,
an <aside> of related links and a <footer>; `NAV_TEXT`, `FOOTER_TEXT` and `ASIDE_TEXT` are the boilerplate
strings a text extractor must drop. Article texts come from the real Wikinews articles when
../shared/data/wikinews-2019-2020/articles.jsonl exists (`wikinews=False` forces the fictional samples below);
assert against `entry.paragraphs`, never against fixed strings, so a test passes with either.

Special routes (use them as an entry's `link=` or fetch them directly; `site.url + path`):
    /slow/<seconds>           the article page "story-1"-shaped, after a delay (timeouts)
    /status/<code>            an HTML error page with that status (500, 503, 404 ...); /error500 and /missing too
    /loop/a -> /loop/b -> /loop/a ...   a redirect loop (302)
    /redirect/<n>/<slug>      n redirects, then the page <slug>
    /huge/<bytes>             an HTML page of that size with Content-Length; /huge-stream/<bytes> without it
    /busy/<retry-after>       429 with Retry-After once per path, then the page "story-1"-shaped content
Time stamps in the log are `time.monotonic()` seconds, for intervals only.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from newsdesk_testkit import WIKINEWS, free_port

SITE_NAME = "The Lantern Gazette"
NAV_TEXT = "Home | World | Business | Science | Sport | Subscribe to the Lantern newsletter"
FOOTER_TEXT = "Copyright The Lantern Gazette. All rights reserved. Privacy policy | Cookie settings | Contact us"
ASIDE_TEXT = "Related stories: Ten things to know about the harbour festival"
TEASER_WORDS = 22  # teasers are one short sentence-ish paragraph, well under any "full article" length
CHUNK = 64 * 1024  # bytes per write for huge pages (the client may hang up early)

FICTIONAL = [  # clearly fictional sample articles (used when the shared Wikinews data is absent)
    {
        "title": "Fictional town of Eldermoor opens a floating library on its lake",
        "author": "Mara Quill",
        "published": "2024-05-02T09:30:00+00:00",
        "paragraphs": [
            "The fictional town of Eldermoor opened a floating library on Lake Wend on Thursday, its mayor Odile "
            "Brannock said, after three years of planning and a public vote that the town council called decisive.",
            "The library sits on twelve pontoons and holds about four thousand books, most of them donated by "
            "residents. Readers reach it by a wooden walkway from the old ferry pier, which reopened for the occasion.",
            "Librarian Tobias Wren said the collection would rotate every season and that waterproof shelving had "
            "been tested through a winter of storms before any book was brought aboard.",
            "Critics on the council had questioned the cost of the project, put at 1.2 million crowns, but the "
            "mayor said local businesses had covered nearly half of it through sponsorship of the reading rooms.",
        ],
    },
    {
        "title": "Imaginary rail line between Corvel and Sannet carries its first passengers",
        "author": "Idris Fenn",
        "published": "2024-05-03T14:00:00+00:00",
        "paragraphs": [
            "The first passenger train on the imaginary Corvel–Sannet line left Corvel station at dawn on Friday, "
            "cutting the journey between the two invented cities from four hours by road to seventy minutes.",
            "The line runs 140 kilometres through the Harrow valley and crosses the river Lisk on a new viaduct. "
            "Operator Valerail said 2,300 tickets had been sold for the opening weekend alone.",
            "Engineers had delayed the opening twice after tests showed that the viaduct's expansion joints needed "
            "adjusting, the company's chief engineer Petra Lohm told reporters at the platform.",
            "Residents of villages along the route said they hoped the trains would bring back visitors, though "
            "some farmers complained that the fences had cut old paths between their fields.",
        ],
    },
    {
        "title": "Made-up observatory on Mount Ilvar reports a new comet",
        "author": "Soren Achterberg",
        "published": "2024-05-04T21:15:00+00:00",
        "paragraphs": [
            "Astronomers at the made-up Ilvar Mountain Observatory reported a new comet on Saturday, the first "
            "found by its refurbished telescope since the dome was rebuilt after the fire of the previous year.",
            "The comet, catalogued as C/2024 Ilvar-1, is faint for now but should brighten over the summer, "
            "observatory director Helka Morrow said, though probably never enough to be seen without binoculars.",
            "Students from the nearby academy took part in the observing run, and one of them, Jonah Pell, was the "
            "first to notice the faint smudge moving against the background stars across three images.",
            "The observatory plans public viewing nights in July, when the comet is expected to pass closest "
            "to the Sun, and will publish its measurements for amateur astronomers who want to follow it.",
        ],
    },
]


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names in lower case
    time: float  # time.monotonic()


@dataclass
class Entry:
    """One story: a feed entry (teaser) and its article page."""

    slug: str
    title: str
    paragraphs: list[str]
    author: str = ""
    published: str = ""  # ISO 8601
    feed: str = "news"
    teaser: str = ""  # the feed's text; built from the first paragraph when ""
    link: str = ""  # the entry's <link>; the page on this server when ""
    guid: str = ""  # the entry's GUID / Atom id; a tag: URI from the slug when ""
    full_in_feed: bool = False  # the feed carries every paragraph (no teaser)
    # the page: status and extra headers; a status >= 300 is served `fail_times` times (forever when None)
    status: int = 200
    fail_times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    page_html: str = ""  # a whole page to serve instead of the generated one
    page_title: str | None = None  # the page's <h1>/<title>; the entry title when None


@dataclass
class _Resource:
    body: bytes
    etag: str
    last_modified: float  # Unix seconds (whole)


def wikinews_samples(limit: int) -> list[dict[str, Any]]:
    """Real articles (title, date, paragraphs) from the shared Wikinews file, [] when it is absent."""
    if not WIKINEWS.exists():
        return []
    found = []
    with WIKINEWS.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            paragraphs = [p.strip() for p in record.get("body", "").split("\n\n") if p.strip()]
            if len(paragraphs) >= 3 and record.get("title"):
                found.append({"title": record["title"], "author": "Wikinews contributors",
                              "published": f"{record.get('date', '2019-01-01')}T12:00:00+00:00",
                              "paragraphs": paragraphs[:8]})
            if len(found) >= limit:
                break
    return found


def make_teaser(paragraph: str, n: int) -> str:
    """The first TEASER_WORDS words of a paragraph, ending in "…" (odd n) or "Read more" (even n)."""
    words = paragraph.split()[:TEASER_WORDS]
    return " ".join(words) + ("…" if n % 2 else " Read more")


class FeedServer:
    """A local news site (see the module docstring). Start with `with FeedServer() as site:` or start()/stop()."""

    def __init__(self, articles: int = 3, *, wikinews: bool = True, validators: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.validators = validators
        self.entries: dict[str, Entry] = {}
        self.log: list[Request] = []
        self._lock = threading.RLock()
        self._resources: dict[str, _Resource] = {}
        self._busy_seen: set[str] = set()
        samples = (wikinews_samples(articles) if wikinews else []) or FICTIONAL
        for n in range(1, articles + 1):
            sample = samples[(n - 1) % len(samples)]
            title = sample["title"] if n <= len(samples) else f"{sample['title']} (part {n})"
            self.add_entry(f"story-{n}", title=title, paragraphs=list(sample["paragraphs"]),
                           author=sample["author"], published=sample["published"])
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------------------------------
    def start(self) -> FeedServer:
        handler = type("Handler", (_Handler,), {"site": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"feed-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------------------------
    @property
    def rss_url(self) -> str:
        return self.feed_url("news", "rss")

    @property
    def atom_url(self) -> str:
        return self.feed_url("news", "atom")

    def feed_url(self, name: str = "news", kind: str = "rss") -> str:
        """/feeds/<name>.rss (RSS 2.0) or /feeds/<name>.atom (Atom)."""
        return f"{self.url}/feeds/{name}.{kind}"

    def page_url(self, slug: str) -> str:
        return f"{self.url}/articles/{slug}"

    # -- changing the site -------------------------------------------------------------------------------------
    def add_entry(self, slug: str, *, title: str, paragraphs: list[str], author: str = "", published: str = "",
                  feed: str = "news", teaser: str = "", link: str = "", guid: str = "",
                  full_in_feed: bool = False) -> Entry:
        """Add (or replace) a story; it is listed first in its feed."""
        with self._lock:
            n = len(self.entries) + 1
            entry = Entry(slug=slug, title=title, paragraphs=list(paragraphs), author=author,
                          published=published or time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                          feed=feed, teaser=teaser or make_teaser(paragraphs[0], n), link=link,
                          guid=guid or f"tag:lantern.example,2024:{slug}", full_in_feed=full_in_feed)
            self.entries[slug] = entry
            return entry

    def update_entry(self, slug: str, **changes: Any) -> Entry:
        """Change an entry's feed fields (title, teaser, link, published ...); the feed gets a new ETag."""
        with self._lock:
            entry = self.entries[slug]
            for name, value in changes.items():
                if not hasattr(entry, name):
                    raise AttributeError(f"Entry has no field {name!r}")
                setattr(entry, name, value)
            return entry

    def remove_entry(self, slug: str) -> None:
        with self._lock:
            self.entries.pop(slug, None)

    def set_page(self, slug: str, *, status: int | None = None, fail_times: int | None = None,
                 paragraphs: list[str] | None = None, title: str | None = None, html_text: str | None = None,
                 headers: dict[str, str] | None = None) -> Entry:
        """Change a story's page: its status (a status >= 300 is served `fail_times` times, then the page;
        forever when fail_times is None), paragraphs, <h1> title, a whole replacement page, extra headers.
        `set_page(slug, status=200)` makes it healthy again."""
        with self._lock:
            entry = self.entries[slug]
            if status is not None:
                entry.status, entry.fail_times = status, fail_times
            if paragraphs is not None:
                entry.paragraphs = list(paragraphs)
            if title is not None:
                entry.page_title = title
            if html_text is not None:
                entry.page_html = html_text
            if headers is not None:
                entry.headers = dict(headers)
            return entry

    # -- the request log ---------------------------------------------------------------------------------------
    def requests_to(self, path: str) -> list[Request]:
        """Logged requests whose path (without query) equals `path` or starts with `path` + "/"."""
        with self._lock:
            return [r for r in self.log
                    if r.path.split("?")[0] == path or r.path.split("?")[0].startswith(path.rstrip("/") + "/")]

    def page_requests(self) -> list[Request]:
        return self.requests_to("/articles")

    def feed_requests(self) -> list[Request]:
        return self.requests_to("/feeds")

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- rendering ---------------------------------------------------------------------------------------------
    def render_feed(self, name: str, kind: str) -> str:
        with self._lock:
            entries = [e for e in reversed(list(self.entries.values())) if e.feed == name]
        title = f"{SITE_NAME} — {name}"
        if kind == "atom":
            items = "".join(self._atom_entry(e) for e in entries)
            updated = max((e.published for e in entries), default="2024-01-01T00:00:00+00:00")
            return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                    f"<title>{html.escape(title)}</title>\n<id>tag:lantern.example,2024:{name}</id>\n"
                    f'<link rel="self" href="{self.feed_url(name, "atom")}"/>\n<link href="{self.url}/"/>\n'
                    f"<updated>{updated}</updated>\n{items}</feed>\n")
        items = "".join(self._rss_item(e) for e in entries)
        return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                f"\n<channel>\n<title>{html.escape(title)}</title>\n<link>{self.url}/</link>\n"
                f"<description>Local news from the {SITE_NAME} (test site)</description>\n"
                f"<language>en</language>\n{items}</channel>\n</rss>\n")

    def _entry_text(self, entry: Entry) -> str:
        if entry.full_in_feed:
            return "".join(f"<p>{html.escape(p)}</p>" for p in entry.paragraphs)
        return f"<p>{html.escape(entry.teaser)}</p>"

    def _link(self, entry: Entry) -> str:
        return entry.link or self.page_url(entry.slug)

    def _rss_item(self, entry: Entry) -> str:
        pub = format_datetime(_parse_iso(entry.published)) if entry.published else ""
        content = (f"<content:encoded>{html.escape(self._entry_text(entry))}</content:encoded>\n"
                   if entry.full_in_feed else "")
        return (f"<item>\n<title>{html.escape(entry.title)}</title>\n<link>{html.escape(self._link(entry))}</link>\n"
                f'<guid isPermaLink="false">{html.escape(entry.guid)}</guid>\n<pubDate>{pub}</pubDate>\n'
                f"<dc:creator>{html.escape(entry.author)}</dc:creator>\n"
                f"<description>{html.escape(self._entry_text(entry))}</description>\n{content}</item>\n")

    def _atom_entry(self, entry: Entry) -> str:
        kind = "content" if entry.full_in_feed else "summary"
        return (f"<entry>\n<title>{html.escape(entry.title)}</title>\n<id>{html.escape(entry.guid)}</id>\n"
                f'<link rel="alternate" type="text/html" href="{html.escape(self._link(entry))}"/>\n'
                f"<published>{entry.published}</published>\n<updated>{entry.published}</updated>\n"
                f"<author><name>{html.escape(entry.author)}</name></author>\n"
                f'<{kind} type="html">{html.escape(self._entry_text(entry))}</{kind}>\n</entry>\n')

    def render_page(self, entry: Entry) -> str:
        if entry.page_html:
            return entry.page_html
        title = html.escape(entry.page_title if entry.page_title is not None else entry.title)
        author = html.escape(entry.author)
        when = html.escape(entry.published)
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in entry.paragraphs)
        nav = " ".join(f'<a href="/{part.strip().lower()}">{html.escape(part.strip())}</a>'
                       for part in NAV_TEXT.split("|"))
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {SITE_NAME}</title>
<meta name="author" content="{author}">
<meta property="article:published_time" content="{when}">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{SITE_NAME}">
<link rel="canonical" href="{self.page_url(entry.slug)}">
</head><body>
<nav class="site-nav">{nav}</nav>
<main><article>
<header><h1>{title}</h1>
<p class="byline">By <span class="author">{author}</span>, <time datetime="{when}">{when[:10]}</time></p></header>
<div class="article-body">
{paragraphs}
</div>
</article>
<aside class="related"><h2>More</h2><ul><li><a href="/articles/related">{ASIDE_TEXT}</a></li></ul></aside>
</main>
<footer><p>{FOOTER_TEXT}</p></footer>
</body></html>
"""

    def resource(self, key: str, body: bytes) -> _Resource:
        """`body` with validators that change exactly when it does (Last-Modified moves on by >= 1 s)."""
        with self._lock:
            known = self._resources.get(key)
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if known is not None and known.etag == etag:
                return known
            stamp = float(int(time.time()))
            if known is not None:
                stamp = max(stamp, known.last_modified + 1)
            self._resources[key] = _Resource(body, etag, stamp)
            return self._resources[key]


def _parse_iso(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class _Handler(BaseHTTPRequestHandler):
    site: FeedServer
    server_version = "LanternTestServer/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the site keeps its own log
        return

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        site = self.site
        with site._lock:
            site.log.append(Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                    time.monotonic()))
        path = self.path.split("?")[0]
        parts = [p for p in path.split("/") if p]
        try:
            self._route(parts)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self, parts: list[str]) -> None:
        site = self.site
        if len(parts) == 2 and parts[0] == "feeds" and parts[1].endswith((".rss", ".atom")):
            name, kind = parts[1].rsplit(".", 1)
            ctype = "application/rss+xml" if kind == "rss" else "application/atom+xml"
            body = site.render_feed(name, kind).encode("utf-8")
            return self._send_resource(f"feed:{name}.{kind}", body, f"{ctype}; charset=utf-8")
        if len(parts) == 2 and parts[0] == "articles" and parts[1] in site.entries:
            return self._send_page(site.entries[parts[1]])
        if len(parts) == 2 and parts[0] == "slow":
            time.sleep(float(parts[1]))
            return self._send_page(self._first_entry())
        if parts == ["error500"]:
            return self._send_status(500)
        if parts == ["missing"]:
            return self._send_status(404)
        if len(parts) == 2 and parts[0] == "status":
            return self._send_status(int(parts[1]))
        if len(parts) == 2 and parts[0] == "loop":
            return self._redirect("/loop/b" if parts[1] == "a" else "/loop/a")
        if len(parts) == 3 and parts[0] == "redirect":
            left = int(parts[1])
            return self._redirect(f"/redirect/{left - 1}/{parts[2]}" if left > 1 else f"/articles/{parts[2]}")
        if len(parts) == 2 and parts[0] in ("huge", "huge-stream"):
            return self._send_huge(int(parts[1]), with_length=parts[0] == "huge")
        if len(parts) == 2 and parts[0] == "busy":
            key = self.path
            with site._lock:
                first = key not in site._busy_seen
                site._busy_seen.add(key)
            if first:
                return self._send_status(429, {"Retry-After": parts[1]})
            return self._send_page(self._first_entry())
        return self._send_status(404)

    def _first_entry(self) -> Entry:
        with self.site._lock:
            return next(iter(self.site.entries.values()))

    def _send_page(self, entry: Entry) -> None:
        site = self.site
        with site._lock:
            status = entry.status
            if status >= 300 and entry.fail_times is not None:
                if entry.fail_times <= 0:
                    status = 200
                else:
                    entry.fail_times -= 1
            extra = dict(entry.headers)
        if status >= 300:
            return self._send_status(status, extra)
        body = site.render_page(entry).encode("utf-8")
        self._send_resource(f"page:{entry.slug}", body, "text/html; charset=utf-8", extra)

    def _send_resource(self, key: str, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        site = self.site
        res = site.resource(key, body)
        headers = dict(extra or {})
        if site.validators:
            headers["ETag"] = res.etag
            headers["Last-Modified"] = formatdate(res.last_modified, usegmt=True)
            if self._not_modified(res):
                return self._send(304, b"", ctype, headers)
        self._send(200, body, ctype, headers)

    def _not_modified(self, res: _Resource) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return res.etag in [t.strip().removeprefix("W/") for t in tags.split(",")] or tags.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since).timestamp() >= res.last_modified
            except (TypeError, ValueError):
                return False
        return False

    def _send_status(self, status: int, extra: dict[str, str] | None = None) -> None:
        body = (f"<!DOCTYPE html><html><head><title>Error {status}</title></head>"
                f"<body><h1>Error {status}</h1><p>The test site answered {status}.</p></body></html>").encode()
        self._send(status, body, "text/html; charset=utf-8", extra or {})

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/html; charset=utf-8", {"Location": location})

    def _send_huge(self, size: int, *, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if with_length:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        if self.command == "HEAD":
            return
        head = b"<!DOCTYPE html><html><head><title>Huge</title></head><body><p>"
        self.wfile.write(head)
        sent = len(head)
        filler = b"lorem ipsum " * (CHUNK // 12)
        while sent < size:
            piece = filler[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        headers = dict(headers)
        self.send_header("Content-Type", headers.pop("Content-Type", ctype))  # set_page(headers=...) may override it
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
