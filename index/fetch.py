"""One polite HTTP fetcher for feeds and article pages.

`Fetcher(settings).fetch(url, what="feed"|"page", validators=...)` sends `settings.fetch_user_agent`, waits
`settings.fetch_host_delay_s` between two requests to one host (across threads and `Fetcher`s of this process),
follows at most `MAX_REDIRECTS` redirects (a loop is named as one), streams at most `max_file_mb`, retries once on
connect errors, timeouts, 5xx and 429 (honouring a short `Retry-After`), sends `If-None-Match` /
`If-Modified-Since` from stored `Validators` (a 304 is `FetchResult.not_modified`) and reads the charset from
Content-Type. Every failure raises `FetchProblem` (an `InputProblem`): one line, what happened and the fix.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from index.errors import InputProblem
from index.settings import IndexSettings

MAX_REDIRECTS = 5  # http→https→www→canonical chains need 3; more is almost always a misconfigured site
RETRY_PAUSE_S = 1.0  # before the one retry when the server names no Retry-After: outlasts a brief overload
RETRY_AFTER_CAP_S = 10.0  # the longest Retry-After waited before the retry: an ingest must not stall for minutes
REDIRECT_CODES = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 500, 502, 503, 504)
RESERVED_NAMES = ("test", "example", "invalid", "example.com", "example.net", "example.org")  # RFC 2606 / 6761
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}


class FetchProblem(InputProblem):
    """A URL could not be fetched; `str(exc)` is "<what happened>; <fix>", `.url` the address asked for."""

    def __init__(self, url: str, message: str, *, status: int | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Validators:
    """What a server said identifies a response (sent back to ask "changed since?")."""

    etag: str = ""
    last_modified: str = ""

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass
class FetchResult:
    """One successful answer: 200 with `data`, or 304 (`not_modified`, no data)."""

    url: str  # the address asked for
    final_url: str  # after redirects
    status: int
    data: bytes
    content_type: str  # media type without parameters, lower case ("" when absent)
    charset: str | None  # from Content-Type, None when the server named none
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_fetchable(url: str) -> bool:
    """http(s) URLs whose host can exist; reserved example/test names (RFC 2606, 6761) never serve real pages."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    reserved = any(host == name or host.endswith("." + name) for name in RESERVED_NAMES)
    return parts.scheme in ("http", "https") and bool(host) and not reserved


# -- politeness: one request at a time per host, `delay` apart (end of one to start of the next) ----------------
_hosts_lock = threading.Lock()
_host_locks: dict[str, threading.Lock] = {}
_host_last: dict[str, float] = {}  # host → time.monotonic() when its last request ended


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class _HostTurn:
    """Holds a host's turn: waits until `delay` after its last request ended; records the end on exit."""

    def __init__(self, url: str, delay: float) -> None:
        self.key, self.delay = _host_key(url), delay
        with _hosts_lock:
            self.lock = _host_locks.setdefault(self.key, threading.Lock())

    def __enter__(self) -> None:
        self.lock.acquire()
        last = _host_last.get(self.key)
        if last is not None:
            wait = last + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        _host_last[self.key] = time.monotonic()
        self.lock.release()


class _Retry(Exception):
    """A failure worth one more try: `problem` to raise if the retry fails too, `pause` before it."""

    def __init__(self, problem: FetchProblem, pause: float | None) -> None:
        super().__init__(str(problem))
        self.problem, self.pause = problem, pause


