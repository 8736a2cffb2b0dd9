"""Reads of the webhook pages, each a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from budgets.models import CoordinatingOffice
from budgets.rules import office_roles
from webhooks.models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint
from webhooks.rules import VIEW_ROLES

LOG_LENGTH = 50


def endpoints_of(
    *, organisation_id: int | None = None, office: CoordinatingOffice | None = None
) -> QuerySet[WebhookEndpoint]:
    """An owner's endpoints with their delivery counts per state."""
    owned = (
        WebhookEndpoint.objects.filter(office=office)
        if office is not None
        else WebhookEndpoint.objects.filter(organisation_id=organisation_id)
    )
    return owned.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__state=DeliveryState.DELIVERED)),
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    ).select_related("created_by", "deactivated_by")


def delivery_log(endpoint: WebhookEndpoint, *, limit: int = LOG_LENGTH) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first, each with every attempt (two queries)."""
    return list(
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.select_related("replayed_by"))
        )
        .order_by("-pk")[:limit]
    )


def owners_of(user: Any) -> dict[str, list[Any]]:
    """What the user can open on the webhook start page: their organisations and offices."""
    organisations: list[Any] = []
    if getattr(user, "is_authenticated", False):
        organisations = list(user.organisations.order_by("name").values("pk", "name"))
    paths = {path for path, role in office_roles(user) if role in VIEW_ROLES}
    offices = list(CoordinatingOffice.objects.filter(path__in=paths).order_by("path"))
    return {"organisations": organisations, "offices": offices}
