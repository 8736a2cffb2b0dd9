"""Use cases of the webhook pages: register and deactivate an endpoint, replay a delivery."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.models import CoordinatingOffice
from budgets.rules import require
from core.errors import DomainError
from webhooks.events import EventType
from webhooks.models import Delivery, DeliveryState, WebhookEndpoint
from webhooks.rules import MANAGE_ENDPOINT
from webhooks.tasks import deliver_delivery

if TYPE_CHECKING:
    from accounts.models import User

# Every event is sent to every subscribed endpoint: a bound keeps one owner from fanning out.
MAX_ACTIVE_ENDPOINTS = 10


def url_problems(url: str) -> list[str]:
    """Why ``url`` cannot receive webhooks (empty when it can): https only in production."""
    parts = urlsplit(url)
    allow_http = getattr(settings, "WEBHOOKS_ALLOW_HTTP", False)
    schemes = ("https", "http") if allow_http else ("https",)
    problems = []
    if parts.scheme not in schemes:
        problems.append(
            _("The address %(url)s must start with https:// or http://.") % {"url": url}
            if allow_http
            else _("The address %(url)s must start with https://: events are sent encrypted only.")
            % {"url": url}
        )
    if not parts.hostname:
        problems.append(_("The address %(url)s names no host.") % {"url": url})
    if parts.username or parts.password:
        problems.append(
            _("The address %(url)s must not contain a user name or password; the signature authenticates us.")
            % {"url": url}
        )
    return problems


@transaction.atomic
def endpoint_create(
    *,
    by: User,
    url: str,
    event_types: Sequence[str],
    description: str = "",
    organisation_id: int | None = None,
    office: CoordinatingOffice | None = None,
) -> WebhookEndpoint:
    """Register an endpoint of a carrier organisation or of an office; its secret is new."""
    endpoint = WebhookEndpoint(
        organisation_id=organisation_id,
        office=office,
        url=url.strip(),
        description=description.strip(),
        event_types=sorted(set(event_types)),
        created_by=by,
    )
    require(by, MANAGE_ENDPOINT, endpoint)
    problems = url_problems(endpoint.url)
    unknown = [t for t in endpoint.event_types if t not in EventType.values]
    if unknown:
        problems.append(_("Unknown event: %(events)s.") % {"events": ", ".join(unknown)})
    if not endpoint.event_types:
        problems.append(_("Choose at least one event the endpoint receives."))
    owned = WebhookEndpoint.objects.filter(is_active=True)
    owned = (
        owned.filter(office=office) if office is not None else owned.filter(organisation_id=organisation_id)
    )
    if owned.count() >= MAX_ACTIVE_ENDPOINTS:
        problems.append(
            _("There are %(count)d active endpoints already; deactivate one before adding another.")
            % {"count": MAX_ACTIVE_ENDPOINTS}
        )
    if problems:
        raise DomainError(problems)
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_deactivate(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    """Nothing more is sent to the endpoint; its pending deliveries are given up."""
    locked = (
        WebhookEndpoint.objects.select_for_update(of=("self",)).select_related("office").get(pk=endpoint.pk)
    )
    require(by, MANAGE_ENDPOINT, locked)
    if not locked.is_active:
        raise DomainError(_("The endpoint %(url)s has been deactivated already.") % {"url": locked.url})
    locked.is_active = False
    locked.deactivated_by = by
    locked.deactivated_at = timezone.now()
    locked.save_changes()
    # pk order, waiting for an attempt in flight: it either finishes first or finds the endpoint off.
    for delivery in (
        Delivery.objects.select_for_update()
        .filter(endpoint=locked, state=DeliveryState.PENDING)
        .order_by("pk")
    ):
        delivery.give_up()
        delivery.save_changes()
    return locked


@transaction.atomic
def delivery_replay(*, delivery: Delivery, by: User) -> Delivery:
    """Send the event to the endpoint again now: a new attempt, the same ``Webhook-Id``."""
    locked = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("endpoint__office", "event")
        .get(pk=delivery.pk)
    )
    require(by, MANAGE_ENDPOINT, locked)
    if not locked.endpoint.is_active:
        raise DomainError(
            _("The endpoint %(url)s is deactivated; nothing is sent to it any more.")
            % {"url": locked.endpoint.url}
        )
    locked.replay(by=by, at=timezone.now())
    locked.save_changes()
    delivery_id = locked.pk
    transaction.on_commit(lambda: deliver_delivery.delay(delivery_id), robust=True)
    return locked
