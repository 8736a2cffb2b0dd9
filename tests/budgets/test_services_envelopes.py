from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from budgets.models import LedgerEntry
from budgets.selectors import envelope_figures
from budgets.services.envelopes import envelope_adjust
from core.errors import AccessDenied, DomainError
from tests.budgets.factories import (
    FundingProgrammeFactory,
    UserFactory,
    envelope,
    finance_user,
    membership,
    office,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal


def test_creating_an_envelope_books_each_figure_in_the_ledger():
    sn = office(kind="state")
    programme = FundingProgrammeFactory()
    env = envelope(
        office=sn,
        programme=programme,
        allocated=D("100000"),
        carry_over=D("2500.50"),
        reinforcements=D("0"),
        blocked=D("1000"),
    )
    assert sorted(env.entries.values_list("kind", "amount")) == [
        ("allocation", D("100000.00")),
        ("block", D("1000.00")),
        ("carry_over", D("2500.50")),
    ]
    assert envelope_figures([env.pk])[env.pk].available == D("101500.50")


def test_only_finance_staff_of_the_subtree_may_create_envelopes():
    root = office()
    sn = office(parent=root, kind="state")
    th = office(parent=root, kind="state", state="TH")
    programme = FundingProgrammeFactory()
    approver = UserFactory()
    membership(approver, sn, "approver")
    with pytest.raises(AccessDenied):
        envelope(office=sn, programme=programme, by=approver)
    with pytest.raises(AccessDenied):
        envelope(office=sn, programme=programme, by=finance_user(th))
    assert envelope(office=sn, programme=programme, by=finance_user(root)).pk


def test_duplicate_envelope_is_refused():
    sn = office(kind="state")
    programme = FundingProgrammeFactory()
    envelope(office=sn, programme=programme)
    with pytest.raises(DomainError, match="already has an envelope"):
        envelope(office=sn, programme=programme)


def test_negative_amounts_are_refused():
    sn = office(kind="state")
    with pytest.raises(DomainError, match="Allocation must not be negative"):
        envelope(office=sn, programme=FundingProgrammeFactory(), allocated=D("-1"))


def test_blocking_more_than_is_available_is_refused():
    sn = office(kind="state")
    by = finance_user(sn)
    env = envelope(office=sn, programme=FundingProgrammeFactory(), allocated=D("1000"), by=by)
    envelope_adjust(envelope=env, kind="block", amount=D("400"), by=by, comment="Haushaltssperre")
    with pytest.raises(DomainError) as exc:
        envelope_adjust(envelope=env, kind="block", amount=D("600.01"), by=by, comment="mehr Sperre")
    assert "this change would leave -€0.01" in exc.value.messages[0]
    entry = envelope_adjust(envelope=env, kind="block", amount=D("-400"), by=by, comment="Sperre aufgehoben")
    assert entry.amount == D("-400")
    assert envelope_figures([env.pk])[env.pk].available == D("1000")


def test_commitments_cannot_be_booked_as_budget_changes():
    sn = office(kind="state")
    by = finance_user(sn)
    env = envelope(office=sn, programme=FundingProgrammeFactory(), by=by)
    with pytest.raises(DomainError, match="booked by the grant"):
        envelope_adjust(envelope=env, kind="commitment", amount=D("1"), by=by, comment="x")


def test_ledger_rows_cannot_be_updated_or_deleted():
    sn = office(kind="state")
    env = envelope(office=sn, programme=FundingProgrammeFactory())
    entry = env.entries.get()
    entry.amount = D("1")
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    with pytest.raises(TypeError, match="append-only"):
        LedgerEntry.objects.all().delete()


@pytest.mark.postgres
def test_database_refuses_ledger_updates_on_postgresql():
    sn = office(kind="state")
    env = envelope(office=sn, programme=FundingProgrammeFactory())
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE budgets_ledgerentry SET amount = 1 WHERE envelope_id = %s", [env.pk])


def test_database_refuses_a_zero_or_negative_commitment():
    sn = office(kind="state")
    env = envelope(office=sn, programme=FundingProgrammeFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            envelope=env, budget_year=2026, kind="commitment", amount=D("-1"), actor=UserFactory()
        )
