"""Sending: signed POSTs to a real local receiver, retries with back-off, a worker that dies
between the POST and the commit, replay, deactivation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from core.errors import AccessDenied, DomainError
from webhooks import delivery as sending
from webhooks import transport
from webhooks.models import MAX_ATTEMPTS, Delivery, DeliveryAttempt
from webhooks.outbox import emit
from webhooks.services import delivery_replay, endpoint_deactivate
from webhooks.signing import signature, verify
from webhooks.tasks import deliver_due, deliver_event

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def announce(world, *, at: datetime | None = None):
    """One event for the world's carrier, as a service would write it."""
    with transaction.atomic():
        event = emit(
            "payment.executed",
            subject="drawdown:7",
            payload={"drawdown_id": 7, "amount": "4321.09"},
            organisation_id=world["organisation"].pk,
            office_path=world["sn"].path,
        )
    assert event is not None
    if at is not None:
        event.created_at = at
        event.save()
        event.deliveries.update(next_attempt_at=at)
    return event


def state(delivery: Delivery) -> tuple:
    delivery.refresh_from_db()
    return delivery.state, delivery.attempts, delivery.next_attempt_at


# --- signing -----------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"id":"x"}'
    expected = hmac.new(b"whsec_abc", b'1780000000.{"id":"x"}', hashlib.sha256).hexdigest()
    assert signature("whsec_abc", 1780000000, body) == f"v1={expected}"


def test_a_receiver_accepts_a_fresh_request_with_the_right_secret_only():
    body = b'{"id":"x"}'
    header = signature("whsec_abc", 1780000000, body)
    ok = {"secret": "whsec_abc", "body": body, "timestamp": "1780000000", "signature_header": header}
    assert verify(**ok, now=1780000100)
    assert not verify(**(ok | {"secret": "whsec_other"}), now=1780000100)
    assert not verify(**(ok | {"body": b'{"id":"y"}'}), now=1780000100)
    assert not verify(**(ok | {"timestamp": "1780000001"}), now=1780000100)  # the timestamp is signed
    assert not verify(**ok, now=1780000000 + 301)  # older than five minutes: a replayed recording
    assert not verify(**(ok | {"timestamp": "soon"}), now=1780000100)
    assert verify(**(ok | {"signature_header": f"v1=00 {header}"}), now=1780000100)  # one of several


def test_a_delivery_is_a_signed_post_with_the_event_id_and_the_exact_body(world, endpoint, receiver):
    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world)

    assert deliver_event(str(event.pk)) == 1

    [request] = receiver.requests
    headers = request.headers
    assert headers["Webhook-Id"] == str(event.pk)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert verify(
        secret=hook.secret,
        body=request.body,
        timestamp=headers["Webhook-Timestamp"],
        signature_header=headers["Webhook-Signature"],
    )
    assert request.json == {
        "id": str(event.pk),
        "type": "payment.executed",
        "created_at": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "subject": "drawdown:7",
        "data": {"drawdown_id": 7, "amount": "4321.09"},
    }
    assert request.body == event.body()
    [delivery] = event.deliveries.all()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.succeeded, attempt.error, attempt.response_excerpt) == (
        200,
        True,
        "",
        "ok",
    )


def test_the_first_attempt_is_scheduled_on_commit(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    with django_capture_on_commit_callbacks(execute=True):
        event = announce(world)
    assert receiver.ids() == [str(event.pk)]
    assert event.deliveries.get().is_delivered


# --- retries -----------------------------------------------------------------------------------


def test_failed_attempts_are_repeated_after_1_5_30_minutes_2_and_12_hours_then_given_up(
    world, endpoint, receiver
):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)
    [delivery] = event.deliveries.all()
    receiver.statuses = [500, 502, 503, 404, 429, 500]

    times = [T0]
    for wait in (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
    ):
        sending.delivery_attempt(delivery_id=delivery.pk, now=times[-1])
        assert state(delivery) == ("pending", len(times), times[-1] + wait)
        # Not due yet: the sweeper and a duplicate task leave it alone.
        assert sending.deliver_due(now=times[-1] + wait - timedelta(seconds=1)) == 0
        times.append(times[-1] + wait)
    sending.delivery_attempt(delivery_id=delivery.pk, now=times[-1])

    assert state(delivery) == ("failed", MAX_ATTEMPTS, None)
    assert len(receiver.requests) == MAX_ATTEMPTS == 6
    assert set(receiver.ids()) == {str(event.pk)}
    assert [(a.at, a.status_code, a.succeeded) for a in delivery.attempt_log.all()] == [
        (t, s, False) for t, s in zip(times, [500, 502, 503, 404, 429, 500], strict=True)
    ]
    assert sending.deliver_due(now=times[-1] + timedelta(days=1)) == 0  # failed is final


def test_the_sweeper_sends_what_is_due_and_a_later_success_delivers(world, endpoint, receiver):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)
    [delivery] = event.deliveries.all()
    receiver.statuses = [503]

    assert sending.deliver_due(now=T0) == 1
    assert state(delivery) == ("pending", 1, T0 + timedelta(minutes=1))
    assert sending.deliver_due(now=T0 + timedelta(minutes=1)) == 1

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.delivered_at) == (
        "delivered",
        2,
        T0 + timedelta(minutes=1),
    )
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 200]


