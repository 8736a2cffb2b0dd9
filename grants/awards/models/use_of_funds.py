from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.awards.payments.models.drawdown import Drawdown


class UseOfFundsRecord(models.Model):
    """Who recorded a drawdown's day of use, and when (§ 49a (4) VwVfG: late-use interest rests on it).

    ``Drawdown.used_on`` holds the day in force; every recording (the carrier's, or a case
    officer's from the proof) adds a row here, so the day behind a claim can be traced to a
    person and a moment. ``drawdown_record_use`` refuses a new day once interest for late use
    was claimed on the drawdown.
    """

    drawdown = models.ForeignKey(
        Drawdown, on_delete=models.PROTECT, related_name="use_records", verbose_name=_("drawdown")
    )
    used_on = models.DateField(_("used on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("record of the day of use")
        verbose_name_plural = _("records of the day of use")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.drawdown_id}: {self.used_on:%d.%m.%Y}"
