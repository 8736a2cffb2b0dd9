"""No N+1: every list endpoint costs the same number of queries for a page of 1 row as for a
page of 20 (the same data, two page sizes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetEnvelope, CoordinatingOffice, LedgerEntry
from grants.applications.models import Application
from grants.awards.models import Grant, ProofKind, ProofOfUse, Receipt
from grants.awards.payments.models import Drawdown, PaymentRun
from reporting.models import Document
from tests.budgets.factories import FundingProgrammeFactory, office
from tests.grants.factories import ApplicationFactory, add_plan

pytestmark = pytest.mark.django_db

ROWS = 20


@pytest.fixture
def many(grant_world, workflow):
    """At least 20 rows of everything the lists show, all visible to the people below."""
    grant = grant_world.grant
    plan = grant.plan_versions.get()
    line = plan.lines.get(side="expenditure")
    for i in range(ROWS):
        app = ApplicationFactory(
            office=workflow.office, organisation=workflow.organisation, programme=workflow.programme
        )
        add_plan(app)
        # Handed in, so that office staff see it too (the state as the submission leaves it).
        Application.objects.filter(pk=app.pk).update(submitted_at=grant.approved_at, state="submitted")
        copy = Grant.objects.get(pk=grant.pk)
        copy.pk = None
        copy.application = app
        copy.file_number = f"SN-L-WOS-2026-{i + 100:04d}"
        copy.save()
        Drawdown.objects.create(
            grant=grant,
            budget_year=2026,
            amount=Decimal("10.00"),
            needed_on=date(2026, 3, 10),
            purpose=f"Teil {i}",
            requested_by=workflow.carrier,
        )
        ProofOfUse.objects.create(
            grant=grant, kind=ProofKind.INTERIM, budget_year=2000 + i, plan=plan, due_on=date(2026, 4, 30)
        )
        Receipt.objects.create(
            proof=grant.proofs.get(kind=ProofKind.FINAL),
            number=f"R-{i}",
            paid_on=date(2026, 2, 1),
            counterparty="Druckerei",
            reason="Flyer",
            amount=Decimal("1.00"),
            plan_line=line,
        )
        Document.objects.create(
            application=grant.application,
            content_type=ContentType.objects.get_for_model(Drawdown),
            object_id=10_000 + i,
            kind="payment_order",
            file=f"documents/x{i}.pdf",
            file_name=f"Auszahlungsanordnung-{i}.pdf",
            size=1,
            sha256="0" * 64,
        )
        PaymentRun.objects.create(
            reference=f"ZL-{i}",
            execution_date=date(2026, 3, 3),
            debtor_name="Kasse",
            debtor_iban="DE02120300000000202051",
            debtor_bic="BYLADEM1001",
            total_amount=Decimal("1.00"),
            payment_count=0,
            file_name="x.xml",
            created_by=workflow.finance,
        )
        FundingProgrammeFactory(name=f"Programm {i}", code=f"P{i}")
        office(parent=workflow.office, name=f"Stelle {i:02d}", code=f"SN-L-{i}", kind="local")
    envelope = BudgetEnvelope.objects.filter(office=workflow.state_office).first()
    for _i in range(ROWS):
        LedgerEntry.objects.create(
            envelope=envelope,
            budget_year=2026,
            kind="allocation",
            amount=Decimal("1.00"),
            actor=workflow.finance,
        )
    assert CoordinatingOffice.objects.count() > ROWS
    return grant_world


def _queries(api, path, token, **params):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, token, **params)
    assert response.status_code == 200, response.json()
    assert len(response.json()["items"]) == params["limit"], path
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/programmes", "carrier"),
        ("/offices", "carrier"),
        ("/applications", "carrier"),
        ("/applications", "ancestor_officer"),
        ("/grants", "carrier"),
        ("/grants", "officer"),
        ("/drawdowns", "officer"),
        ("/proofs", "carrier"),
        ("/proofs/{final}/receipts", "carrier"),
        ("/documents", "officer"),
        ("/payment-runs", "finance"),
        ("/ledger-entries", "approver"),
    ],
)
def test_a_list_costs_the_same_queries_for_1_and_for_20_rows(api, many, path, role):
    token = many.token(role)
    final = many.grant.proofs.get(kind=ProofKind.FINAL).pk
    path = path.format(final=final)
    # Warm up: the token's first use of the minute is recorded, content types are cached.
    api.get(path, token, limit=1)
    assert _queries(api, path, token, limit=1) == _queries(api, path, token, limit=ROWS)


def test_payments_cost_the_same_queries_for_1_and_for_20_rows(api, many):
    for drawdown in Drawdown.objects.all():
        Drawdown.objects.filter(pk=drawdown.pk).update(state="paid", paid_on=date(2026, 3, 1))
    token = many.token("carrier")
    api.get("/payments", token, limit=1)
    assert _queries(api, "/payments", token, limit=1) == _queries(api, "/payments", token, limit=ROWS)
