"""The detail page and the workflow steps driven over HTTP."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from grants.applications.models import Application
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
    default_instalments,
)
from grants.awards.services.award import WORKFLOW_SERVICES as TRANSITION_SERVICES
from tests.budgets.factories import UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    root = office(kind="federal")
    sn = office(parent=root, kind="state")
    app = ApplicationFactory(office=sn)
    add_plan(app)
    envelope(office=sn, programme=app.programme, budget_year=2026)
    carrier = carrier_user(app.organisation)
    officer, approver = UserFactory(), UserFactory()
    membership(officer, sn, "case_officer")
    membership(officer, root, "approver")  # may approve others' proposals, never their own
    membership(approver, root, "approver")
    return {"app": app, "carrier": carrier, "officer": officer, "approver": approver}


def _in_review(world):
    app = application_submit(application=world["app"], by=world["carrier"])
    app = application_start_formal_check(application=app, by=world["officer"])
    return application_complete_formal_check(application=app, by=world["officer"], comment="Vollständig")


def _step(client, app, name, **data):
    return client.post(reverse("application_transition", args=[app.pk, name]), data, follow=True)


def _steps_offered(html):
    return [name for name in TRANSITION_SERVICES if f"/schritt/{name}/" in html]


def test_submitting_shows_every_broken_rule_at_once(client, world):
    app = world["app"]
    Application.objects.filter(pk=app.pk).update(summary="", goals="")
    app.cover_lines.filter(kind="own").update(amount=Decimal("400"))
    client.force_login(world["carrier"])
    client.cookies["django_language"] = "en"
    response = _step(client, app, "submit", comment="")
    errors = [str(m) for m in get_messages(response.wsgi_request)]
    assert errors == [
        "The field “Summary” is empty.",
        "The field “Goals” is empty.",
        "The financing plan does not balance: expenditure €10,000.00, cover €9,400.00 (difference €600.00).",
        "The own share is 4%; the programme requires at least 5%.",
    ]
    assert response.content.decode().count('class="alert alert--error"') == 4
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_the_carrier_sees_submit_and_withdraw_on_a_draft(client, world):
    client.force_login(world["carrier"])
    html = client.get(reverse("application_detail", args=[world["app"].pk])).content.decode()
    assert _steps_offered(html) == ["submit", "withdraw"]


def test_a_successful_step_redirects_to_the_detail_page_with_a_message(client, world):
    client.force_login(world["carrier"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("application_transition", args=[world["app"].pk, "submit"]), {"comment": "Bitte"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("application_detail", args=[world["app"].pk])
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["“Submit” done. The application is now in state “Submitted”."]


def test_the_case_officer_sees_the_review_steps_with_instalments_prefilled(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert _steps_offered(html) == ["request_revision", "propose_approval", "propose_rejection"]
    assert default_instalments(app) == {2026: Decimal("9000.00")}
    assert 'name="year_2026" value="9.000,00"' in html


def test_proposing_approval_over_http_stores_amount_and_instalments(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    _step(client, app, "propose_approval", year_2026="8.500,00", comment="Kürzung Sachkosten")
    app.refresh_from_db()
    assert (app.state, app.proposed_amount, app.proposed_by) == (
        "approval_proposed",
        Decimal("8500.00"),
        world["officer"],
    )
    assert list(app.instalments.values_list("budget_year", "amount")) == [(2026, Decimal("8500.00"))]


def test_the_proposer_never_sees_approve_but_another_approver_does(client, world):
    app = _in_review(world)
    application_propose_approval(application=app, by=world["officer"], instalments={2026: Decimal("9000")})
    client.force_login(world["officer"])
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert _steps_offered(html) == []
    assert "9.000,00 €" in html  # the proposal is shown
    client.force_login(world["approver"])
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert _steps_offered(html) == ["return_proposal", "approve"]


def test_the_proposer_posting_approve_is_refused_by_the_four_eyes_rule(client, world):
    app = _in_review(world)
    application_propose_approval(application=app, by=world["officer"], instalments={2026: Decimal("9000")})
    client.force_login(world["officer"])
    client.cookies["django_language"] = "en"
    response = _step(client, app, "approve", comment="")
    # A refusal by the rule is a 403 page with the rule's sentence, like every other refusal.
    assert response.status_code == 403
    assert "Four-eyes principle: the decision must be taken by someone other than the person who" in (
        response.content.decode()
    )
    assert Application.objects.get(pk=app.pk).state == "approval_proposed"
    client.force_login(world["approver"])
    _step(client, app, "approve", comment="Einverstanden")
    assert Application.objects.get(pk=app.pk).state == "approved"


def test_a_revision_request_needs_a_comment_and_keeps_the_form(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("application_transition", args=[app.pk, "request_revision"]), {"comment": " "}
    )
    assert response.status_code == 200
    assert "Please enter a comment." in response.content.decode()
    assert Application.objects.get(pk=app.pk).state == "content_review"
    _step(client, app, "request_revision", comment="Bitte Kostenplan erläutern.")
    assert Application.objects.get(pk=app.pk).state == "revision_requested"


def test_a_rejection_proposal_needs_reasons(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("application_transition", args=[app.pk, "propose_rejection"]), {"reasons": ""}
    )
    assert "A rejection needs reasons." in response.content.decode()
    _step(client, app, "propose_rejection", reasons="Nicht förderfähig.")
    app.refresh_from_db()
    assert (app.state, app.decision_reasons) == ("rejection_proposed", "Nicht förderfähig.")


def test_returning_a_proposal_needs_a_comment(client, world):
    app = _in_review(world)
    application_propose_approval(application=app, by=world["officer"], instalments={2026: Decimal("9000")})
    client.force_login(world["approver"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("application_transition", args=[app.pk, "return_proposal"]), {"comment": ""}
    )
    assert "Please enter a comment." in response.content.decode()
    assert Application.objects.get(pk=app.pk).state == "approval_proposed"


def test_a_proposal_above_the_requested_grant_is_refused_with_the_services_message(client, world):
    app = _in_review(world)
    client.force_login(world["officer"])
    client.cookies["django_language"] = "en"
    response = _step(client, app, "propose_approval", year_2026="9.500,00")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["The proposed grant of €9,500.00 exceeds the requested grant of €9,000.00."]


def test_the_timeline_shows_who_changed_what_with_state_labels_and_comments(client, world):
    app = _in_review(world)
    client.force_login(world["carrier"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "Draft → <strong>Submitted</strong>" in html
    assert "Submitted → <strong>Formal check</strong>" in html
    assert "Formal check → <strong>Content review</strong>" in html
    assert "Vollständig" in html
    assert str(world["officer"]) in html


def test_the_detail_page_shows_the_plan_with_totals_and_the_rule_check(client, world):
    client.force_login(world["carrier"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("application_detail", args=[world["app"].pk])).content.decode()
    assert "Projektleitung" in html
    assert "€10,000.00" in html and "€9,000.00" in html
    assert "All programme rules are met." in html
