from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.rules import fsm_permission, require
from core.models import SavesChangedFields
from grants.applications.models.plan import (
    BaseInstalment,
    PlanLine,
    instalment_constraints,
    plan_line_constraints,
)
from grants.awards.models.grant import Grant, PlanVersion

if TYPE_CHECKING:
    from accounts.models import User


class AmendmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PROPOSED = "proposed", _("Approval proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


A = AmendmentState


class Amendment(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """A request to change the approved plan (Änderungsantrag) and its decision (Änderungsbescheid).

    ``lines`` and ``instalments`` hold the complete proposed plan; on approval they become a
    new ``PlanVersion`` and the budget commitments move by ledger entries.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    state = FSMField(_("state"), default=A.DRAFT, choices=A.choices, protected=True, db_index=True)
    reason = models.TextField(_("reason"))
    new_period_end = models.DateField(_("new end of the approval period"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    resulting_plan = models.OneToOneField(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="amendment"
    )

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["grant", "number"]
        constraints = [models.UniqueConstraint(fields=["grant", "number"], name="unique_amendment_number")]

    def __str__(self) -> str:
        return f"{self.grant.file_number} · Änderung {self.number}"

    # --- what the state allows (ask these; never compare state strings outside the model) ---

    OPEN_STATES = (A.DRAFT, A.SUBMITTED, A.PROPOSED)
    REJECTABLE_STATES = (A.SUBMITTED, A.PROPOSED)

    @property
    def is_draft(self) -> bool:
        """Only a draft can be changed and submitted."""
        return self.state == A.DRAFT

    @property
    def is_open(self) -> bool:
        """Not decided or withdrawn yet: a grant has at most one open amendment."""
        return self.state in self.OPEN_STATES

    @property
    def awaits_proposal(self) -> bool:
        return self.state == A.SUBMITTED

    @property
    def awaits_decision(self) -> bool:
        return self.state == A.PROPOSED

    @property
    def is_rejectable(self) -> bool:
        return self.state in self.REJECTABLE_STATES

    @property
    def is_approved(self) -> bool:
        return self.state == A.APPROVED

    def wrong_state(self) -> str:
        """The sentence for a step the current state does not allow."""
        return str(
            _("This step is not possible while the amendment is in state “%(state)s”.")
            % {"state": self.get_state_display()}
        )

    # --- transitions -----------------------------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=A.DRAFT, target=A.SUBMITTED, permission=fsm_permission("grants.request_amendment")
    )
    def submit(self, *, by: User, description: str = "") -> None:
        self.submitted_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=A.SUBMITTED,
        target=A.PROPOSED,
        permission=fsm_permission("grants.propose_amendment"),
    )
    def propose(self, *, by: User, description: str = "") -> None:
        self.proposed_by = by

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=A.PROPOSED,
        target=A.APPROVED,
        permission=fsm_permission("grants.decide_amendment"),
    )
    def approve(self, *, by: User, description: str = "") -> None:
        # The transition itself refuses the proposer (four eyes), whoever calls it.
        require(by, "grants.decide_amendment", self)
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=list(REJECTABLE_STATES),
        target=A.REJECTED,
        permission=fsm_permission("grants.decide_amendment"),
    )
    def reject(self, *, by: User, description: str = "") -> None:
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=list(OPEN_STATES),
        target=A.WITHDRAWN,
        permission=fsm_permission("grants.request_amendment"),
    )
    def withdraw(self, *, by: User, description: str = "") -> None:
        pass


class AmendmentLine(PlanLine):
    """A line of the proposed new plan (the complete plan, not a difference)."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="lines")

    class Meta(PlanLine.Meta):
        verbose_name = _("amendment line")
        verbose_name_plural = _("amendment lines")
        constraints = plan_line_constraints()

    def __str__(self) -> str:
        return f"{self.text} ({self.budget_year}): {self.amount}"


class AmendmentInstalment(BaseInstalment):
    """An annual instalment of the proposed new plan."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="instalments")

    class Meta(BaseInstalment.Meta):
        verbose_name = _("proposed instalment")
        verbose_name_plural = _("proposed instalments")
        constraints = instalment_constraints("amendment")
