"""Plain data types that cross the `index` boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from index.relative_dates import RelativeDate


@dataclass
class Article:
    """One news article, normalised from any input format."""

    id: str  # stable: from URL/GUID where present, else a content hash
    title: str
    body: str
    source: str = ""
    url: str = ""
    author: str = ""
    published_at: str = ""  # ISO 8601, "" when unknown
    published_ts: int = -1  # Unix seconds UTC, -1 when unknown (so Chroma range filters work)
    origin: str = ""  # file path or feed URL it came from (with "#n" for the n-th item of a multi-article file)
    content_hash: str = ""  # sha256 of title + body + metadata; a change means re-embedding


@dataclass
class Chunk:
    """A span of an article body, as stored in Chroma."""

    id: str  # f"{article_id}:{index}"
    article_id: str
    index: int
    text: str  # == article.body[start_char:end_char]
    start_char: int
    end_char: int
    # relative date phrases starting inside the chunk ("yesterday" → 2019-02-10), offsets into the article body;
    # resolved at ingest against the article's publication date (see index/relative_dates.py)
    dates: list[RelativeDate] = field(default_factory=list)


@dataclass
class FileResult:
    """What happened to one input (a file, a feed, or one item of a multi-article file)."""

    input: str
    status: Literal["added", "updated", "unchanged", "failed", "removed"]
    article_id: str = ""
    title: str = ""
    chunks: int = 0
    error: str = ""  # one line naming the problem and the fix, when status == "failed"
    note: str = ""  # one line worth telling on a success (e.g. "teaser kept: the page answered HTTP 500")


@dataclass
class IngestReport:
    """Summary of one ingest run."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    chunks_embedded: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"added {self.count('added')}, updated {self.count('updated')}, "
            f"unchanged {self.count('unchanged')}, removed {self.count('removed')}, failed {self.count('failed')}"
            f" ({self.chunks_embedded} chunks embedded in {self.seconds:.1f}s)"
        )
