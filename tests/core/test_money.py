"""The one rule for euro amounts: rounding half up to the cent, writing and reading them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.money import GERMAN, cents, format_amount, format_eur, parse_amount, plain_amount_converter

D = Decimal
AMOUNTS = st.decimals(min_value=D("-9999999999.99"), max_value=D("9999999999.99"), places=2, allow_nan=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.675", "2.68"), ("2.665", "2.67"), ("-2.675", "-2.68"), ("0.004", "0.00"), ("-0.004", "0.00")],
)
def test_cents_round_half_up_once_and_never_give_minus_zero(value, expected):
    rounded = cents(D(value))
    assert str(rounded) == expected


@given(AMOUNTS)
def test_a_german_amount_reads_back_as_the_same_value(value):
    with translation.override("de"):
        assert parse_amount(format_eur(value)) == value
        assert parse_amount(format_amount(value)) == value


@given(AMOUNTS)
def test_an_english_amount_reads_back_as_the_same_value(value):
    with translation.override("en"):
        assert parse_amount(format_eur(value)) == value


@given(AMOUNTS)
def test_an_upload_amount_reads_the_same_in_an_english_session(value):
    with translation.override("de"):
        text = format_amount(value)
    with translation.override("en"):
        assert parse_amount(text, locale=GERMAN) == value


@given(AMOUNTS)
def test_the_plain_csv_amount_reads_back_as_the_same_value(value):
    assert parse_amount(plain_amount_converter(GERMAN)(value), locale=GERMAN) == value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1234.56", "1234.56"),  # the plain decimal way: a dot before one or two digits is a decimal point
        ("12.5", "12.50"),
        ("1,234.56", "1234.56"),
        ("1.234", "1234.00"),  # a dot before three digits is the German thousands separator
        ("1.234,56 €", "1234.56"),
        ("-1.234,56", "-1234.56"),
    ],
)
def test_the_german_rule_also_reads_the_plain_decimal_way(typed, expected):
    with translation.override("de"):
        assert parse_amount(typed) == D(expected)


@pytest.mark.parametrize("typed", ["1,230", "1.234,567", "1,234"])
def test_a_third_decimal_place_is_refused_not_rounded(typed):
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        parse_amount(typed)
    with translation.override("de"):
        assert caught.value.messages == ["Bitte geben Sie höchstens zwei Nachkommastellen (Cent) ein."]


@pytest.mark.parametrize("typed", ["1.234,5x", "1e5", "١٢", "--5", "5-", "1 . 234,5 x"])
def test_malformed_amounts_get_one_german_message(typed):
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        parse_amount(typed)
    with translation.override("de"):
        assert caught.value.messages == [
            f"„{typed.strip()}“ ist kein gültiger Betrag. Bitte geben Sie ihn im Format 1.234,56 ein."
        ]


@pytest.mark.parametrize(("cell", "expected"), [(250000.5, "250000.50"), (125000, "125000.00")])
def test_number_cells_are_read_by_their_decimal_text(cell, expected):
    assert parse_amount(cell, locale=GERMAN) == D(expected)


def test_a_number_cell_with_float_noise_is_refused_rather_than_rounded():
    with translation.override("de"), pytest.raises(ValidationError, match="Nachkommastellen"):
        parse_amount(0.1 + 0.2, locale=GERMAN)