def test_an_unreachable_endpoint_is_an_attempt_with_the_error(world, endpoint, receiver):
    endpoint(world["carrier"], "http://127.0.0.1:9/nobody-listens", organisation=world["organisation"])
    event = announce(world, at=T0)

    sending.deliver_event_now(event_id=str(event.pk), now=T0)

    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code is None
    assert not attempt.succeeded
    assert "refused" in attempt.error.lower()
    assert state(event.deliveries.get()) == ("pending", 1, T0 + timedelta(minutes=1))


def test_a_redirect_is_not_followed(world, endpoint, receiver):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)
    receiver.statuses = [302]

    sending.deliver_event_now(event_id=str(event.pk), now=T0)

    assert len(receiver.requests) == 1
    assert [a.status_code for a in DeliveryAttempt.objects.all()] == [302]
    assert event.deliveries.get().is_pending


def test_private_addresses_are_refused_unless_allowed(settings, world, endpoint, receiver):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)

    sending.deliver_event_now(event_id=str(event.pk), now=T0)

    assert receiver.requests == []
    [attempt] = DeliveryAttempt.objects.all()
    assert "127.0.0.1" in attempt.error and "not public" in attempt.error


# --- a worker that dies ----------------------------------------------------------------------


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside: nothing after this line runs, nothing is committed."""


def test_a_worker_that_dies_after_the_post_leads_to_one_delivery_with_the_same_id(
    world, endpoint, receiver, monkeypatch
):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)
    [delivery] = event.deliveries.all()
    real_post = transport.post

    def post_then_die(*args, **kwargs):
        real_post(*args, **kwargs)  # the receiver has the event …
        raise WorkerKilled  # … and the worker is gone before the commit

    monkeypatch.setattr(transport, "post", post_then_die)
    with pytest.raises(WorkerKilled):
        deliver_event(str(event.pk))
    # Rolled back: still pending and due, no attempt recorded.
    assert state(delivery) == ("pending", 0, T0)
    assert DeliveryAttempt.objects.count() == 0

    monkeypatch.setattr(transport, "post", real_post)
    assert deliver_due() == 1  # the sweeper (or the redelivered task) tries again
    assert deliver_event(str(event.pk)) == 0  # a further redelivery sends nothing
    assert deliver_due() == 0

    assert receiver.ids() == [str(event.pk), str(event.pk)]  # at least once, with the same id …
    assert receiver.requests[0].body == receiver.requests[1].body
    assert list(receiver.processed) == [str(event.pk)]  # … so the receiver processed it once
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert [(a.succeeded, a.status_code) for a in delivery.attempt_log.all()] == [(True, 200)]
    assert Delivery.objects.filter(event=event).count() == 1


def test_a_delivery_another_worker_holds_is_skipped(world, endpoint, receiver, monkeypatch):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)
    [delivery] = event.deliveries.all()
    # What SELECT … FOR UPDATE SKIP LOCKED returns while another transaction holds the row.
    monkeypatch.setattr(Delivery.objects, "select_for_update", lambda **kw: Delivery.objects.none())
    assert sending.delivery_attempt(delivery_id=delivery.pk, now=T0) is None
    assert receiver.requests == []


# --- replay and deactivation -------------------------------------------------------------------


def test_replay_sends_the_same_event_again_as_a_new_attempt(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world)
    deliver_event(str(event.pk))
    delivery = event.deliveries.get()

    with django_capture_on_commit_callbacks(execute=True):
        delivery_replay(delivery=delivery, by=world["carrier"])

    assert receiver.ids() == [str(event.pk), str(event.pk)]
    assert json.loads(receiver.requests[1].body)["id"] == str(event.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert [(a.succeeded, a.replayed_by) for a in delivery.attempt_log.all()] == [
        (True, None),
        (True, world["carrier"]),
    ]
    assert hook.deliveries.count() == 1


def test_replay_of_a_failed_delivery_gets_the_whole_back_off_again(world, endpoint, receiver):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world, at=T0)
    delivery = event.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        state="failed", attempts=MAX_ATTEMPTS, next_attempt_at=None
    )
    receiver.statuses = [500]

    replayed = delivery_replay(delivery=delivery, by=world["carrier"])
    assert (replayed.state, replayed.attempts) == ("pending", 0)
    sending.delivery_attempt(delivery_id=delivery.pk, now=replayed.next_attempt_at)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 1)


def test_nobody_replays_a_delivery_of_another_organisation(world, endpoint, receiver):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    delivery = announce(world).deliveries.get()
    for stranger in (world["foreign_carrier"], world["officer"]):
        with pytest.raises(AccessDenied, match="Nur Mitglieder der Organisation"):
            delivery_replay(delivery=delivery, by=stranger)


def test_deactivating_an_endpoint_gives_up_its_pending_deliveries(world, endpoint, receiver):
    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    delivery = announce(world, at=T0).deliveries.get()

    endpoint_deactivate(endpoint=hook, by=world["carrier"])

    assert state(delivery) == ("failed", 0, None)
    assert sending.deliver_due(now=T0 + timedelta(days=1)) == 0
    assert receiver.requests == []
    with pytest.raises(DomainError, match="ist deaktiviert; an ihn wird nichts mehr gesendet"):
        delivery_replay(delivery=delivery, by=world["carrier"])
    with pytest.raises(DomainError, match="ist bereits deaktiviert"):
        endpoint_deactivate(endpoint=hook, by=world["carrier"])