class Fetcher:
    """Fetches feeds and pages politely (see the module docstring). Thread-safe; close() when done."""

    def __init__(self, settings: IndexSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.max_bytes = int(settings.max_file_mb * 1_000_000)
        self.client = httpx.Client(
            headers={"User-Agent": settings.fetch_user_agent}, timeout=settings.fetch_timeout_s,
            follow_redirects=False, transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str, *, what: str = "page", validators: Validators | None = None,
              max_bytes: int | None = None) -> FetchResult:
        """GET `url` (a "feed" or a "page", for the messages and Accept header); raises `FetchProblem`."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        try:
            return self._follow(url, what, validators, limit)
        except _Retry as first:
            time.sleep(first.pause if first.pause is not None else RETRY_PAUSE_S)
            try:
                return self._follow(url, what, validators, limit)
            except _Retry as second:
                raise second.problem from None

    def _follow(self, url: str, what: str, validators: Validators | None, limit: int) -> FetchResult:
        chain, current = [url], url
        while True:
            answer = self._request(url, current, what, validators, limit)
            if isinstance(answer, FetchResult):
                return answer
            target = urljoin(current, answer)
            if target in chain:
                hops = " → ".join(chain[chain.index(target):] + [target])
                raise FetchProblem(url, f"the {what} redirects in a loop ({hops}); open the URL in a browser and "
                                        f"use the address the {what} really lives at")
            if len(chain) > MAX_REDIRECTS:
                raise FetchProblem(url, f"the {what} redirects more than {MAX_REDIRECTS} times (last to {target}); "
                                        "use the address it ends at")
            if not target.startswith(("http://", "https://")):
                raise FetchProblem(url, f"the {what} redirects to a non-web address ({target[:80]}); check the URL")
            chain.append(target)
            current = target

    def _request(self, url: str, current: str, what: str, validators: Validators | None,
                 limit: int) -> FetchResult | str:
        """One GET in the host's turn: a result, or the Location of a redirect."""
        headers = {"Accept": ACCEPT.get(what, "*/*")}
        if validators:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        with _HostTurn(current, self.settings.fetch_host_delay_s):
            try:
                with self.client.stream("GET", current, headers=headers) as response:
                    return self._answer(url, current, what, response, limit, validators)
            except httpx.TimeoutException:
                raise _Retry(FetchProblem(
                    url, f"cannot fetch the {what} (no answer within {self.settings.fetch_timeout_s:g}s); "
                         "raise fetch_timeout_s (NEWSDESK_FETCH_TIMEOUT_S) or try again later"), None) from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise _Retry(FetchProblem(url, f"cannot fetch the {what} ({_reason(exc)}); "
                                               "check the URL and network"), None) from None
            except httpx.HTTPError as exc:  # invalid URL, unsupported protocol, decoding errors ...
                raise FetchProblem(url, f"cannot fetch the {what} ({_reason(exc)}); check the URL") from None

    def _answer(self, url: str, current: str, what: str, response: httpx.Response, limit: int,
                validators: Validators | None) -> FetchResult | str:
        status = response.status_code
        if status in REDIRECT_CODES:
            location = response.headers.get("location")
            if not location:
                raise FetchProblem(url, f"the server answered HTTP {status} without a Location; check the {what} URL",
                                   status=status)
            return location
        if status in RETRY_STATUSES:
            raise _Retry(FetchProblem(url, f"the server answered HTTP {status}; "
                                           + ("it asks to slow down, try again later" if status == 429 else
                                              "the site has a problem, try again later"), status=status),
                         _retry_after(response.headers.get("retry-after")))
        if status >= 400:
            raise FetchProblem(url, f"the server answered HTTP {status}; check the {what} URL", status=status)
        if 300 <= status < 400 and (status != 304 or not validators):
            raise FetchProblem(url, f"the server answered HTTP {status}; check the {what} URL", status=status)
        media, charset = _content_type(response.headers.get("content-type", ""))
        fresh = Validators(response.headers.get("etag", ""), response.headers.get("last-modified", ""))
        if status == 304:
            return FetchResult(url, current, 304, b"", media, charset, fresh or validators)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_big(url, what, limit)
        chunks, total = [], 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                raise _too_big(url, what, limit)
            chunks.append(chunk)
        return FetchResult(url, current, status, b"".join(chunks), media, charset, fresh)


def _too_big(url: str, what: str, limit: int) -> FetchProblem:
    return FetchProblem(url, f"the {what} is over the {limit / 1e6:g} MB limit; raise max_file_mb "
                             "(NEWSDESK_MAX_FILE_MB)")


def _reason(exc: Exception) -> str:
    detail = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _content_type(value: str) -> tuple[str, str | None]:
    """("text/html", "iso-8859-1") from 'text/html; charset="ISO-8859-1"'."""
    message = Message()
    message["content-type"] = value or "application/octet-stream"
    charset = message.get_param("charset")
    charset = charset if isinstance(charset, str) and charset.strip() else None
    return (message.get_content_type() if value else ""), (charset.strip().lower() if charset else None)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)
