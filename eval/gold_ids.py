"""`gold_articles` that name a corpus record by its own id (`{"id": "a7", ...}` in a JSONL/JSON/CSV corpus).

Ingest does not keep a record's own `id`: an article's id is `sha256(url or guid)[:16]`, else a hash of its
title and body (docs/ARCHITECTURE.md). So after the eval corpus is indexed, each record that has an id field
(`id`, `_id`, `doc_id`, `guid`) is found among the indexed articles by its origin (`<file>#<n>`, the n-th record
of a multi-article file, as ingest writes it), else by its URL, and the set's gold entries that are record ids
are scored as that article's id. Only `qa`'s public API is used (`Newsdesk.articles()`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORD_ID_FIELDS = ("id", "_id", "doc_id", "guid")  # first present (case-insensitive keys) is the record's id
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")


@dataclass(frozen=True)
class RecordRef:
    """One corpus record with its own id, and what ingest knows it by."""

    record_id: str
    origin: str  # resolved file path, plus "#n" for the n-th record of a multi-article file
    url: str = ""


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return " ".join(str(value).split())


def _ref(record: Any, origin: str) -> RecordRef | None:
    if not isinstance(record, dict):
        return None
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    record_id = next((t for t in (_text(lowered.get(f)) for f in RECORD_ID_FIELDS) if t), "")
    if not record_id:
        return None
    url = next((t for t in (_text(lowered.get(f)) for f in ("url", "link", "href")) if t), "")
    return RecordRef(record_id, origin, url)


def _records(file: Path) -> Iterator[RecordRef | None]:
    """Records of one multi-article file, numbered the way ingest numbers their origins."""
    suffix = file.suffix.lower()
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return
    origin = str(file.resolve())
    if suffix in (".jsonl", ".ndjson"):
        n = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            n += 1  # ingest counts every non-blank line, bad ones included
            try:
                yield _ref(json.loads(line), f"{origin}#{n}")
            except (json.JSONDecodeError, RecursionError):
                continue
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return
        if isinstance(data, dict) and isinstance(data.get("articles") or data.get("items"), list):
            data = data.get("articles") or data.get("items")
        if isinstance(data, dict):
            yield _ref(data, origin)
        elif isinstance(data, list):
            for n, record in enumerate(data, start=1):
                yield _ref(record, f"{origin}#{n}")
    elif suffix == ".csv":
        first_line = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first_line.count)
        try:
            for n, row in enumerate(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
                row.pop(None, None)
                yield _ref(row, f"{origin}#{n}")
        except csv.Error:
            return


def corpus_records(files: Iterable[Path]) -> list[RecordRef]:
    """Every record with its own id in the corpus's JSONL, JSON and CSV files."""
    return [ref for f in files if f.suffix.lower() in RECORD_SUFFIXES for ref in _records(f) if ref is not None]


def _norm_url(url: str) -> str:
    return url.strip().rstrip("/")


def record_aliases(records: Sequence[RecordRef], articles: Sequence[Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """record id → indexed article id, and the record ids that name several different articles (left unmapped).
    `articles` are `Newsdesk.articles()` rows (id, origin, url)."""
    by_origin = {str(getattr(a, "origin", "")): a.id for a in articles}
    by_url: dict[str, str] = {}
    for a in articles:
        if getattr(a, "url", ""):
            by_url.setdefault(_norm_url(a.url), a.id)
    found: dict[str, set[str]] = {}
    for ref in records:
        article_id = by_origin.get(ref.origin) or (by_url.get(_norm_url(ref.url)) if ref.url else None)
        if article_id:
            found.setdefault(ref.record_id, set()).add(article_id)
    aliases = {rid: next(iter(ids)) for rid, ids in found.items() if len(ids) == 1}
    ambiguous = {rid: sorted(ids) for rid, ids in found.items() if len(ids) > 1}
    return aliases, ambiguous


def resolve_golds(golds: Sequence[str], aliases: dict[str, str]) -> list[str]:
    """A case's gold articles with corpus record ids replaced by the indexed article's id."""
    return [aliases.get(g.strip(), g) for g in golds]


def unmatched_golds(golds: Iterable[str], articles: Sequence[Any]) -> list[str]:
    """Gold entries (already resolved) that name no indexed article by id, URL or exact title (as
    `eval.metrics.matches_gold` matches them)."""
    ids = {a.id for a in articles}
    urls = {_norm_url(a.url) for a in articles if getattr(a, "url", "")}
    titles = {a.title.strip().lower() for a in articles if getattr(a, "title", "")}
    return sorted({g for g in golds if g.strip() and g.strip() not in ids and _norm_url(g) not in urls
                   and g.strip().lower() not in titles})
