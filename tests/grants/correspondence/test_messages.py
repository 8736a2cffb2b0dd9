"""Correspondence of a case (issue 11 §3): messages both ways with attachments, e-mail to the
other side, the revision request with its due date answered by the resubmission, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import AccessDenied, DomainError
from grants.applications.models import ApplicationState, Message, MessageAttachment, MessageKind, MessageSide
from grants.applications.services.correspondence import message_send
from grants.carriers.models import OrganisationMembership
from tests.budgets.factories import UserFactory, membership

S = ApplicationState
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str = "Kostenplan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _post(client, user, application, **data):
    client.force_login(user)
    with_files = {"body": "", **data}
    return client.post(reverse("message_send", args=[application.pk]), with_files, follow=True)


def test_carrier_writes_to_the_office_with_an_attachment_and_the_case_officer_is_mailed(
    workflow, client, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client, workflow.carrier, application, body="Anbei der aktualisierte Kostenplan.", files=[_pdf()]
        )
    assert "Ihre Nachricht wurde gesendet." in response.content.decode()
    message = Message.objects.get(application=application)
    assert (message.side, message.author, message.kind) == (
        MessageSide.CARRIER,
        workflow.carrier,
        MessageKind.MESSAGE,
    )
    attachment = message.attachments.get()
    assert attachment.original_name == "Kostenplan.pdf"
    # The case officer of the handling office is told, not the carrier itself, nor officers above.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [workflow.officer.email]
    assert application.reference in mail.outbox[0].subject
    assert "Anbei der aktualisierte Kostenplan." in mail.outbox[0].body

    # The thread shows it on the application page to the office, with the file to download.
    client.force_login(workflow.officer)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "Anbei der aktualisierte Kostenplan." in page
    url = reverse("message_attachment_download", args=[application.pk, message.pk, attachment.pk])
    assert url in page
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_office_writes_to_the_carrier_and_the_organisation_is_mailed(
    workflow, client, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.FORMAL_CHECK)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            workflow.officer,
            application,
            body="Bitte Satzung nachreichen.",
            files=[_pdf("Hinweise.pdf")],
        )
    assert response.status_code == 200
    message = Message.objects.get(application=application)
    assert message.side == MessageSide.OFFICE
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([workflow.organisation.email, workflow.carrier.email])
    client.force_login(workflow.carrier)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "Bitte Satzung nachreichen." in page
    assert "Hinweise.pdf" in page


def test_an_empty_message_is_refused_and_nothing_is_written(workflow, client):
    application = workflow.bring_to(S.SUBMITTED)
    mail.outbox.clear()
    response = _post(client, workflow.carrier, application, body="   ")
    assert (
        "Bitte schreiben Sie eine Nachricht; eine leere Nachricht wird nicht gesendet."
        in response.content.decode()
    )
    assert not Message.objects.exists()
    with pytest.raises(DomainError):
        message_send(application=application, by=workflow.carrier, body="")
    assert mail.outbox == []


def test_a_file_of_a_refused_type_or_too_many_files_are_refused(workflow, client, settings):
    application = workflow.bring_to(S.SUBMITTED)
    response = _post(
        client,
        workflow.carrier,
        application,
        body="Siehe Anhang",
        files=[SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")],
    )
    assert "„virus.exe“" in response.content.decode() or "virus.exe" in response.content.decode()
    settings.MESSAGE_MAX_ATTACHMENTS = 1
    response = _post(
        client, workflow.carrier, application, body="Zwei Dateien", files=[_pdf("a.pdf"), _pdf("b.pdf")]
    )
    assert "höchstens 1 Dateien" in response.content.decode()
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()


def test_other_carrier_and_other_office_cannot_read_or_write(workflow, client):
    application = workflow.bring_to(S.SUBMITTED)
    message = message_send(application=application, by=workflow.carrier, body="Frage", uploads=[_pdf()])
    attachment = message.attachments.get()
    download = reverse("message_attachment_download", args=[application.pk, message.pk, attachment.pk])
    for outsider in (workflow.other_carrier, workflow.unrelated_officer, workflow.sibling_officer):
        client.force_login(outsider)
        assert (
            client.post(reverse("message_send", args=[application.pk]), {"body": "Hallo"}).status_code == 404
        )
        assert client.get(download).status_code == 404
        with pytest.raises(AccessDenied):
            message_send(application=application, by=outsider, body="Hallo")
    assert Message.objects.count() == 1


def test_staff_may_not_write_as_office_on_a_case_of_their_own_organisation(workflow, client):
    application = workflow.bring_to(S.SUBMITTED)
    insider = UserFactory()
    membership(insider, workflow.office, "case_officer")
    OrganisationMembership.objects.create(user=insider, organisation=workflow.organisation)
    message = message_send(application=application, by=insider, body="Als Träger geschrieben")
    # A member of the carrier always writes as the carrier, never as the office.
    assert message.side == MessageSide.CARRIER


def test_a_draft_is_not_open_to_the_office(workflow, client):
    application = workflow.draft()
    with pytest.raises(AccessDenied):
        message_send(application=application, by=workflow.officer, body="Hallo")


def test_revision_request_with_due_date_is_answered_by_the_resubmission(
    workflow, client, django_capture_on_commit_callbacks
):
    application = workflow.bring_to(S.SUBMITTED)
    due = timezone.localdate() + timedelta(days=10)
    client.force_login(workflow.officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("application_transition", args=[application.pk, "request_revision"]),
            {"comment": "Bitte die Honorarkosten begründen.", "due_on": due.isoformat()},
            follow=True,
        )
    application.refresh_from_db()
    assert application.state == S.REVISION_REQUESTED
    request = Message.objects.get(application=application, kind=MessageKind.REVISION_REQUEST)
    assert (request.due_on, request.body, request.side) == (
        due,
        "Bitte die Honorarkosten begründen.",
        MessageSide.OFFICE,
    )
    # One e-mail to the carrier: the state e-mail, which names the due date.
    assert len(mail.outbox) == 1
    assert due.strftime("%d.%m.%Y") in mail.outbox[0].body
    client.force_login(workflow.carrier)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert f"die Antwort ist fällig am {due.strftime('%d.%m.%Y')}" in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("application_transition", args=[application.pk, "submit"]),
            {"comment": "Begründung ergänzt."},
            follow=True,
        )
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    request.refresh_from_db()
    answer = request.answered_by
    assert answer is not None and answer.kind == MessageKind.RESUBMISSION
    assert answer.body == "Begründung ergänzt."
    # The office hears of the answer; the carrier gets its state e-mail.
    assert workflow.officer.email in [m for e in mail.outbox for m in e.to]
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "durch erneute Einreichung beantwortet" in page
    assert application.submitted_versions.count() == 2


def test_revision_request_due_date_must_lie_ahead(workflow, client):
    application = workflow.bring_to(S.SUBMITTED)
    client.force_login(workflow.officer)
    today = timezone.localdate()
    response = client.post(
        reverse("application_transition", args=[application.pk, "request_revision"]),
        {"comment": "Bitte ergänzen.", "due_on": today.isoformat()},
    )
    assert "Die Antwort kann nicht am" in response.content.decode()
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert not Message.objects.exists()


def test_an_overdue_revision_request_shows_a_badge(workflow, client):
    application = workflow.bring_to(S.REVISION_REQUESTED)
    request = Message.objects.get(application=application, kind=MessageKind.REVISION_REQUEST)
    Message.objects.filter(pk=request.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(workflow.carrier)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert 'badge badge--rejected">überfällig' in page
