"""``emit``: the one function the apps above call to announce a change, inside its transaction.

The event and one pending delivery per subscribed endpoint are written in the caller's
transaction: a change that rolls back announces nothing, and a change that commits cannot lose
its announcement (a lost task is picked up by the sweeper, ``webhooks.tasks.deliver_due``).
The first attempt is scheduled on commit. An event that no active endpoint subscribes to is
not stored: the outbox exists to deliver.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q

from budgets.models import CoordinatingOffice
from webhooks.events import EventType
from webhooks.models import Delivery, OutboxEvent, WebhookEndpoint
from webhooks.tasks import deliver_event


def subject_of(obj: Any) -> str:
    """``application:42``: the model's name and primary key, or the string given."""
    meta = getattr(obj, "_meta", None)
    return f"{meta.model_name}:{obj.pk}" if meta is not None else str(obj)


def office_path_prefixes(office_path: str) -> list[str]:
    """The paths of an office and every office above it (treebeard's fixed-width steps)."""
    step = CoordinatingOffice.steplen
    return [office_path[:end] for end in range(step, len(office_path) + 1, step)]


def matching_endpoints(
    event_type: str, *, organisation_id: int | None, office_path: str | None
) -> list[WebhookEndpoint]:
    """Active endpoints of the organisation concerned, or of its office or an office above it,
    that subscribed to ``event_type`` (one query)."""
    owners = Q()
    if organisation_id is not None:
        owners |= Q(organisation_id=organisation_id)
    if office_path:
        owners |= Q(office__path__in=office_path_prefixes(office_path))
    if not owners:
        return []
    candidates = WebhookEndpoint.objects.filter(owners, is_active=True).order_by("pk")
    return [endpoint for endpoint in candidates if endpoint.subscribes_to(event_type)]


def emit(
    event_type: str,
    *,
    subject: Any,
    payload: Mapping[str, Any],
    organisation_id: int | None = None,
    office_path: str | None = None,
) -> OutboxEvent | None:
    """Write ``event_type`` about ``subject`` to the outbox for every endpoint that wants it.

    Call it inside the transaction of the change (it refuses to run outside one, where the
    change and its announcement could part). ``organisation_id`` is the carrier concerned,
    ``office_path`` the responsible office (its endpoints and those of every office above it
    receive the event). Returns the event, or None when nobody subscribed.
    """
    if event_type not in EventType.values:
        raise ValueError(f"unknown webhook event {event_type!r}")
    if not connection.in_atomic_block:
        raise RuntimeError("emit() belongs inside the transaction of the change it announces")
    endpoints = matching_endpoints(event_type, organisation_id=organisation_id, office_path=office_path)
    if not endpoints:
        return None
    event = OutboxEvent.objects.create(
        type=event_type,
        subject=subject_of(subject),
        # What is stored is what is sent: dates, decimals and UUIDs become strings now.
        payload=json.loads(json.dumps(dict(payload), cls=DjangoJSONEncoder)),
        organisation_id=organisation_id,
        office_path=office_path or "",
    )
    Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=endpoint, next_attempt_at=event.created_at) for endpoint in endpoints]
    )
    event_id = str(event.pk)
    # robust: a broker that is down must not undo the committed change; the sweeper sends it.
    transaction.on_commit(lambda: deliver_event.delay(event_id), robust=True)
    return event
