"""Sending: one attempt per call, under the delivery's row lock, recorded in the same transaction.

The contract (docs/webhooks.md) is *at least once, with an id*: the delivery row is locked
(``SELECT … FOR UPDATE SKIP LOCKED``) before the POST and marked delivered in the same
transaction as the 2xx answer. A worker that dies after the POST but before the commit leaves
the delivery pending and unlocked (the database rolls the transaction back when the connection
drops); the next attempt (the redelivered task, or the sweeper) sends the same body with the same
``Webhook-Id`` again, and the receiver drops the repeat. From the sender's side every event is
delivered to an endpoint once: one delivery, marked delivered once, with one successful attempt.
A second worker that finds the row locked skips it instead of sending in parallel.
"""

from __future__ import annotations

import time
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks import transport
from webhooks.models import Delivery, DeliveryAttempt, DeliveryState
from webhooks.signing import signed_headers

# The sweeper stops taking new deliveries after this many seconds (its soft time limit is 120 s
# and one POST may take WEBHOOKS_TIMEOUT); what is left is due again a minute later.
SWEEP_SECONDS = 60
SWEEP_BATCH = 200


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Send a due pending delivery once; returns it, or None when another worker holds it.

    A delivery that is not pending (already delivered, or given up) or not yet due is returned
    unchanged: a task that runs twice sends once.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        moment = now or timezone.now()
        if not delivery.is_due(moment):
            return delivery
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.give_up()
            delivery.save_changes()
            return delivery
        body = delivery.event.body()
        headers = signed_headers(
            event_id=str(delivery.event_id),
            secret=endpoint.secret,
            body=body,
            timestamp=int(moment.timestamp()),
        )
        started = time.monotonic()
        response = transport.post(
            endpoint.url, body=body, headers=headers, timeout=getattr(settings, "WEBHOOKS_TIMEOUT", 10.0)
        )
        DeliveryAttempt.objects.create(
            delivery=delivery,
            at=moment,
            duration_ms=int((time.monotonic() - started) * 1000),
            status_code=response.status_code,
            succeeded=response.ok,
            error=response.error,
            response_excerpt=response.body,
            replayed_by=delivery.replay_requested_by,
        )
        if response.ok:
            assert response.status_code is not None
            delivery.succeed(at=moment, status_code=response.status_code)
        else:
            delivery.fail_attempt(at=moment, status_code=response.status_code)
        delivery.save_changes()
    return delivery


def deliver_event_now(*, event_id: str, now: datetime | None = None) -> int:
    """Attempt every due delivery of one event (the task scheduled on commit); returns how many
    are delivered now."""
    ids = list(
        Delivery.objects.filter(event_id=UUID(event_id), state=DeliveryState.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for delivery_id in ids:
        delivery = delivery_attempt(delivery_id=delivery_id, now=now)
        done += bool(delivery and delivery.is_delivered)
    return done


def due_delivery_ids(*, now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(*, now: datetime | None = None, seconds: float = SWEEP_SECONDS) -> int:
    """The sweeper: attempt pending deliveries whose next attempt is due, oldest first, for at
    most ``seconds``; returns how many attempts were made. Two sweepers share the work (a row
    one of them holds is skipped by the other)."""
    deadline = time.monotonic() + seconds
    attempted = 0
    for delivery_id in due_delivery_ids(now=now or timezone.now()):
        if time.monotonic() > deadline:
            break
        if delivery_attempt(delivery_id=delivery_id, now=now) is not None:
            attempted += 1
    return attempted
