"""Attachments: only the carrier, only while editable, only real documents of accepted types."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import AccessDenied, DomainError
from grants.applications.models import ApplicationState, Attachment
from grants.applications.services.attachment import attachment_add, attachment_delete

S = ApplicationState
MIB = 1024 * 1024
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
ZIP = b"PK\x03\x04" + b"\x00" * 40
MAGIC = {
    "concept.pdf": (PDF, "application/pdf"),
    "plan.docx": (ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "budget.xlsx": (ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "concept.odt": (ZIP, "application/vnd.oasis.opendocument.text"),
    "budget.ods": (ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
    "photo.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "image/jpeg"),
    "photo.jpeg": (b"\xff\xd8\xff\xe1" + b"\x00" * 40, "image/jpeg"),
    "logo.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
    "SATZUNG.PDF": (PDF, "application/pdf"),
}
NOT_A_CARRIER = "Only members of the applying organisation may change this application."


def upload(name: str, content: bytes = PDF, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_root(settings) -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def stored_files(settings) -> list[Path]:
    root = media_root(settings)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("name", list(MAGIC))
def test_accepted_document_types_are_stored_with_the_type_their_extension_implies(workflow, settings, name):
    content, content_type = MAGIC[name]
    application = workflow.draft()
    # The browser's claim is ignored: the stored type follows the checked extension.
    attachment = attachment_add(
        application=application,
        by=workflow.carrier,
        kind="concept",
        upload=upload(name, content, "text/html"),
    )
    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    assert (attachment.kind, attachment.uploaded_by, attachment.application) == (
        "concept",
        workflow.carrier,
        application,
    )
    assert attachment.file.name.startswith(f"attachments/{application.pk}/")
    assert Path(attachment.file.path).is_relative_to(media_root(settings))
    assert Path(attachment.file.path).read_bytes() == content


def test_stored_file_name_does_not_reveal_the_original_name(workflow):
    attachment = attachment_add(
        application=workflow.draft(),
        by=workflow.carrier,
        kind="other",
        upload=upload("Ausweis Max Muster.pdf"),
    )
    assert "Muster" not in attachment.file.name
    assert attachment.original_name == "Ausweis Max Muster.pdf"


@pytest.mark.parametrize("name", ["setup.exe", "notes.txt", "archive.zip", "page.html", "no_extension"])
def test_other_file_types_are_refused(workflow, settings, name):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        attachment_add(application=workflow.draft(), by=workflow.carrier, kind="other", upload=upload(name))
    assert refused.value.messages == [
        f"The file “{name}” has a type that is not accepted. Allowed: DOCX, JPEG, JPG, ODS, ODT, PDF, PNG, XLSX."
    ]
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),  # a Windows executable renamed
        ("logo.png", PDF),
        ("plan.docx", PDF),
        ("photo.jpg", b"GIF89a" + b"\x00" * 10),
    ],
)
def test_content_must_match_the_file_type(workflow, settings, name, content):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        attachment_add(
            application=workflow.draft(), by=workflow.carrier, kind="other", upload=upload(name, content)
        )
    assert refused.value.messages == [f"The content of “{name}” does not match its file type."]
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_empty_file_is_refused(workflow):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        attachment_add(
            application=workflow.draft(), by=workflow.carrier, kind="other", upload=upload("leer.pdf", b"")
        )
    assert refused.value.messages == ["The file “leer.pdf” is empty."]


def test_file_at_the_size_limit_is_accepted(workflow, settings):
    settings.ATTACHMENT_MAX_BYTES = 1 * MIB
    content = PDF + b"\x00" * (MIB - len(PDF))
    attachment = attachment_add(
        application=workflow.draft(), by=workflow.carrier, kind="other", upload=upload("a.pdf", content)
    )
    assert attachment.size == MIB


def test_file_above_the_size_limit_is_refused_with_both_sizes(workflow, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * MIB
    content = PDF + b"\x00" * (5 * MIB // 2 - len(PDF))  # 2.5 MiB
    with translation.override("en"), pytest.raises(DomainError) as refused:
        attachment_add(
            application=workflow.draft(), by=workflow.carrier, kind="other", upload=upload("big.pdf", content)
        )
    assert refused.value.messages == ["The file “big.pdf” is 2.5 MB; at most 2 MB are allowed."]
    assert stored_files(settings) == []


def test_every_problem_of_a_file_is_reported_at_once(workflow, settings):
    settings.ATTACHMENT_MAX_BYTES = 1 * MIB
    with translation.override("en"), pytest.raises(DomainError) as refused:
        attachment_add(
            application=workflow.draft(),
            by=workflow.carrier,
            kind="other",
            upload=upload("x.pdf", b"MZ" * MIB),
        )
    assert refused.value.messages == [
        "The file “x.pdf” is 2.0 MB; at most 1 MB are allowed.",
        "The content of “x.pdf” does not match its file type.",
    ]


def test_size_limit_is_shown_without_truncation(workflow, settings):
    settings.ATTACHMENT_MAX_BYTES = 3 * MIB // 2
    with translation.override("en"), pytest.raises(DomainError) as refused:
        attachment_add(
            application=workflow.draft(),
            by=workflow.carrier,
            kind="other",
            upload=upload("big.pdf", PDF * MIB),
        )
    assert refused.value.messages[0].endswith("at most 1.5 MB are allowed.")


@pytest.mark.parametrize("role", ["other_carrier", "officer", "approver", "superuser", "anonymous"])
def test_only_the_carrier_may_add_or_delete_attachments(workflow, settings, role):
    application = workflow.draft()
    existing = attachment_add(
        application=application, by=workflow.carrier, kind="concept", upload=upload("k.pdf")
    )
    files = stored_files(settings)
    with translation.override("en"):
        with pytest.raises(AccessDenied) as add_refused:
            attachment_add(
                application=application, by=workflow.person(role), kind="other", upload=upload("x.pdf")
            )
        with pytest.raises(AccessDenied) as delete_refused:
            attachment_delete(attachment=existing, by=workflow.person(role))
    assert add_refused.value.messages == delete_refused.value.messages == [NOT_A_CARRIER]
    assert list(Attachment.objects.all()) == [existing]
    assert stored_files(settings) == files


@pytest.mark.parametrize("state", [S.SUBMITTED, S.CONTENT_REVIEW, S.APPROVED, S.WITHDRAWN])
def test_attachments_are_fixed_once_the_application_is_submitted(workflow, settings, state):
    application = workflow.draft()
    existing = attachment_add(
        application=application, by=workflow.carrier, kind="concept", upload=upload("k.pdf")
    )
    application = workflow.bring_to(state, application)
    with translation.override("en"):
        label = str(S(state).label)
        with pytest.raises(DomainError) as add_refused:
            attachment_add(application=application, by=workflow.carrier, kind="other", upload=upload("x.pdf"))
        with pytest.raises(DomainError) as delete_refused:
            attachment_delete(attachment=existing, by=workflow.carrier)
    expected = f"The application can only be changed as a draft or after a revision request (current state: “{label}”)."
    assert add_refused.value.messages == delete_refused.value.messages == [expected]
    assert list(Attachment.objects.all()) == [existing]
    assert len(stored_files(settings)) == 1


def test_attachments_may_be_added_after_a_revision_request(workflow):
    application = workflow.bring_to(S.REVISION_REQUESTED)
    attachment = attachment_add(
        application=application, by=workflow.carrier, kind="cost_estimate", upload=upload("a.pdf")
    )
    assert attachment.pk is not None


def test_deleting_an_attachment_removes_the_row_at_once_and_the_file_after_commit(
    workflow, settings, django_capture_on_commit_callbacks
):
    attachment = attachment_add(
        application=workflow.draft(), by=workflow.carrier, kind="concept", upload=upload("k.pdf")
    )
    path = Path(attachment.file.path)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_delete(attachment=attachment, by=workflow.carrier)
    assert not Attachment.objects.exists()
    assert path.exists()  # the transaction could still roll back

    for callback in callbacks:
        callback()
    assert not path.exists()
    assert stored_files(settings) == []
