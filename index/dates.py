"""Turn the many date spellings found in news data into ISO 8601 text and Unix seconds (UTC)."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

UNKNOWN: tuple[str, int] = ("", -1)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalize_date(value: Any) -> tuple[str, int]:
    """Return (published_at, published_ts).

    A date without a time gives "YYYY-MM-DD" (midnight UTC for the timestamp); a date with a time gives
    "YYYY-MM-DDTHH:MM:SS+00:00" in UTC (naive times are taken as UTC). Unknown or unparseable: ("", -1).
    """
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, time.struct_time):  # feedparser's *_parsed fields (UTC)
        return _from_datetime(datetime(*value[:6], tzinfo=timezone.utc))
    if isinstance(value, datetime):
        return _from_datetime(value)
    if isinstance(value, date):
        return _from_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_timestamp(float(value))
    text = str(value).strip()
    if not text:
        return UNKNOWN
    if re.fullmatch(r"\d{9,11}", text):
        return _from_timestamp(float(text))
    return _parse_text(text)


def _parse_text(text: str) -> tuple[str, int]:
    if _DATE_ONLY.match(text):
        try:
            return _from_date(date.fromisoformat(text))
        except ValueError:
            return UNKNOWN
    try:
        return _from_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _from_datetime(parsedate_to_datetime(text))  # RFC 2822, as in RSS
    except (TypeError, ValueError, IndexError):
        pass
    return _parse_loose(text)


def _parse_loose(text: str) -> tuple[str, int]:
    """Free-form dates such as "Friday, January 4, 2019" or "4 Jan 2019 10:00 CET"."""
    try:
        from dateutil import parser as dateutil_parser
    except ImportError:  # pragma: no cover - dateutil ships with pandas/matplotlib
        return UNKNOWN
    sentinel = datetime(1, 1, 1)
    try:
        parsed = dateutil_parser.parse(text, default=sentinel, fuzzy=False)
    except (ValueError, OverflowError):
        return UNKNOWN
    if parsed.year == 1:
        return UNKNOWN
    has_time = bool(re.search(r"\d:\d", text))
    return _from_datetime(parsed) if has_time else _from_date(parsed.date())


def _from_datetime(value: datetime) -> tuple[str, int]:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc).replace(microsecond=0)
    return value.isoformat(), int(value.timestamp())


def _from_date(value: date) -> tuple[str, int]:
    midnight = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return value.isoformat(), int(midnight.timestamp())


def _from_timestamp(seconds: float) -> tuple[str, int]:
    try:
        return _from_datetime(datetime.fromtimestamp(seconds, tz=timezone.utc))
    except (OverflowError, OSError, ValueError):
        return UNKNOWN
