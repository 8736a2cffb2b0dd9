"""A real Celery worker, fed through the broker, runs a document job and an export job; a
redelivered job (``acks_late``) leaves one document and one file.

Needs a broker (``CELERY_BROKER_URL=redis://…``); without one the root conftest skips it.

The worker is Celery's embedded test worker (``celery.contrib.testing.worker.start_worker``): the
real consumer and task tracer, with ``acks_late`` and JSON messages through Redis, running in a
thread of this process. It therefore sees pytest-django's test database — SQLite's shared
in-memory one as well as ``test_<name>`` on PostgreSQL — which a ``celery worker`` subprocess
could only reach through a file or server database named in its environment. The test commits
its data (``transaction=True``) so that the worker's own connection sees it.
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_fsm.signals import post_transition

from grants.applications.models import Application
from reporting.models import Document, ExportJob
from reporting.receivers import application_transitioned
from reporting.tasks import generate_grant_notice
from tests.budgets.factories import UserFactory, membership
from tests.reporting.helpers import approved, pdf_text

ROOT = Path(__file__).parents[2]

TIMEOUT = 90  # seconds; a notice renders in about one


@pytest.fixture
def silent_workflow():
    """Approvals must not queue their own notice jobs: this test sends every job itself."""
    uid = "reporting.application_transitioned"
    post_transition.disconnect(sender=Application, dispatch_uid=uid)
    yield
    post_transition.connect(application_transitioned, sender=Application, dispatch_uid=uid)


@pytest.fixture
def worker():
    """A worker consuming a queue of its own, and what it ran: task id → [(state, return value)]."""
    # A worker process would not know this task yet (see the registry test below); imported
    # here, before the worker starts, so that the export itself can be tested meanwhile.
    import reporting.exports.tasks  # noqa: F401
    from config.celery import app

    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    runs: dict[str, list[tuple[str, object]]] = {}
    lock = threading.Lock()

    def record(sender=None, task_id=None, retval=None, state=None, **kwargs):
        with lock:
            runs.setdefault(task_id, []).append((state, retval))

    task_postrun.connect(record, weak=False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=60
        ):
            yield SimpleNamespace(app=app, queue=queue, runs=runs, lock=lock)
    finally:
        app.conf.task_always_eager = eager
        task_postrun.disconnect(record)
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            channel.queue_delete(queue)
            client = getattr(channel, "client", None)  # Redis: kombu keeps the bindings after a delete
            if client is not None:
                for key in client.scan_iter(match=f"*{queue}*"):
                    client.delete(key)


def send(worker, task, *args, task_id=None):
    # ignore_result: no result backend is configured; the worker's runs are recorded instead.
    return task.apply_async(args=args, queue=worker.queue, task_id=task_id, ignore_result=True).id


def wait_for(worker, task_id, runs=1):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with worker.lock:
            done = list(worker.runs.get(task_id, []))
        if len(done) >= runs:
            return done
        time.sleep(0.1)
    raise AssertionError(f"the worker ran task {task_id} {len(done)} of {runs} times within {TIMEOUT} s")


def stored_files(folder):
    try:
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


def test_a_worker_process_registers_every_task():
    # What `celery -A config worker` loads at start: the app, then every app's tasks module.
    code = (
        "import django; django.setup(); from config.celery import app; "
        "app.loader.import_default_modules(); print(*sorted(app.tasks))"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    registered = set(result.stdout.split())
    assert {"reporting.tasks.generate_grant_notice", "reporting.exports.tasks.run_export_job"} <= registered


@pytest.fixture
def notice_grant(world, silent_workflow):
    # Made before the worker fixture switches eager execution off: the workflow's own jobs
    # (e-mails) run in-process instead of waiting in the broker's default queue for ever.
    return approved(world).grant


@pytest.fixture
def export_job(world, silent_workflow):
    grants = [approved(world).grant, approved(world).grant]
    finance = UserFactory()
    membership(finance, world["sn"], "finance")
    job = ExportJob.objects.create(kind="grants", format="csv", filters={}, created_by=finance)
    return job, grants


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_issues_the_notice_once_however_often_the_job_is_delivered(notice_grant, worker):
    grant = notice_grant
    assert not Document.objects.exists()  # nothing was issued in-process

    first = send(worker, generate_grant_notice, grant.pk)
    [(state, document_id)] = wait_for(worker, first)
    assert state == "SUCCESS"
    document = Document.objects.get()
    assert (document.pk, document.subject, document.kind) == (document_id, grant, "grant_notice")
    with document.file.open("rb") as f:
        assert "12.345,67 €" in pdf_text(f.read())

    # acks_late: a worker that dies before acknowledging gets the same message (same task id) again.
    again = send(worker, generate_grant_notice, grant.pk, task_id=first)
    assert wait_for(worker, again, runs=2) == [("SUCCESS", document.pk), ("SUCCESS", document.pk)]
    assert Document.objects.count() == 1
    assert stored_files(f"documents/{grant.application_id}") == [document.file.name.rsplit("/", 1)[1]]


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_an_export_job_and_a_redelivery_leaves_one_file(export_job, worker):
    from reporting.exports.tasks import run_export_job

    job, grants = export_job
    # As after a worker died mid-export: the job is running and a partial file is left behind.
    ExportJob.objects.filter(pk=job.pk).update(state="running")
    default_storage.save(f"exports/{job.pk}/partial.csv", ContentFile(b"Aktenzeichen;"))

    first = send(worker, run_export_job, str(job.pk))
    assert wait_for(worker, first) == [("SUCCESS", "done")]
    again = send(worker, run_export_job, str(job.pk), task_id=first)
    assert wait_for(worker, again, runs=2)[1] == ("SUCCESS", "done")

    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total, job.error) == ("done", 2, 2, "")
    assert stored_files(f"exports/{job.pk}") == [job.file.name.rsplit("/", 1)[1]]
    with job.file.open("rb") as f:
        text = f.read().decode("utf-8-sig")
    assert all(grant.file_number in text for grant in grants)
