"""Interest on a reclaim, segment by segment and piece by piece (§ 49a (3), (4) VwVfG; DOMAIN.md §4.3).

Rule for repayments (documented for finance and carriers alike): a repayment settles the
principal first and only then interest. § 49a (3) VwVfG lets interest run on the amount to be
repaid *until its repayment*, so once part of the principal is back, interest stops on that
part; interest already accrued on the earlier, larger principal stays due. Each principal
segment runs from the start (the interest date or the previous repayment, counted) to the next
repayment (not counted); the pieces of all segments are summed unrounded and rounded once.

Late-use interest (§ 49a (4)) has no principal: it runs on the drawdown's amount over the fixed
period [interest_from, interest_until) and repayments only pay it off.

Base rates are read from the ``BaseRate`` table that finance maintains. A period needing a
half-year that is not in the table computes nothing and names the half-year instead: the law
allows no guess.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import format_date
from grants import calculations
from grants.awards.models import BaseRate, Reclaim, ReclaimKind, Repayment
from grants.awards.services.reclaim._common import ZERO
from grants.calculations import InterestPiece

CENT = Decimal("0.01")


@dataclass(frozen=True)
class InterestSegment:
    """A stretch of time over which the same principal bears interest; ``end`` not counted."""

    principal: Decimal
    start: date
    end: date
    pieces: tuple[InterestPiece, ...]


@dataclass(frozen=True)
class InterestRow:
    """One line of the piece-by-piece table: ``last_day`` is the last day counted."""

    principal: Decimal
    start: date
    last_day: date
    days: int
    rate: Decimal
    amount: Decimal  # unrounded; the statement rounds only the sum


@dataclass(frozen=True)
class InterestStatement:
    """Everything a person needs to check a reclaim's interest by hand, as at ``until``.

    ``interest_accrued`` is the rounded sum of all pieces; ``interest`` is what is owed in
    total (the accrued interest, or after a waiver only what had already been paid).
    """

    until: date
    segments: tuple[InterestSegment, ...]
    interest_accrued: Decimal
    interest_waived: bool
    interest: Decimal
    interest_paid: Decimal
    interest_outstanding: Decimal
    principal: Decimal
    principal_repaid: Decimal
    principal_outstanding: Decimal

    @property
    def pieces(self) -> list[InterestPiece]:
        return [piece for segment in self.segments for piece in segment.pieces]

    @property
    def outstanding(self) -> Decimal:
        return self.principal_outstanding + self.interest_outstanding

    @property
    def rows(self) -> list[InterestRow]:
        return [
            InterestRow(
                principal=segment.principal,
                start=piece.start,
                last_day=piece.end - timedelta(days=1),
                days=piece.days,
                rate=piece.rate_percent,
                amount=piece.amount,
            )
            for segment in self.segments
            for piece in segment.pieces
        ]


@dataclass(frozen=True)
class InterestOverview:
    """What the reclaim page shows: the statement as at ``until``, or why there is none.

    ``covered_until``: the first half-year without a base rate, when interest can at least be
    shown up to the day before it.
    """

    until: date
    statement: InterestStatement | None
    errors: list[str]
    covered_until: date | None


def base_rates() -> list[tuple[date, Decimal]]:
    return list(BaseRate.objects.order_by("valid_from").values_list("valid_from", "rate"))


def reclaim_interest(*, reclaim: Reclaim, until: date | None = None) -> InterestStatement:
    """The interest statement of ``reclaim`` as if repaid in full on ``until`` (default today).

    ``until`` is a repayment day, so it is not counted. Repayments received after it are left
    out. Raises ``DomainError`` naming the half-year when a needed base rate is missing.
    """
    until = timezone.localdate() if until is None else until
    repayments = [r for r in reclaim.repayments.order_by("received_on", "pk") if r.received_on <= until]
    return statement(reclaim=reclaim, repayments=repayments, until=until, rates=base_rates())


def reclaim_interest_overview(*, reclaim: Reclaim, until: date | None = None) -> InterestOverview:
    """The interest statement the page shows (the same one ``repayment_book`` splits by).

    A late-use claim bears interest only until the day of use, so ``until`` stops there.
    """
    until = timezone.localdate() if until is None else until
    if reclaim.interest_until and until > reclaim.interest_until:
        until = reclaim.interest_until
    try:
        return InterestOverview(until, reclaim_interest(reclaim=reclaim, until=until), [], None)
    except DomainError as error:
        missing = missing_half_year(reclaim.interest_from, until, base_rates())
        covered = missing if missing is not None and missing > reclaim.interest_from else None
        return InterestOverview(until, None, error.messages, covered)


def statement(
    *, reclaim: Reclaim, repayments: Sequence[Repayment], until: date, rates: Sequence[tuple[date, Decimal]]
) -> InterestStatement:
    principal_repaid = sum((r.principal_part for r in repayments), ZERO)
    interest_paid = sum((r.interest_part for r in repayments), ZERO)
    principal_outstanding = reclaim.principal - principal_repaid
    segments: tuple[InterestSegment, ...] = ()
    if not reclaim.interest_waived:
        spans = _spans(reclaim, repayments, until)
        margin = reclaim.grant.interest_margin_points
        segments = tuple(
            InterestSegment(amount, start, end, tuple(_pieces(amount, start, end, rates, margin)))
            for amount, start, end in spans
        )
    with decimal.localcontext(prec=50):
        total = sum((p.amount for s in segments for p in s.pieces), ZERO)
    accrued = total.quantize(CENT, rounding=ROUND_HALF_UP)
    owed = interest_paid if reclaim.interest_waived else max(accrued, interest_paid)
    return InterestStatement(
        until=until,
        segments=segments,
        interest_accrued=accrued,
        interest_waived=reclaim.interest_waived,
        interest=owed,
        interest_paid=interest_paid,
        interest_outstanding=owed - interest_paid,
        principal=reclaim.principal,
        principal_repaid=principal_repaid,
        principal_outstanding=principal_outstanding,
    )


def _spans(
    reclaim: Reclaim, repayments: Sequence[Repayment], until: date
) -> list[tuple[Decimal, date, date]]:
    """(principal, start, end) of each segment bearing interest."""
    if reclaim.kind == ReclaimKind.LATE_USE:
        assert reclaim.interest_until is not None
        return [(reclaim.interest_basis, reclaim.interest_from, reclaim.interest_until)]
    spans = []
    outstanding, start = reclaim.interest_basis, reclaim.interest_from
    for repayment in repayments:
        if outstanding > 0 and repayment.received_on > start:
            spans.append((outstanding, start, repayment.received_on))
        outstanding -= repayment.principal_part
        start = max(start, repayment.received_on)
    if outstanding > 0 and until > start:
        spans.append((outstanding, start, until))
    return spans


def _pieces(
    principal: Decimal, start: date, end: date, rates: Sequence[tuple[date, Decimal]], margin: Decimal
) -> list[InterestPiece]:
    missing = missing_half_year(start, end, rates)
    if missing is not None:
        raise DomainError(missing_rate_message(missing))
    try:
        return calculations.interest_pieces(principal, start, end, base_rates=rates, margin_points=margin)
    except LookupError:  # pragma: no cover - missing_half_year finds it first
        raise DomainError(_("A base rate needed for this period is missing.")) from None


def missing_half_year(start: date, end: date, rates: Sequence[tuple[date, Decimal]]) -> date | None:
    """The first half-year in [start, end) without a base rate, or None."""
    known = {valid_from for valid_from, _rate in rates}
    half = date(start.year, 1 if start.month <= 6 else 7, 1)
    while half < end:
        if half not in known:
            return half
        half = date(half.year, 7, 1) if half.month == 1 else date(half.year + 1, 1, 1)
    return None


def missing_rate_message(half_year: date) -> str:
    return _(
        "The base rate for the half-year starting %(date)s is missing. Finance must enter it under "
        "Base rates before interest can be computed."
    ) % {"date": format_date(half_year)}
