"""Interest for money used after the drawdown window (§ 49a (4) VwVfG, DOMAIN.md §4.3)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import AccessDenied, DomainError
from grants.awards.models import Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_request
from grants.awards.services.reclaim import (
    drawdown_record_use,
    drawdowns_not_used_in_time,
    late_use_interest_claim,
    reclaim_interest,
    reclaim_waive_interest,
    repayment_book,
)
from tests.budgets.factories import UserFactory
from tests.grants.test_services_reclaim import build_grant, ledger, pay, state_of, world  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
PAID = date(2025, 3, 3)  # six weeks later the window ends on 14.04.2025


@pytest.fixture
def paid(world):  # noqa: F811
    grant = build_grant(world, instalments={2025: "15000.00"})
    return pay(grant, world, "12000.00", PAID)


@pytest.fixture
def paid_from_window_end(world):  # noqa: F811
    grant = build_grant(world, instalments={2025: "15000.00"}, late_use_interest_from_window_end=True)
    return pay(grant, world, "12000.00", PAID)


def claim(drawdown, world, used_on):  # noqa: F811
    drawdown_record_use(drawdown=drawdown, used_on=used_on, by=world["carrier"])
    return late_use_interest_claim(drawdown=drawdown, by=world["officer"], decided_on=date(2025, 7, 1))


def test_money_used_seven_weeks_late_bears_217_50_from_payout_until_use(paid, world):  # noqa: F811
    reclaim = claim(paid, world, date(2025, 6, 2))
    assert (reclaim.kind, reclaim.principal, reclaim.interest_basis, reclaim.drawdown) == (
        "late_use",
        D("0.00"),
        D("12000.00"),
        paid,
    )
    assert (reclaim.interest_from, reclaim.interest_until) == (PAID, date(2025, 6, 2))
    statement = reclaim_interest(reclaim=reclaim, until=date(2025, 12, 31))
    # 12,000.00 × 7.27 % × 91/365 = 217.5025 → 217.50
    assert [(p.start, p.end, p.days, p.rate_percent) for p in statement.pieces] == [
        (PAID, date(2025, 6, 2), 91, D("7.27"))
    ]
    assert (statement.interest, statement.principal_outstanding, statement.outstanding) == (
        D("217.50"),
        D("0.00"),
        D("217.50"),
    )
    # Interest only: nothing is reclaimed from the budget, and the project runs on.
    assert not ledger("reclaim")
    assert state_of(paid.grant) == "running"


def test_late_use_interest_is_paid_off_as_interest_and_settles(paid, world):  # noqa: F811
    reclaim = claim(paid, world, date(2025, 6, 2))
    with pytest.raises(DomainError):
        repayment_book(
            reclaim=reclaim, amount=D("217.51"), received_on=date(2025, 7, 20), by=world["finance"]
        )
    repayment = repayment_book(
        reclaim=reclaim, amount=D("217.50"), received_on=date(2025, 7, 20), by=world["finance"]
    )
    assert (repayment.principal_part, repayment.interest_part) == (D("0.00"), D("217.50"))
    assert state_of(reclaim) == "settled"
    assert not ledger("repayment")
    # The interest is booked as interest received, on the year the late-used money was paid from.
    assert ledger("interest") == [(2025, D("217.50"))]
    assert state_of(paid.grant) == "running"


def test_late_use_counts_from_the_day_after_the_window_where_the_programme_says_so(
    paid_from_window_end,
    world,  # noqa: F811
):
    reclaim = claim(paid_from_window_end, world, date(2025, 6, 2))
    assert reclaim.interest_from == date(2025, 4, 15)
    statement = reclaim_interest(reclaim=reclaim)
    # 12,000.00 × 7.27 % × 48/365 (15.04.–01.06.2025) = 114.7266 → 114.73
    assert [(p.start, p.days) for p in statement.pieces] == [(date(2025, 4, 15), 48)]
    assert statement.interest == D("114.73")


def test_money_used_on_the_last_day_of_the_window_bears_no_interest(paid, world):  # noqa: F811
    drawdown_record_use(drawdown=paid, used_on=date(2025, 4, 14), by=world["carrier"])
    with translation.override("en"), pytest.raises(DomainError) as exc:
        late_use_interest_claim(drawdown=paid, by=world["officer"], decided_on=date(2025, 7, 1))
    with translation.override("en"):
        assert exc.value.messages == [
            "The money was used on 04/14/2025, within the drawdown window that ended on 04/14/2025; "
            "no interest is due."
        ]
    assert not Reclaim.objects.exists()


def test_a_day_late_already_bears_interest_from_payout(paid, world):  # noqa: F811
    reclaim = claim(paid, world, date(2025, 4, 15))
    # 12,000.00 × 7.27 % × 43/365 = 102.7759 → 102.78
    assert reclaim_interest(reclaim=reclaim).interest == D("102.78")


def test_interest_for_late_use_is_claimed_once(paid, world):  # noqa: F811
    claim(paid, world, date(2025, 6, 2))
    with pytest.raises(DomainError):
        late_use_interest_claim(drawdown=paid, by=world["officer"], decided_on=date(2025, 7, 2))
    with pytest.raises(DomainError):
        drawdown_record_use(drawdown=paid, used_on=date(2025, 4, 1), by=world["carrier"])
    assert Reclaim.objects.count() == 1


def test_the_day_of_use_is_recorded_only_for_paid_money_and_not_before_payout(paid, world):  # noqa: F811
    with pytest.raises(DomainError):
        drawdown_record_use(drawdown=paid, used_on=date(2025, 3, 2), by=world["carrier"])
    requested = drawdown_request(
        grant=paid.grant,
        by=world["carrier"],
        amount=D("100.00"),
        needed_on=date(2025, 3, 10),
        purpose="Miete",
        today=date(2025, 3, 3),
    )
    with pytest.raises(DomainError):
        drawdown_record_use(drawdown=requested, used_on=date(2025, 3, 10), by=world["carrier"])
    with pytest.raises(DomainError):
        late_use_interest_claim(
            drawdown=paid, by=world["officer"], decided_on=date(2025, 7, 1)
        )  # use unknown
    assert Drawdown.objects.get(pk=paid.pk).used_on is None


def test_only_the_carrier_or_a_case_officer_records_the_use_and_only_deciders_claim(paid, world):  # noqa: F811
    for user in (world["finance"], world["mv_officer"], UserFactory()):
        with pytest.raises(AccessDenied):
            drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 2), by=user)
    drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 2), by=world["officer"])
    for user in (world["carrier"], world["finance"], world["mv_officer"]):
        with pytest.raises(AccessDenied):
            late_use_interest_claim(drawdown=paid, by=user, decided_on=date(2025, 7, 1))
    assert not Reclaim.objects.exists()


def test_waived_late_use_interest_settles_at_once(paid, world):  # noqa: F811
    reclaim = claim(paid, world, date(2025, 6, 2))
    reclaim_waive_interest(reclaim=reclaim, reason="Verzögerung durch Lieferanten", by=world["approver"])
    assert state_of(reclaim) == "settled"
    assert reclaim_interest(reclaim=Reclaim.objects.get(pk=reclaim.pk)).interest == D("0.00")


def test_drawdowns_not_used_in_time_are_listed_once_the_window_is_over(paid, world):  # noqa: F811
    assert drawdowns_not_used_in_time(today=date(2025, 4, 14)) == []
    assert drawdowns_not_used_in_time(today=date(2025, 4, 15)) == [paid]
    drawdown_record_use(drawdown=paid, used_on=date(2025, 4, 10), by=world["carrier"])
    assert drawdowns_not_used_in_time(today=date(2025, 5, 1)) == []
    drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 2), by=world["carrier"])
    assert drawdowns_not_used_in_time(today=date(2025, 6, 3)) == [paid]
    late_use_interest_claim(drawdown=paid, by=world["officer"], decided_on=date(2025, 7, 1))
    assert drawdowns_not_used_in_time(today=date(2025, 7, 2)) == []
