"""A webhook is delivered once per event even when the worker sending it is killed mid-POST.

Real ``celery worker`` processes on Redis and the PostgreSQL test database, and a receiver on a
local port. The first worker is killed with SIGKILL while the receiver holds its answer: the
receiver has the event, the worker never learns it, its transaction (with the row lock and the
attempt record) dies with its connection. Redis hands the unacknowledged message to a second
worker after the visibility timeout (3 s here); it sends the event again with the same
``Webhook-Id`` and marks the delivery delivered. The receiver, deduplicating by that id,
processed it once; the sender recorded one delivery, delivered once, with one successful attempt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from tests.budgets.factories import UserFactory, office
from tests.grants.factories import OrganisationFactory
from webhooks import delivery as sending
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from webhooks.outbox import emit

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 3  # seconds

WORKER = """
import sys
import django
django.setup()
from config.celery import app
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": %(visibility)d,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.worker_main(["worker", "--pool", "solo", "--queues", sys.argv[1], "--loglevel", "INFO",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"])
"""


def start_worker(queue: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOKS_TIMEOUT": "60",
        "LOG_FORMAT": "text",
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER % {"visibility": VISIBILITY}, queue],
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


def unlocked(delivery: Delivery) -> bool:
    """Nobody holds the delivery's row (the dead worker's transaction is gone)."""
    with transaction.atomic():
        return Delivery.objects.select_for_update(skip_locked=True).filter(pk=delivery.pk).exists()


def make_endpoint(url: str) -> WebhookEndpoint:
    organisation = OrganisationFactory()
    return WebhookEndpoint.objects.create(
        organisation_id=organisation.pk, url=url, event_types=["payment.executed"], created_by=UserFactory()
    )


def announce(endpoint: WebhookEndpoint):
    with transaction.atomic():
        return emit(
            "payment.executed",
            subject="drawdown:1",
            payload={"amount": "100.00"},
            organisation_id=endpoint.organisation_id,
            office_path=office().path,
        )


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_webhook_is_delivered_once_per_event_when_its_worker_is_killed_mid_post(receiver, monkeypatch):
    from config.celery import app
    from webhooks.tasks import deliver_event

    queue = f"test-webhook-killed-{uuid.uuid4().hex[:12]}"
    # The on-commit task goes to this test's own queue, which only its workers read.
    monkeypatch.setattr(
        deliver_event, "delay", lambda event_id: deliver_event.apply_async((event_id,), queue=queue)
    )
    endpoint = make_endpoint(receiver.url)
    receiver.hold = threading.Event()  # the receiver keeps the first worker waiting for its answer
    first = start_worker(queue)
    second = None
    app.conf.task_always_eager = False  # the root conftest runs tasks in-process
    try:
        event = announce(endpoint)
        assert event is not None
        delivery = Delivery.objects.get(event=event)
        wait_until(lambda: len(receiver.requests) == 1, "the first worker posting the event")
        stop(first, signal.SIGKILL)  # as the kernel's OOM killer or a lost machine would
        held, receiver.hold = receiver.hold, None
        held.set()

        wait_until(lambda: unlocked(delivery), "the dead worker's transaction ending")
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("pending", 0)  # its attempt was never committed
        assert DeliveryAttempt.objects.count() == 0

        second = start_worker(queue)
        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).is_delivered, "another worker delivering")
    finally:
        app.conf.task_always_eager = True
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)

    assert receiver.ids() == [str(event.pk), str(event.pk)]  # at least once, with the same id
    assert list(receiver.processed) == [str(event.pk)]  # so the receiver processed it once
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert [(a.succeeded, a.status_code) for a in DeliveryAttempt.objects.all()] == [(True, 200)]
    assert Delivery.objects.filter(event=event).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_by_one_worker_is_skipped_by_another(receiver, monkeypatch):
    """SKIP LOCKED: while one transaction holds the row (its POST under way), a second attempt
    sends nothing instead of sending in parallel; afterwards it finds the delivery delivered."""
    from webhooks.tasks import deliver_event

    monkeypatch.setattr(deliver_event, "delay", lambda event_id: None)  # the two senders are ours
    endpoint = make_endpoint(receiver.url)
    with transaction.atomic():
        event = emit(
            "payment.executed",
            subject="drawdown:1",
            payload={},
            organisation_id=endpoint.organisation_id,
            office_path=office().path,
        )
    delivery = Delivery.objects.get(event=event)
    receiver.hold = threading.Event()
    results: list = []

    def send() -> None:
        try:
            results.append(sending.delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()  # this thread's own connection

    sender = threading.Thread(target=send)
    sender.start()
    try:
        wait_until(lambda: len(receiver.requests) == 1, "the first sender posting", seconds=30)
        assert sending.delivery_attempt(delivery_id=delivery.pk) is None
    finally:
        held, receiver.hold = receiver.hold, None
        held.set()
        sender.join(timeout=30)
    assert results[0].is_delivered
    assert sending.delivery_attempt(delivery_id=delivery.pk).is_delivered  # already delivered: nothing sent
    assert len(receiver.requests) == 1
