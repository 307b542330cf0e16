"""User filters (sources, date range, article ids) → a Chroma `where` clause and a metadata predicate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from qa.errors import InputError


@dataclass
class Filters:
    """Hard filters chosen by the user; `since`/`until` are ISO dates (inclusive)."""

    sources: list[str] | None = None
    since: str | None = None
    until: str | None = None
    article_ids: list[str] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.sources, str):
            self.sources = [self.sources]
        if isinstance(self.article_ids, str):
            self.article_ids = [self.article_ids]
        self.since_ts()  # validate early: a bad date is a clear error, not a silent no-match
        self.until_ts()

    def since_ts(self) -> int | None:
        return None if not self.since else _to_ts(self.since, "since")

    def until_ts(self) -> int | None:
        """End of the `until` day (exclusive bound in seconds)."""
        if not self.until:
            return None
        end = _to_ts(self.until, "until")
        return end + 86400 if len(self.until.strip()) == 10 else end + 1

    @property
    def empty(self) -> bool:
        return not (self.sources or self.since or self.until or self.article_ids)

    def where(self) -> dict[str, Any] | None:
        """The Chroma metadata filter, or None when nothing is filtered."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        lo, hi = self.since_ts(), self.until_ts()
        if lo is not None:
            clauses.append({"published_ts": {"$gte": lo}})
        if hi is not None:
            clauses.append({"published_ts": {"$lt": hi}})
            if lo is None:
                clauses.append({"published_ts": {"$gte": 0}})  # unknown dates (-1) are not "before X"
        return and_where(clauses)

    def matches(self, meta: dict[str, Any]) -> bool:
        """Same test as `where()`, for results that did not come from Chroma (BM25)."""
        if self.sources and meta.get("source") not in self.sources:
            return False
        if self.article_ids and meta.get("article_id") not in self.article_ids:
            return False
        ts = int(meta.get("published_ts", -1))
        lo, hi = self.since_ts(), self.until_ts()
        if lo is not None and ts < lo:
            return False
        if hi is not None and not (0 <= ts < hi):
            return False
        return True


def and_where(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Chroma wants a bare clause for one condition and `$and` for several."""
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _to_ts(value: str, field: str) -> int:
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"Filters.{field}={value!r} is not an ISO date; use YYYY-MM-DD, e.g. 2023-11-24") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


def day_range(day: date, days: int = 1) -> tuple[int, int]:
    """[start, end) Unix seconds (UTC) covering `days` days from `day`."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    return int(start.timestamp()), int((start + timedelta(days=days)).timestamp())
