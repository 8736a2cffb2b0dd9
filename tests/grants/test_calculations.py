"""Tests for the pure calculations of DOMAIN.md §4 (no database needed)."""

import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from grants.calculations import (
    InterestPiece,
    deemed_notification,
    final_grant,
    final_report_due,
    interest,
    interest_pieces,
    interim_report_due,
    late_use_interest,
    late_use_interest_pieces,
    objection_deadline,
    recognised_expenditure,
    recognised_lines,
    settlement,
)

D = Decimal
ROOT = Path(__file__).resolve().parents[2]

# The table shipped with DOMAIN.md §4.3.
BASE_RATES = [
    (date(2023, 1, 1), D("1.62")),
    (date(2023, 7, 1), D("3.12")),
    (date(2024, 1, 1), D("3.62")),
    (date(2024, 7, 1), D("3.37")),
    (date(2025, 1, 1), D("2.27")),
    (date(2025, 7, 1), D("1.27")),
    (date(2026, 1, 1), D("1.27")),
]
TABLE_START, TABLE_END = date(2023, 1, 1), date(2026, 7, 1)

# §4.2 example: Ap 80,000, Ep 8,000, Dp 4,000, H 68,000; A 74,000, Ea 8,000, Da 5,000.
EXAMPLE = {
    "granted": D("68000.00"),
    "planned_expenditure": D("80000.00"),
    "planned_own": D("8000.00"),
    "planned_third": D("4000.00"),
    "eligible_expenditure": D("74000.00"),
    "actual_own": D("8000.00"),
    "actual_third": D("5000.00"),
}


# --- 4.1 recognised expenditure --------------------------------------------------------------


def test_recognised_expenditure_domain_example():
    planned = {"staff": D("40000"), "fees": D("10000"), "materials": D("8000"), "travel": D("2000")}
    actual = {"staff": D("38000"), "fees": D("11500"), "materials": D("10000"), "travel": D("500")}
    assert recognised_lines(planned, actual)["materials"] == D("9600")
    assert recognised_expenditure(planned, actual) == D("59600.00")


def test_recognised_expenditure_is_capped_by_plan_total():
    planned = {"staff": D("1000"), "travel": D("1000")}
    actual = {"staff": D("1150"), "travel": D("1100")}  # both within 20 %, 2,250 > plan 2,000
    assert recognised_expenditure(planned, actual) == D("2000.00")


def test_recognised_expenditure_missing_lines():
    # Unplanned line has plan 0 → nothing recognised; a line without actual counts 0.
    planned = {"staff": D("1000"), "travel": D("500")}
    actual = {"staff": D("900"), "party": D("300")}
    assert recognised_lines(planned, actual) == {"staff": D("900"), "travel": D("0"), "party": D("0")}
    assert recognised_expenditure(planned, actual) == D("900.00")


def test_recognised_expenditure_custom_tolerance_and_single_half_up_rounding():
    planned = {"a": D("0.15"), "b": D("10.00")}
    actual = {"a": D("1.00")}
    # cap 0.15 × 1.10 = 0.165 → half-up 0.17 (banker's rounding would give 0.16)
    assert recognised_expenditure(planned, actual, tolerance=D("0.10")) == D("0.17")
    assert recognised_expenditure(planned, actual, tolerance=D("0")) == D("0.15")


@pytest.mark.parametrize(
    ("planned", "actual", "kwargs", "message"),
    [
        ({"a": D("-1")}, {}, {}, "planned amount for line 'a' must not be negative"),
        ({"a": D("1")}, {"a": D("-0.01")}, {}, "actual amount for line 'a' must not be negative"),
        ({"a": D("1")}, {"a": D("1")}, {"tolerance": D("-0.1")}, "tolerance must not be negative"),
        ({"a": 1.5}, {}, {}, "must be a Decimal"),
        ({"a": D("NaN")}, {}, {}, "must be a finite number"),
    ],
)
def test_recognised_expenditure_rejects_bad_input(planned, actual, kwargs, message):
    with pytest.raises(ValueError, match=message):
        recognised_expenditure(planned, actual, **kwargs)


# --- 4.2 final grant and settlement ----------------------------------------------------------


@pytest.mark.parametrize(
    ("financing_type", "expected", "reclaim"),
    [
        ("deficit", D("61000.00"), D("7000.00")),
        ("share", D("62050.00"), D("5950.00")),
        ("fixed", D("68000.00"), D("0.00")),
        ("full", D("68000.00"), D("0.00")),
    ],
)
def test_final_grant_domain_example(financing_type, expected, reclaim):
    final = final_grant(financing_type, **EXAMPLE)
    assert final == expected
    assert str(final) == str(expected)  # quantized to cents
    assert settlement(D("68000.00"), final) == (reclaim, D("0.00"))


