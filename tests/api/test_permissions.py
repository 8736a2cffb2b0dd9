"""The permission matrix through the API: exactly the pages' rules.

Not visible → 404 (existence is not revealed); visible but not allowed → 403 with the rule's
sentence and name; tokens act only within their scope and only while neither expired nor
revoked.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_revoke
from grants.applications.models import ApplicationState
from grants.awards.payments.models import Drawdown
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json; charset=utf-8"


def _drawdown(world):
    return Drawdown.objects.get(grant=world.grant)


# --- who sees what: 404 for the invisible --------------------------------------------------


@pytest.mark.parametrize(
    "role", ["other_carrier", "sibling_officer", "unrelated_officer", "sibling_approver"]
)
def test_a_foreign_organisation_or_another_office_does_not_learn_the_grant_exists(api, grant_world, role):
    token = grant_world.token(role)
    grant = grant_world.grant
    for path in (
        f"/grants/{grant.pk}",
        f"/applications/{grant.application_id}",
        f"/drawdowns/{_drawdown(grant_world).pk}",
    ):
        response = api.get(path, token)
        assert response.status_code == 404, (role, path)
        assert response["Content-Type"] == PROBLEM
        assert response.json()["type"] == "/api/v1/problems/not-found"
    assert api.get("/grants", token).json()["items"] == []
    assert api.get("/drawdowns", token).json()["items"] == []


@pytest.mark.parametrize("role", ["carrier", "officer", "ancestor_officer", "approver", "finance", "auditor"])
def test_the_carrier_and_staff_of_the_office_and_above_see_the_grant(api, grant_world, role):
    token = grant_world.token(role)
    assert api.get(f"/grants/{grant_world.grant.pk}", token).status_code == 200
    assert [g["id"] for g in api.get("/grants", token).json()["items"]] == [grant_world.grant.pk]


def test_staff_do_not_see_a_carriers_draft_that_was_never_handed_in(api, workflow):
    draft = workflow.draft()
    assert api.get(f"/applications/{draft.pk}", make_token(workflow.officer)).status_code == 404
    assert api.get(f"/applications/{draft.pk}", make_token(workflow.carrier)).status_code == 200
    assert api.get("/applications", make_token(workflow.officer)).json()["items"] == []


def test_a_foreign_carrier_cannot_act_on_an_invisible_drawdown_either(api, grant_world):
    drawdown = _drawdown(grant_world)
    response = api.post(f"/drawdowns/{drawdown.pk}/steps/cancel", grant_world.token("other_carrier"), {})
    assert response.status_code == 404
    drawdown.refresh_from_db()
    assert drawdown.is_requested


# --- visible but not allowed: 403 with the rule ---------------------------------------------


def test_an_auditor_reads_but_may_not_certify(api, grant_world):
    token = grant_world.token("auditor")
    drawdown = _drawdown(grant_world)
    assert api.get(f"/drawdowns/{drawdown.pk}", token).json()["steps"] == []
    response = api.post(f"/drawdowns/{drawdown.pk}/steps/certify", token, {})
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "/api/v1/problems/access-denied",
        "title": "Zugriff verweigert",
        "status": 403,
        "detail": (
            "Nur die Sachbearbeitung der bewilligenden Stelle kann einen Mittelabruf sachlich und "
            "rechnerisch richtig zeichnen."
        ),
        "rule": "grants.certify_drawdown",
    }
    drawdown.refresh_from_db()
    assert drawdown.is_requested


def test_the_carrier_may_not_certify_its_own_request_and_staff_may_not_request(api, grant_world):
    drawdown = _drawdown(grant_world)
    response = api.post(f"/drawdowns/{drawdown.pk}/steps/certify", grant_world.token("carrier"), {})
    assert response.status_code == 403
    assert response.json()["rule"] == "grants.certify_drawdown"
    response = api.post(
        f"/grants/{grant_world.grant.pk}/drawdowns",
        grant_world.token("officer"),
        {"amount": "100.00", "needed_on": "2026-03-10", "purpose": "Miete"},
    )
    assert response.status_code == 403
    assert response.json()["rule"] == "grants.request_drawdown"
    assert response.json()["detail"] == "Nur der Zuwendungsempfänger kann Mittel abrufen."


def test_four_eyes_whoever_certified_may_not_order(api, grant_world, workflow):
    from budgets.models import OfficeMembership

    drawdown = _drawdown(grant_world)
    officer = grant_world.token("officer")
    assert api.post(f"/drawdowns/{drawdown.pk}/steps/certify", officer, {}).json()["state"] == "certified"
    OfficeMembership.objects.create(user=workflow.officer, office=workflow.office, role="finance")
    response = api.post(f"/drawdowns/{drawdown.pk}/steps/order", officer, {})
    assert response.status_code == 403
    assert response.json()["rule"] == "grants.order_payment"
    ordered = api.post(f"/drawdowns/{drawdown.pk}/steps/order", grant_world.token("finance"), {})
    assert ordered.status_code == 200, ordered.json()
    assert ordered.json()["state"] == "ordered"


def test_budget_figures_are_for_budget_roles_of_the_office(api, grant_world, workflow):
    carrier = api.get("/ledger-entries", grant_world.token("carrier"))
    assert carrier.status_code == 403
    assert carrier.json()["rule"] == "budgets.view_dashboard"
    assert api.get("/rollups", grant_world.token("officer")).status_code == 403
    # The approver of the state office sees its envelopes; an office outside is refused by name.
    approver = grant_world.token("approver")
    assert api.get("/ledger-entries", approver).json()["items"]
    outside = api.get("/rollups", approver, office=workflow.unrelated_office.pk)
    assert outside.status_code == 403
    assert outside.json()["rule"] == "budgets.view_office_budget"
    assert api.get("/rollups", approver, office=99999).status_code == 404


def test_payment_runs_are_for_finance_staff(api, grant_world):
    response = api.get("/payment-runs", grant_world.token("carrier"))
    assert response.status_code == 403
    assert response.json()["rule"] == "grants.use_payment_runs"
    assert api.get("/payment-runs", grant_world.token("finance")).json() == {"items": [], "next_cursor": None}
    assert api.get("/payment-runs/1", grant_world.token("finance")).status_code == 404


def test_decisions_follow_the_four_eyes_rule_of_the_page(api, workflow):
    application = workflow.bring_to(ApplicationState.APPROVAL_PROPOSED)
    # The approver of the sibling office sees nothing; the officer who proposed may not decide.
    assert (
        api.post(
            f"/applications/{application.pk}/steps/approve", make_token(workflow.sibling_approver)
        ).status_code
        == 404
    )
    response = api.post(f"/applications/{application.pk}/steps/approve", make_token(workflow.officer))
    assert response.status_code == 403
    assert response.json()["rule"] == "grants.decide_application"


# --- tokens: scope, expiry, revocation -----------------------------------------------------


def test_a_read_only_token_reads_but_changes_nothing(api, grant_world):
    token = make_token(grant_world.workflow.carrier, scope="read")
    drawdown = _drawdown(grant_world)
    assert api.get(f"/drawdowns/{drawdown.pk}", token).status_code == 200
    response = api.post(f"/drawdowns/{drawdown.pk}/steps/cancel", token, {})
    assert response.status_code == 403
    assert response.json()["type"] == "/api/v1/problems/token-scope"
    assert response.json()["rule"] == "api.write_scope"
    assert "darf nur lesen" in response.json()["detail"]
    drawdown.refresh_from_db()
    assert drawdown.is_requested


def test_an_expired_token_is_refused(api, grant_world, clock):
    token = make_token(grant_world.workflow.carrier, days=1)
    assert api.get("/me", token).status_code == 200
    clock.now += timedelta(days=2)
    response = api.get("/me", token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["detail"] == "Das API-Token galt bis zum 03.03.2026."


def test_a_revoked_token_is_refused_at_once(api, grant_world):
    carrier = grant_world.workflow.carrier
    token = make_token(carrier)
    assert api.get("/me", token).status_code == 200
    token_revoke(token=ApiToken.objects.get(user=carrier), by=carrier)
    response = api.get("/me", token)
    assert response.status_code == 401
    assert response.json()["detail"] == "Das API-Token wurde widerrufen."


@pytest.mark.parametrize("header", ["Bearer fv_nothing_here", "Bearer xyz", "Bearer "])
def test_an_unknown_token_is_refused(api, grant_world, client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_without_credentials_nothing_but_the_documentation(client, db):
    response = client.get("/api/v1/grants")
    assert response.status_code == 401
    assert response.json()["title"] == "Nicht angemeldet"
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_token_of_a_deactivated_user_is_refused(api, grant_world):
    carrier = grant_world.workflow.carrier
    token = make_token(carrier)
    carrier.is_active = False
    carrier.save(update_fields=["is_active"])
    assert api.get("/me", token).status_code == 401


def test_the_last_use_is_recorded_once_a_minute(api, grant_world, clock):
    carrier = grant_world.workflow.carrier
    token = make_token(carrier)
    api.get("/me", token)
    first = ApiToken.objects.get(user=carrier).last_used_at
    assert first == clock.now
    clock.now += timedelta(seconds=30)
    api.get("/me", token)
    assert ApiToken.objects.get(user=carrier).last_used_at == first
    clock.now += timedelta(seconds=31)
    api.get("/me", token)
    assert ApiToken.objects.get(user=carrier).last_used_at == timezone.now()


# --- the browser session -------------------------------------------------------------------


def test_the_browser_session_reads_and_writes_only_with_its_csrf_token(grant_world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(grant_world.workflow.carrier)
    drawdown = _drawdown(grant_world)
    assert browser.get(f"/api/v1/drawdowns/{drawdown.pk}").status_code == 200
    url = f"/api/v1/drawdowns/{drawdown.pk}/steps/cancel"
    refused = browser.post(url, data="{}", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["type"] == "/api/v1/problems/csrf-failed"
    browser.get("/api-zugaenge/")  # any page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    done = browser.post(url, data="{}", content_type="application/json", headers={"X-CSRFToken": csrf})
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "cancelled"
