"""Export jobs: queued → running → done with one file (or failed with the reason), the polling
progress partial, and downloads that only the job's creator gets while they may see the data."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from celery.exceptions import Retry
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import OfficeMembership
from reporting.exports import services
from reporting.exports.services import export_job_create, export_job_run
from reporting.exports.tasks import run_export_job
from reporting.models import ExportJob
from tests.budgets.factories import UserFactory, membership
from tests.reporting.test_exports import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def xw(db):
    return build_world()


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def start(user, kind="grants", fmt="csv", **filters) -> ExportJob:
    return export_job_create(user=user, kind=kind, fmt=fmt, filters=filters)


def files_of(job: ExportJob) -> list[str]:
    try:
        return sorted(default_storage.listdir(f"exports/{job.pk}")[1])
    except FileNotFoundError:
        return []


def read(job: ExportJob) -> bytes:
    with job.file.open("rb") as f:
        return f.read()


def test_a_job_runs_from_queued_through_running_to_done_with_its_file(
    xw, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(xw.finance_sn, office=xw.sn.pk)
    assert ExportJob.objects.get().state == "queued"
    assert job.filters == {"office": xw.sn.pk}

    seen = []
    real = services.WRITERS["csv"]

    def watching(out, table, *, on_progress, every):
        def progress(rows):
            on_progress(rows)
            row = ExportJob.objects.values_list("state", "rows_done", "rows_total").get(pk=job.pk)
            seen.append(row)

        return real(out, table, on_progress=progress, every=1)

    monkeypatch.setitem(services.WRITERS, "csv", watching)
    callbacks[0]()  # the commit queues the task; without a broker it runs in-process

    assert seen == [("running", 1, 2), ("running", 2, 2)]
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total, job.error) == ("done", 2, 2, "")
    assert job.finished_at is not None
    assert (
        job.file_name
        == f"Zuwendungen_{timezone.localtime(job.created_at).date().isoformat()}_{job.pk.hex[:8]}.csv"
    )
    assert job.file.name == f"exports/{job.pk}/{job.file_name}"
    assert files_of(job) == [job.file_name]
    rows = list(csv.reader(io.StringIO(read(job).decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows] == ["Aktenzeichen", "SN-DD-WOS-2026-0001", "SN-L-DL-2027-0001"]


def test_a_finished_job_delivered_again_returns_at_once_and_keeps_its_file(
    xw, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(xw.finance_sn, fmt="xlsx")
    job.refresh_from_db()
    before = (job.file.name, os.path.getmtime(job.file.path), read(job))
    with django_assert_max_num_queries(3):  # savepoint, the locked read, release
        assert run_export_job.delay(str(job.pk)).get() == "done"
    job.refresh_from_db()
    assert (job.file.name, os.path.getmtime(job.file.path), read(job)) == before
    assert files_of(job) == [job.file_name]


def test_a_job_retried_after_a_crash_leaves_exactly_one_file(
    xw, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(xw.finance_sn, kind="receipts", fmt="json")
    real_save = ExportJob.save
    crashes = []

    def crash_once_after_the_file_is_stored(self, *args, **kwargs):
        if "file" in (kwargs.get("update_fields") or ()) and not crashes:
            crashes.append(self.file.name)
            raise OperationalError("connection lost")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ExportJob, "save", crash_once_after_the_file_is_stored)
    with pytest.raises(Retry):  # the first attempt dies after storing its file; Celery retries it
        callbacks[0]()
    job.refresh_from_db()
    assert job.state == "failed"
    assert files_of(job) == [services.export_file_name(job)]  # left behind by the crash

    assert run_export_job.delay(str(job.pk)).get() == "done"  # the broker delivers the retry
    job.refresh_from_db()
    assert crashes == [f"exports/{job.pk}/{job.file_name}"]
    assert (job.state, job.error, job.rows_done) == ("done", "", 3)
    assert files_of(job) == [job.file_name]
    assert len(json.loads(read(job))) == 3


def test_a_job_fails_with_the_reason_when_its_creator_lost_access(
    xw, django_capture_on_commit_callbacks, english
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(xw.finance_leipzig, kind="ledger")
    OfficeMembership.objects.filter(user=xw.finance_leipzig).delete()
    callbacks[0]()
    job.refresh_from_db()
    assert (job.state, job.error, job.file.name) == ("failed", "You may not export these data.", "")
    assert job.finished_at is not None
    assert files_of(job) == []


def test_an_internal_error_fails_the_job_and_is_raised_for_the_retry_policy(xw, monkeypatch, english):
    job = start(xw.finance_sn)

    def broken(out, table, **kwargs):
        out.write(b"half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(services.WRITERS, "csv", broken)
    with pytest.raises(RuntimeError):
        export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == (
        "The export could not be completed because of an internal error. Please start it again."
    )
    assert files_of(job) == []


def test_an_xlsx_job_with_more_rows_than_a_sheet_holds_fails_with_advice(xw, monkeypatch, english):
    monkeypatch.setattr(services, "XLSX_MAX_ROWS", 1)
    job = export_job_run(job_id=start(xw.finance_sn, fmt="xlsx").pk)
    assert (job.state, job.rows_total, job.file.name) == ("failed", 2, "")
    assert (
        job.error
        == "2 rows do not fit into one Excel sheet (at most 1). Please choose CSV or narrow the filters."
    )
    assert export_job_run(job_id=start(xw.finance_sn, fmt="csv").pk).state == "done"


def test_a_job_cannot_be_started_for_data_the_user_may_not_see(xw):
    from core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        start(xw.carrier_a, kind="ledger")
    with pytest.raises(AccessDenied):
        start(xw.finance_leipzig, office=xw.mv.pk)
    assert not ExportJob.objects.exists()


# --- pages -----------------------------------------------------------------------------------


def test_the_export_page_starts_a_job_and_shows_it_when_ready(
    client, xw, django_capture_on_commit_callbacks, english
):
    client.force_login(xw.finance_sn)
    page = client.get(reverse("export_start"))
    assert page.status_code == 200
    data = {"kind": "grants", "format": "xlsx", "office": xw.dresden.pk, "year": "2026", "state": "running"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export_start"), data)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("export_job", args=[job.pk])
    assert job.filters == {"office": xw.dresden.pk, "year": 2026, "state": "running"}
    assert (job.state, job.rows_done, job.created_by) == ("done", 1, xw.finance_sn)
    detail = client.get(response.url).content.decode()
    assert "PfD Dresden" in detail and "Running" in detail
    assert reverse("export_job_download", args=[job.pk]) in detail
    assert "The export is ready: 1 row." in detail
    assert "Grants" in client.get(reverse("export_start")).content.decode()


def test_the_export_page_refuses_a_state_of_another_export(client, xw, english):
    client.force_login(xw.finance_sn)
    response = client.post(reverse("export_start"), {"kind": "grants", "format": "csv", "state": "submitted"})
    assert response.status_code == 200
    assert "This export cannot be filtered by that state." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_export_page_offers_carriers_only_their_kinds_and_refuses_people_without_data(client, xw):
    client.force_login(xw.carrier_a)
    form = client.get(reverse("export_start")).context["form"]
    assert [value for value, _label in form.fields["kind"].choices] == [
        "applications",
        "grants",
        "drawdowns",
        "receipts",
    ]
    client.force_login(xw.nobody)
    assert client.get(reverse("export_start")).status_code == 403


def test_the_progress_partial_polls_while_the_job_runs_and_stops_when_it_ends(client, xw, english):
    job = start(xw.finance_sn)
    url = reverse("export_job_progress", args=[job.pk])
    client.force_login(xw.finance_sn)
    queued = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in queued
    assert "Waiting for a free worker" in queued

    ExportJob.objects.filter(pk=job.pk).update(state="running", rows_total=200, rows_done=50)
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert '<progress id="export-bar" max="200" value="50">25 %</progress>' in running
    assert "50 of 200 rows written." in running

    ExportJob.objects.filter(pk=job.pk).update(
        state="failed", error="Die Datei konnte nicht gespeichert werden."
    )
    failed = client.get(url).content.decode()
    assert "hx-trigger" not in failed
    assert "The export failed." in failed and "Die Datei konnte nicht gespeichert werden." in failed

    export_job_run(job_id=job.pk)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done
    assert reverse("export_job_download", args=[job.pk]) in done


def test_only_the_creator_downloads_the_file_and_only_while_they_may_see_the_data(client, xw):
    job = start(xw.finance_sn)
    url = reverse("export_job_download", args=[job.pk])
    client.force_login(xw.finance_sn)
    assert client.get(url).status_code == 404  # not written yet
    export_job_run(job_id=job.pk)
    job.refresh_from_db()

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    assert b"".join(response.streaming_content) == read(job)

    colleague = UserFactory()
    membership(colleague, xw.sn, "finance")  # sees the same data, but did not start the job
    for other in (colleague, xw.auditor_sn, xw.carrier_b):
        client.force_login(other)
        for name in ("export_job_download", "export_job", "export_job_progress"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404

    OfficeMembership.objects.filter(user=xw.finance_sn).delete()
    client.force_login(xw.finance_sn)
    assert client.get(url).status_code == 404

    client.logout()
    assert client.get(url).status_code == 302  # to the login page


# --- the state machine and its history ---------------------------------------------------------


def history(job: ExportJob) -> list[tuple[str, str, str, object]]:
    return list(job.history.values_list("transition", "source_state", "state", "by"))


def test_the_history_names_who_requested_the_job_and_when_it_ran_and_finished(xw):
    job = start(xw.finance_sn)
    assert history(job) == [("create", "", "queued", xw.finance_sn.pk)]
    export_job_run(job_id=job.pk)
    assert history(job) == [
        ("create", "", "queued", xw.finance_sn.pk),
        ("start", "queued", "running", None),
        ("finish", "running", "done", None),
    ]
    timestamps = list(job.history.values_list("timestamp", flat=True))
    assert timestamps == sorted(timestamps)


def test_a_failed_job_started_again_keeps_both_runs_in_its_history(xw, monkeypatch):
    job = start(xw.finance_sn)

    def broken(out, table, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(services.WRITERS, "csv", broken)
    with pytest.raises(RuntimeError):
        export_job_run(job_id=job.pk)
    monkeypatch.undo()
    assert export_job_run(job_id=job.pk).state == "done"
    assert [(t, s, target) for t, s, target, _by in history(job)] == [
        ("create", "", "queued"),
        ("start", "queued", "running"),
        ("fail", "running", "failed"),
        ("start", "failed", "running"),
        ("finish", "running", "done"),
    ]


def test_the_state_changes_only_through_transitions_and_a_done_job_never_again(xw):
    from django_fsm import TransitionNotAllowed

    job = export_job_run(job_id=start(xw.finance_sn).pk)
    with pytest.raises(AttributeError):
        job.state = "queued"
    for step in (job.start, lambda: job.fail(reason="x")):
        with pytest.raises(TransitionNotAllowed):
            step()
    assert export_job_run(job_id=job.pk).state == "done"
    assert len(history(job)) == 3  # a second delivery of a done job writes nothing


def test_the_job_page_shows_the_history(client, xw, english):
    job = export_job_run(job_id=start(xw.finance_sn).pk)
    client.force_login(xw.finance_sn)
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert 'id="history-heading"' in page
    for step in (
        "Export requested",
        "Started",
        "File written",
        "Export worker",
        xw.finance_sn.get_full_name(),
    ):
        assert step in page


def test_no_person_may_take_a_workers_step_not_even_the_creator_or_an_admin(xw):
    from django_fsm import has_transition_perm

    from accounts.models import User

    job = start(xw.finance_sn)
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    for user in (xw.finance_sn, admin):
        assert not has_transition_perm(job.start, user)
    job = export_job_run(job_id=job.pk)
    assert not has_transition_perm(job.start, xw.finance_sn)
