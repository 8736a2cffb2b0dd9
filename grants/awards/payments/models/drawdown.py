from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from core.errors import DomainError
from core.models import SavesChangedFields
from grants.applications.models.plan import YEAR
from grants.awards.models.grant import Grant


class DrawdownState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CERTIFIED = "certified", _("Certified")  # sachlich und rechnerisch richtig
    ORDERED = "ordered", _("Payment ordered")  # Auszahlungsanordnung
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


D = DrawdownState
OPEN_DRAWDOWN_STATES = (D.REQUESTED, D.CERTIFIED, D.ORDERED, D.PAID)


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

    def __str__(self) -> str:
        return f"{self.grant.file_number} · {self.amount} ({self.get_state_display()})"

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.REQUESTED, target=D.CERTIFIED)
    def certify(self, *, by: Any, description: str = "") -> None:
        if by.pk == self.requested_by_id:
            raise DomainError(_("Whoever requested the funds cannot certify the request."))
        self.certified_by = by
        self.certified_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.CERTIFIED, target=D.ORDERED)
    def order(self, *, by: Any, description: str = "") -> None:
        # Four eyes: certification and payment order by different people.
        if by.pk in {self.certified_by_id, self.requested_by_id}:
            raise DomainError(
                _(
                    "Four-eyes principle: the payment must be ordered by someone other than the person who certified it."
                )
            )
        self.ordered_by = by
        self.ordered_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.ORDERED, target=D.PAID)
    def book_payment(self, *, by: Any, paid_on: Any, description: str = "") -> None:
        self.paid_on = paid_on
        self.booked_by = by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[D.REQUESTED, D.CERTIFIED], target=D.REJECTED)
    def reject(self, *, by: Any, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=D.REQUESTED, target=D.CANCELLED)
    def cancel(self, *, by: Any, description: str = "") -> None:
        pass
