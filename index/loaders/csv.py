"""CSV with a header row naming the fields (title, body/text/content, url, source, author, date...)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

from index.errors import InputProblem
from index.loaders.common import FIELD_NAMES, article_from_record
from index.loaders.records import ItemFailure
from index.models import Article

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def load_csv(text: str, origin: str) -> Iterator[Article | ItemFailure]:
    """One article per row; the header must name a body column."""
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not any(name in header for name in FIELD_NAMES["body"]):
        raise InputProblem(
            f"the header row has no body column (found: {', '.join(header) or 'nothing'}); "
            "add a header with 'title' and 'body' (or 'text' / 'content') columns"
        )
    try:
        for n, row in enumerate(reader, start=1):
            row.pop(None, None)  # extra cells beyond the header
            try:
                yield article_from_record(row, f"{origin}#{n}")
            except InputProblem as exc:
                yield ItemFailure(f"{origin} row {n} (line {reader.line_num})", str(exc))
    except csv.Error as exc:
        raise InputProblem(f"broken CSV at line {reader.line_num} ({exc}); fix the quoting in the file") from None