def test_final_grant_hand_computed_cases():
    base = dict(EXAMPLE, eligible_expenditure=D("50000.00"), actual_own=D("6000.00"), actual_third=D("3000"))
    # deficit: planned own funds stay owed even if less was spent: 50,000 − 8,000 − 3,000
    assert final_grant("deficit", **base) == D("39000.00")
    # share: no extra funds (9,000 < 12,000) → 68,000 × 50,000 / 80,000
    assert final_grant("share", **base) == D("42500.00")
    assert final_grant("fixed", **base) == D("50000.00")
    assert final_grant("full", **base) == D("47000.00")
    # share with unrounded intermediate: 1,000 × 333.33 / 999.99 = 333.333… → 333.33
    assert final_grant(
        "share",
        granted=D("1000"),
        planned_expenditure=D("999.99"),
        planned_own=D("0"),
        planned_third=D("0"),
        eligible_expenditure=D("333.33"),
        actual_own=D("0"),
        actual_third=D("0"),
    ) == D("333.33")


def test_final_grant_rounds_half_up_once():
    # 0.05 × 1 / 10 = 0.005 → 0.01 with half-up
    args = dict(planned_own=D("0"), planned_third=D("0"), actual_own=D("0"), actual_third=D("0"))
    final = final_grant(
        "share", granted=D("0.05"), planned_expenditure=D("10"), eligible_expenditure=D("1"), **args
    )
    assert final == D("0.01")


def test_final_grant_is_clamped():
    assert final_grant("deficit", **dict(EXAMPLE, eligible_expenditure=D("1000"))) == D("0.00")
    assert str(final_grant("full", **dict(EXAMPLE, eligible_expenditure=D("0")))) == "0.00"
    assert final_grant("fixed", **dict(EXAMPLE, eligible_expenditure=D("99999"))) == D("68000.00")


def test_settlement_last_payment():
    assert settlement(D("50000"), D("62050.00")) == (D("0.00"), D("12050.00"))
    assert settlement(D("100"), D("100")) == (D("0.00"), D("0.00"))


def test_final_grant_rejects_unknown_type():
    with pytest.raises(ValueError, match="unknown financing type 'partial'"):
        final_grant("partial", **EXAMPLE)


def test_final_grant_share_needs_planned_expenditure():
    with pytest.raises(ValueError, match="planned_expenditure must be greater than 0 for share"):
        final_grant("share", **dict(EXAMPLE, planned_expenditure=D("0")))
    # the other types do not divide by it
    assert final_grant("fixed", **dict(EXAMPLE, planned_expenditure=D("0"))) == D("68000.00")


@pytest.mark.parametrize("field", sorted(EXAMPLE))
def test_final_grant_rejects_negative_amounts(field):
    with pytest.raises(ValueError, match=f"{field} must not be negative"):
        final_grant("deficit", **dict(EXAMPLE, **{field: D("-0.01")}))


def test_settlement_rejects_negative():
    with pytest.raises(ValueError, match="paid must not be negative"):
        settlement(D("-1"), D("0"))
    with pytest.raises(ValueError, match="final must not be negative"):
        settlement(D("0"), D("-1"))


# --- 4.3 interest ----------------------------------------------------------------------------


def test_interest_domain_example():
    pieces = interest_pieces(D("2500.00"), date(2024, 10, 1), date(2025, 2, 15), base_rates=BASE_RATES)
    assert [(p.start, p.end, p.days, p.rate_percent) for p in pieces] == [
        (date(2024, 10, 1), date(2025, 1, 1), 92, D("8.37")),
        (date(2025, 1, 1), date(2025, 2, 15), 45, D("7.27")),
    ]
    assert isinstance(pieces[0], InterestPiece)
    assert interest(D("2500.00"), date(2024, 10, 1), date(2025, 2, 15), base_rates=BASE_RATES) == D("75.15")


def test_interest_leap_year_uses_365_and_rounds_once():
    # H1 2024: 182 days (29 Feb included) at 8.62 %: 1,000 × 8.62 / 100 × 182 / 365 = 42.98191…
    # H2 2024: 184 days at 8.37 %:                  1,000 × 8.37 / 100 × 184 / 365 = 42.19397…
    # sum 85.17589… → 85.18 (rounding the pieces first would give 42.98 + 42.19 = 85.17)
    pieces = interest_pieces(D("1000"), date(2024, 1, 1), date(2025, 1, 1), base_rates=BASE_RATES)
    assert [p.days for p in pieces] == [182, 184]
    assert interest(D("1000"), date(2024, 1, 1), date(2025, 1, 1), base_rates=BASE_RATES) == D("85.18")


