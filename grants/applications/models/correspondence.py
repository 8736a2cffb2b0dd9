"""Correspondence of a case (Schriftverkehr): messages between the carrier and the office.

A grant shares its application, so one thread per application serves the whole case. A revision
request (Nachforderung) is a message of the office with a due date; the carrier's resubmission
answers it in the same thread. Submitted versions keep what the carrier handed in, as it was.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.applications.models.application import Application


class MessageSide(models.TextChoices):
    CARRIER = "carrier", _("Project carrier")
    OFFICE = "office", _("Coordinating office")


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    REVISION_REQUEST = "revision_request", _("Revision request")  # Nachforderung
    RESUBMISSION = "resubmission", _("Resubmission")  # erneute Einreichung


class Message(models.Model):
    """One message of a case's thread; ``author`` may be gone after the retention run."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(_("sender"), max_length=10, choices=MessageSide.choices)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        verbose_name=_("answered by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(kind="revision_request"),
                name="message_due_only_on_revision_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_kind_display()} ({self.get_side_display()})"

    @property
    def is_revision_request(self) -> bool:
        return self.kind == MessageKind.REVISION_REQUEST

    @property
    def is_open_request(self) -> bool:
        return self.is_revision_request and self.answered_by_id is None

    def is_overdue(self, day: date) -> bool:
        return self.is_open_request and self.due_on is not None and self.due_on < day


def message_attachment_path(instance: MessageAttachment, filename: str) -> str:
    # Non-guessable names; the original name is kept in the row.
    return f"messages/{instance.message.application_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class MessageAttachment(models.Model):
    """A file sent with a message; served only through the case's visibility check."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=message_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class SubmittedVersion(models.Model):
    """What the carrier handed in with one submission: fields and financing plan, frozen."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submitted_versions")
    number = models.PositiveSmallIntegerField(_("submission"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="submitted_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} ({self.number})"
