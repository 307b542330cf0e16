"""Feeds over HTTP and the full text behind teaser entries, for the ingest pipeline (one `FullText` per input).

`fetch_feed` fetches a feed URL, conditionally when the index already holds its articles (a 304 means every
article from it stays). `complete` turns a teaser `EntryArticle` into the full article from its page, or keeps
the teaser with a note; an entry whose content is unchanged since its page was fetched reuses the indexed
article without any request. `finish` stores the feed's validators only when the whole feed went in cleanly,
so a teaser kept after a failed page fetch is retried on the next poll (the feed is not answered 304).

Network waits (requests, politeness delays, retries) happen here, in the pipeline's thread, outside the
per-input parse limit; they are bounded by fetch_timeout_s per request. Extracting a page is parsing: each
page gets its own file_timeout_s limit, like a file.
"""

from __future__ import annotations

from typing import Protocol

from index.errors import InputProblem
from index.fetch import Fetcher, FetchProblem, FetchResult, Validators, is_fetchable
from index.http_cache import CompletedEntry, HttpCache, http_cache_path
from index.loaders.feed import EntryArticle, merge_page, without_trailer
from index.loaders.html import load_html_bytes
from index.models import Article
from index.settings import IndexSettings
from index.timelimit import ParseTimeout, iterate_with_limit


class IndexedArticles(Protocol):
    """What `FullText` reads from the ledger (index.ledger.Ledger)."""

    def row(self, article_id: str):  # -> LedgerRow | None
        ...

    def articles_by_id(self, article_ids) -> list[Article]:
        ...


class FullText:
    """Fetching for one input of an ingest run (see the module docstring). Use as a context manager."""

    def __init__(self, settings: IndexSettings, indexed: IndexedArticles, *, fetcher: Fetcher | None = None) -> None:
        self.settings = settings
        self.indexed = indexed
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None
        self._cache: HttpCache | None = None
        self.feed: tuple[str, Validators] | None = None  # the feed fetched, and what it answered with
        self.retry_next_time = False  # a page fetch failed: the next poll must read the feed again

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings)
        return self._fetcher

    @property
    def cache(self) -> HttpCache:
        if self._cache is None:
            self._cache = HttpCache(http_cache_path(self.settings.data_dir))
        return self._cache

    def close(self) -> None:
        if self._fetcher is not None and self._own_fetcher:
            self._fetcher.close()
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> FullText:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # feeds ---------------------------------------------------------------------------------------------------
    def fetch_feed(self, url: str, *, indexed: bool) -> FetchResult:
        """The feed at `url`; conditional (→ maybe `not_modified`) when `indexed` (the index holds its articles)."""
        validators = self.cache.validators(url) if indexed else None
        result = self.fetcher.fetch(url, what="feed", validators=validators)
        self.feed = (url, result.validators)
        return result

    def finish(self, target: str, clean: bool) -> None:
        """After the input went in: keep the feed's validators only if nothing needs another try."""
        if self.feed is None or self.feed[0] != target:
            return
        if clean and not self.retry_next_time:
            self.cache.save_validators(target, self.feed[1])
        else:
            self.cache.forget_validators(target)

    # teasers -------------------------------------------------------------------------------------------------
    def complete(self, item: Article) -> tuple[Article, str]:
        """(the article to index, a one-line note or ""). Only teaser entries are touched."""
        if not isinstance(item, EntryArticle):
            return item, ""
        if not item.teaser or not self.settings.fetch_full_text:
            return item.as_article(), ""
        stored, completed = self._indexed_version(item)
        if stored is not None and completed is not None and completed.entry_hash == item.content_hash:
            return stored, ""  # the entry did not change since its page was fetched: no request
        link = item.url
        if not link:
            return self._keep(item, None, "the entry has no link to its page", retry=False)
        if not is_fetchable(link):
            return self._keep(item, None, f"{link[:200]} is not a fetchable web address (reserved or not http)",
                              retry=False)
        validators = self.cache.validators(link) if stored is not None else None
        try:
            result = self.fetcher.fetch(link, what="page", validators=validators)
        except FetchProblem as exc:
            return self._keep(item, stored, f"{link}: {exc}")
        if result.not_modified and stored is not None:  # the page is as indexed; the entry's fields may be new
            merged = merge_page(item, stored) or stored
            self._remember(item, merged, result)
            return merged, ""
        try:
            page = self._extract(item, result)
        except ParseTimeout as exc:
            return self._keep(item, stored, f"{link}: {exc}; raise file_timeout_s (NEWSDESK_FILE_TIMEOUT_S)")
        except InputProblem as exc:
            return self._keep(item, stored, f"{link}: {exc}")
        merged = merge_page(item, page)
        if merged is None:  # a stub or paywall page: the teaser is all there is, until the entry changes
            kept = without_trailer(item)
            self._remember(item, kept, result)
            return kept, f"teaser kept: {link}: the page holds no more text than the feed entry"
        self._remember(item, merged, result)
        return merged, ""

    def _extract(self, item: EntryArticle, result: FetchResult) -> Article:
        """The page's article, parsed under the file_timeout_s limit (in a daemon thread, like a file)."""
        limit = self.settings.file_timeout_s
        pages = iterate_with_limit(
            lambda: iter([load_html_bytes(result.data, item.origin, charset=result.charset, url=result.final_url)]),
            limit)
        try:
            return next(pages)
        except StopIteration:
            raise InputProblem("no readable article text in the page") from None
        except InputProblem:
            raise
        except ParseTimeout:
            raise
        except Exception as exc:  # an extractor choking on a hostile page must not escape as a traceback
            detail = " ".join(str(exc).split())[:160]
            raise InputProblem(f"could not read the page ({type(exc).__name__}: {detail})") from None
        finally:
            pages.close()

    def _indexed_version(self, item: EntryArticle) -> tuple[Article | None, CompletedEntry | None]:
        """The article indexed for this entry after its page was fetched, if the index still holds exactly it."""
        completed = self.cache.completed(item.id)
        if completed is None:
            return None, None
        row = self.indexed.row(item.id)
        if row is None or row.state != "done" or row.content_hash != completed.article_hash:
            return None, completed
        found = self.indexed.articles_by_id([item.id])
        if not found:
            return None, completed
        stored = found[0]
        stored.origin = item.origin  # the entry's place in the feed may have moved
        return stored, completed

    def _remember(self, item: EntryArticle, article: Article, result: FetchResult) -> None:
        self.cache.save_completed(item.id, CompletedEntry(item.content_hash, article.content_hash, item.url))
        self.cache.save_validators(item.url, result.validators)

    def _keep(self, item: EntryArticle, stored: Article | None, reason: str, *,
              retry: bool = True) -> tuple[Article, str]:
        """After a failed or impossible fetch: the article indexed from the page if any, else the teaser; a note."""
        self.retry_next_time = self.retry_next_time or retry
        if stored is not None:
            return stored, f"indexed article kept: {reason}"
        return without_trailer(item), f"teaser kept: {reason}"
