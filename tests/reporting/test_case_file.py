"""The case file of a grant as a ZIP for archiving: every file listed in the manifest with a
size and SHA-256 that match its content; for office staff only (403 for the carrier, 404 for
staff of another office)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import SecurityEvent, SecurityEventKind
from grants.applications.models import Attachment
from grants.awards.models import ProofKind, ProofOfUse, Receipt
from reporting.models import Document
from reporting.services import grant_notice_issue
from tests.budgets.factories import UserFactory, membership
from tests.reporting.helpers import approved

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% Satzung\n%%EOF\n"


@pytest.fixture
def case(world):
    """A grant with its notice, an attachment and a receipt list of two receipts."""
    grant = approved(world).grant
    notice = grant_notice_issue(grant=grant)
    attachment = Attachment(
        application=grant.application,
        kind="statutes",
        original_name="Satzung (Fassung 2024).pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=world["carrier"],
    )
    attachment.file.save("satzung.pdf", ContentFile(PDF), save=False)
    attachment.save()
    proof = ProofOfUse.objects.get(grant=grant, kind=ProofKind.FINAL)
    line = grant.plan_versions.first().lines.filter(side="expenditure").first()
    for number, payee, amount in (("B-1", "Björn Schäfer", "500.00"), ("B-2", "Druckerei Görlitz", "120.50")):
        Receipt.objects.create(
            proof=proof,
            number=number,
            paid_on=date(2026, 3, 1),
            counterparty=payee,
            reason="Honorar Workshop",
            amount=Decimal(amount),
            plan_line=line,
        )
    return {"grant": grant, "notice": notice, "attachment": attachment}


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_every_file_in_the_case_file_matches_its_manifest_checksum(world, case, client):
    client.force_login(world["officer"])
    response = client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"Akte-{case['grant'].file_number}" in response["Content-Disposition"]
    archive = _zip(response)
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["name"]: entry for entry in manifest["dateien"]}
    # Every file but the manifest is listed, and each one's size and checksum are its content's.
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for name, entry in listed.items():
        content = archive.read(name)
        assert entry["groesse"] == len(content), name
        assert entry["sha256"] == hashlib.sha256(content).hexdigest(), name
    assert manifest["aktenzeichen"] == case["grant"].file_number
    assert manifest["antrag"] == case["grant"].application.reference
    assert manifest["fehlende_dateien"] == []
    # The download of a whole file of personal data is in the security log.
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_DATA_EXPORT)
    assert (event.user, event.object_id, event.detail) == (
        world["officer"],
        str(case["grant"].pk),
        f"Akte-{case['grant'].file_number}-{timezone.localdate():%Y-%m-%d}.zip",
    )


def test_the_case_file_holds_documents_attachments_receipts_history_and_ledger(world, case, client):
    client.force_login(world["officer"])
    archive = _zip(client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip"))
    names = set(archive.namelist())
    notice, attachment = case["notice"], case["attachment"]
    notice_name = f"dokumente/01-{notice.file_name}"
    assert notice_name in names
    # The notice as issued: byte for byte, with the checksum stored when it was issued.
    assert hashlib.sha256(archive.read(notice_name)).hexdigest() == notice.sha256
    assert archive.read(f"anlagen/{attachment.pk}-Satzung_Fassung_2024_.pdf") == PDF
    receipts = list(csv.DictReader(io.StringIO(archive.read("belegliste.csv").decode("utf-8"))))
    assert [(r["belegnummer"], r["empfaenger_einzahler"], r["betrag"]) for r in receipts] == [
        ("B-1", "Björn Schäfer", "500.00"),
        ("B-2", "Druckerei Görlitz", "120.50"),
    ]
    history = json.loads(archive.read("verlauf.json"))
    assert [h["schritt"] for h in history if h["art"] == "application"] == [
        "submit",
        "start_formal_check",
        "complete_formal_check",
        "propose_approval",
        "approve",
    ]
    assert history[-1]["nach"] == "Bewilligt"
    assert "verlauf.csv" in names
    ledger = json.loads(archive.read("buchungen.json"))
    assert [(e["art"], e["betrag"], e["haushaltsjahr"]) for e in ledger] == [("commitment", "12345.67", 2026)]
    assert "buchungen.csv" in names


def test_a_missing_file_is_named_in_the_manifest_and_the_rest_is_archived(world, case, client):
    notice = case["notice"]
    notice.file.storage.delete(notice.file.name)
    client.force_login(world["officer"])
    archive = _zip(client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip"))
    manifest = json.loads(archive.read("manifest.json"))
    [missing] = manifest["fehlende_dateien"]
    assert missing.startswith(f"dokumente/01-{notice.file_name}: Zuwendungsbescheid")
    assert not any(name.startswith("dokumente/") for name in archive.namelist())


def test_auditors_and_approvers_of_the_office_may_export_it(world, case, client):
    auditor = UserFactory()
    membership(auditor, world["sn"], "auditor")
    for person in (auditor, world["approver"]):
        client.force_login(person)
        assert client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip").status_code == 200


def test_the_carrier_sees_its_grant_but_may_not_export_the_case_file(world, case, client):
    client.force_login(world["carrier"])
    assert client.get(f"/zuwendungen/{case['grant'].pk}/").status_code == 200
    response = client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip")
    assert response.status_code == 403
    assert (
        "Nur Mitarbeitende der zuständigen Stelle können die ganze Akte exportieren."
        in response.content.decode()
    )


def test_staff_of_another_office_do_not_learn_that_the_grant_exists(world, case, client):
    stranger = UserFactory()
    membership(stranger, world["other"], "case_officer")
    client.force_login(stranger)
    assert client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(case, client):
    response = client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip")
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/")


def test_the_grant_page_links_the_case_file_for_staff_only(world, case, client):
    url = f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip"
    client.force_login(world["officer"])
    assert url in client.get(f"/zuwendungen/{case['grant'].pk}/").content.decode()
    client.force_login(world["carrier"])
    assert url not in client.get(f"/zuwendungen/{case['grant'].pk}/").content.decode()


def test_documents_are_unchanged_by_the_export(world, case, client):
    client.force_login(world["officer"])
    client.get(f"/dokumente/zuwendungen/{case['grant'].pk}/akte.zip")
    assert Document.objects.filter(application=case["grant"].application).count() == 1
