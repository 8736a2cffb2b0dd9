"""Pure grant calculations (DOMAIN.md §4, reference API in §5).

No Django, no database: every function takes plain values and returns ``Decimal`` amounts
quantized to cents or ``datetime.date`` values. Amounts are computed at full precision and
rounded exactly once, half-up to the cent, at the end of each public computation (§2).

Bad input raises ``ValueError`` naming the problem; a half-year missing from the base-rate
table raises ``LookupError`` naming that half-year (§4.3: "never a guess").
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import holidays
from dateutil.relativedelta import relativedelta

from core.prorata import split_pro_rata

__all__ = [
    "FINANCING_TYPES",
    "InterestPiece",
    "deemed_notification",
    "final_grant",
    "final_report_due",
    "flat_rate_cap",
    "in_depth_count",
    "interest",
    "interest_pieces",
    "interim_report_due",
    "late_use_interest",
    "late_use_interest_pieces",
    "objection_deadline",
    "recognised_expenditure",
    "recognised_lines",
    "settlement",
    "split_pro_rata",
    "vote_outcome",
]

CENT = Decimal("0.01")
ZERO = Decimal("0")
DAYS_PER_YEAR = Decimal("365")  # §4.3: 365 also in leap years
FINANCING_TYPES = ("share", "deficit", "fixed", "full")

# Intermediate results are kept at more digits than Decimal's default 28 so that "full precision"
# is not silently cut for large amounts before the single final rounding.
_PRECISION = 50

BaseRates = Sequence[tuple[date, Any]]


# --- helpers ---------------------------------------------------------------------------------


def _dec(value: Any, name: str, *, allow_negative: bool = False) -> Decimal:
    """Convert ``value`` to a finite Decimal; floats are refused because they are inexact (§2)."""
    if isinstance(value, bool | float):
        raise ValueError(f"{name} must be a Decimal (or int/str), not {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError(f"{name} is not a valid amount: {value!r}") from None
    else:
        raise ValueError(f"{name} must be a Decimal, not {type(value).__name__}: {value!r}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not allow_negative and result < 0:
        raise ValueError(f"{name} must not be negative, got {result}")
    return result


def _cents(value: Decimal) -> Decimal:
    """The one rounding step: half-up to the cent (§2)."""
    with decimal.localcontext(prec=_PRECISION):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _months(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative whole number of months, got {value!r}")
    return value


def _month_end(year: int, month: int) -> date:
    """Last day of ``month`` counted from January of ``year`` (month may exceed 12)."""
    resulting_year = year + (month - 1) // 12
    if not 1 <= resulting_year <= 9999:
        raise ValueError(f"resulting year {resulting_year} is out of range")
    return date(year, 1, 1) + relativedelta(months=month - 1, day=31)  # day=31: the month's last day


# --- 4.1 recognised expenditure --------------------------------------------------------------


def recognised_lines(
    planned: Mapping[str, Any], actual: Mapping[str, Any], *, tolerance: Any = Decimal("0.20")
) -> dict[str, Decimal]:
    """Per plan line ``recognised_i = min(actual_i, plan_i × (1 + tolerance))`` (§4.1), unrounded.

    A line missing from ``planned`` has plan 0 (so nothing of it is recognised); a line missing
    from ``actual`` has actual 0. Lines come out in plan order, then unplanned lines.
    """
    tol = _dec(tolerance, "tolerance")
    plan = {key: _dec(v, f"planned amount for line {key!r}") for key, v in planned.items()}
    act = {key: _dec(v, f"actual amount for line {key!r}") for key, v in actual.items()}
    keys = list(plan) + [key for key in act if key not in plan]
    with decimal.localcontext(prec=_PRECISION):
        return {key: min(act.get(key, ZERO), plan.get(key, ZERO) * (1 + tol)) for key in keys}


def recognised_expenditure(
    planned: Mapping[str, Decimal], actual: Mapping[str, Decimal], *, tolerance: Decimal = Decimal("0.20")
) -> Decimal:
    """Recognised expenditure A = min(Σ recognised_i, Σ plan_i) (§4.1, the 20 % rule).

    The plan is binding in total, a single line may be exceeded by up to ``tolerance``.
    """
    lines = recognised_lines(planned, actual, tolerance=tolerance)
    with decimal.localcontext(prec=_PRECISION):
        plan_total = sum((_dec(v, "planned amount") for v in planned.values()), ZERO)
        return _cents(min(sum(lines.values(), ZERO), plan_total))


# --- 4.2 final grant and settlement ----------------------------------------------------------


def final_grant(
    financing_type: str,
    *,
    granted: Decimal,
    planned_expenditure: Decimal,
    planned_own: Decimal,
    planned_third: Decimal,
    eligible_expenditure: Decimal,
    actual_own: Decimal,
    actual_third: Decimal,
) -> Decimal:
    """Final grant by financing type (§4.2), clamped to [0, H].

    - share:   N = max(0, (Da + Ea) − (Dp + Ep)); Z = H × (A − N) / Ap
    - deficit: Z = A − max(Ep, Ea) − Da
    - fixed:   Z = A
    - full:    Z = A − Da

    where H = ``granted``, Ap = ``planned_expenditure``, Ep/Dp = planned own/third funds,
    A = ``eligible_expenditure`` (recognised expenditure), Ea/Da = actual own/third funds.
    Computed at full precision, rounded once half-up to cents, then clamped.
    """
    if financing_type not in FINANCING_TYPES:
        raise ValueError(
            f"unknown financing type {financing_type!r}; expected one of {', '.join(FINANCING_TYPES)}"
        )
    h = _dec(granted, "granted")
    ap = _dec(planned_expenditure, "planned_expenditure")
    ep = _dec(planned_own, "planned_own")
    dp = _dec(planned_third, "planned_third")
    a = _dec(eligible_expenditure, "eligible_expenditure")
    ea = _dec(actual_own, "actual_own")
    da = _dec(actual_third, "actual_third")

    with decimal.localcontext(prec=_PRECISION):
        if financing_type == "share":
            if ap == 0:
                raise ValueError("planned_expenditure must be greater than 0 for share financing")
            # Extra own/third funds beyond the plan reduce the base before the share is applied.
            n = max(ZERO, (da + ea) - (dp + ep))
            z = h * (a - n) / ap
        elif financing_type == "deficit":
            # The carrier keeps at least its planned own contribution, even if it spent less.
            z = a - max(ep, ea) - da
        elif financing_type == "fixed":
            z = a
        else:  # full
            z = a - da
    return _cents(min(h, max(ZERO, _cents(z))))


def settlement(paid: Decimal, final: Decimal) -> tuple[Decimal, Decimal]:
    """Return ``(reclaim, last_payment)`` = (max(0, paid − final), max(0, final − paid)) (§4.2)."""
    p = _dec(paid, "paid")
    f = _dec(final, "final")
    return _cents(max(ZERO, p - f)), _cents(max(ZERO, f - p))


# --- 4.3 interest ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InterestPiece:
    """One piece of an interest period that lies within a single half-year.

    ``end`` is exclusive; ``rate_percent`` is base rate + margin; ``amount`` is unrounded.
    """

    start: date
    end: date
    days: int
    rate_percent: Decimal
    amount: Decimal


def _half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _next_half_year(half_start: date) -> date:
    return date(half_start.year, 7, 1) if half_start.month == 1 else date(half_start.year + 1, 1, 1)


def _rate_table(base_rates: BaseRates) -> dict[date, Decimal]:
    """Validate the base-rate table: one entry per half-year, each starting on 1 Jan or 1 Jul."""
    table: dict[date, Decimal] = {}
    for entry in base_rates:
        try:
            valid_from, raw_rate = entry
        except (TypeError, ValueError):
            raise ValueError(
                f"base rate entries must be (valid_from, rate_percent) pairs, got {entry!r}"
            ) from None
        if not isinstance(valid_from, date) or (valid_from.month, valid_from.day) not in ((1, 1), (7, 1)):
            raise ValueError(f"base rates change only on 1 January or 1 July, got valid_from {valid_from!r}")
        # The base rate may legally be negative (it was from 2013 to 2022).
        rate = _dec(raw_rate, f"base rate from {valid_from.isoformat()}", allow_negative=True)
        if valid_from in table and table[valid_from] != rate:
            raise ValueError(f"conflicting base rates for the half-year starting {valid_from.isoformat()}")
        table[valid_from] = rate
    return table


def interest_pieces(
    principal: Decimal,
    start: date,
    end: date,
    *,
    base_rates: BaseRates,
    margin_points: Decimal = Decimal("5"),
) -> list[InterestPiece]:
    """Split the interest period [start, end) at every 1 Jan / 1 Jul (§4.3, § 49a VwVfG).

    Each piece = principal × (base rate + margin) / 100 × days / 365, unrounded; the first day
    is counted, ``end`` (the repayment day) is not.

    Base-rate lookup: the base rate changes only on 1 January and 1 July and every half-year has
    its own published value, so a half-year is covered only by an entry whose ``valid_from`` is
    exactly that half-year's start. An older entry is *not* carried forward; a missing half-year
    raises ``LookupError`` naming it, because the law forbids guessing the rate.
    """
    p = _dec(principal, "principal")
    margin = _dec(margin_points, "margin_points")
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValueError("start and end must be dates")
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    table = _rate_table(base_rates)

    pieces: list[InterestPiece] = []
    cursor = start
    while cursor < end:
        half = _half_year_start(cursor)
        if half not in table:
            raise LookupError(f"no base rate for the half-year starting {half.isoformat()}")
        piece_end = min(end, _next_half_year(half))
        days = (piece_end - cursor).days
        with decimal.localcontext(prec=_PRECISION):
            rate = table[half] + margin
            amount = p * rate / 100 * days / DAYS_PER_YEAR
        pieces.append(InterestPiece(cursor, piece_end, days, rate, amount))
        cursor = piece_end
    return pieces


def interest(
    principal: Decimal,
    start: date,
    end: date,
    *,
    base_rates: BaseRates,
    margin_points: Decimal = Decimal("5"),
) -> Decimal:
    """Interest on ``principal`` from ``start`` (counted) to ``end`` (repayment day, not counted).

    Sums the unrounded pieces of :func:`interest_pieces` and rounds once (§4.3).
    """
    pieces = interest_pieces(principal, start, end, base_rates=base_rates, margin_points=margin_points)
    with decimal.localcontext(prec=_PRECISION):
        return _cents(sum((piece.amount for piece in pieces), ZERO))


def late_use_interest_pieces(
    amount: Decimal,
    *,
    paid_on: date,
    used_on: date,
    window_end: date,
    base_rates: BaseRates,
    margin_points: Decimal = Decimal("5"),
    from_window_end: bool = False,
) -> list[InterestPiece]:
    """Interest pieces for money paid out but not used in time (§4.3, § 49a (4) VwVfG).

    ``window_end`` is the last day of the drawdown window. Money used on or before it bears no
    interest (empty list). Otherwise interest runs until ``used_on`` (not counted, like the
    repayment day) from ``paid_on`` (counted, like the payout day of a reclaim) or, with
    ``from_window_end``, from the day *after* ``window_end``: the window's last day still belongs
    to the interest-free window (use on that day bears none), so the money is first "not used in
    time" on the following day (§ 187 (2), § 188 (1) BGB). This keeps the two modes consistent:
    counted days are exactly the days the money was held outside the window.
    """
    for name, value in (("paid_on", paid_on), ("used_on", used_on), ("window_end", window_end)):
        if not isinstance(value, date):
            raise ValueError(f"{name} must be a date")
    if used_on < paid_on:
        raise ValueError(f"used_on {used_on.isoformat()} is before paid_on {paid_on.isoformat()}")
    if window_end < paid_on:
        raise ValueError(f"window_end {window_end.isoformat()} is before paid_on {paid_on.isoformat()}")
    _dec(amount, "amount")
    if used_on <= window_end:
        return []
    start = window_end + timedelta(days=1) if from_window_end else paid_on
    return interest_pieces(amount, start, used_on, base_rates=base_rates, margin_points=margin_points)


def late_use_interest(
    amount: Decimal,
    *,
    paid_on: date,
    used_on: date,
    window_end: date,
    base_rates: BaseRates,
    margin_points: Decimal = Decimal("5"),
    from_window_end: bool = False,
) -> Decimal:
    """Late-use interest, rounded once to cents; see :func:`late_use_interest_pieces`."""
    pieces = late_use_interest_pieces(
        amount,
        paid_on=paid_on,
        used_on=used_on,
        window_end=window_end,
        base_rates=base_rates,
        margin_points=margin_points,
        from_window_end=from_window_end,
    )
    with decimal.localcontext(prec=_PRECISION):
        return _cents(sum((piece.amount for piece in pieces), ZERO))


# --- 4.4 deadlines ---------------------------------------------------------------------------


def deemed_notification(posted_on: date, *, days: int = 4) -> date:
    """Deemed receipt of a posted notice = posting date + ``days`` (§4.4), never shifted."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"days must be a non-negative whole number, got {days!r}")
    return posted_on + timedelta(days=days)


