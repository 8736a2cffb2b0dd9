from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.rules import fsm_permission
from core.errors import DomainError
from core.models import SavesChangedFields
from grants.applications.models.plan import YEAR
from grants.awards.models.grant import Grant
from grants.carriers.models import bic_and_bank, iban_formatted

if TYPE_CHECKING:
    from accounts.models import User


class DrawdownState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CERTIFIED = "certified", _("Certified")  # sachlich und rechnerisch richtig
    ORDERED = "ordered", _("Payment ordered")  # Auszahlungsanordnung
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


D = DrawdownState
# Requests and payments that count against the year's instalment.
OPEN_DRAWDOWN_STATES = (D.REQUESTED, D.CERTIFIED, D.ORDERED, D.PAID)
# On their way to payment: not yet paid, not rejected or withdrawn.
PENDING_DRAWDOWN_STATES = (D.REQUESTED, D.CERTIFIED, D.ORDERED)

# The named rules (grants.rules) of the drawdown's steps; views and services ask the same names.
REQUEST_DRAWDOWN = "grants.request_drawdown"
CERTIFY_DRAWDOWN = "grants.certify_drawdown"
REJECT_DRAWDOWN = "grants.reject_drawdown"
ORDER_PAYMENT = "grants.order_payment"
BOOK_PAYMENT = "grants.book_payment"
CANCEL_DRAWDOWN = "grants.cancel_drawdown"


class Drawdown(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A request for funds (Mittelabruf) and its way to payment.

    Four eyes: a case officer certifies, a *different* person in finance orders the payment,
    finance books it; nobody orders a payment they certified or one to their own organisation.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="drawdowns")
    budget_year = models.PositiveSmallIntegerField(_("budget year"), validators=YEAR)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    needed_on = models.DateField(_("needed on"))
    purpose = models.CharField(_("purpose"), max_length=300)
    state = FSMField(_("state"), default=D.REQUESTED, choices=D.choices, protected=True, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certified_at = models.DateTimeField(_("certified"), null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField(_("ordered"), null=True, blank=True)
    # The payee's account, frozen when the payment is ordered: a payment run pays exactly this
    # account, whatever the carrier's bank details say by then.
    payee_iban = models.CharField(_("payee IBAN"), max_length=34, blank=True)
    payee_name = models.CharField(_("payee"), max_length=200, blank=True)
    paid_on = models.DateField(_("value date"), null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_on = models.DateField(
        _("used on"), null=True, blank=True, help_text=_("When the money was spent (for late-use interest).")
    )

    class Meta:
        verbose_name = _("drawdown")
        verbose_name_plural = _("drawdowns")
        ordering = ["-requested_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="drawdown_amount_positive")]
        indexes = [
            # The drawdown queue's sort orders, the primary key breaking ties (issue 14 §2).
            models.Index(fields=["needed_on", "id"], name="drawdown_needed_idx"),
            models.Index(fields=["state", "id"], name="drawdown_state_idx"),
            models.Index(fields=["amount", "id"], name="drawdown_amount_idx"),
            models.Index(fields=["purpose", "id"], name="drawdown_purpose_idx"),
            # The deadline panel's "paid, not used in time", oldest payout first.
            models.Index(fields=["paid_on", "id"], condition=Q(state="paid"), name="drawdown_paid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grant.file_number} · {self.amount} ({self.get_state_display()})"

    # --- what the state allows (ask these; never compare state strings outside the model) ---

    @property
    def is_requested(self) -> bool:
        return self.state == D.REQUESTED

    @property
    def is_certified(self) -> bool:
        return self.state == D.CERTIFIED

    @property
    def is_ordered(self) -> bool:
        return self.state == D.ORDERED

    @property
    def is_paid(self) -> bool:
        return self.state == D.PAID

    @property
    def is_pending(self) -> bool:
        """On its way to payment (requested, certified or ordered)."""
        return self.state in PENDING_DRAWDOWN_STATES

    @property
    def payee_iban_formatted(self) -> str:
        return iban_formatted(self.payee_iban)

    @property
    def payee_bic_and_bank(self) -> tuple[str, str]:
        return bic_and_bank(self.payee_iban)

    @property
    def payee_account_outdated(self) -> bool:
        """Ordered to an account the carrier has replaced since (the payment still goes there)."""
        return bool(self.payee_iban) and self.payee_iban != self.grant.organisation.iban

    @property
    def in_payment_run(self) -> bool:
        """Put into a SEPA payment run: booked by the run's execution, never by hand."""
        return hasattr(self, "payment_run_item")

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=D.REQUESTED, target=D.CERTIFIED, permission=fsm_permission(CERTIFY_DRAWDOWN)
    )
    def certify(self, *, by: User, description: str = "") -> None:
        if by.pk == self.requested_by_id:
            raise DomainError(_("Whoever requested the funds cannot certify the request."))
        self.certified_by = by
        self.certified_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.CERTIFIED, target=D.ORDERED, permission=fsm_permission(ORDER_PAYMENT))
    def order(self, *, by: User, payee_iban: str, payee_name: str, description: str = "") -> None:
        # Four eyes: certification and payment order by different people.
        if by.pk in {self.certified_by_id, self.requested_by_id}:
            raise DomainError(
                _(
                    "Four-eyes principle: the payment must be ordered by someone other than the person who certified it."
                )
            )
        self.ordered_by = by
        self.ordered_at = timezone.now()
        self.payee_iban = payee_iban
        self.payee_name = payee_name

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.ORDERED, target=D.PAID, permission=fsm_permission(BOOK_PAYMENT))
    def book_payment(self, *, by: User, paid_on: date, description: str = "") -> None:
        self.paid_on = paid_on
        self.booked_by = by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.PAID, target=D.ORDERED, permission=fsm_permission(BOOK_PAYMENT))
    def return_by_bank(self, *, by: User, description: str = "") -> None:
        """The payee's bank sent the transfer back (Rücküberweisung): ordered again, ready for a new run.

        The money never reached the carrier, so it was neither paid nor used.
        """
        self.paid_on = None
        self.booked_by = None
        self.used_on = None

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[D.REQUESTED, D.CERTIFIED],
        target=D.REJECTED,
        permission=fsm_permission(REJECT_DRAWDOWN),
    )
    def reject(self, *, by: User, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=D.REQUESTED, target=D.CANCELLED, permission=fsm_permission(CANCEL_DRAWDOWN)
    )
    def cancel(self, *, by: User, description: str = "") -> None:
        pass
