"""The in-depth check of proofs of use (vertiefte Prüfung, VV Nr. 11.2 zu § 44 BHO; DOMAIN.md §9).

Once a year each office selects at least 10 % of the proofs it received in a year, partly by
risk (each reason recorded) and partly at random (the seed is stored, so the draw can be
repeated and checked). A selected proof is checked receipt by receipt
(``Receipt.admission``) and ends with a review note (Prüfvermerk, :class:`ReviewNote`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import CoordinatingOffice
from grants.applications.models.plan import YEAR
from grants.awards.models.proof import ProofOfUse


class RiskReason(models.TextChoices):
    FIRST_TIME = "first_time", _("first-time recipient")  # Erstempfänger
    HIGH_AMOUNT = "high_amount", _("high amount")  # hoher Zuwendungsbetrag
    EARLIER_FINDINGS = "earlier_findings", _("earlier findings")  # frühere Beanstandungen


class SelectionBasis(models.TextChoices):
    RISK = "risk", _("by risk")
    RANDOM = "random", _("at random")


class InDepthSelection(models.Model):
    """One office's selection of a year's proofs for the in-depth check (one per office and year)."""

    office = models.ForeignKey(
        CoordinatingOffice,
        on_delete=models.PROTECT,
        related_name="in_depth_selections",
        verbose_name=_("office"),
    )
    year = models.PositiveSmallIntegerField(_("year of receipt"), validators=YEAR)
    share_percent = models.DecimalField(
        _("share to be checked in depth (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("10")), MaxValueValidator(Decimal("100"))],
    )
    high_amount = models.DecimalField(_("high amount from (EUR)"), max_digits=12, decimal_places=2)
    seed = models.PositiveBigIntegerField(_("random seed"))
    proofs_received = models.PositiveIntegerField(_("proofs received in the year"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("selected at"), default=timezone.now)

    class Meta:
        verbose_name = _("in-depth check selection")
        verbose_name_plural = _("in-depth check selections")
        ordering = ["-year", "office__name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="one_in_depth_selection_per_office_year"),
            models.CheckConstraint(condition=Q(share_percent__gte=10), name="in_depth_share_at_least_10"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}"


class InDepthEntry(models.Model):
    """A proof chosen for the in-depth check, with why: by risk (its reasons) or at random."""

    selection = models.ForeignKey(InDepthSelection, on_delete=models.CASCADE, related_name="entries")
    proof = models.OneToOneField(ProofOfUse, on_delete=models.PROTECT, related_name="in_depth")
    basis = models.CharField(_("chosen"), max_length=8, choices=SelectionBasis.choices)
    reasons = models.JSONField(_("risk reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("proof chosen for an in-depth check")
        verbose_name_plural = _("proofs chosen for an in-depth check")
        ordering = ["selection", "basis", "proof_id"]

    def __str__(self) -> str:
        return f"{self.selection} · {self.proof_id}"

    @property
    def is_by_risk(self) -> bool:
        return self.basis == SelectionBasis.RISK

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(RiskReason.choices)
        return [str(labels.get(reason, reason)) for reason in self.reasons]


class ReviewNote(models.Model):
    """The review note (Prüfvermerk) closing an in-depth check: whether the purpose was achieved,
    the findings, and the sums admitted and not admitted as they stood when it was written."""

    proof = models.OneToOneField(ProofOfUse, on_delete=models.PROTECT, related_name="review_note")
    purpose_achieved = models.BooleanField(_("purpose achieved"))
    findings = models.TextField(_("findings"), blank=True)
    receipts_total = models.DecimalField(_("receipts in total"), max_digits=12, decimal_places=2)
    admitted_total = models.DecimalField(_("admitted"), max_digits=12, decimal_places=2)
    not_admitted_total = models.DecimalField(_("not admitted"), max_digits=12, decimal_places=2)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(admitted_total__gte=0) & Q(not_admitted_total__gte=0),
                name="review_note_sums_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proof} · {self.checked_at:%d.%m.%Y}"

    @property
    def has_findings(self) -> bool:
        """Something was found: the purpose missed, findings written, or money not admitted."""
        return not self.purpose_achieved or bool(self.findings.strip()) or self.not_admitted_total > 0
