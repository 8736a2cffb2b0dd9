"""Records management: retention periods, legal holds and the daily retention run.

What is due is anonymised or deleted and logged; a case under a legal hold (an auditor's hold,
an open reclaim, court proceedings) is skipped with a log entry and keeps everything.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from budgets.models import FundingProgramme
from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, Attachment
from grants.awards.models import Grant, GrantState, ProofKind, ProofOfUse, Receipt, Reclaim
from grants.carriers.models import Organisation
from grants.records.models import (
    HoldReason,
    LegalHold,
    RecordType,
    RetentionAction,
    RetentionLog,
    RetentionRule,
)
from grants.records.selectors import case_retention, retention_plan
from grants.records.services import (
    ANONYMISED,
    ANONYMISED_EMAIL,
    legal_hold_lift,
    legal_hold_place,
    retention_run,
)
from grants.records.tasks import retention_run as retention_task
from reporting.models import Document, DocumentKind
from reporting.selectors import documents_missing, notices_missing
from reporting.services import grant_notice_issue, rejection_notice_issue
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, membership
from tests.reporting.helpers import approved, make_world, rejected

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
PDF = b"%PDF-1.7\n% Satzung des Vereins, Vorstand: Erika Mustermann\n%%EOF\n"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN)


def _stored(file) -> bool:
    return file.storage.exists(file.name)


@pytest.fixture
def world(_fast_password_hashing):
    world = make_world()
    world["auditor"] = UserFactory(username="auditor", first_name="Ines", last_name="Prüfer")
    membership(world["auditor"], world["sn"], "auditor")
    world["admin"] = UserFactory(username="admin", is_superuser=True, is_staff=True)
    return world


@pytest.fixture
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attach(application: Application, by, name: str = "Satzung.pdf") -> Attachment:
    attachment = Attachment(
        application=application,
        kind="statutes",
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=by,
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def rejected_in(world, day: date) -> Application:
    """A rejected application with an attachment and its rejection notice, decided on ``day``."""
    application = rejected(world)
    attach(application, world["carrier"])
    rejection_notice_issue(application=application)
    Application.objects.filter(pk=application.pk).update(decided_at=_at(day))
    return Application.objects.get(pk=application.pk)


def closed_in(world, day: date) -> Grant:
    """An approved grant with attachment, notice and a receipt list, closed on ``day``."""
    application = approved(world)
    grant = application.grant
    attach(application, world["carrier"], "Kostenvoranschlag Müller.pdf")
    grant_notice_issue(grant=grant)
    proof = ProofOfUse.objects.get(grant=grant, kind=ProofKind.FINAL)  # scheduled at the approval
    proof.narrative_file.save("sachbericht.pdf", ContentFile(b"%PDF-1.4 Sachbericht"), save=False)
    ProofOfUse.objects.filter(pk=proof.pk).update(
        narrative="Frau Schäfer leitete die Werkstätten.", narrative_file=proof.narrative_file.name
    )
    Receipt.objects.create(
        proof=proof,
        number="B-1",
        paid_on=date(2026, 3, 1),
        counterparty="Björn Schäfer",
        reason="Honorar Workshop",
        amount=Decimal("500.00"),
        plan_line=grant.plan_versions.first().lines.filter(side="expenditure").first(),
    )
    Grant.objects.filter(pk=grant.pk).update(state=GrantState.CLOSED)
    StateLog.objects.create(
        content_type=ContentType.objects.get_for_model(Grant),
        object_id=grant.pk,
        source_state=GrantState.SETTLED,
        state=GrantState.CLOSED,
        transition="close",
        timestamp=_at(day),
    )
    return Grant.objects.get(pk=grant.pk)


def run(today: date, django_capture_on_commit_callbacks, by=None) -> list[RetentionLog]:
    with django_capture_on_commit_callbacks(execute=True):
        return retention_run(today=today, by=by)


# --- programme parameters ----------------------------------------------------------------------


def test_programme_periods_default_to_german_records_practice():
    programme = FundingProgrammeFactory()
    assert (
        programme.retention_unfunded_years,
        programme.retention_grant_years,
        programme.retention_attachment_years,
    ) == (2, 10, 5)


def test_attachments_are_never_kept_longer_than_the_grant_file():
    programme = FundingProgrammeFactory.build(retention_grant_years=4, retention_attachment_years=5)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        programme.clean()
    assert caught.value.message_dict["retention_attachment_years"] == [
        "Attachments cannot be kept longer than the grant file: 5 years are more than 4 years."
    ]


# --- unfunded applications ----------------------------------------------------------------------


def test_an_unfunded_application_is_kept_until_its_period_ends(world, django_capture_on_commit_callbacks):
    application = rejected_in(world, date(2024, 3, 10))
    # Decided in 2024, two years from the end of 2024: due on 01.01.2027, not a day earlier.
    assert run(date(2026, 12, 31), django_capture_on_commit_callbacks) == []
    assert case_retention(application).file_due == date(2027, 1, 1)
    assert Attachment.objects.filter(application=application).count() == 1


def test_a_due_unfunded_application_is_anonymised_its_files_deleted_and_logged(
    world, django_capture_on_commit_callbacks
):
    application = rejected_in(world, date(2024, 3, 10))
    attachment = Attachment.objects.get(application=application)
    notice = Document.objects.get(application=application, kind=DocumentKind.REJECTION_NOTICE)
    attachment_file, notice_file = attachment.file, notice.file
    assert _stored(attachment_file) and _stored(notice_file)

    entries = run(date(2027, 1, 1), django_capture_on_commit_callbacks)

    assert [(e.action, e.record_type) for e in entries] == [
        (RetentionAction.DELETED, RecordType.ATTACHMENT),
        (RetentionAction.DELETED, RecordType.DOCUMENT),
        (RetentionAction.ANONYMISED, RecordType.APPLICATION),
        (RetentionAction.ANONYMISED, RecordType.ORGANISATION),
    ]
    assert {e.rule for e in entries} == {RetentionRule.UNFUNDED}
    assert {e.due_on for e in entries} == {date(2027, 1, 1)}
    assert {e.run_on for e in entries} == {date(2027, 1, 1)}
    assert all(e.by is None for e in entries)
    # The log names what was destroyed by kind and checksum, never by the personal data in it.
    assert "SHA-256 " in entries[0].detail and "Mustermann" not in entries[0].detail
    assert notice.sha256 in entries[1].detail
    # Files are gone from storage, rows from the database.
    assert not Attachment.objects.filter(application=application).exists()
    assert not Document.objects.filter(application=application).exists()
    assert not _stored(attachment_file) and not _stored(notice_file)
    # The case stays for the statistics, without its texts.
    application.refresh_from_db()
    assert application.reference and application.state == "rejected"
    assert application.title == ANONYMISED
    assert application.summary == ANONYMISED and application.decision_reasons == ANONYMISED
    assert set(application.expenditure_lines.values_list("description", flat=True)) == {ANONYMISED}
    organisation = Organisation.objects.get(pk=application.organisation_id)
    assert (organisation.contact_person, organisation.email, organisation.phone) == (
        ANONYMISED,
        ANONYMISED_EMAIL,
        "",
    )
    assert organisation.name == "Jugendförderverein Görlitz e.V."


def test_a_second_run_finds_nothing_and_no_notice_is_issued_again(world, django_capture_on_commit_callbacks):
    application = rejected_in(world, date(2024, 3, 10))
    run(date(2027, 1, 1), django_capture_on_commit_callbacks)
    assert run(date(2027, 1, 2), django_capture_on_commit_callbacks) == []
    assert retention_plan(today=date(2030, 1, 1)) == []
    # The nightly catch-up of missing notices leaves the anonymised case alone.
    assert application.pk not in notices_missing()[1]


def test_the_carriers_contact_data_stay_while_it_has_another_case(world, django_capture_on_commit_callbacks):
    rejected_in(world, date(2024, 3, 10))
    approved(world)  # a running grant of the same carrier
    run(date(2027, 1, 1), django_capture_on_commit_callbacks)
    organisation = Organisation.objects.get(pk=world["organisation"].pk)
    assert organisation.contact_person == "Björn Schäfer"
    assert not RetentionLog.objects.filter(record_type=RecordType.ORGANISATION).exists()


def test_a_withdrawn_application_counts_from_its_withdrawal(world, django_capture_on_commit_callbacks):
    from grants.applications.services.application import application_withdraw
    from tests.reporting.helpers import reviewed_application

    application = application_withdraw(application=reviewed_application(world), by=world["carrier"])
    # Withdrawn today (the history's step; the row keeps no date of its own): due on 1 January
    # of the third year from now.
    due = date(timezone.localdate().year + 3, 1, 1)
    assert case_retention(application).file_due == due
    assert run(due - timedelta(days=1), django_capture_on_commit_callbacks) == []
    entries = run(due, django_capture_on_commit_callbacks)
    assert (RetentionAction.ANONYMISED, RecordType.APPLICATION) in [
        (e.action, e.record_type) for e in entries
    ]


def test_a_programme_with_a_longer_period_keeps_its_applications_longer(
    world, django_capture_on_commit_callbacks
):
    FundingProgramme.objects.filter(pk=world["programme"].pk).update(retention_unfunded_years=3)
    rejected_in(world, date(2024, 3, 10))
    assert run(date(2027, 1, 1), django_capture_on_commit_callbacks) == []
    assert len(run(date(2028, 1, 1), django_capture_on_commit_callbacks)) == 4


# --- legal holds --------------------------------------------------------------------------------


def test_an_audit_hold_stops_the_deletion_and_the_skip_is_logged(world, django_capture_on_commit_callbacks):
    application = rejected_in(world, date(2024, 3, 10))
    legal_hold_place(
        application=application,
        by=world["auditor"],
        reason=HoldReason.LITIGATION,
        note="Klage vor dem VG Dresden, Az. 1 K 123/26",
    )

    entries = run(date(2027, 1, 1), django_capture_on_commit_callbacks)

    assert [(e.action, e.record_type, e.rule) for e in entries] == [
        (RetentionAction.SKIPPED, RecordType.APPLICATION, RetentionRule.UNFUNDED)
    ]
    assert "Klage vor dem VG Dresden, Az. 1 K 123/26" in entries[0].detail
    # Nothing was touched.
    application.refresh_from_db()
    assert application.title == "Demokratie-Werkstätten für Jugendliche in Görlitz"
    assert Attachment.objects.filter(application=application).count() == 1
    assert Document.objects.filter(application=application).count() == 1
    # A second run on the same day adds no second entry; the next day logs the skip again.
    assert run(date(2027, 1, 1), django_capture_on_commit_callbacks) == []
    assert len(run(date(2027, 1, 2), django_capture_on_commit_callbacks)) == 1


def test_lifting_the_hold_lets_the_next_run_anonymise(world, django_capture_on_commit_callbacks):
    application = rejected_in(world, date(2024, 3, 10))
    hold = legal_hold_place(
        application=application, by=world["auditor"], reason=HoldReason.AUDIT, note="Prüfung BRH 2026"
    )
    run(date(2027, 1, 1), django_capture_on_commit_callbacks)
    legal_hold_lift(hold=hold, by=world["auditor"], note="Prüfung abgeschlossen")
    entries = run(date(2027, 1, 2), django_capture_on_commit_callbacks)
    assert (RetentionAction.ANONYMISED, RecordType.APPLICATION) in [
        (e.action, e.record_type) for e in entries
    ]
    hold.refresh_from_db()
    assert hold.lifted_by == world["auditor"] and not hold.is_active


def test_an_open_reclaim_holds_the_grant_file(world, django_capture_on_commit_callbacks):
    grant = closed_in(world, date(2015, 6, 30))
    Reclaim.objects.create(
        grant=grant,
        kind="late_use",
        principal=Decimal("0"),
        interest_basis=Decimal("1000.00"),
        decided_on=date(2025, 5, 5),
        interest_from=date(2025, 1, 1),
        reasons="Zinsen",
        decided_by=world["approver"],
    )
    entries = run(date(2026, 1, 1), django_capture_on_commit_callbacks)
    assert [(e.action, e.record_type, e.rule) for e in entries] == [
        (RetentionAction.SKIPPED, RecordType.GRANT, RetentionRule.GRANT_FILE)
    ]
    assert entries[0].reference == grant.file_number
    assert "05.05.2025" in entries[0].detail
    assert Document.objects.filter(application_id=grant.application_id).exists()
    assert Receipt.objects.get(proof__grant=grant).counterparty == "Björn Schäfer"


def test_only_an_auditor_of_the_office_places_or_lifts_a_hold(world):
    application = rejected(world)
    with translation.override("en"):
        for person in (world["officer"], world["approver"], world["carrier"], world["admin"]):
            with pytest.raises(AccessDenied) as caught:
                legal_hold_place(application=application, by=person, reason=HoldReason.AUDIT, note="x")
            assert caught.value.messages == [
                "Only an auditor of the responsible office can place a legal hold on a case."
            ]
        hold = legal_hold_place(
            application=application, by=world["auditor"], reason=HoldReason.AUDIT, note="x"
        )
        with pytest.raises(AccessDenied):
            legal_hold_lift(hold=hold, by=world["officer"], note="fertig")
    assert LegalHold.objects.active().count() == 1


def test_a_hold_needs_a_reason_and_a_note(world):
    application = rejected(world)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        legal_hold_place(application=application, by=world["auditor"], reason="reclaim", note="  ")
    assert caught.value.messages == [
        "Please choose the reason for the legal hold.",
        "Please note who audits or litigates, with their file reference.",
    ]
    assert not LegalHold.objects.exists()


# --- grant files ---------------------------------------------------------------------------------


def test_attachments_of_a_closed_grant_go_after_five_years_the_file_after_ten(
    world, django_capture_on_commit_callbacks
):
    grant = closed_in(world, date(2020, 9, 15))
    attachment_file = Attachment.objects.get(application_id=grant.application_id).file
    assert case_retention(grant.application).attachments_due == date(2026, 1, 1)
    assert case_retention(grant.application).file_due == date(2031, 1, 1)

    assert run(date(2025, 12, 31), django_capture_on_commit_callbacks) == []
    entries = run(date(2026, 1, 1), django_capture_on_commit_callbacks)
    assert [(e.action, e.record_type, e.rule) for e in entries] == [
        (RetentionAction.DELETED, RecordType.ATTACHMENT, RetentionRule.ATTACHMENTS)
    ]
    assert not _stored(attachment_file)
    assert "Kostenvoranschlag" not in entries[0].detail
    # The grant file itself is untouched until its own period ends.
    assert Document.objects.filter(application_id=grant.application_id).count() == 1
    assert run(date(2030, 12, 31), django_capture_on_commit_callbacks) == []

    entries = run(date(2031, 1, 1), django_capture_on_commit_callbacks)
    assert [(e.action, e.record_type) for e in entries] == [
        (RetentionAction.DELETED, RecordType.DOCUMENT),
        (RetentionAction.DELETED, RecordType.PROOF_FILE),
        (RetentionAction.ANONYMISED, RecordType.GRANT),
        (RetentionAction.ANONYMISED, RecordType.APPLICATION),
        (RetentionAction.ANONYMISED, RecordType.ORGANISATION),
    ]
    assert {e.rule for e in entries} == {RetentionRule.GRANT_FILE}
    receipt = Receipt.objects.get(proof__grant=grant)
    assert (receipt.counterparty, receipt.reason, receipt.amount) == (
        ANONYMISED,
        ANONYMISED,
        Decimal("500.00"),
    )
    proof = ProofOfUse.objects.get(grant=grant)
    assert (proof.narrative, proof.narrative_file.name) == ("", "")
    # What the ledger and open data need stays: file number, title, amounts.
    grant.refresh_from_db()
    assert grant.file_number and grant.title == "Demokratie-Werkstätten für Jugendliche in Görlitz"
    assert grant.granted_amount == Decimal("12345.67")
    # No notice, payment order, memo or decision is issued again from anonymised data.
    assert grant.pk not in notices_missing()[0]
    assert all(grant.application_id not in ids for ids in documents_missing().values())


# --- task and command ----------------------------------------------------------------------------


def test_the_daily_task_runs_with_todays_date(world, monkeypatch, django_capture_on_commit_callbacks):
    rejected_in(world, date(2024, 3, 10))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_task.delay().get() == 4


def test_the_dry_run_prints_what_would_happen_and_changes_nothing(world):
    application = rejected_in(world, date(2024, 3, 10))
    held = rejected_in(world, date(2024, 5, 1))
    legal_hold_place(application=held, by=world["auditor"], reason=HoldReason.AUDIT, note="Prüfung BRH")
    out = io.StringIO()
    call_command("retention_run", "--dry-run", "--date", "2027-01-01", stdout=out)
    text = out.getvalue()  # in German, whatever the language of the shell
    assert "Probelauf am 01.01.2027: 2 fällige Akten, nichts wird geändert." in text
    assert f"{application.reference} · Nicht geförderte Anträge · fällig seit 01.01.2027" in text
    assert (
        f"Anlage Satzung / Registerauszug ({Attachment.objects.get(application=application).pk}) löschen"
        in text
    )
    assert f"Dokument Ablehnungsbescheid „Ablehnungsbescheid_{application.reference}.pdf“ löschen" in text
    assert "übersprungen, Aufbewahrungssperre: Prüfung: Prüfung BRH" in text
    assert not RetentionLog.objects.exists()
    assert Attachment.objects.count() == 2


def test_the_command_runs_and_reports_its_entries(world):
    rejected_in(world, date(2024, 3, 10))
    out = io.StringIO()
    call_command("retention_run", "--date", "2027-01-01", stdout=out)
    assert "4 Protokolleinträge am 01.01.2027." in out.getvalue()


def test_a_person_running_it_needs_to_be_an_administrator(world):
    with translation.override("en"), pytest.raises(AccessDenied) as caught:
        retention_run(today=date(2027, 1, 1), by=world["auditor"])
    assert caught.value.messages == ["Only an administrator can start the retention run."]


# --- pages ------------------------------------------------------------------------------------


def test_the_retention_log_is_for_administrators_and_auditors(
    world, client, django_capture_on_commit_callbacks
):
    application = rejected_in(world, date(2024, 3, 10))
    run(date(2027, 1, 1), django_capture_on_commit_callbacks)
    for person in (world["auditor"], world["admin"]):
        client.force_login(person)
        response = client.get("/aufbewahrung/")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 4
        assert application.reference in response.content.decode()
    for person in (world["officer"], world["carrier"]):
        client.force_login(person)
        assert client.get("/aufbewahrung/").status_code == 403


def test_the_case_page_shows_periods_and_holds_to_office_staff_only(world, client):
    application = rejected_in(world, date(2024, 3, 10))
    client.force_login(world["officer"])
    response = client.get(f"/antraege/{application.pk}/aufbewahrung/")
    assert response.status_code == 200
    assert response.context["retention"].file_due == date(2027, 1, 1)
    assert response.context["hold_form"] is None  # a case officer places no hold
    client.force_login(world["carrier"])
    assert client.get(f"/antraege/{application.pk}/aufbewahrung/").status_code == 403
    stranger = UserFactory()
    membership(stranger, world["other"], "auditor")
    client.force_login(stranger)
    assert client.get(f"/antraege/{application.pk}/aufbewahrung/").status_code == 404


def test_an_auditor_places_and_lifts_a_hold_on_the_page(world, client):
    application = rejected(world)
    client.force_login(world["auditor"])
    url = f"/antraege/{application.pk}/aufbewahrung/sperre/"
    response = client.post(url, {"reason": "audit", "note": "Prüfung durch den Landesrechnungshof"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.reason, hold.placed_by) == ("audit", world["auditor"])
    page = client.get(f"/antraege/{application.pk}/aufbewahrung/").content.decode()
    assert "Prüfung durch den Landesrechnungshof" in page
    response = client.post(f"{url}{hold.pk}/aufheben/", {"note": "Prüfung beendet"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.lift_note == "Prüfung beendet"


def test_a_hold_without_a_note_is_refused_in_german_and_nothing_is_written(world, client):
    application = rejected(world)
    client.force_login(world["auditor"])
    response = client.post(
        f"/antraege/{application.pk}/aufbewahrung/sperre/", {"reason": "audit", "note": ""}
    )
    assert response.status_code == 400
    assert "Bitte vermerken Sie, wer prüft oder klagt, mit dessen Aktenzeichen." in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_case_officer_cannot_place_a_hold(world, client):
    application = rejected(world)
    client.force_login(world["officer"])
    response = client.post(
        f"/antraege/{application.pk}/aufbewahrung/sperre/", {"reason": "audit", "note": "Prüfung"}
    )
    assert response.status_code == 403
    assert not LegalHold.objects.exists()