def test_interest_half_up_and_margin():
    rates = [(date(2025, 1, 1), D("0"))]
    # 182.50 × 1 % × 1 / 365 = 0.005 → 0.01
    assert interest(
        D("182.50"), date(2025, 1, 1), date(2025, 1, 2), base_rates=rates, margin_points=D("1")
    ) == D("0.01")
    # negative base rates are legal: 10,000 × (−0.88 + 5) % × 365 / 365 = 412.00
    rates = [(date(2021, 1, 1), D("-0.88")), (date(2021, 7, 1), D("-0.88"))]
    assert interest(D("10000"), date(2021, 1, 1), date(2022, 1, 1), base_rates=rates) == D("412.00")


def test_interest_empty_period():
    assert interest(D("2500"), date(2025, 3, 1), date(2025, 3, 1), base_rates=BASE_RATES) == D("0.00")
    assert interest_pieces(D("2500"), date(2025, 3, 1), date(2025, 3, 1), base_rates=BASE_RATES) == []


def test_interest_missing_half_year_is_lookup_error():
    with pytest.raises(LookupError, match="no base rate for the half-year starting 2026-07-01"):
        interest(D("100"), date(2026, 6, 1), date(2026, 8, 1), base_rates=BASE_RATES)
    with pytest.raises(LookupError, match="no base rate for the half-year starting 2022-07-01"):
        interest(D("100"), date(2022, 12, 1), date(2023, 2, 1), base_rates=BASE_RATES)
    # an older entry is never carried forward into a half-year that has none
    gap = [r for r in BASE_RATES if r[0] != date(2024, 7, 1)]
    with pytest.raises(LookupError, match="no base rate for the half-year starting 2024-07-01"):
        interest(D("100"), date(2024, 6, 1), date(2024, 8, 1), base_rates=gap)


def test_interest_up_to_table_end_is_fine():
    # The repayment day 2026-07-01 is not counted, so H2 2026 is not needed.
    assert interest(D("100"), date(2026, 6, 30), date(2026, 7, 1), base_rates=BASE_RATES) == D("0.02")


@pytest.mark.parametrize(
    ("principal", "start", "end", "rates", "kwargs", "message"),
    [
        (
            D("1"),
            date(2025, 2, 1),
            date(2025, 1, 1),
            BASE_RATES,
            {},
            "end 2025-01-01 is before start 2025-02-01",
        ),
        (D("-1"), date(2025, 1, 1), date(2025, 2, 1), BASE_RATES, {}, "principal must not be negative"),
        (1.0, date(2025, 1, 1), date(2025, 2, 1), BASE_RATES, {}, "principal must be a Decimal"),
        (D("1"), date(2025, 1, 1), date(2025, 2, 1), BASE_RATES, {"margin_points": D("-5")}, "margin_points"),
        (D("1"), date(2025, 1, 1), date(2025, 2, 1), [(date(2025, 3, 1), D("2"))], {}, "1 January or 1 July"),
        (
            D("1"),
            date(2025, 1, 1),
            date(2025, 2, 1),
            [(date(2025, 1, 1), D("2")), (date(2025, 1, 1), D("3"))],
            {},
            "conflicting base rates for the half-year starting 2025-01-01",
        ),
    ],
)
def test_interest_rejects_bad_input(principal, start, end, rates, kwargs, message):
    with pytest.raises(ValueError, match=message):
        interest(principal, start, end, base_rates=rates, **kwargs)


LATE = {"paid_on": date(2025, 3, 3), "window_end": date(2025, 4, 14), "base_rates": BASE_RATES}


def test_late_use_interest_domain_example():
    pieces = late_use_interest_pieces(D("12000.00"), used_on=date(2025, 6, 2), **LATE)
    assert [(p.days, p.rate_percent) for p in pieces] == [(91, D("7.27"))]
    assert late_use_interest(D("12000.00"), used_on=date(2025, 6, 2), **LATE) == D("217.50")


def test_late_use_interest_from_window_end_starts_the_day_after():
    # 2025-04-15 .. 2025-06-01 = 16 + 31 + 1 = 48 days; 12,000 × 7.27 % × 48 / 365 = 114.7266 → 114.73
    pieces = late_use_interest_pieces(D("12000.00"), used_on=date(2025, 6, 2), from_window_end=True, **LATE)
    assert pieces[0].start == date(2025, 4, 15)
    assert [p.days for p in pieces] == [48]
    assert late_use_interest(D("12000.00"), used_on=date(2025, 6, 2), from_window_end=True, **LATE) == D(
        "114.73"
    )


