"""Dates as people write them, and month arithmetic (dateutil)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.dates import (
    add_months,
    date_converter,
    format_date,
    format_german_date,
    months_between,
    parse_date,
)

DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(DATES)
def test_a_german_date_reads_back_as_the_same_day(day):
    with translation.override("de"):
        assert parse_date(format_date(day)) == day
    assert parse_date(format_german_date(day)) == day
    assert parse_date(date_converter()(day)) == day
    assert parse_date(day.isoformat()) == day


def test_dates_read_german_in_german_and_month_first_in_english():
    with translation.override("de"):
        assert format_date(date(2026, 3, 4)) == "04.03.2026"
    with translation.override("en"):
        assert format_date(date(2026, 3, 4)) == "03/04/2026"
        assert format_german_date(date(2026, 3, 4)) == "04.03.2026"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.2.2026", date(2026, 2, 1)),
        ("18.03.26", date(2026, 3, 18)),
        ("18.03.69", date(1969, 3, 18)),
        ("18.03.68", date(2068, 3, 18)),
        ("2026-03-17", date(2026, 3, 17)),
        (" 29.02.2024 ", date(2024, 2, 29)),
    ],
)
def test_german_short_and_iso_dates_are_read(text, expected):
    assert parse_date(text) == expected


def test_date_cells_are_taken_as_they_are():
    assert parse_date(datetime(2026, 5, 4, 13, 0)) == date(2026, 5, 4)
    assert parse_date(date(2026, 5, 4)) == date(2026, 5, 4)


@pytest.mark.parametrize(
    "text", ["31.12.2025x", "29.02.2025", "31.13.2026", "12/31/2026", "2026-02-30", "morgen"]
)
def test_anything_else_is_refused_with_a_german_message(text):
    with pytest.raises(ValidationError) as caught:
        parse_date(text)
    with translation.override("de"):
        assert caught.value.messages == [
            f"„{text}“ ist kein Datum; schreiben Sie Daten in der Form 31.12.2026."
        ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 15), 2, date(2027, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_months_are_added_calendar_wise(day, months, expected):
    assert add_months(day, months) == expected


def test_whole_months_between_two_days():
    assert months_between(date(2026, 1, 15), date(2026, 12, 14)) == 10
    assert months_between(date(2026, 1, 15), date(2026, 12, 15)) == 11
    assert months_between(date(2026, 3, 1), date(2026, 1, 1)) == -2
