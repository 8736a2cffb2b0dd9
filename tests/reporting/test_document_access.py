"""Who may download which finance document."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from reporting.models import BudgetReport, Document
from reporting.tasks import (
    generate_budget_report,
)
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.finance_builders import (  # noqa: F401
    BERLIN,
    D,
    _at,
    _flat,
    _read,
    dated_drawdown,
    grant_2025,
    ordered_drawdown,
    reclaim_for,
    settlement_for,
)

pytestmark = pytest.mark.django_db


# --- who may download --------------------------------------------------------------------------


def _download(client, user, document):
    client.force_login(user)
    return client.get(reverse("document_download", args=[document.pk]))


@pytest.fixture
def strangers(world):
    other_carrier = carrier_user(OrganisationFactory(name="Kulturverein Zittau e.V."))
    unrelated = UserFactory()
    membership(unrelated, world["other"], "finance")
    return [other_carrier, unrelated, UserFactory()]


def test_payment_order_downloads_follow_the_application(
    client, world, finance, strangers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ordered_drawdown(world, finance)
    document = Document.objects.get(kind="payment_order")
    for user in (world["officer"], finance):
        assert _download(client, user, document).status_code == 200
    # An internal paper of the authority: the carrier does not get it.
    for user in (*strangers, world["carrier"]):
        assert _download(client, user, document).status_code == 404


def test_settlement_and_reclaim_documents_are_hidden_from_strangers(
    client, world, strangers, django_capture_on_commit_callbacks
):
    grant = grant_2025(world)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_for(world, grant)
        reclaim_for(world, grant)
    memo = Document.objects.get(kind="settlement_memo")
    decision = Document.objects.get(kind="reclaim_decision")
    # The decision is addressed to the carrier; the memo stays in the office's files.
    assert _download(client, world["carrier"], decision).status_code == 200
    assert _download(client, world["carrier"], memo).status_code == 404
    assert _download(client, world["officer"], memo).status_code == 200
    for document in (memo, decision):
        for user in strangers:
            assert _download(client, user, document).status_code == 404


def test_budget_report_downloads_follow_the_budget_subtree(
    client, world, finance, strangers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = BudgetReport.objects.create(office=world["sn"], budget_year=2026, requested_by=finance)
        generate_budget_report.delay(report.pk)
    document = Document.objects.get(kind="budget_report")
    auditor = UserFactory()
    membership(auditor, world["root"], "auditor")
    for user in (finance, auditor):
        assert _download(client, user, document).status_code == 200
    # Carriers, staff of another office and case officers without a budget role see nothing.
    for user in (*strangers, world["carrier"], world["officer"]):
        assert _download(client, user, document).status_code == 404
    assert ContentType.objects.get_for_model(BudgetReport) == document.content_type