def _subdivision(subdiv: str) -> str:
    supported: dict[str, str] = {str(code).upper(): str(code) for code in holidays.Germany.subdivisions}
    code = subdiv.strip().upper() if isinstance(subdiv, str) else ""
    if code not in supported:
        raise ValueError(
            f"unknown German subdivision code {subdiv!r}; expected one of {', '.join(sorted(supported))}"
        )
    return supported[code]


def objection_deadline(notified_on: date, *, subdiv: str) -> date:
    """Last day to object to a notice received on ``notified_on`` (§4.4).

    One month: the same day number in the next month, or that month's last day if it has no
    such day. If the end falls on a Saturday, Sunday or a public holiday of the state ``subdiv``
    (e.g. "BW", "MV", "SN"), it moves to the next working day, repeatedly.
    """
    state_holidays = holidays.country_holidays("DE", subdiv=_subdivision(subdiv))
    deadline = notified_on + relativedelta(months=1)  # a missing day number becomes the month's last
    while deadline.weekday() >= 5 or deadline in state_holidays:
        deadline += timedelta(days=1)
    return deadline


def final_report_due(period_end: date, *, months: int = 6) -> date:
    """Final proof due: last day of the ``months``-th month after the month of ``period_end`` (§4.4)."""
    return _month_end(period_end.year, period_end.month + _months(months, "months"))


