"""Uploads and imports are bounded before they are parsed; large ones run as jobs (issue 12).

Found by trying: a 1.1 MB XLSX holding a million rows pushed a web worker past 8 GB, a 200 KB
envelope file got no answer in 280 s, a 20 MB receipt CSV produced a 94 MB page. Now a page
checks a small file itself, hands a larger one to a worker (a job with progress, confirmed
like the page's dry run), refuses what is too large even for a worker, and pages long lists.
"""

from __future__ import annotations

import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from budgets.models import BudgetEnvelope
from budgets.services.envelope_import import import_envelopes
from core.imports import import_job_run, progress
from core.models import ImportJob
from grants.awards.models import Receipt
from grants.awards.services.proof.receipt_import import receipts_import, run_receipt_import_job
from tests.budgets.factories import FundingProgrammeFactory, finance_user, office
from tests.grants.test_services_proof import approve_plan, make_world, pay

pytestmark = pytest.mark.django_db

RECEIPTS = "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition"
ENVELOPES = "Stelle;Programm;Haushaltsjahr;Mittelherkunft;Haushaltstitel;Ansatz"


def html(response) -> str:
    return response.content.decode()


def receipt_csv(rows: int) -> bytes:
    lines = [f"R-{i};{1 + i % 28:02d}.03.2026;Druckerei {i};Flyer;1,00;1" for i in range(rows)]
    return "\n".join([RECEIPTS, *lines]).encode()


def row_bomb() -> bytes:
    """An XLSX of well under 1 MB whose first sheet holds a million rows."""
    book = Workbook()
    book.active.append(["Belegnummer"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_000_000
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    data.decode().split("<dimension")[0] + f"<sheetData>{rows}</sheetData></worksheet>"
                ).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def proof(world):
    grant, carrier = approve_plan(
        world, expenditure=[("staff", "Personal", 2026, "40000")], own="4000", instalments={2026: "36000"}
    )
    world["carrier"] = carrier
    pay(world, grant, carrier, "36000")
    return grant.proofs.get(kind="final")


def url(name, proof, *extra):
    return reverse(name, args=[proof.grant_id, proof.pk, *extra])


def upload(client, proof, name, content):
    return client.post(
        url("receipt_import", proof), {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


# --- refusals before parsing ----------------------------------------------------------------------


def test_a_row_bomb_upload_is_refused_at_once_with_a_message_and_nothing_written(client, world, proof):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["carrier"])
    content = row_bomb()
    assert len(content) < 1024 * 1024
    started = time.monotonic()
    response = upload(client, proof, "belege.xlsx", content)
    assert time.monotonic() - started < 10
    page = html(response)
    assert "Entpackt wäre die XLSX-Datei" in page and "höchstens 40,0 MB werden gelesen" in page
    assert len(response.content) < 200_000
    assert not Receipt.objects.exists() and not ImportJob.objects.exists()


def test_a_receipt_file_beyond_what_a_worker_takes_is_refused(
    client, world, proof, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["carrier"])
    # Too many bytes: refused on the page, before a row is read.
    big = RECEIPTS.encode() + b"\n" + b"x" * (11 * 1024 * 1024)
    response = upload(client, proof, "belege.csv", big)
    assert "höchstens 10,0 MB können eingelesen werden" in html(response)
    assert not ImportJob.objects.exists()
    # Too many rows: the worker stops reading at the limit; the job's page says why.
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, proof, "belege.csv", receipt_csv(20_001))
    job = ImportJob.objects.get()
    assert job.is_failed and "höchstens 20.000 Zeilen können auf einmal eingelesen werden" in job.error
    page = html(client.get(response["Location"]))
    assert "Das Einlesen ist fehlgeschlagen; nichts wurde geschrieben." in page
    assert not job.file and not Receipt.objects.exists()


# --- large imports as jobs --------------------------------------------------------------------------


def test_a_large_receipt_list_is_checked_and_imported_by_a_worker_with_progress(
    client, world, proof, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["carrier"])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, proof, "belege.csv", receipt_csv(1_500))
    check = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("receipt_import_job", proof, check.pk)
    assert (check.kind, check.dry_run, check.state, check.result["rows"]) == ("receipts", True, "done", 1500)
    assert progress(check) == (1500, 1500)
    page = html(client.get(response["Location"]))
    assert "Alle 1500 Zeilen sind gültig." in page and not Receipt.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"])
    imported = ImportJob.objects.exclude(pk=check.pk).get()
    assert response["Location"] == url("receipt_import_job", proof, imported.pk)
    assert (imported.dry_run, imported.state, imported.result["created"]) == (False, "done", 1500)
    assert Receipt.objects.filter(proof=proof).count() == 1500
    assert "1500 Zeilen wurden eingelesen." in html(client.get(response["Location"]))
    # The files are gone once imported; the check cannot be confirmed a second time.
    assert not ImportJob.objects.get(pk=check.pk).file and not ImportJob.objects.get(pk=imported.pk).file
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("receipt_import_job", proof, check.pk))
    assert Receipt.objects.count() == 1500 and ImportJob.objects.count() == 2