def test_late_use_interest_used_within_window_bears_none():
    assert late_use_interest(D("12000"), used_on=date(2025, 4, 14), **LATE) == D("0.00")
    assert late_use_interest(D("12000"), used_on=date(2025, 3, 3), **LATE) == D("0.00")
    # one day late: from payout, 43 days → 12,000 × 7.27 % × 43 / 365 = 102.7759 → 102.78
    assert late_use_interest(D("12000"), used_on=date(2025, 4, 15), **LATE) == D("102.78")
    # from the window end the money was held outside the window on no day yet
    assert late_use_interest(D("12000"), used_on=date(2025, 4, 15), from_window_end=True, **LATE) == D("0.00")


def test_late_use_interest_rejects_bad_input():
    with pytest.raises(ValueError, match="used_on 2025-03-02 is before paid_on 2025-03-03"):
        late_use_interest(D("1"), used_on=date(2025, 3, 2), **LATE)
    with pytest.raises(ValueError, match="window_end 2025-03-01 is before paid_on 2025-03-03"):
        late_use_interest(D("1"), **dict(LATE, used_on=date(2025, 5, 1), window_end=date(2025, 3, 1)))
    with pytest.raises(ValueError, match="amount must not be negative"):
        late_use_interest(D("-1"), used_on=date(2025, 4, 1), **LATE)
    with pytest.raises(LookupError, match="2022-07-01"):
        late_use_interest(
            D("1"), paid_on=date(2022, 12, 1), window_end=date(2022, 12, 31), used_on=date(2023, 2, 1),
            base_rates=BASE_RATES,
        )  # fmt: skip


# --- 4.4 deadlines ---------------------------------------------------------------------------


def test_deadline_domain_example():
    received = deemed_notification(date(2025, 3, 14))
    assert received == date(2025, 3, 18)
    for state in ("BW", "MV", "SN", "BE"):
        # 2025-04-18 Good Friday → Sat, Sun, Easter Monday → Tuesday
        assert objection_deadline(received, subdiv=state) == date(2025, 4, 22)


def test_deemed_notification_is_never_shifted():
    assert deemed_notification(date(2025, 12, 20)) == date(2025, 12, 24)
    assert deemed_notification(date(2025, 4, 14)) == date(2025, 4, 18)  # Good Friday stays
    assert deemed_notification(date(2024, 12, 20), days=3) == date(2024, 12, 23)
    with pytest.raises(ValueError, match="days must be a non-negative whole number"):
        deemed_notification(date(2025, 1, 1), days=-1)


@pytest.mark.parametrize(
    ("notified", "subdiv", "expected"),
    [
        (date(2025, 1, 31), "SN", date(2025, 2, 28)),  # no 31 Feb → last day (a Friday)
        (date(2024, 1, 31), "BW", date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), "BW", date(2024, 4, 2)),  # 29 Mar 2024 Good Friday → Easter → Tue
        (date(2025, 12, 31), "MV", date(2026, 2, 2)),  # 31 Jan 2026 Saturday → Monday
        (date(2025, 11, 25), "BE", date(2025, 12, 29)),  # Christmas Thu/Fri + weekend
        (date(2025, 3, 10), "SN", date(2025, 4, 10)),  # ordinary weekday, no shift
        (date(2025, 10, 19), "SN", date(2025, 11, 20)),  # Buß- und Bettag is a holiday only in SN
        (date(2025, 10, 19), "BW", date(2025, 11, 19)),
        (date(2025, 10, 19), "MV", date(2025, 11, 19)),
        # 29 Oct 2022 Saturday → Sun 30 → Mon 31 Reformation Day (SN, MV, not BW)
        (date(2022, 9, 29), "SN", date(2022, 11, 1)),
        (date(2022, 9, 29), "MV", date(2022, 11, 1)),
        (date(2022, 9, 29), "BW", date(2022, 10, 31)),
        (date(2025, 9, 6), "sn", date(2025, 10, 6)),  # code is case-insensitive
    ],
)
def test_objection_deadline(notified, subdiv, expected):
    assert objection_deadline(notified, subdiv=subdiv) == expected


@pytest.mark.parametrize("subdiv", ["XX", "", "DE", "Sachsen"])
def test_objection_deadline_unknown_subdivision(subdiv):
    with pytest.raises(ValueError, match="unknown German subdivision code"):
        objection_deadline(date(2025, 3, 18), subdiv=subdiv)


