from decimal import Decimal

import pytest
from django.core import mail

from core.errors import DomainError
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
    default_instalments,
)
from grants.awards.services.award import application_approve
from tests.budgets.factories import UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


def test_approval_needs_a_second_person(django_capture_on_commit_callbacks):
    root = office(state="NW", kind="federal")
    sn = office(parent=root, kind="state")
    app = ApplicationFactory(office=sn)
    add_plan(app)
    envelope(office=sn, programme=app.programme, budget_year=2026)
    carrier = carrier_user(app.organisation)
    officer, approver = UserFactory(), UserFactory()
    membership(officer, sn, "case_officer")
    membership(officer, root, "approver")
    membership(approver, root, "approver")
    with django_capture_on_commit_callbacks(execute=True):
        app = application_submit(application=app, by=carrier)
        app = application_start_formal_check(application=app, by=officer)
        app = application_complete_formal_check(application=app, by=officer)
        app = application_propose_approval(application=app, by=officer, instalments=default_instalments(app))
    with pytest.raises(DomainError, match=r"Vier-Augen|Four-eyes"):
        application_approve(application=app, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        app = application_approve(application=app, by=approver)
    assert app.state == "approved"
    assert app.proposed_amount == Decimal("9000.00")
    assert len(mail.outbox) == 5
