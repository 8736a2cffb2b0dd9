from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.rules import fsm_permission
from core.models import SavesChangedFields
from grants.awards.models.grant import FOLLOW_ON_STEP, Grant
from grants.awards.payments.models.drawdown import Drawdown

if TYPE_CHECKING:
    from accounts.models import User

# The named rules (grants.rules) of the reclaim workflow; views and services ask the same names.
DECIDE_RECLAIM = "grants.decide_reclaim"
CLAIM_LATE_USE_INTEREST = "grants.claim_late_use_interest"
BOOK_REPAYMENT = "grants.book_repayment"
WAIVE_INTEREST = "grants.waive_interest"


class ReclaimKind(models.TextChoices):
    SETTLEMENT = "settlement", _("Reclaim after settlement")
    REVOCATION = "revocation", _("Revocation")  # Widerruf
    LATE_USE = "late_use", _("Interest for late use")  # § 49a (4) VwVfG


class ReclaimState(models.TextChoices):
    OPEN = "open", _("Open")
    SETTLED = "settled", _("Settled")


R = ReclaimState


class ReclaimQuerySet(models.QuerySet["Reclaim"]):
    def open(self) -> ReclaimQuerySet:
        """See :attr:`Reclaim.is_open`."""
        return self.filter(state=R.OPEN)


class Reclaim(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A reclaim decision (Rückforderungsbescheid) with interest under § 49a VwVfG.

    ``principal`` is what must be repaid (0 for late-use interest, which is interest only);
    interest runs on ``interest_basis`` from ``interest_from`` — by default the payout date of
    the affected money — until the day before each repayment (or until ``interest_until``
    for late use). Every figure is recomputed from the base-rate table, never stored rounded
    piece by piece.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reclaims")
    kind = models.CharField(_("kind"), max_length=12, choices=ReclaimKind.choices)
    drawdown = models.ForeignKey(
        Drawdown, null=True, blank=True, on_delete=models.PROTECT, related_name="late_use_claims"
    )
    principal = models.DecimalField(_("amount reclaimed"), max_digits=12, decimal_places=2)
    interest_basis = models.DecimalField(_("amount bearing interest"), max_digits=12, decimal_places=2)
    decided_on = models.DateField(_("decided on"))
    interest_from = models.DateField(_("interest runs from"))
    interest_until = models.DateField(
        _("interest runs until"), null=True, blank=True, help_text=_("Late use: the day the money was used.")
    )
    reasons = models.TextField(_("reasons"))
    state = FSMField(_("state"), default=R.OPEN, choices=R.choices, protected=True, db_index=True)
    interest_waived = models.BooleanField(_("interest waived"), default=False)
    interest_waiver_reason = models.TextField(_("reason for waiving interest"), blank=True)
    interest_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ReclaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("reclaim")
        verbose_name_plural = _("reclaims")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gte=0), name="reclaim_principal_nonneg"),
            models.CheckConstraint(condition=Q(interest_basis__gte=0), name="reclaim_basis_nonneg"),
            models.CheckConstraint(
                condition=Q(interest_waived=False) | ~Q(interest_waiver_reason=""),
                name="reclaim_waiver_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant.file_number} · {self.get_kind_display()} · {self.principal}"

    # --- named state predicates ------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Something is still owed (principal or interest)."""
        return self.state == R.OPEN

    @property
    def accepts_repayment(self) -> bool:
        return self.is_open

    @property
    def accepts_interest_waiver(self) -> bool:
        return self.is_open and not self.interest_waived

    @property
    def is_late_use(self) -> bool:
        """Interest only (§ 49a (4) VwVfG), over a fixed period ending on the day of use."""
        return self.kind == ReclaimKind.LATE_USE

    # --- transitions -----------------------------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=R.OPEN, target=R.SETTLED, permission=fsm_permission(FOLLOW_ON_STEP))
    def settle(self, *, by: User, description: str = "") -> None:
        """Repaid in full, or the rest of the interest waived (a consequence, never a step of its own)."""


class Repayment(models.Model):
    """Money received against a reclaim (partial payments allowed)."""

    reclaim = models.ForeignKey(Reclaim, on_delete=models.PROTECT, related_name="repayments")
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    principal_part = models.DecimalField(_("of which principal"), max_digits=12, decimal_places=2)
    interest_part = models.DecimalField(_("of which interest"), max_digits=12, decimal_places=2)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(principal_part__gte=0) & Q(interest_part__gte=0), name="repayment_parts_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reclaim} ← {self.amount} ({self.received_on})"
