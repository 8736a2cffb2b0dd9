"""The retention run covers the correspondence: message bodies are anonymised, their files
deleted and logged, and submitted versions lose the same free texts as the application."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.applications.models import Application, Message, MessageAttachment, SubmittedVersion
from grants.applications.services.correspondence import message_send
from grants.records.models import RecordType, RetentionAction
from grants.records.services import ANONYMISED, retention_run
from reporting.services import rejection_notice_issue
from tests.budgets.factories import UserFactory
from tests.reporting.helpers import make_world, rejected

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    world["admin"] = UserFactory(username="admin", is_superuser=True, is_staff=True)
    return world


def test_messages_and_their_files_are_anonymised_and_deleted_with_the_case(
    world, django_capture_on_commit_callbacks
):
    application = rejected(world)
    message = message_send(
        application=application,
        by=world["carrier"],
        body="Frau Erika Mustermann ist erkrankt.",
        uploads=[
            SimpleUploadedFile("Attest.pdf", b"%PDF-1.4 Attest Mustermann", content_type="application/pdf")
        ],
    )
    attachment = message.attachments.get()
    stored = attachment.file
    assert stored.storage.exists(stored.name)
    assert SubmittedVersion.objects.filter(application=application).exists()
    rejection_notice_issue(application=application)
    Application.objects.filter(pk=application.pk).update(decided_at=datetime(2024, 3, 10, 10, tzinfo=BERLIN))

    with django_capture_on_commit_callbacks(execute=True):
        entries = retention_run(today=date(2027, 1, 1))

    message.refresh_from_db()
    assert message.body == ANONYMISED
    assert not MessageAttachment.objects.filter(pk=attachment.pk).exists()
    assert not stored.storage.exists(stored.name)
    deleted = [e for e in entries if e.record_type == RecordType.ATTACHMENT and e.object_id == attachment.pk]
    assert len(deleted) == 1 and deleted[0].action == RetentionAction.DELETED
    assert "Mustermann" not in deleted[0].detail
    for version in SubmittedVersion.objects.filter(application=application):
        assert version.content["summary"] in (ANONYMISED, "")
        assert version.content["title"] == ANONYMISED  # unfunded: the title goes too
        assert {line["description"] for line in version.content["expenditure"]} <= {ANONYMISED}
    assert not Message.objects.filter(application=application).exclude(body=ANONYMISED).exists()
