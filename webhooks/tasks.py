"""Celery tasks of the webhooks: thin, take ids; the back-off lives in the delivery row.

Failed attempts are not retried by Celery: ``Delivery.next_attempt_at`` says when the next one
is due, and the sweeper (beat, every minute) sends it, so a retry survives restarts and
deploys. ``acks_late``: a task whose worker dies is handed to another worker; the row lock and
the state make the repeat harmless.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from webhooks import delivery

TRANSIENT = (OperationalError,)


@shared_task(
    name="webhooks.tasks.deliver_event",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def deliver_event(event_id: str) -> int:
    """The first attempt of each delivery of a new event, scheduled on commit."""
    return delivery.deliver_event_now(event_id=event_id)


@shared_task(
    name="webhooks.tasks.deliver_delivery",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def deliver_delivery(delivery_id: int) -> str:
    """One attempt of one delivery (a replay); returns its state afterwards."""
    sent = delivery.delivery_attempt(delivery_id=delivery_id)
    return sent.state if sent is not None else "locked"


@shared_task(name="webhooks.tasks.deliver_due", acks_late=True, ignore_result=True)
def deliver_due() -> int:
    """Every minute (beat): the deliveries whose next attempt is due."""
    return delivery.deliver_due()