def interim_report_due(budget_year: int, *, months: int = 4) -> date:
    """Interim proof for budget year Y: last day of the ``months``-th month after the end of Y (§4.4).

    With the default 4 that is 30 April of Y + 1.
    """
    if isinstance(budget_year, bool) or not isinstance(budget_year, int):
        raise ValueError(f"budget_year must be a whole year, got {budget_year!r}")
    return _month_end(budget_year, 12 + _months(months, "months"))


def window_end(start: date, *, value: int, unit: str) -> date:
    """Last day of a drawdown window of ``value`` weeks or months that starts on ``start``.

    "Within six weeks after payout" ends on the day 6 × 7 days later; "within two months" on
    the day with the same number two months later (the month's last day if it has none).
    """
    count = _months(value, "value")
    if unit == "weeks":
        return start + timedelta(weeks=count)
    if unit == "months":
        return start + relativedelta(months=count)
    raise ValueError(f"unknown window unit {unit!r}; expected 'weeks' or 'months'")


# --- §8 several funders ---------------------------------------------------------------------


# The rule lives in core.prorata (pure, importable by the budget ledger below grants).


# --- §7 committees --------------------------------------------------------------------------

VOTE_PROCEDURES = ("session", "circulation")


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def vote_outcome(
    *,
    yes: int,
    no: int,
    abstain: int,
    members: int,
    recused: int = 0,
    procedure: str = "session",
    quorum: Any = Decimal("0.5"),
) -> str:
    """The result of a committee vote on one item (DOMAIN.md §7).

    ``"adopted"``, ``"rejected"`` or, for a session, ``"not_quorate"``. A session is quorate
    when the votes cast exceed ``quorum`` × the eligible members (members − recused); a quorate
    item is adopted when yes > no (abstentions do not count, a tie rejects). A circulation vote
    is adopted when yes exceeds half of all eligible members; it has no quorum.
    """
    counts = {
        name: _count(value, name)
        for name, value in {
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "members": members,
            "recused": recused,
        }.items()
    }
    if procedure not in VOTE_PROCEDURES:
        raise ValueError(f"procedure must be one of {', '.join(VOTE_PROCEDURES)}, got {procedure!r}")
    share = _dec(quorum, "quorum")
    if share > 1:
        raise ValueError(f"quorum must be a fraction between 0 and 1, got {share}")
    eligible = counts["members"] - counts["recused"]
    if eligible < 0:
        raise ValueError(f"recused ({recused}) must not exceed members ({members})")
    cast = counts["yes"] + counts["no"] + counts["abstain"]
    if cast > eligible:
        raise ValueError(f"{cast} votes cast, but only {eligible} members are eligible to vote")
    if procedure == "circulation":
        return "adopted" if eligible and 2 * counts["yes"] > eligible else "rejected"
    if eligible == 0 or not cast > share * eligible:
        return "not_quorate"
    return "adopted" if counts["yes"] > counts["no"] else "rejected"


def flat_rate_cap(direct_costs: Any, percent: Any) -> Decimal:
    """The cap of a flat-rate line (DOMAIN.md §9): ``percent`` % of the recognised direct costs,
    unrounded. A flat rate needs no receipts; it is recognised as ``min(claimed, cap)``."""
    direct = _dec(direct_costs, "direct costs")
    share = _dec(percent, "flat rate percentage")
    if share > 100:
        raise ValueError(f"flat rate percentage must not exceed 100, got {share}")
    with decimal.localcontext(prec=_PRECISION):
        return direct * share / 100


def in_depth_count(received: int, share_percent: Any) -> int:
    """How many of ``received`` proofs an in-depth check takes: ``share_percent`` % rounded up
    (VV Nr. 11.2: at least 10 %); never more than were received."""
    if received < 0:
        raise ValueError(f"received must not be negative, got {received}")
    share = _dec(share_percent, "share")
    with decimal.localcontext(prec=_PRECISION):
        wanted = (Decimal(received) * share / 100).to_integral_value(rounding=decimal.ROUND_CEILING)
    return min(received, int(wanted))
