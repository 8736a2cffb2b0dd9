from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm.signals import post_transition

from budgets.models import CoordinatingOffice
from budgets.rules import fsm_permission
from core.models import SavesChangedFields
from grants.applications.models import Application
from reporting.rules import WORKER_STEP

if TYPE_CHECKING:
    from accounts.models import User


class DocumentKind(models.TextChoices):
    GRANT_NOTICE = "grant_notice", _("Grant notice")  # Zuwendungsbescheid
    REJECTION_NOTICE = "rejection_notice", _("Rejection notice")  # Ablehnungsbescheid
    PAYMENT_ORDER = "payment_order", _("Payment order")  # Auszahlungsanordnung
    SETTLEMENT_MEMO = "settlement_memo", _("Settlement memo")  # Abrechnungsvermerk
    RECLAIM_DECISION = "reclaim_decision", _("Reclaim decision")  # Rückforderungsbescheid
    BUDGET_REPORT = "budget_report", _("Budget report")  # Haushaltsbericht
    # A micro-project's grant document, issued by the first recipient (DOMAIN §7): a notice
    # when it is a public body, a contract when it is private.
    FORWARDING_NOTICE = "forwarding_notice", _("Forwarding notice")  # Weiterleitungsbescheid
    FORWARDING_CONTRACT = "forwarding_contract", _("Forwarding contract")  # Weiterleitungsvertrag
    REVIEW_NOTE = "review_note", _("Review note")  # Prüfvermerk (in-depth check of a proof of use)


# Papers of the authority's own files (Akteninterna): office staff see them, the carrier does not.
# Notices and decisions are addressed to the carrier and stay visible to it.
INTERNAL_KINDS = (DocumentKind.PAYMENT_ORDER, DocumentKind.SETTLEMENT_MEMO, DocumentKind.REVIEW_NOTE)

# The one document issued for a grant at its approval: the grant notice, or for a micro-project
# the forwarding notice or contract of its first recipient.
GRANT_DOCUMENT_KINDS = (
    DocumentKind.GRANT_NOTICE,
    DocumentKind.FORWARDING_NOTICE,
    DocumentKind.FORWARDING_CONTRACT,
)


