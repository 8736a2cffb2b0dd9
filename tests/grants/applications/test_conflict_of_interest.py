"""Nobody decides on an application of their own organisation, whatever office role they hold.

Staff who are also members of the applying organisation may act for it as carriers (submit,
withdraw), but no case officer step and no decision is theirs: the page does not offer it, the
URL answers 403 with the rule's sentence, the service refuses with the same sentence, and state,
history, ledger, grants and mail stay as they were.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied
from grants.applications.models import ApplicationState
from grants.applications.services.application import application_start_formal_check
from grants.awards.models import Grant
from grants.awards.services.award import application_approve
from grants.carriers.models import OrganisationMembership
from tests.budgets.factories import UserFactory, membership

S = ApplicationState
OWN_ORGANISATION = "Niemand darf über einen Fall der eigenen Organisation entscheiden."


def _member_of_applicant(workflow, role: str):
    user = UserFactory()
    membership(user, workflow.state_office, role)
    OrganisationMembership.objects.create(user=user, organisation=workflow.organisation)
    return user


def _snapshot(application) -> tuple:
    application.refresh_from_db()
    return (
        application.state,
        StateLog.objects.for_(application).count(),
        LedgerEntry.objects.count(),
        Grant.objects.count(),
        len(mail.outbox),
    )


def _steps_offered(html: str, application) -> list[str]:
    names = ["submit", "start_formal_check", "complete_formal_check", "request_revision"]
    names += ["propose_approval", "propose_rejection", "return_proposal", "approve", "reject", "withdraw"]
    return [n for n in names if reverse("application_transition", args=[application.pk, n]) in html]


def test_an_approver_of_the_applicant_organisation_may_not_approve(
    workflow, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.APPROVAL_PROPOSED)
    insider = _member_of_applicant(workflow, "approver")
    before = _snapshot(application)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AccessDenied) as refused:
        application_approve(application=application, by=insider)

    assert refused.value.messages == [OWN_ORGANISATION]
    assert _snapshot(application) == before


def test_the_insider_approver_is_not_offered_the_decision_and_the_url_refuses_it(
    client, workflow, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.APPROVAL_PROPOSED)
    insider = _member_of_applicant(workflow, "approver")
    client.force_login(insider)
    detail = client.get(reverse("application_detail", args=[application.pk]))
    # As a member of the carrier the insider may still withdraw the application, nothing else.
    assert _steps_offered(detail.content.decode(), application) == ["withdraw"]
    client.force_login(workflow.approver)
    other = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert _steps_offered(other, application) == ["return_proposal", "approve"]
    client.force_login(insider)
    before = _snapshot(application)

    for step, data in [("approve", {}), ("return_proposal", {"comment": "Bitte prüfen."})]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("application_transition", args=[application.pk, step]), data)
        assert response.status_code == 403, step
        assert OWN_ORGANISATION in response.content.decode()

    assert _snapshot(application) == before


def test_a_case_officer_of_the_applicant_organisation_may_not_process_it(
    client, workflow, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.SUBMITTED)
    insider = _member_of_applicant(workflow, "case_officer")
    before = _snapshot(application)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AccessDenied) as refused:
        application_start_formal_check(application=application, by=insider)
    assert refused.value.messages == [OWN_ORGANISATION]

    client.force_login(insider)
    html = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert _steps_offered(html, application) == ["withdraw"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_transition", args=[application.pk, "start_formal_check"]), {"comment": ""}
        )
    assert response.status_code == 403
    assert OWN_ORGANISATION in response.content.decode()
    assert _snapshot(application) == before


def test_the_admin_action_asks_the_same_rule(client, workflow):
    application = workflow.bring_to(S.APPROVAL_PROPOSED)
    admin = workflow.superuser
    membership(admin, workflow.state_office, "approver")
    OrganisationMembership.objects.create(user=admin, organisation=workflow.organisation)
    client.force_login(admin)
    before = _snapshot(application)

    response = client.post(
        reverse("admin:grants_application_changelist"),
        {"action": "approve", "_selected_action": [application.pk]},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"{application.reference}: {OWN_ORGANISATION}"]
    assert _snapshot(application) == before
