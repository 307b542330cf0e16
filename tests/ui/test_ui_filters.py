"""Filters from the chat form: dates validated with a message naming the field."""

import pytest

from qa import Filters

from ui.chat import FilterError, make_filters


def test_empty_form_means_no_filters():
    assert make_filters([], "", None) is None


def test_fields_become_engine_filters():
    filters = make_filters(["Harbor Gazette (sample)"], "2024-03-01", " 2024-12-31T10:00 ")
    assert filters == Filters(sources=["Harbor Gazette (sample)"], since="2024-03-01", until="2024-12-31")


@pytest.mark.parametrize("since, until, message", [
    ("April", "", "Published since: 'April' is not a date; use YYYY-MM-DD"),
    ("", "2024-13-01", "Published until: '2024-13-01' is not a date"),
    ("2025-01-01", "2024-01-01", "is after Published until"),
])
def test_bad_dates_name_the_field(since, until, message):
    with pytest.raises(FilterError, match=message):
        make_filters(None, since, until)