def document_path(instance: Document, filename: str) -> str:
    # Non-guessable names; the file is served only through the permission-checking view.
    folder = instance.application_id if instance.application_id else "offices"
    return f"documents/{folder}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A generated official document (a PDF), stored once per object and kind.

    ``subject`` is the object the document was issued for (a grant, an application, a
    drawdown, a settlement, a reclaim, a budget report); ``application`` is the application it
    belongs to, which decides who may see the document. A budget report belongs to no
    application: its subject is a :class:`BudgetReport`, whose office decides who may see it.
    """

    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("application"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    # Big, because every model's primary key is a BigAutoField.
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "pk"]
        constraints = [
            # A retried generation job must not issue a second notice.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"], name="unique_document_per_object"
            ),
            # Only office-level documents may lack an application; anything else would be
            # invisible to everyone but superusers.
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(kind="budget_report"),
                name="document_application_unless_office_level",
            ),
        ]
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return self.file_name


class BudgetReport(models.Model):
    """A budget report requested for an office subtree and a budget year (Haushaltsbericht).

    The request is a row of its own so that each request yields exactly one document however
    often its job runs, while the same office and year can be reported again later with the
    figures of that day. Who may see it follows the budget dashboard: staff with a dashboard
    role (finance, approver, auditor) in the office or any office above it.
    """

    office = models.ForeignKey(
        CoordinatingOffice,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coordinating office"),
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        verbose_name = _("budget report")
        verbose_name_plural = _("budget reports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.office} · {self.budget_year}"


class ExportKind(models.TextChoices):
    APPLICATIONS = "applications", _("Applications")
    GRANTS = "grants", _("Grants")
    DRAWDOWNS = "drawdowns", _("Drawdowns and payments")
    RECEIPTS = "receipts", _("Receipts")
    LEDGER = "ledger", _("Ledger entries")
    ROLLUP = "rollup", _("Budget rollup")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def export_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{instance.pk}/{filename}"


class ExportJob(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A finance export that runs as a Celery job; the user polls its progress and downloads it.

    ``state`` is a protected state machine: queued → running → done, or → failed with the
    reason. A failed job may run again (the task's retry after an internal error), and so may a
    running one whose worker died (``acks_late`` redelivers it); a done job never changes again.
    Every transition is written to ``ExportJobLog`` (the job's history page).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("export"), max_length=14, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    state = FSMField(
        _("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED, protected=True
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in total"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_path, blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}) – {self.get_state_display()}"

    @property
    def is_queued(self) -> bool:
        return self.state == JobState.QUEUED

    @property
    def is_done(self) -> bool:
        return self.state == JobState.DONE

    @property
    def is_failed(self) -> bool:
        return self.state == JobState.FAILED

    @property
    def is_pending(self) -> bool:
        """Queued or running: the progress page keeps polling."""
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def is_downloadable(self) -> bool:
        return self.is_done and bool(self.file)

    @transition(
        field=state,
        source=[JobState.QUEUED, JobState.RUNNING, JobState.FAILED],
        target=JobState.RUNNING,
        permission=fsm_permission(WORKER_STEP),
    )
    def start(self, *, by: User | None = None) -> None:
        """A worker takes the job (again: a redelivery or a retry starts from nothing)."""
        self.rows_done = 0
        self.rows_total = None
        self.error = ""
        self.finished_at = None

    @transition(
        field=state, source=JobState.RUNNING, target=JobState.DONE, permission=fsm_permission(WORKER_STEP)
    )
    def finish(self, *, rows: int, file_name: str, by: User | None = None) -> None:
        self.file_name = file_name
        self.rows_done = rows
        self.rows_total = rows
        self.error = ""
        self.finished_at = timezone.now()

    @transition(
        field=state,
        source=[JobState.QUEUED, JobState.RUNNING],
        target=JobState.FAILED,
        permission=fsm_permission(WORKER_STEP),
    )
    def fail(self, *, reason: str, by: User | None = None) -> None:
        self.error = reason
        self.finished_at = timezone.now()


class ExportJobLog(models.Model):
    """One step in an export job's history: created by whom, and when it ran, finished or failed.

    django-fsm-log's ``StateLog`` keys objects by an integer id; an export job's id is a UUID
    (it is part of the download address and must not be guessable), so the job keeps its own
    history with the same columns, written for every transition by ``_log_export_transition``.
    """

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="history")
    timestamp = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    source_state = models.CharField(_("from"), max_length=8, choices=JobState.choices, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=JobState.choices)
    transition = models.CharField(_("step"), max_length=20)

    class Meta:
        verbose_name = _("export job step")
        verbose_name_plural = _("export job history")
        ordering = ["timestamp", "pk"]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.transition} → {self.state}"

    @property
    def step(self) -> str:
        """The step as the job page names it."""
        if self.transition == "start" and self.source_state in (JobState.RUNNING, JobState.FAILED):
            return str(_("Started again"))
        labels = {
            "create": _("Export requested"),
            "start": _("Started"),
            "finish": _("File written"),
            "fail": _("Failed"),
        }
        return str(labels.get(self.transition, self.transition))


@receiver(post_transition, sender=ExportJob)
def _log_export_transition(
    sender: type[ExportJob], instance: ExportJob, name: str, source: str, target: str, **kwargs: Any
) -> None:
    by = (kwargs.get("method_kwargs") or {}).get("by")
    ExportJobLog.objects.create(job=instance, by=by, source_state=source, state=target, transition=name)


# Bank statements (camt.053) live in their own package; imported here so Django registers them.
from reporting.bankstatements.models import BankStatement, StatementLine  # noqa: E402, F401
