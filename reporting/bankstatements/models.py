"""Imported bank statements (camt.053) and their lines: what was booked from them, what waits.

A statement is imported once: the account, the bank's statement id and its electronic
sequence number identify it (``bank_statement_once``); a line is imported once per account by
the bank's entry reference (``statement_line_once``). Lines are created in their final state
when the import books them (a repayment, a returned transfer) or as *not assigned*; finance then
assigns an unassigned line to a reclaim (booked by the same repayment service) or dismisses it
with a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.models import CoordinatingOffice
from budgets.rules import fsm_permission
from core.models import SavesChangedFields
from reporting.bankstatements.reasons import return_reason
from reporting.rules import HANDLE_BANK_STATEMENT

if TYPE_CHECKING:
    from accounts.models import User


class BankStatement(models.Model):
    """One account statement (Kontoauszug, ``Stmt``) of a camt.053 file."""

    office = models.ForeignKey(
        CoordinatingOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    schema = models.CharField(_("format"), max_length=20)
    message_id = models.CharField(_("message id"), max_length=35)
    statement_id = models.CharField(_("statement id"), max_length=35)
    sequence = models.CharField(_("electronic sequence number"), max_length=18, blank=True)
    legal_sequence = models.CharField(_("statement number"), max_length=18, blank=True)
    account_iban = models.CharField(_("account"), max_length=34)
    created_by_bank = models.DateTimeField(_("created by the bank"), null=True, blank=True)
    from_date = models.DateField(_("from"), null=True, blank=True)
    to_date = models.DateField(_("to"), null=True, blank=True)
    opening_balance = models.DecimalField(
        _("opening balance"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    closing_balance = models.DecimalField(
        _("closing balance"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=200)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "statement_id", "sequence"], name="bank_statement_once"
            ),
        ]

    def __str__(self) -> str:
        return self.statement_id


class StatementLineState(models.TextChoices):
    REPAYMENT = "repayment", _("Repayment booked")
    RETURN = "return", _("Return booked")
    UNASSIGNED = "unassigned", _("Not assigned")
    ASSIGNED = "assigned", _("Assigned by hand")
    DISMISSED = "dismissed", _("Dismissed")


L = StatementLineState


class StatementLine(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """One booking of a statement (an entry, or one transaction of a batch entry)."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    account_iban = models.CharField(_("account"), max_length=34)
    entry_reference = models.CharField(_("bank reference"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    credit = models.BooleanField(_("credit"))
    booked_on = models.DateField(_("booking date"), null=True, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    counterparty_name = models.CharField(_("payer or payee"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("their account"), max_length=34, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    end_to_end_id = models.CharField(_("end-to-end ID"), max_length=35, blank=True)
    return_code = models.CharField(_("return reason code"), max_length=35, blank=True)
    state = FSMField(_("state"), max_length=12, choices=L.choices, protected=True, db_index=True)
    # Why the import did not book it, what the import booked, or why finance dismissed it.
    note = models.TextField(_("note"), blank=True)
    repayment = models.OneToOneField(
        "grants.Repayment", null=True, blank=True, on_delete=models.PROTECT, related_name="statement_line"
    )
    # A returned transfer: the payment it was (ordered again) and the run it came back from.
    drawdown = models.ForeignKey(
        "grants.Drawdown", null=True, blank=True, on_delete=models.PROTECT, related_name="bank_returns"
    )
    payment_run = models.ForeignKey(
        "grants.PaymentRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returned_transfers",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "entry_reference"],
                condition=~Q(entry_reference=""),
                name="statement_line_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="statement_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} · {self.position}"

    @property
    def office(self) -> CoordinatingOffice:
        """The statement's office (whose finance staff handle the line)."""
        return self.statement.office

    @property
    def reason(self) -> str:
        """The return reason with its German name, e.g. ``AC04 (Konto erloschen)``."""
        return return_reason(self.return_code)

    @property
    def is_unassigned(self) -> bool:
        return self.state == L.UNASSIGNED

    @property
    def is_booked_return(self) -> bool:
        return self.state == L.RETURN

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=L.UNASSIGNED, target=L.ASSIGNED, permission=fsm_permission(HANDLE_BANK_STATEMENT)
    )
    def assign(self, *, by: User, repayment: models.Model, description: str = "") -> None:
        """Booked by hand as a repayment of a reclaim chosen by finance."""
        self.repayment = repayment  # type: ignore[assignment]
        self.handled_by = by
        self.handled_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=L.UNASSIGNED, target=L.DISMISSED, permission=fsm_permission(HANDLE_BANK_STATEMENT)
    )
    def dismiss(self, *, by: User, reason: str, description: str = "") -> None:
        """Nothing to book here (a payment of another matter, a fee); the reason is kept."""
        self.note = reason
        self.handled_by = by
        self.handled_at = timezone.now()
