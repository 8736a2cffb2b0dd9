"""Permission to start early (vorzeitiger Maßnahmebeginn, VV Nr. 1.3 zu § 44 BHO, DOMAIN.md §9).

No grant for a project already begun; a carrier that must sign a contract before the notice
asks for permission, and an official of the responsible office grants it with a date (stating
that it promises nothing) or refuses it with a reason. Costs before the permitted date, or
without permission before the notice, are not eligible (``grants.awards.services.proof.eligibility``).
"""

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
from core.models import SavesChangedFields
from grants.applications.models.application import Application

if TYPE_CHECKING:
    from accounts.models import User

REQUEST_EARLY_START = "grants.request_early_start"
DECIDE_EARLY_START = "grants.decide_early_start"


class EarlyStartState(models.TextChoices):
    NEW = "new", _("Being written")
    REQUESTED = "requested", _("Early start requested")
    GRANTED = "granted", _("Early start permitted")
    REFUSED = "refused", _("Early start refused")


E = EarlyStartState


class EarlyStartRequest(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A carrier's request to start before the notice, and the office's decision on it."""

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="early_start_requests",
        verbose_name=_("application"),
    )
    wished_from = models.DateField(_("start wished from"))
    reason = models.TextField(_("why the project must start early"))
    state = FSMField(_("state"), default=E.NEW, choices=E.choices, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("asked for on"), default=timezone.now)
    permitted_from = models.DateField(_("early start permitted from"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("early start request")
        verbose_name_plural = _("early start requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="granted") | Q(permitted_from__isnull=False),
                name="early_start_granted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == E.REQUESTED

    @property
    def is_granted(self) -> bool:
        return self.state == E.GRANTED

    @property
    def blocks_new_request(self) -> bool:
        """A request waiting for a decision or already granted leaves nothing to ask."""
        return self.state in (E.REQUESTED, E.GRANTED)

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=E.NEW, target=E.REQUESTED, permission=fsm_permission(REQUEST_EARLY_START))
    def hand_in(self, *, by: User, description: str = "") -> None:
        self.requested_by = by
        self.requested_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=E.REQUESTED, target=E.GRANTED, permission=fsm_permission(DECIDE_EARLY_START)
    )
    def grant(self, *, by: User, permitted_from: date, description: str = "") -> None:
        self.permitted_from = permitted_from
        self.decision_reason = description
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=E.REQUESTED, target=E.REFUSED, permission=fsm_permission(DECIDE_EARLY_START)
    )
    def refuse(self, *, by: User, description: str = "") -> None:
        self.decision_reason = description
        self.decided_by = by
        self.decided_at = timezone.now()
