"""Amounts, percentages and dates as users read them (German by default, English on request)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import (
    format_date,
    format_eur,
    format_number,
    format_percent,
    format_percent_ceiling,
    format_percent_floor,
)

D = Decimal


@pytest.fixture(autouse=True)
def _german():
    with translation.override("de"):
        yield


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1234.56"), "1.234,56 €"),
        (D("-1234.56"), "-1.234,56 €"),
        (D("0"), "0,00 €"),
        (0, "0,00 €"),
        (5, "5,00 €"),
        (D("999.99"), "999,99 €"),
        (D("1000"), "1.000,00 €"),
        (D("1234567.89"), "1.234.567,89 €"),
        (D("1000000000"), "1.000.000.000,00 €"),
        (D("0.005"), "0,01 €"),
        (D("0.004"), "0,00 €"),
        (D("2.675"), "2,68 €"),
        (D("-0.005"), "-0,01 €"),
        (D("-0.004"), "0,00 €"),
        (D("1E+3"), "1.000,00 €"),
        (None, "–"),
    ],
)
def test_euro_amounts_read_german_with_half_up_cents(value, text):
    assert format_eur(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1234.56"), "€1,234.56"),
        (D("-1234.56"), "-€1,234.56"),
        (D("0"), "€0.00"),
        (D("1234567.89"), "€1,234,567.89"),
        (D("0.005"), "€0.01"),
        (None, "–"),
    ],
)
def test_euro_amounts_read_english_under_english(value, text):
    with translation.override("en"):
        assert format_eur(value) == text


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (D("1234.5"), 1, "1.234,5"),
        (D("1234.56"), 1, "1.234,6"),
        (D("-1234567"), 2, "-1.234.567,00"),
        (7, 0, "7"),
    ],
)
def test_numbers_are_grouped_by_thousands(value, places, text):
    assert format_number(value, places) == text


def test_numbers_with_no_decimal_places_are_rounded_half_up_to_whole_numbers():
    assert format_number(D("1234.5"), 0) == "1.235"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("5"), "5 %"),
        (D("5.00"), "5 %"),
        (D("3.2"), "3,2 %"),
        (D("3.20"), "3,2 %"),
        (D("3.25"), "3,25 %"),
        (D("3.255"), "3,26 %"),
        (D("3.254"), "3,25 %"),
        (D("0"), "0 %"),
        (D("10"), "10 %"),
        (D("100"), "100 %"),
        (D("1000"), "1.000 %"),
        (D("95.0001"), "95 %"),
        (D("-2.5"), "-2,5 %"),
    ],
)
def test_percentages_drop_trailing_zeros(value, text):
    assert format_percent(value) == text


def test_percentages_read_english_under_english():
    with translation.override("en"):
        assert [format_percent(D(v)) for v in ("5", "3.2", "100", "1000.5")] == [
            "5%",
            "3.2%",
            "100%",
            "1,000.5%",
        ]
        assert format_percent_floor(D("4.996")) == "4.99%"
        assert format_percent_ceiling(D("95.0001")) == "95.01%"


def test_a_shortfall_is_rounded_down_so_it_never_reads_as_the_minimum():
    assert format_percent(D("4.996")) == "5 %"
    assert format_percent_floor(D("4.996")) == "4,99 %"
    assert format_percent_floor(D("4.999999")) == "4,99 %"
    assert format_percent_floor(D("5")) == "5 %"


def test_an_excess_is_rounded_up_so_it_never_reads_as_the_maximum():
    assert format_percent(D("95.001")) == "95 %"
    assert format_percent_ceiling(D("95.001")) == "95,01 %"
    assert format_percent_ceiling(D("95")) == "95 %"
    assert format_percent_ceiling(D("94.999")) == "95 %"


def test_percent_rounding_and_places_can_be_chosen():
    assert format_percent(D("4.96"), rounding=ROUND_FLOOR, places=1) == "4,9 %"
    assert format_percent(D("4.91"), rounding=ROUND_CEILING, places=1) == "5 %"


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        (date(2025, 12, 31), "31.12.2025", "12/31/2025"),
        (date(2026, 3, 4), "04.03.2026", "03/04/2026"),
        (date(2024, 2, 29), "29.02.2024", "02/29/2024"),
        (None, "–", "–"),
    ],
)
def test_dates_read_day_month_year_in_german_and_month_day_year_in_english(value, german, english):
    assert format_date(value) == german
    with translation.override("en"):
        assert format_date(value) == english


def _render(template: str, **context) -> str:
    return Template("{% load money %}" + template).render(Context(context))


def test_template_filters_format_amounts_percentages_and_dates():
    assert _render("{{ v|eur }}", v=D("1234.56")) == "1.234,56 €"
    assert _render("{{ v|eur }}", v=None) == "–"
    assert _render("{{ v|percent }}", v=D("3.2")) == "3,2 %"
    assert _render("{{ v|percent }}", v=None) == "–"
    assert _render("{{ v|ddate }}", v=date(2025, 12, 31)) == "31.12.2025"
    assert _render("{{ v|ddate }}", v=None) == "–"


def test_date_filter_shows_a_timestamp_as_its_local_day():
    # 23:30 UTC on New Year's Eve is already 1 January in Germany.
    assert _render("{{ v|ddate }}", v=datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "01.01.2026"
