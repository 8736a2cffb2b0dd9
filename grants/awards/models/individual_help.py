"""Auditors' samples of individual-help cases (Einzelfallhilfe, exit programmes, DOMAIN.md §6).

The service never learns who a case is: receipts of individual help name a case pseudonym
(``Fall-<Nr.>``) and the register that resolves it stays with the carrier. An auditor checks
individual help on site by a random sample of the pseudonyms of one receipt list; the draw is
kept with its seed, so anyone can repeat it and see it was not picked by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.awards.models.proof import ProofOfUse

DRAW_CASE_SAMPLE = "grants.draw_case_sample"
VIEW_INDIVIDUAL_HELP = "grants.view_individual_help"


class CaseSample(models.Model):
    """One draw of case pseudonyms from a proof's individual-help receipts."""

    proof = models.ForeignKey(
        ProofOfUse, on_delete=models.PROTECT, related_name="case_samples", verbose_name=_("proof of use")
    )
    seed = models.BigIntegerField(_("random seed"))
    size = models.PositiveSmallIntegerField(_("sample size"))
    population = models.PositiveIntegerField(_("cases to draw from"))
    cases = models.JSONField(_("case pseudonyms drawn"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn by")
    )
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)

    class Meta:
        verbose_name = _("case sample")
        verbose_name_plural = _("case samples")
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1), name="case_sample_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.proof}: {', '.join(self.cases)}"
