"""Legal holds and the retention log."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.applications.models import Application

if TYPE_CHECKING:
    from accounts.models import User

# The named rules (grants.rules) of records management.
PLACE_LEGAL_HOLD = "grants.place_legal_hold"
LIFT_LEGAL_HOLD = "grants.lift_legal_hold"
VIEW_RECORDS = "grants.view_case_records"
VIEW_RETENTION_LOG = "grants.view_retention_log"
RUN_RETENTION = "grants.run_retention"


class HoldReason(models.TextChoices):
    """Why a case may not be anonymised yet. The first two are derived from the case itself."""

    RECLAIM = "reclaim", _("A reclaim is open")
    OBJECTION = "objection", _("An objection is pending")
    AUDIT = "audit", _("Audit")  # Prüfung (Rechnungshof, Prüfbehörde, Innenrevision)
    LITIGATION = "litigation", _("Objection or court proceedings")  # also against a rejection
    OTHER = "other", _("Other reason")


# Reasons a person records; the others follow from the case's own state and need no row.
MANUAL_REASONS = (HoldReason.AUDIT, HoldReason.LITIGATION, HoldReason.OTHER)


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A hold placed on a case by a person (Aufbewahrungssperre): nothing of it is anonymised or
    deleted until the hold is lifted. Holds for open reclaims and pending objections follow from
    the grant itself (``grants.records.selectors.case_holds``) and need no row."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="legal_holds", verbose_name=_("application")
    )
    reason = models.CharField(
        _("reason"), max_length=12, choices=[(r.value, r.label) for r in MANUAL_REASONS]
    )
    note = models.TextField(_("note"), help_text=_("Who audits or litigates, and the file reference."))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_note = models.TextField(_("reason for lifting"), blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="legal_hold_lifted_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=[r.value for r in MANUAL_REASONS]), name="legal_hold_manual_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} · {self.get_reason_display()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def lift(self, *, by: User, note: str) -> None:
        self.lifted_by = by
        self.lifted_at = timezone.now()
        self.lift_note = note


class RetentionRule(models.TextChoices):
    """The programme's period that made a step due (``FundingProgramme.retention_*_years``)."""

    UNFUNDED = "unfunded", _("Unfunded applications")
    GRANT_FILE = "grant_file", _("Grant files after closing")
    ATTACHMENTS = "attachments", _("Attachments with personal data")


class RetentionAction(models.TextChoices):
    ANONYMISED = "anonymised", _("Anonymised")
    DELETED = "deleted", _("Deleted")
    SKIPPED = "skipped", _("Skipped: legal hold")


class RecordType(models.TextChoices):
    APPLICATION = "application", _("Application")
    GRANT = "grant", _("Grant file")
    ATTACHMENT = "attachment", _("Attachment")
    DOCUMENT = "document", _("Document")
    PROOF_FILE = "proof_file", _("Narrative report file")
    ORGANISATION = "organisation", _("Contact data of the carrier")


class RetentionLogQuerySet(models.QuerySet["RetentionLog"]):
    def anonymised_cases(self) -> RetentionLogQuerySet:
        """Entries that mark a whole case as anonymised (its documents are gone for good)."""
        return self.filter(
            action=RetentionAction.ANONYMISED, record_type=RecordType.APPLICATION, application__isnull=False
        )


class RetentionLog(models.Model):
    """One thing the retention run did (or skipped), with the rule and the day it was due.

    Append-only: the record that a file existed and when it was destroyed. It names records by
    reference, kind and checksum, never by the personal data that was removed.
    """

    run_on = models.DateField(_("run on"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=12, choices=RetentionAction.choices)
    record_type = models.CharField(_("record"), max_length=14, choices=RecordType.choices)
    rule = models.CharField(_("rule"), max_length=12, choices=RetentionRule.choices)
    due_on = models.DateField(_("due on"))
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("application"),
    )
    reference = models.CharField(
        _("file"), max_length=40, help_text=_("Application reference or file number.")
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for the daily task."),
    )

    objects = RetentionLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention log entry")
        verbose_name_plural = _("retention log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["application", "action"]), models.Index(fields=["run_on"])]

    def __str__(self) -> str:
        return f"{self.run_on:%d.%m.%Y} {self.get_action_display()} {self.get_record_type_display()} {self.reference}"

    @property
    def is_skip(self) -> bool:
        return self.action == RetentionAction.SKIPPED


def period_end(event: date, years: int) -> date:
    """The first day after a retention period of ``years`` that starts at the end of the
    calendar year of ``event``: an event in 2025 with 2 years is due on 01.01.2028."""
    return date(event.year + years + 1, 1, 1)