def test_a_job_that_finds_bad_rows_names_them_and_imports_nothing(
    client, world, proof, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["carrier"])
    content = receipt_csv(1_200) + b"\nR-X;;;;;1"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, proof, "belege.csv", content)
    page = html(client.get(response["Location"]))
    assert "1 von 1201 Zeilen sind fehlerhaft; es wurde nichts importiert." in page
    assert '<td class="num">1202</td>' in page
    job = ImportJob.objects.get()
    assert not job.file  # a check with errors is never confirmed: its file is deleted
    assert client.post(response["Location"]).status_code == 302
    assert not Receipt.objects.exists() and ImportJob.objects.count() == 1


def test_an_import_job_is_seen_only_by_who_started_it(
    client, world, proof, django_capture_on_commit_callbacks
):
    from tests.grants.factories import carrier_user

    client.force_login(world["carrier"])
    with django_capture_on_commit_callbacks(execute=True):
        location = upload(client, proof, "belege.csv", receipt_csv(1_100))["Location"]
    client.force_login(carrier_user(proof.grant.organisation))  # a colleague of the same carrier
    assert client.get(location).status_code == 404
    client.force_login(world["officer"])
    assert client.get(location).status_code in (403, 404)


def test_the_worker_reports_progress_and_a_redelivered_job_runs_once(world, proof):
    calls = []
    receipts_import(
        proof=proof,
        by=world["carrier"],
        content=receipt_csv(1_200),
        file_name="b.csv",
        dry_run=True,
        limits=__import__("grants.awards.services.proof.receipt_import", fromlist=["LIMITS"]).LIMITS,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]
    from core.imports import import_job_create

    job = import_job_create(
        kind="receipts",
        by=world["carrier"],
        content=receipt_csv(10),
        file_name="b.csv",
        dry_run=False,
        enqueue=lambda pk: None,
        target_id=proof.pk,
    )
    assert import_job_run(job_id=job.pk, run=run_receipt_import_job).state == "done"
    assert import_job_run(job_id=job.pk, run=run_receipt_import_job).state == "done"  # redelivered
    assert Receipt.objects.count() == 10


def test_a_job_over_its_time_is_failed_with_the_reason_and_writes_nothing(world, proof):
    from celery.exceptions import SoftTimeLimitExceeded

    from core.imports import import_job_create

    job = import_job_create(
        kind="receipts",
        by=world["carrier"],
        content=receipt_csv(10),
        file_name="b.csv",
        dry_run=False,
        enqueue=lambda pk: None,
        target_id=proof.pk,
    )

    def slow(job, content, report):
        raise SoftTimeLimitExceeded()

    job = import_job_run(job_id=job.pk, run=slow)
    assert job.state == "failed"
    assert job.error == "Das Einlesen hat zu lange gedauert und wurde abgebrochen; nichts wurde geschrieben."
    assert not Receipt.objects.exists()


