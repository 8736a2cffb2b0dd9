"""The case file (Akte): one list of every document in and out, and the printable PDFs."""

from __future__ import annotations

import io

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from grants.applications.models import ApplicationState
from grants.applications.services.correspondence import message_send
from reporting.models import Document, DocumentKind

S = ApplicationState


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_case_file_lists_submission_messages_and_notice_in_date_order(workflow, client):
    application = workflow.bring_to(S.SUBMITTED)
    message_send(application=application, by=workflow.officer, body="Bitte die Satzung senden.")
    message_send(application=application, by=workflow.carrier, body="Die Satzung folgt.")
    document = Document(
        application=application,
        content_type=ContentType.objects.get_for_model(application),
        object_id=application.pk,
        kind=DocumentKind.REJECTION_NOTICE,
        file_name="Ablehnungsbescheid.pdf",
        size=4,
    )
    document.file.save("x.pdf", io.BytesIO(b"%PDF"), save=False)
    document.save()

    client.force_login(workflow.carrier)
    page = client.get(reverse("case_file", args=[application.pk])).content.decode()
    positions = [
        page.index("Antrag (eingereichte Fassung)"),
        page.index("Bitte die Satzung senden."),
        page.index("Die Satzung folgt."),
        page.index("Ablehnungsbescheid.pdf"),
    ]
    assert positions == sorted(positions)
    assert "eingegangen" in page and "ausgegangen" in page
    assert reverse("submitted_application_pdf", args=[application.pk, 1]) in page
    # The application page links to its case file.
    detail = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert reverse("case_file", args=[application.pk]) in detail


def test_the_submitted_application_pdf_prints_the_version_handed_in(workflow, client):
    application = workflow.bring_to(S.REVISION_REQUESTED)
    first_title = application.title
    application.title = "Neuer Titel nach der Nachforderung"
    application.save()
    client.force_login(workflow.carrier)
    client.post(reverse("application_transition", args=[application.pk, "submit"]), {"comment": ""})
    client.force_login(workflow.officer)
    first = client.get(reverse("submitted_application_pdf", args=[application.pk, 1]))
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    text = _text(first.content)
    assert first_title in text.replace("\n", " ")
    assert "Finanzierungsplan" in text
    second = _text(client.get(reverse("submitted_application_pdf", args=[application.pk, 2])).content)
    assert "Neuer Titel nach der Nachforderung" in second.replace("\n", " ")


def test_case_file_and_pdfs_refuse_other_carriers_and_offices(workflow, client):
    application = workflow.bring_to(S.SUBMITTED)
    urls = [
        reverse("case_file", args=[application.pk]),
        reverse("submitted_application_pdf", args=[application.pk, 1]),
    ]
    for outsider in (workflow.other_carrier, workflow.unrelated_officer, workflow.sibling_officer):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302
