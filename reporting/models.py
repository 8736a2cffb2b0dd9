from __future__ import annotations

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import CoordinatingOffice
from grants.applications.models import Application


class DocumentKind(models.TextChoices):
    GRANT_NOTICE = "grant_notice", _("Grant notice")  # Zuwendungsbescheid
    REJECTION_NOTICE = "rejection_notice", _("Rejection notice")  # Ablehnungsbescheid
    PAYMENT_ORDER = "payment_order", _("Payment order")  # Auszahlungsanordnung
    SETTLEMENT_MEMO = "settlement_memo", _("Settlement memo")  # Abrechnungsvermerk
    RECLAIM_DECISION = "reclaim_decision", _("Reclaim decision")  # Rückforderungsbescheid
    BUDGET_REPORT = "budget_report", _("Budget report")  # Haushaltsbericht


# Papers of the authority's own files (Akteninterna): office staff see them, the carrier does not.
# Notices and decisions are addressed to the carrier and stay visible to it.
INTERNAL_KINDS = (DocumentKind.PAYMENT_ORDER, DocumentKind.SETTLEMENT_MEMO)


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


class ExportJob(models.Model):
    """A finance export that runs as a Celery job; the user polls its progress and downloads it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("export"), max_length=14, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED)
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


class PaymentRunState(models.TextChoices):
    CREATED = "created", _("File created")
    EXECUTED = "executed", _("Executed")


class PaymentRun(models.Model):
    """A SEPA credit-transfer file (pain.001) for a set of ordered payments (Zahllauf)."""

    reference = models.CharField(_("reference"), max_length=35, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentRunState.choices, default=PaymentRunState.CREATED
    )
    execution_date = models.DateField(_("requested execution date"))
    debtor_name = models.CharField(_("paying account holder"), max_length=70)
    debtor_iban = models.CharField(_("paying IBAN"), max_length=34)
    debtor_bic = models.CharField(_("paying BIC"), max_length=11)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    payment_count = models.PositiveIntegerField(_("number of payments"))
    file = models.FileField(_("file"), upload_to="payment_runs/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=200)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    executed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_amount__gt=0), name="payment_run_total_positive"),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentRunItem(models.Model):
    """One payment of a run. ``drawdown`` is unique: a payment is in at most one run, ever."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="items")
    drawdown = models.OneToOneField(
        "grants.Drawdown",
        on_delete=models.PROTECT,
        related_name="payment_run_item",
        verbose_name=_("payment"),
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    creditor_name = models.CharField(_("payee"), max_length=70)
    creditor_iban = models.CharField(_("IBAN"), max_length=34)
    creditor_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    remittance = models.CharField(_("remittance information"), max_length=140)
    end_to_end_id = models.CharField(_("end-to-end ID"), max_length=35, unique=True)

    class Meta:
        verbose_name = _("payment run item")
        verbose_name_plural = _("payment run items")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_item_positive")]

    def __str__(self) -> str:
        return f"{self.run} · {self.end_to_end_id}"