def test_a_large_envelope_file_becomes_a_job_and_a_huge_one_is_refused(
    client, django_capture_on_commit_callbacks
):
    root = office(kind="federal", code="BUND")
    office(parent=root, kind="state", code="SN")
    FundingProgrammeFactory(code="WOS", funding_level="state")
    by = finance_user(root)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(by)
    lines = [f"SN;WOS;2026;Land;T-{i};1.000,00" for i in range(150)]
    content = "\n".join([ENVELOPES, *lines]).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("budget_import"),
            {"file": SimpleUploadedFile("ansatz.csv", content, content_type="text/csv")},
        )
    check = ImportJob.objects.get()
    assert response["Location"] == reverse("budget_import_job", args=[check.pk])
    assert "Alle 150 Zeilen sind gültig." in html(client.get(response["Location"]))
    assert not BudgetEnvelope.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"])
    assert BudgetEnvelope.objects.count() == 150
    assert "150 Zeilen wurden eingelesen." in html(client.get(response["Location"]))

    huge = "\n".join([ENVELOPES, *[f"SN;WOS;2027;Land;U-{i};1,00" for i in range(2_001)]]).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("budget_import"),
            {"file": SimpleUploadedFile("ansatz.csv", huge, content_type="text/csv")},
        )
    failed = ImportJob.objects.order_by("pk").last()
    assert failed.is_failed and "höchstens 2.000 Zeilen können auf einmal eingelesen werden" in failed.error
    assert BudgetEnvelope.objects.count() == 150
    too_big = ENVELOPES.encode() + b"\n" + b"x" * (3 * 1024 * 1024)
    response = client.post(
        reverse("budget_import"), {"file": SimpleUploadedFile("ansatz.csv", too_big, content_type="text/csv")}
    )
    assert "Die Datei ist größer als 2 MB." in html(response)  # the form's own limit
    assert ImportJob.objects.count() == 3


def test_a_small_envelope_file_is_still_checked_on_the_page():
    root = office(kind="federal", code="BUND")
    office(parent=root, kind="state", code="SN")
    FundingProgrammeFactory(code="WOS", funding_level="state")
    content = "\n".join([ENVELOPES, "SN;WOS;2026;Land;T;1.000,00"]).encode()
    report = import_envelopes(content=content, file_name="a.csv", by=finance_user(root), dry_run=True)
    assert report.ok and not ImportJob.objects.exists()


# --- long receipt lists are paged ---------------------------------------------------------------------


def test_a_long_receipt_list_is_paged_and_the_page_stays_small(client, world, proof):
    receipts_import(
        proof=proof,
        by=world["carrier"],
        content=receipt_csv(600),
        file_name="b.csv",
        dry_run=False,
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["carrier"])
    detail = reverse("proof_detail", args=[proof.grant_id, proof.pk])
    page = html(client.get(detail))
    assert page.count("/belege/") < 200  # 50 receipts with their edit and delete links, not 600
    assert "Seite 1 von 12" in page and "?belege=2#receipts" in page
    assert "(600 · 600,00 €)" in page  # the heading still counts and sums every receipt
    last = html(client.get(detail + "?belege=12"))
    assert "Seite 12 von 12" in last and last.count("/bearbeiten/") == 50


def test_a_large_check_on_the_page_shows_its_first_rows_only(client, world, proof):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["carrier"])
    page = html(upload(client, proof, "belege.csv", receipt_csv(900)))
    assert "… und 800 weitere Zeilen." in page
    assert page.count('class="is-ok"') == 100
    assert Decimal(Receipt.objects.count()) == 0


def test_a_checked_file_never_confirmed_is_removed_after_a_day(
    world, proof, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from core.imports import import_job_create

    def create():
        return import_job_create(
            kind="receipts",
            by=world["carrier"],
            content=receipt_csv(3),
            file_name="b.csv",
            dry_run=True,
            enqueue=lambda pk: None,
            target_id=proof.pk,
        )

    old = create()
    storage, name = old.file.storage, old.file.name
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        create()
    assert not ImportJob.objects.get(pk=old.pk).file and not storage.exists(name)