@pytest.mark.parametrize(
    ("period_end", "months", "expected"),
    [
        (date(2026, 3, 15), 6, date(2026, 9, 30)),  # DOMAIN example
        (date(2026, 12, 31), 6, date(2027, 6, 30)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 1), 6, date(2028, 2, 29)),
        (date(2025, 12, 31), 3, date(2026, 3, 31)),
        (date(2025, 5, 10), 0, date(2025, 5, 31)),
    ],
)
def test_final_report_due(period_end, months, expected):
    assert final_report_due(period_end, months=months) == expected


@pytest.mark.parametrize(
    ("year", "months", "expected"),
    [
        (2025, 4, date(2026, 4, 30)),  # DOMAIN example
        (2027, 2, date(2028, 2, 29)),
        (2025, 2, date(2026, 2, 28)),
        (2025, 0, date(2025, 12, 31)),
        (2025, 13, date(2027, 1, 31)),
    ],
)
def test_interim_report_due(year, months, expected):
    assert interim_report_due(year, months=months) == expected
    if months == 4:
        assert interim_report_due(year) == expected


def test_report_due_rejects_bad_months():
    with pytest.raises(ValueError, match="months must be a non-negative whole number"):
        final_report_due(date(2025, 1, 1), months=-1)
    with pytest.raises(ValueError, match="months must be a non-negative whole number"):
        interim_report_due(2025, months=-2)
    with pytest.raises(ValueError, match="budget_year must be a whole year"):
        interim_report_due("2025")  # type: ignore[arg-type]


def test_module_imports_no_django():
    code = "import sys, grants.calculations; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# --- properties ------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))
positive_cents = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))
types = st.sampled_from(["share", "deficit", "fixed", "full"])
dates = st.dates(min_value=TABLE_START, max_value=TABLE_END)


@st.composite
def grant_inputs(draw):
    return {
        "granted": draw(cents),
        "planned_expenditure": draw(positive_cents),
        "planned_own": draw(cents),
        "planned_third": draw(cents),
        "eligible_expenditure": draw(cents),
        "actual_own": draw(cents),
        "actual_third": draw(cents),
    }


@given(types, grant_inputs())
def test_final_grant_between_zero_and_granted(financing_type, kwargs):
    final = final_grant(financing_type, **kwargs)
    assert D("0") <= final <= kwargs["granted"]
    assert final == final.quantize(D("0.01"))


@given(types, grant_inputs(), cents)
def test_final_grant_monotone_in_expenditure(financing_type, kwargs, extra):
    more = dict(kwargs, eligible_expenditure=kwargs["eligible_expenditure"] + extra)
    assert final_grant(financing_type, **more) >= final_grant(financing_type, **kwargs)


@given(cents, cents)
def test_settlement_balances(paid, final):
    reclaim, last_payment = settlement(paid, final)
    assert reclaim >= 0 and last_payment >= 0
    assert reclaim == 0 or last_payment == 0
    if paid >= final:
        assert reclaim + final == paid and last_payment == 0
    else:
        assert paid + last_payment == final


@given(cents, dates, dates, dates)
def test_interest_additive_over_split_periods(principal, a, b, c):
    a, b, c = sorted((a, b, c))
    whole = interest(principal, a, c, base_rates=BASE_RATES)
    parts = interest(principal, a, b, base_rates=BASE_RATES) + interest(
        principal, b, c, base_rates=BASE_RATES
    )
    assert abs(whole - parts) <= D("0.01")
    assert whole >= 0


@given(cents, dates, st.integers(min_value=0, max_value=400))
def test_interest_grows_with_time(principal, start, extra_days):
    end = start + timedelta(days=extra_days)
    assume(end <= TABLE_END)
    pieces = interest_pieces(principal, start, end, base_rates=BASE_RATES)
    assert sum(p.days for p in pieces) == extra_days
    assert interest(principal, start, end, base_rates=BASE_RATES) >= interest(
        principal, start, start + timedelta(days=extra_days // 2), base_rates=BASE_RATES
    )


lines = st.dictionaries(st.sampled_from(["staff", "fees", "material", "travel", "pr", "invest"]), cents)


@given(lines, lines, st.integers(min_value=0, max_value=100).map(lambda p: Decimal(p).scaleb(-2)))
def test_recognised_bounded_by_plan_and_actual(planned, actual, tolerance):
    recognised = recognised_expenditure(planned, actual, tolerance=tolerance)
    assert D("0") <= recognised <= sum(planned.values(), D("0"))
    assert recognised <= sum(actual.values(), D("0"))
