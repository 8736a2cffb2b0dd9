"""Payment runs (Zahllauf): ordered payments in one SEPA credit-transfer file (pain.001).

A protected state machine with history (django-fsm-log): who created the run and when is on the
run itself; who booked its execution or cancelled it, and when, is in its state log. The tables
keep their names from the time the runs lived in ``reporting``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.rules import fsm_permission
from core.models import SavesChangedFields

if TYPE_CHECKING:
    from accounts.models import User

CREATE_PAYMENT_RUN = "grants.create_payment_run"
EXECUTE_PAYMENT_RUN = "grants.execute_payment_run"
CANCEL_PAYMENT_RUN = "grants.cancel_payment_run"


class PaymentRunState(models.TextChoices):
    CREATED = "created", _("File created")
    EXECUTED = "executed", _("Executed")
    CANCELLED = "cancelled", pgettext_lazy("payment run", "Cancelled")


R = PaymentRunState


class PaymentRun(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A SEPA credit-transfer file (pain.001) for a set of ordered payments (Zahllauf)."""

    reference = models.CharField(_("reference"), max_length=35, unique=True)
    state = FSMField(_("state"), max_length=10, choices=R.choices, default=R.CREATED, protected=True)
    execution_date = models.DateField(_("requested execution date"))
    # The paying account when the whole file is paid from one; empty when it has several blocks
    # (each transfer then names its own, see PaymentRunTransfer).
    debtor_name = models.CharField(_("paying account holder"), max_length=70, blank=True)
    debtor_iban = models.CharField(_("paying IBAN"), max_length=34, blank=True)
    debtor_bic = models.CharField(_("paying BIC"), max_length=11, blank=True)
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
        db_table = "reporting_paymentrun"
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_amount__gt=0), name="payment_run_total_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    # --- what the state allows ------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Created, neither executed nor cancelled: its file may still go to the bank."""
        return self.state == R.CREATED

    @property
    def is_executed(self) -> bool:
        return self.state == R.EXECUTED

    @property
    def is_cancelled(self) -> bool:
        return self.state == R.CANCELLED

    @property
    def office_paths(self) -> set[str]:
        """The offices of the run's payments (whoever handles the run must cover all of them)."""
        cached: set[str] | None = getattr(self, "_office_paths", None)
        if cached is None:
            cached = set(self.items.values_list("drawdown__grant__office__path", flat=True))
            self._office_paths = cached
        return cached

    @property
    def organisation_ids(self) -> set[int]:
        """The organisations the run pays (nobody handles a run that pays their own)."""
        cached: set[int] | None = getattr(self, "_organisation_ids", None)
        if cached is None:
            cached = set(self.items.values_list("drawdown__grant__organisation_id", flat=True))
            self._organisation_ids = cached
        return cached

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=R.CREATED, target=R.EXECUTED, permission=fsm_permission(EXECUTE_PAYMENT_RUN)
    )
    def execute(self, *, by: User, executed_on: date, description: str = "") -> None:
        """The bank executed the file; every payment of the run is booked as paid."""
        self.executed_on = executed_on
        self.executed_by = by

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=R.CREATED, target=R.CANCELLED, permission=fsm_permission(CANCEL_PAYMENT_RUN)
    )
    def cancel(self, *, by: User, description: str = "") -> None:
        """The file will not be executed; its payments may go into another run."""


class PaymentRunItem(models.Model):
    """One payment of a run. ``drawdown`` is unique: a payment is in at most one open or executed run."""

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
        db_table = "reporting_paymentrunitem"
        verbose_name = _("payment run item")
        verbose_name_plural = _("payment run items")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_item_positive")]

    def __str__(self) -> str:
        return f"{self.run} · {self.end_to_end_id}"


class PaymentRunTransfer(models.Model):
    """One credit transfer in a run's file: a payment's part for one envelope (DOMAIN.md §8).

    A payment financed by several sources is paid in one transfer per source, each from the
    paying account of the envelope that carries that part; the file has one payment block
    (PmtInf) per paying account. The paying account is copied as it was when the file was made.
    """

    item = models.ForeignKey(PaymentRunItem, on_delete=models.CASCADE, related_name="transfers")
    envelope = models.ForeignKey(
        "budgets.BudgetEnvelope",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("budget envelope"),
    )
    funding_source = models.CharField(_("funding source"), max_length=12)
    paying_account = models.ForeignKey(
        "budgets.PayingAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("paying account"),
    )
    debtor_name = models.CharField(_("paying account holder"), max_length=70)
    debtor_iban = models.CharField(_("paying IBAN"), max_length=34)
    debtor_bic = models.CharField(_("paying BIC"), max_length=11, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    end_to_end_id = models.CharField(_("end-to-end ID"), max_length=35, unique=True)

    class Meta:
        verbose_name = _("credit transfer of a payment run")
        verbose_name_plural = _("credit transfers of payment runs")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_transfer_positive"),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id
