"""Approval commits the annual instalments; an approval that does not fit writes nothing."""

from decimal import Decimal

import pytest
from django.core import mail

from budgets.models import LedgerEntry
from core.errors import DomainError
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import Grant
from grants.awards.services.award import application_approve
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, add_plan, carrier_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal


@pytest.fixture
def proposed(django_capture_on_commit_callbacks):
    """An application of a local office whose approval (9,000.00 in 2026) is proposed."""
    root = office(kind="federal", name="Bundesamt", short_name="BAFzA")
    sn = office(parent=root, kind="state", name="Demokratie-Zentrum Sachsen", short_name="DZ SN")
    le = office(parent=sn, kind="local", name="PfD Leipzig", short_name="PfD LE")
    programme = FundingProgrammeFactory(code="WS")
    app = ApplicationFactory(office=le, programme=programme)
    add_plan(app, expenditure=D("10000"), own=D("1000"))
    carrier = carrier_user(app.organisation)
    officer, approver = UserFactory(), UserFactory()
    membership(officer, sn, "case_officer")
    membership(approver, sn, "approver")
    with django_capture_on_commit_callbacks(execute=True):
        app = application_submit(application=app, by=carrier)
        app = application_start_formal_check(application=app, by=officer)
        app = application_complete_formal_check(application=app, by=officer)
        app = application_propose_approval(application=app, by=officer, instalments={2026: D("9000")})
    return app, sn, approver


def test_approval_commits_each_instalment_against_the_matching_envelope(
    proposed, django_capture_on_commit_callbacks
):
    app, sn, approver = proposed
    env = envelope(office=sn, programme=app.programme, budget_year=2026, allocated=D("20000"))
    with django_capture_on_commit_callbacks(execute=True):
        app = application_approve(application=app, by=approver)
    assert app.state == "approved"
    file_number = Grant.objects.get(application=app).file_number
    entries = list(LedgerEntry.objects.filter(kind="commitment"))
    assert [
        (e.envelope_id, e.budget_year, e.amount, e.reference, e.actor_id, e.comment) for e in entries
    ] == [(env.pk, 2026, D("9000.00"), file_number, approver.pk, app.reference)]


def test_approval_that_does_not_fit_writes_nothing(proposed, django_capture_on_commit_callbacks):
    app, sn, approver = proposed
    envelope(
        office=sn, programme=app.programme, budget_year=2026, allocated=D("8000"), budget_title="0601 684 21"
    )
    mails_before, entries_before = len(mail.outbox), LedgerEntry.objects.count()
    with pytest.raises(DomainError) as exc, django_capture_on_commit_callbacks(execute=True):
        application_approve(application=app, by=approver)
    assert exc.value.messages == [
        "Budget year 2026: envelope 0601 684 21 (DZ SN, WS) has €8,000.00 available, but €9,000.00 are "
        "requested (shortfall €1,000.00)."
    ]
    app.refresh_from_db()
    assert app.state == "approval_proposed"
    assert LedgerEntry.objects.count() == entries_before
    assert not Grant.objects.filter(application=app).exists()
    assert len(mail.outbox) == mails_before
