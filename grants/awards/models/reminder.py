from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.carriers.models import Organisation


class DeadlineReminder(models.Model):
    """The day's deadline reminder e-mailed to a carrier: one row per carrier and day.

    The row is written in the transaction that sends the e-mail
    (``grants.awards.services.reminders``): a second run of the daily task on the same day (a
    retry, a duplicate beat, a redelivered message) finds it and sends nothing, on whichever
    worker it runs; a failed e-mail rolls the row back, so a retry sends what is missing. It
    also answers a carrier who says that no reminder came.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="deadline_reminders", verbose_name=_("carrier")
    )
    day = models.DateField(_("day"))
    items = models.PositiveSmallIntegerField(_("reminder items"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["-day", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="one_deadline_reminder_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.organisation_id}"


class OfficeReminder(models.Model):
    """The day's first-check reminder e-mailed to an office's case officers: one row per office
    and day, written in the transaction that sends it (the same idea as :class:`DeadlineReminder`)."""

    office = models.ForeignKey(
        "budgets.CoordinatingOffice",
        on_delete=models.CASCADE,
        related_name="first_check_reminders",
        verbose_name=_("office"),
    )
    day = models.DateField(_("day"))
    items = models.PositiveSmallIntegerField(_("reminder items"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("first-check reminder")
        verbose_name_plural = _("first-check reminders")
        ordering = ["-day", "office_id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day"], name="one_office_reminder_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.office_id}"
