"""What integrators do through the API, end to end, with the services behind it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgets.selectors import rollup
from grants.applications.models import Application, ApplicationState
from grants.awards.models import ProofOfUse, Receipt
from grants.awards.payments.models import Drawdown
from reporting.services import grant_notice_issue
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db


def test_a_carrier_applies_through_the_api_and_the_office_decides(api, workflow, clock):
    clock.set(2026, 3, 2)
    workflow.fund()
    carrier = make_token(workflow.carrier)
    created = api.post(
        "/applications",
        carrier,
        {
            "organisation_id": workflow.organisation.pk,
            "programme_id": workflow.programme.pk,
            "office_id": workflow.office.pk,
            "title": "Demokratiewerkstatt",
            "summary": "Workshops",
            "goals": "Beteiligung",
            "target_groups": "Jugendliche",
            "region": "Leipzig",
            "start_date": "2026-04-01",
            "end_date": "2026-12-31",
        },
    )
    assert created.status_code == 201, created.json()
    application = created.json()
    assert application["state"] == "draft"
    assert application["reference"].startswith("A-2026-")
    assert application["steps"] == ["submit", "withdraw"]
    pk = application["id"]
    # Submitting without a plan is refused with the programme rules, in German.
    refused = api.post(f"/applications/{pk}/steps/submit", carrier)
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json; charset=utf-8"
    assert refused.json()["type"] == "/api/v1/problems/domain-rule"
    assert refused.json()["errors"]
    plan = {
        "expenditure": [
            {"category": "staff", "description": "Projektleitung", "budget_year": 2026, "amount": "10000.00"}
        ],
        "cover": [
            {"kind": "own", "budget_year": 2026, "amount": "1000.00"},
            {"kind": "grant", "budget_year": 2026, "amount": "9000"},
        ],
    }
    planned = api.put(f"/applications/{pk}/financing-plan", carrier, plan)
    assert planned.status_code == 200, planned.json()
    assert planned.json()["requested_grant"] == "9000.00"
    assert planned.json()["rule_errors"] == []
    assert api.post(f"/applications/{pk}/steps/submit", carrier).json()["state"] == "submitted"
    # Changing it after submission is the service's refusal.
    late = api.patch(f"/applications/{pk}", carrier, {"title": "Neu"})
    assert late.status_code == 422
    officer = make_token(workflow.officer)
    for step in ("start_formal_check", "complete_formal_check"):
        assert api.post(f"/applications/{pk}/steps/{step}", officer).status_code == 200
    missing = api.post(f"/applications/{pk}/steps/propose_approval", officer, {})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/body/instalments"
    proposed = api.post(
        f"/applications/{pk}/steps/propose_approval",
        officer,
        {"instalments": [{"budget_year": 2026, "amount": "9000.00"}], "comment": "passt"},
    )
    assert proposed.json()["state"] == "approval_proposed"
    approved = api.post(f"/applications/{pk}/steps/approve", make_token(workflow.approver))
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "approved"
    assert Application.objects.get(pk=pk).grant.granted_amount == Decimal("9000.00")


def test_unknown_ids_in_a_body_are_named(api, workflow):
    response = api.post(
        "/applications",
        make_token(workflow.carrier),
        {
            "organisation_id": workflow.organisation.pk,
            "programme_id": 999,
            "office_id": workflow.office.pk,
            "title": "x",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": "/body/programme_id", "detail": "Unbekannte ID 999."}]


def test_a_carrier_cannot_apply_for_a_foreign_organisation(api, workflow):
    response = api.post(
        "/applications",
        make_token(workflow.carrier),
        {
            "organisation_id": workflow.other_organisation.pk,
            "programme_id": workflow.programme.pk,
            "office_id": workflow.office.pk,
            "title": "Fremd",
        },
    )
    assert response.status_code == 403
    assert response.json()["rule"] == "grants.create_application"
    assert not Application.objects.exists()


def test_an_invalid_body_is_a_problem_with_pointers(api, grant_world):
    response = api.post(
        f"/grants/{grant_world.grant.pk}/drawdowns", grant_world.token("carrier"), {"amount": "abc"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/api/v1/problems/invalid-request"
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/body/amount", "/body/needed_on", "/body/purpose"} <= pointers


def test_funds_are_requested_certified_ordered_and_booked_through_the_api(api, grant_world):
    world = grant_world
    response = api.post(
        f"/grants/{world.grant.pk}/drawdowns",
        world.token("carrier"),
        {"amount": "500.50", "needed_on": "2026-03-20", "purpose": "Material"},
    )
    assert response.status_code == 201, response.json()
    drawdown = response.json()
    assert drawdown["amount"] == "500.50"
    assert drawdown["steps"] == ["cancel"]
    pk = drawdown["id"]
    too_much = api.post(
        f"/grants/{world.grant.pk}/drawdowns",
        world.token("carrier"),
        {"amount": "9000", "needed_on": "2026-03-20", "purpose": "Alles"},
    )
    assert too_much.status_code == 422
    assert "7.499,50 €" in too_much.json()["detail"]
    officer = world.token("officer")
    assert api.get(f"/drawdowns/{pk}", officer).json()["steps"] == ["certify", "reject"]
    assert api.post(f"/drawdowns/{pk}/steps/certify", officer, {}).json()["state"] == "certified"
    finance = world.token("finance")
    assert api.post(f"/drawdowns/{pk}/steps/order", finance, {}).json()["state"] == "ordered"
    no_date = api.post(f"/drawdowns/{pk}/steps/book", finance, {})
    assert no_date.status_code == 422
    booked = api.post(f"/drawdowns/{pk}/steps/book", finance, {"paid_on": "2026-03-02"})
    assert booked.json()["state"] == "paid"
    payments = api.get("/payments", world.token("carrier")).json()["items"]
    assert payments == [
        {
            "id": pk,
            "grant_id": world.grant.pk,
            "file_number": world.grant.file_number,
            "budget_year": 2026,
            "amount": "500.50",
            "paid_on": "2026-03-02",
            "purpose": "Material",
            "payment_run_id": None,
        }
    ]
    assert api.get("/payments", world.token("carrier"), paid_from="2026-03-03").json()["items"] == []
    grant = api.get(f"/grants/{world.grant.pk}", world.token("carrier")).json()
    assert grant["state"] == "running"
    assert grant["instalments"] == [
        {
            "budget_year": 2026,
            "instalment": "9000.00",
            "in_progress": "1000.00",
            "paid": "500.50",
            "headroom": "7499.50",
        }
    ]


def test_a_receipt_list_is_taken_whole_or_not_at_all(api, grant_world):
    proof = ProofOfUse.objects.get(grant=grant_world.grant)
    token = grant_world.token("carrier")
    detail = api.get(f"/proofs/{proof.pk}", token).json()
    first = detail["plan_lines"][0]
    assert (first["number"], first["label"]) == ("1", "1 · Projektleitung (2026)")
    receipts = [
        {
            "number": "R-1",
            "paid_on": "2026-03-01",
            "counterparty": "Druckerei Müller",
            "reason": "Flyer",
            "amount": "120.50",
            "plan_line": "1",
        },
        {
            "number": "R-2",
            "paid_on": "2025-12-01",
            "counterparty": "Honorar",
            "reason": "Workshop",
            "amount": "300",
            "plan_line": "1",
        },
        {
            "number": "R-1",
            "paid_on": "2026-03-02",
            "counterparty": "Bäckerei",
            "reason": "Verpflegung",
            "amount": "20",
            "plan_line": "9",
        },
    ]
    refused = api.post(f"/proofs/{proof.pk}/receipts", token, {"receipts": receipts})
    assert refused.status_code == 422
    body = refused.json()
    assert body["type"] == "/api/v1/problems/domain-rule"
    assert body["detail"] == "2 von 3 Belegen verstoßen gegen eine Regel; es wurde nichts gespeichert."
    assert [e["pointer"] for e in body["errors"]] == [
        "/body/receipts/1",
        "/body/receipts/2",
        "/body/receipts/2",
    ]
    assert "liegt außerhalb des Bewilligungszeitraums" in body["errors"][0]["detail"]
    assert not Receipt.objects.exists()
    good = [receipts[0], {**receipts[1], "paid_on": "2026-02-15"}]
    checked = api.post(f"/proofs/{proof.pk}/receipts", token, {"receipts": good, "dry_run": True})
    assert checked.status_code == 200
    assert checked.json() == {"dry_run": True, "created": 0, "checked": 2}
    assert not Receipt.objects.exists()
    written = api.post(f"/proofs/{proof.pk}/receipts", token, {"receipts": good})
    assert written.status_code == 201
    assert written.json() == {"dry_run": False, "created": 2, "checked": 2}
    listed = api.get(f"/proofs/{proof.pk}/receipts", token).json()["items"]
    assert [(r["number"], r["amount"]) for r in listed] == [("R-1", "120.50"), ("R-2", "300.00")]
    again = api.post(f"/proofs/{proof.pk}/receipts", token, {"receipts": good})
    assert again.status_code == 422  # the numbers are taken now
    assert api.get(f"/proofs/{proof.pk}", token).json()["receipts_total"] == "420.50"
    # The office reads the list but hands nothing in for the carrier.
    officer = api.post(
        f"/proofs/{proof.pk}/receipts", grant_world.token("officer"), {"receipts": good, "replace": True}
    )
    assert officer.status_code == 403
    assert officer.json()["rule"] == "grants.edit_proof"


def test_ledger_and_rollups_count_the_grants_commitment(api, grant_world, workflow):
    token = grant_world.token("approver")
    entries = api.get("/ledger-entries", token, reference=grant_world.grant.file_number).json()["items"]
    assert [(e["kind"], e["amount"], e["budget_year"]) for e in entries] == [("commitment", "9000.00", 2026)]
    rows = api.get("/rollups", token, group_by=["office", "year"]).json()
    assert rows["group_by"] == ["office", "year"]
    by_year = {r["year"]: r for r in rows["rows"]}
    expected = rollup(paths=[workflow.state_office.path], year=2026, count_once=True)[0]
    assert by_year[2026]["committed"] == f"{expected.committed:.2f}" == "9000.00"
    assert by_year[2026]["available"] == f"{expected.available:.2f}"
    assert by_year[2026]["office_id"] == workflow.state_office.pk
    assert by_year[2026]["programme_id"] is None


def test_documents_link_to_the_site_and_serve_the_pdf_to_whoever_may_see_them(api, grant_world):
    document = grant_notice_issue(grant=grant_world.grant)
    items = api.get("/documents", grant_world.token("carrier")).json()["items"]
    assert [d["id"] for d in items] == [document.pk]
    assert items[0]["kind"] == "grant_notice"
    assert items[0]["download_url"] == f"http://testserver/dokumente/{document.pk}/"
    content = api.get(f"/documents/{document.pk}/content", grant_world.token("carrier"))
    assert content.status_code == 200
    assert content["Content-Type"] == "application/pdf"
    assert b"".join(content.streaming_content).startswith(b"%PDF")
    # Logged as the site's download is.
    from accounts.models import SecurityEvent, SecurityEventKind

    logged = SecurityEvent.objects.filter(kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD).get()
    assert logged.user == grant_world.workflow.carrier
    assert api.get(f"/documents/{document.pk}/content", grant_world.token("other_carrier")).status_code == 404


def test_lists_page_with_a_cursor_in_creation_order(api, grant_world):
    world = grant_world
    for day in (11, 12, 13):
        api.post(
            f"/grants/{world.grant.pk}/drawdowns",
            world.token("carrier"),
            {"amount": "10", "needed_on": f"2026-03-{day}", "purpose": f"Teil {day}"},
        )
    ids = list(Drawdown.objects.order_by("pk").values_list("pk", flat=True))
    first = api.get("/drawdowns", world.token("officer"), limit=3).json()
    assert [d["id"] for d in first["items"]] == ids[:3]
    second = api.get("/drawdowns", world.token("officer"), limit=3, cursor=first["next_cursor"]).json()
    assert [d["id"] for d in second["items"]] == ids[3:]
    assert second["next_cursor"] is None
    bad = api.get("/drawdowns", world.token("officer"), cursor="nonsense")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"pointer": "/query/cursor", "detail": "Unbekannter Cursor."}]


def test_filters_are_the_list_pages_filters(api, grant_world, workflow):
    officer = grant_world.token("ancestor_officer")
    assert len(api.get("/grants", officer, q="SN-L").json()["items"]) == 1
    assert api.get("/grants", officer, q="nichts").json()["items"] == []
    assert len(api.get("/grants", officer, office=workflow.office.pk).json()["items"]) == 1
    assert api.get("/grants", officer, office=workflow.sibling_office.pk).json()["items"] == []
    # An office outside the user's subtree does not validate: the page shows nothing, so do we.
    assert api.get("/grants", officer, office=workflow.unrelated_office.pk).json()["items"] == []
    assert api.get("/applications", officer, state="approved").json()["items"][0]["state"] == "approved"
    assert api.get("/applications", officer, state="submitted").json()["items"] == []
    assert len(api.get("/drawdowns", officer, state="requested").json()["items"]) == 1
    assert api.get("/drawdowns", officer, state="paid").json()["items"] == []
    assert (
        api.get("/applications", make_token(workflow.carrier), state=ApplicationState.DRAFT).json()["items"]
        == []
    )
