"""JSON (one object or a list of objects) and JSON Lines (one article object per line)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from index.errors import InputProblem
from index.loaders.common import article_from_record
from index.loaders.records import ItemFailure
from index.models import Article


TOO_DEEP = "JSON nested too deeply to be an article; give flat article objects (title, body, url...)"


def load_json(text: str, origin: str) -> Iterator[Article | ItemFailure]:
    """A .json file: one article object, a list of them, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputProblem(
            f"invalid JSON at line {exc.lineno}, char {exc.colno} ({exc.msg}); fix the file or re-export it"
        ) from None
    except RecursionError:
        raise InputProblem(TOO_DEEP) from None
    if isinstance(data, dict) and isinstance(data.get("articles") or data.get("items"), list):
        data = data.get("articles") or data.get("items")
    if isinstance(data, dict):
        yield _record(data, origin)
        return
    if not isinstance(data, list):
        raise InputProblem("expected a JSON object or a list of article objects")
    if not data:
        raise InputProblem("the JSON list is empty; add article objects to it")
    for n, record in enumerate(data, start=1):
        try:
            yield _record(record, f"{origin}#{n}")
        except InputProblem as exc:
            yield ItemFailure(f"{origin} item {n}", str(exc))


def load_jsonl(text: str, origin: str) -> Iterator[Article | ItemFailure]:
    """A .jsonl file: one JSON article object per non-blank line; bad lines are reported by line number."""
    n = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        n += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ItemFailure(
                f"{origin} line {lineno}",
                f"invalid JSON at char {exc.colno} ({exc.msg}); put one complete JSON object on each line",
            )
            continue
        except RecursionError:
            yield ItemFailure(f"{origin} line {lineno}", TOO_DEEP)
            continue
        try:
            yield _record(record, f"{origin}#{n}")
        except InputProblem as exc:
            yield ItemFailure(f"{origin} line {lineno}", str(exc))
    if n == 0:
        raise InputProblem("no JSON lines in the file; put one article object per line")


def _record(record: object, origin: str) -> Article:
    """`article_from_record`, with absurdly nested field values refused like any other bad record."""
    try:
        return article_from_record(record, origin)
    except RecursionError:
        raise InputProblem(TOO_DEEP) from None
