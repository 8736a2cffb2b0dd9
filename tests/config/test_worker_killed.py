"""A worker killed in the middle of an export: another worker runs the job to the end once the
broker's visibility timeout has passed (in production 15 minutes; here 3 seconds).

Two real ``celery worker`` processes on Redis and the PostgreSQL test database. The first one
is slowed down so that it is still writing when it is killed with SIGKILL (no chance to hand
the message back); the second one, started afterwards, finds the unacknowledged message, runs
the job again (running → running → done) and stores one file.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from reporting.models import ExportJob
from tests.budgets.factories import UserFactory, membership, office

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 3  # seconds

WORKER = """
import sys, time
import django
django.setup()
from config.celery import app
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": %(visibility)d,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
if %(slow)r:
    import reporting.exports.services as services
    write = services._write
    def slow_write(*args, **kwargs):
        time.sleep(120)  # killed long before this ends
        return write(*args, **kwargs)
    services._write = slow_write
app.worker_main(["worker", "--pool", "solo", "--queues", sys.argv[1], "--loglevel", "INFO",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"])
"""


def start_worker(queue: str, media: Path, *, slow: bool) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(media),
        "LOG_FORMAT": "text",
    }
    code = WORKER % {"visibility": VISIBILITY, "slow": slow}
    return subprocess.Popen(
        [sys.executable, "-c", code, queue],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], how: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, how)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.2)


def state(job: ExportJob) -> str:
    return ExportJob.objects.values_list("state", flat=True).get(pk=job.pk)


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_the_export_of_a_killed_worker_is_finished_by_another_within_the_visibility_timeout(tmp_path):
    from config.celery import app
    from reporting.exports.tasks import run_export_job

    finance = UserFactory()
    membership(finance, office(name="Demokratie-Zentrum Sachsen", code="SN", kind="state"), "finance")
    job = ExportJob.objects.create(kind="grants", format="csv", filters={}, created_by=finance)
    queue = f"test-killed-{uuid.uuid4().hex[:12]}"
    media = tmp_path / "media"
    first = start_worker(queue, media, slow=True)
    second = None
    app.conf.task_always_eager = False  # the root conftest runs tasks in-process
    try:
        run_export_job.apply_async(args=[str(job.pk)], queue=queue, ignore_result=True)
        wait_until(lambda: state(job) == "running", "the first worker starting the export")
        stop(first, signal.SIGKILL)  # as the kernel's OOM killer or a lost machine would
        killed_at = time.monotonic()
        assert state(job) == "running"

        second = start_worker(queue, media, slow=False)
        wait_until(lambda: state(job) == "done", "another worker finishing the export")
        took = time.monotonic() - killed_at
    finally:
        app.conf.task_always_eager = True
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)

    job.refresh_from_db()
    assert [step.transition for step in job.history.all()] == ["start", "start", "finish"]
    assert job.file.name.startswith(f"exports/{job.pk}/")
    assert [p.name for p in (media / "exports" / str(job.pk)).iterdir()] == [Path(job.file.name).name]
    # Restored after the visibility timeout (and not after Redis's default hour).
    assert took < 60
