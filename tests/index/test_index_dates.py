"""Dates in the spellings news data uses → ISO 8601 + Unix seconds (UTC)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from index.dates import normalize_date


@pytest.mark.parametrize("value, expected", [
    ("2019-01-04", ("2019-01-04", 1546560000)),
    ("2019-01-04T10:30:00Z", ("2019-01-04T10:30:00+00:00", 1546597800)),
    ("2019-01-04T10:30:00+02:00", ("2019-01-04T08:30:00+00:00", 1546590600)),
    ("2019-01-04 10:30", ("2019-01-04T10:30:00+00:00", 1546597800)),  # naive = UTC
    ("Fri, 04 Jan 2019 10:30:00 GMT", ("2019-01-04T10:30:00+00:00", 1546597800)),
    ("Fri, 04 Jan 2019 10:30:00 -0500", ("2019-01-04T15:30:00+00:00", 1546615800)),
    ("Friday, January 4, 2019", ("2019-01-04", 1546560000)),
    ("4 January 2019", ("2019-01-04", 1546560000)),
    (1546597800, ("2019-01-04T10:30:00+00:00", 1546597800)),
    ("1546597800", ("2019-01-04T10:30:00+00:00", 1546597800)),
    (date(2019, 1, 4), ("2019-01-04", 1546560000)),
    (datetime(2019, 1, 4, 12, tzinfo=timezone(timedelta(hours=1))), ("2019-01-04T11:00:00+00:00", 1546599600)),
    (time.struct_time((2019, 1, 4, 10, 30, 0, 4, 4, 0)), ("2019-01-04T10:30:00+00:00", 1546597800)),
])
def test_known_spellings(value, expected):
    assert normalize_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "2019-13-45", "yesterday-ish", True])
def test_unknown_dates(value):
    assert normalize_date(value) == ("", -1)
