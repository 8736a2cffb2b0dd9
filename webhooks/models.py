"""Endpoints, the outbox of events, and one delivery per event and endpoint with its attempts.

An endpoint belongs to a carrier organisation *or* to a coordinating office. The organisation is
kept as its id: webhooks sits below grants (grants' services write the outbox) and imports no
model of it. An office's endpoint receives the events of its office and every office below it
(the materialised-path prefix, as every office role does).
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from budgets.models import CoordinatingOffice
from core.models import SavesChangedFields
from webhooks.events import EventType

if TYPE_CHECKING:
    from accounts.models import User

# After the n-th failed attempt the next one follows BACKOFF[n - 1] later; after the last one
# the delivery has failed (a person may still replay it).
BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookEndpoint(SavesChangedFields, models.Model):
    """An address that receives the events its owner subscribed to, signed with its secret."""

    organisation_id = models.PositiveBigIntegerField(
        _("organisation"), null=True, blank=True, db_index=True, help_text=_("The carrier that owns it.")
    )
    office = models.ForeignKey(
        CoordinatingOffice,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("office"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    # Stored as it is: signing needs it. Shown once when the endpoint is created.
    secret = models.CharField(_("signing secret"), max_length=80, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deactivated by"),
    )
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-is_active", "-created_at", "-pk"]
        constraints = [
            # Exactly one owner: a carrier organisation or an office.
            models.CheckConstraint(
                condition=(models.Q(organisation_id__isnull=False) & models.Q(office__isnull=True))
                | (models.Q(organisation_id__isnull=True) & models.Q(office__isnull=False)),
                name="webhook_endpoint_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in self.event_types

    @property
    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(t, t)) for t in self.event_types]

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, never enough to sign."""
        return f"{SECRET_PREFIX}…{self.secret[-4:]}"


class OutboxEvent(models.Model):
    """One change an integrator may want to hear about, written in the change's transaction.

    ``id`` is the ``Webhook-Id`` every delivery of the event carries, on every attempt: a
    receiver that has seen it already ignores it (at least once, with an id to deduplicate).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    subject = models.CharField(_("subject"), max_length=100)
    payload = models.JSONField(_("data"), encoder=DjangoJSONEncoder)
    organisation_id = models.PositiveBigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    office_path = models.CharField(_("office path"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"

    def body(self) -> bytes:
        """The request body, the same bytes on every attempt (sorted keys, UTF-8)."""
        envelope = {
            "id": str(self.id),
            "type": self.type,
            "created_at": self.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "subject": self.subject,
            "data": self.payload,
        }
        return json.dumps(
            envelope, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode()


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Delivery(FSMModelMixin, SavesChangedFields, models.Model):
    """An event on its way to one endpoint: pending until the endpoint answered 2xx once.

    ``attempts`` counts the attempts since the delivery was last (re)started, so a replay gets
    the whole back-off again; ``DeliveryAttempt`` keeps every attempt ever made.
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = FSMField(
        _("state"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        protected=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    replay_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replay requested by"),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="unique_delivery_per_event_endpoint"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def is_pending(self) -> bool:
        return self.state == DeliveryState.PENDING

    @property
    def is_delivered(self) -> bool:
        return self.state == DeliveryState.DELIVERED

    @property
    def is_failed(self) -> bool:
        return self.state == DeliveryState.FAILED

    def is_due(self, now: datetime) -> bool:
        return self.is_pending and self.next_attempt_at is not None and self.next_attempt_at <= now

    @transition(field=state, source=DeliveryState.PENDING, target=DeliveryState.DELIVERED)
    def succeed(self, *, at: datetime, status_code: int) -> None:
        self.attempts += 1
        self.last_status_code = status_code
        self.delivered_at = at
        self.next_attempt_at = None
        self.replay_requested_by = None

    @transition(
        field=state,
        source=DeliveryState.PENDING,
        target=RETURN_VALUE(DeliveryState.PENDING, DeliveryState.FAILED),  # type: ignore[arg-type]
    )
    def fail_attempt(self, *, at: datetime, status_code: int | None) -> str:
        """One more failed attempt: the next one after the back-off, or give up after the last."""
        self.attempts += 1
        self.last_status_code = status_code
        self.replay_requested_by = None
        if self.attempts >= MAX_ATTEMPTS:
            self.next_attempt_at = None
            return DeliveryState.FAILED
        self.next_attempt_at = at + BACKOFF[self.attempts - 1]
        return DeliveryState.PENDING

    @transition(field=state, source=DeliveryState.PENDING, target=DeliveryState.FAILED)
    def give_up(self) -> None:
        """The endpoint was deactivated: nothing more is sent to it."""
        self.next_attempt_at = None

    @transition(
        field=state,
        source=[DeliveryState.PENDING, DeliveryState.DELIVERED, DeliveryState.FAILED],
        target=DeliveryState.PENDING,
    )
    def replay(self, *, by: User, at: datetime) -> None:
        """Send the event again now, with the same id, and the whole back-off if it fails."""
        self.attempts = 0
        self.next_attempt_at = at
        self.replay_requested_by = by


class DeliveryAttempt(models.Model):
    """One POST to the endpoint, recorded in the transaction that updates its delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("time"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replayed by"),
    )

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
