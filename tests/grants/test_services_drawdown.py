from datetime import date
from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.awards.models import Grant
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_cancel,
    drawdown_certify,
    drawdown_order,
    drawdown_reject,
    drawdown_request,
)
from tests.budgets.factories import UserFactory, envelope, membership, office
from tests.grants.test_services_grant import approve

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture
def world():
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", code="SN", kind="state", state="SN")
    officer, approver, finance, finance2 = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    membership(officer, sn, "case_officer")
    membership(approver, sn, "approver")
    membership(finance, sn, "finance")
    membership(finance2, sn, "finance")
    return {
        "root": root,
        "sn": sn,
        "officer": officer,
        "approver": approver,
        "finance": finance,
        "finance2": finance2,
    }


@pytest.fixture
def grant(world):
    from tests.budgets.factories import FundingProgrammeFactory

    programme = FundingProgrammeFactory(drawdown_window_value=6, drawdown_window_unit="weeks")
    envelope(office=world["sn"], programme=programme, budget_year=2026, allocated=Decimal("50000"))
    grant, carrier = approve(world, programme=programme)
    world["carrier"] = carrier
    return grant


def request(grant, world, amount="3000.00", needed_on=date(2026, 3, 20), **kwargs):
    return drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=Decimal(amount),
        needed_on=needed_on,
        purpose="Honorare März",
        today=kwargs.pop("today", TODAY),
    )


def test_a_drawdown_goes_from_request_to_payment_and_books_the_disbursement(grant, world):
    d = request(grant, world)
    d = drawdown_certify(drawdown=d, by=world["officer"])
    d = drawdown_order(drawdown=d, by=world["finance"])
    d = drawdown_book_payment(drawdown=d, by=world["finance2"], paid_on=date(2026, 3, 5))
    assert (d.state, d.paid_on) == ("paid", date(2026, 3, 5))
    entry = LedgerEntry.objects.get(kind="disbursement")
    assert (entry.reference, entry.budget_year, entry.amount) == (grant.file_number, 2026, Decimal("3000.00"))
    assert Grant.objects.get(pk=grant.pk).state == "running"
    assert [s.state for s in StateLog.objects.for_(d).order_by("pk")] == ["certified", "ordered", "paid"]


def test_requests_cannot_exceed_the_instalment_minus_what_was_requested(grant, world):
    request(grant, world, amount="6000.00")
    with pytest.raises(DomainError) as exc:
        request(grant, world, amount="2500.01")
    assert len(exc.value.messages) == 1
    assert "2.500,01 €" in exc.value.messages[0] and "8.500,00 €" in exc.value.messages[0]
    assert "2.500,00 €" in exc.value.messages[0]
    request(grant, world, amount="2500.00")


def test_money_must_be_needed_within_the_drawdown_window(grant, world):
    # 6 weeks from 02.03.2026 ends on 13.04.2026.
    request(grant, world, needed_on=date(2026, 4, 13))
    with pytest.raises(DomainError) as exc:
        request(grant, world, needed_on=date(2026, 4, 14))
    assert any("13.04.2026" in m for m in exc.value.messages)
    with pytest.raises(DomainError):
        request(grant, world, needed_on=date(2026, 3, 1))


def test_payout_waits_for_a_final_notice_where_the_programme_requires_it(world):
    from tests.budgets.factories import FundingProgrammeFactory

    programme = FundingProgrammeFactory(payout_requires_final_notice=True)
    envelope(office=world["sn"], programme=programme, budget_year=2026, allocated=Decimal("50000"))
    grant, carrier = approve(world, programme=programme)
    world["carrier"] = carrier
    with pytest.raises(DomainError) as exc:
        request(grant, world)
    assert exc.value.messages == [
        "Dieses Programm zahlt erst nach Bestandskraft des Bescheids aus; der Bescheid ist noch nicht bestandskräftig."
    ]


def test_certifier_cannot_order_the_payment(grant, world):
    membership(world["officer"], world["sn"], "finance")
    officer = type(world["officer"]).objects.get(pk=world["officer"].pk)  # roles are cached per user object
    d = drawdown_certify(drawdown=request(grant, world), by=officer)
    with pytest.raises(DomainError, match=r"Four-eyes|Vier-Augen"):
        drawdown_order(drawdown=d, by=officer)
    assert d.__class__.objects.get(pk=d.pk).state == "certified"


def test_nobody_orders_a_payment_to_their_own_organisation(grant, world):
    from grants.models import OrganisationMembership

    OrganisationMembership.objects.create(user=world["finance"], organisation=grant.organisation)
    d = drawdown_certify(drawdown=request(grant, world), by=world["officer"])
    with pytest.raises(DomainError):
        drawdown_order(drawdown=d, by=world["finance"])


def test_roles_are_checked_for_each_step(grant, world):
    d = request(grant, world)
    stranger = UserFactory()
    for step, user in [
        (drawdown_certify, world["finance"]),
        (drawdown_certify, world["carrier"]),
        (drawdown_certify, stranger),
    ]:
        with pytest.raises(AccessDenied):
            step(drawdown=d, by=user)
    d = drawdown_certify(drawdown=d, by=world["officer"])
    for user in (world["officer"], world["carrier"], stranger):
        with pytest.raises(AccessDenied):
            drawdown_order(drawdown=d, by=user)
    with pytest.raises(AccessDenied):
        drawdown_request(
            grant=grant,
            by=stranger,
            amount=Decimal("1"),
            needed_on=date(2026, 3, 20),
            purpose="x",
            today=TODAY,
        )


def test_rejected_and_cancelled_requests_free_the_headroom(grant, world):
    d1 = request(grant, world, amount="8500.00")
    drawdown_reject(drawdown=d1, by=world["officer"], comment="Belege fehlen")
    d2 = request(grant, world, amount="8500.00")
    drawdown_cancel(drawdown=d2, by=world["carrier"])
    request(grant, world, amount="8500.00")


def test_a_failed_booking_writes_nothing(grant, world):
    d = drawdown_order(
        drawdown=drawdown_certify(drawdown=request(grant, world), by=world["officer"]), by=world["finance"]
    )
    with pytest.raises(AccessDenied):
        drawdown_book_payment(drawdown=d, by=world["officer"], paid_on=date(2026, 3, 5))
    assert d.__class__.objects.get(pk=d.pk).state == "ordered"
    assert not LedgerEntry.objects.filter(kind="disbursement").exists()
