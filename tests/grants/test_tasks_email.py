"""The state-change e-mail to the carrier: recipients, content, language, and timing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from core.errors import AccessDenied
from grants.applications.models import ApplicationState
from grants.carriers.models import Organisation
from grants.tasks import send_application_state_email
from tests.grants.factories import carrier_user

S = ApplicationState


def test_state_email_goes_to_the_organisation_and_every_member_once(workflow):
    carrier_user(workflow.organisation, username="member_without_mail", email="")
    carrier_user(workflow.organisation, username="member_sharing_mail", email="info@netzwerk.example.org")
    carrier_user(workflow.organisation, username="second", email="anna@netzwerk.example.org")
    application = workflow.bring_to(S.SUBMITTED)

    sent = send_application_state_email(application.pk, S.SUBMITTED)

    assert sent == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [
        "anna@netzwerk.example.org",
        "carrier@netzwerk.example.org",
        "info@netzwerk.example.org",
    ]


def test_state_email_is_skipped_when_nobody_has_an_address(workflow):
    application = workflow.bring_to(S.SUBMITTED)
    Organisation.objects.filter(pk=workflow.organisation.pk).update(email="")
    type(workflow.carrier).objects.filter(pk=workflow.carrier.pk).update(email="")

    assert send_application_state_email(application.pk, S.SUBMITTED) == 0
    assert mail.outbox == []


def test_state_email_names_reference_state_comment_and_link(workflow, settings):
    settings.SITE_URL = "https://foerderung.example.org/"
    settings.DEFAULT_FROM_EMAIL = "foerderung@sachsen.example.org"
    application = workflow.bring_to(S.SUBMITTED)
    application = workflow.step(
        application, "request_revision", comment="Bitte Kostenvoranschläge nachreichen."
    )
    Organisation.objects.filter(pk=workflow.organisation.pk).update(name="Kunst & Demokratie e.V.")

    send_application_state_email(application.pk, S.REVISION_REQUESTED)

    message = mail.outbox[0]
    with translation.override("de"):
        label = str(S.REVISION_REQUESTED.label)
    assert message.from_email == "foerderung@sachsen.example.org"
    assert application.reference in message.subject
    assert label in message.subject
    assert "\n" not in message.subject
    assert application.reference in message.body
    assert "Demokratiewerkstatt im Stadtteil" in message.body
    assert "Kunst & Demokratie e.V." in message.body  # plain text: nothing is HTML-escaped
    assert "Bitte Kostenvoranschläge nachreichen." in message.body
    assert f"https://foerderung.example.org/antraege/{application.pk}/" in message.body
    assert "&amp;" not in message.body


def test_state_email_is_written_in_german_whatever_language_is_active(workflow):
    application = workflow.bring_to(S.SUBMITTED)
    with translation.override("en"):
        send_application_state_email(application.pk, S.SUBMITTED)
    with translation.override("de"):
        label = str(S.SUBMITTED.label)
    with translation.override("en"):
        english = str(S.SUBMITTED.label)
    assert label in mail.outbox[0].subject
    if label != english:
        assert english not in mail.outbox[0].subject


def test_state_email_quotes_the_comment_of_the_latest_transition_into_the_state(workflow):
    application = workflow.bring_to(S.CONTENT_REVIEW)
    application = workflow.step(application, "propose_approval", comment="erster Vorschlag")
    application = workflow.step(application, "return_proposal", comment="Rate zu hoch")
    application = workflow.step(application, "propose_approval", comment="zweiter Vorschlag")

    send_application_state_email(application.pk, S.APPROVAL_PROPOSED)

    assert "zweiter Vorschlag" in mail.outbox[0].body
    assert "erster Vorschlag" not in mail.outbox[0].body


def test_no_email_is_sent_when_the_step_is_refused(workflow, django_capture_on_commit_callbacks):
    application = workflow.bring_to(S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(AccessDenied):
        workflow.step(application, "start_formal_check", by=workflow.carrier)
    assert callbacks == []
    assert mail.outbox == []


def test_email_is_scheduled_on_commit_not_sent_inside_the_transaction(
    workflow, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.bring_to(S.FORMAL_CHECK)
    assert callbacks
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2


def test_carrier_is_mailed_about_a_state_change_only_after_commit(
    workflow, django_capture_on_commit_callbacks
):
    application = workflow.draft()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application = workflow.step(application, "submit")
        assert mail.outbox == []
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == ["carrier@netzwerk.example.org", "info@netzwerk.example.org"]


def test_carrier_is_mailed_once_per_state_change(workflow, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = workflow.bring_to(S.APPROVED)
    assert len(mail.outbox) == 5
    assert all(application.reference in message.subject for message in mail.outbox)
