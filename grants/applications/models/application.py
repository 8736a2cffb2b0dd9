from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.choices import FinancingType
from budgets.models import CoordinatingOffice, Fund, FundingProgramme
from budgets.rules import fsm_permission
from core.errors import DomainError
from core.models import SavesChangedFields
from grants.carriers.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


class Recommendation(models.TextChoices):
    """A committee's vote on a micro-project, on which the lead office's staff decide."""

    ADOPTED = "adopted", _("Recommended by the committee")
    REJECTED = "rejected", _("Not recommended by the committee")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    FORMAL_CHECK = "formal_check", _("Formal check")
    CONTENT_REVIEW = "content_review", _("Content review")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")  # Nachforderung
    APPROVAL_PROPOSED = "approval_proposed", _("Approval proposed")
    REJECTION_PROPOSED = "rejection_proposed", _("Rejection proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationState
EDITABLE_STATES = (S.DRAFT, S.REVISION_REQUESTED)
UNDECIDED_STATES = (
    S.DRAFT,
    S.SUBMITTED,
    S.FORMAL_CHECK,
    S.CONTENT_REVIEW,
    S.REVISION_REQUESTED,
    S.APPROVAL_PROPOSED,
    S.REJECTION_PROPOSED,
)
DECIDED_STATES = (S.APPROVED, S.REJECTED, S.WITHDRAWN)

# The named rules (grants.rules) that guard the steps: the carrier edits and hands in, the case
# officer processes, the approver decides. Services, views and templates ask the same names.
EDIT = "grants.edit_application"
PROCESS = "grants.process_application"
DECIDE = "grants.decide_application"


def _rule(name: str) -> Any:
    """``fsm_permission(name)`` that remembers its rule, so a service can ask which rule guards a step."""
    permission = fsm_permission(name)
    permission.rule = name  # type: ignore[attr-defined]
    return permission


carrier = _rule(EDIT)
case_officer = _rule(PROCESS)
approver = _rule(DECIDE)


class Application(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """An application (Antrag) and its workflow.

    Transition methods only change this object's fields; the services in
    ``grants.applications.services.application`` lock the row, check permissions and cross-object rules,
    call the transition, save and record side effects.
    """

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications", verbose_name=_("project carrier")
    )
    programme = models.ForeignKey(
        FundingProgramme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("programme")
    )
    office = models.ForeignKey(
        CoordinatingOffice,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("coordinating office"),
    )
    fund = models.ForeignKey(
        Fund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("fund"),
        help_text=_("A micro-project application is addressed to a fund and checked against its rules."),
    )
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    target_groups = models.TextField(_("target groups"), blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    start_date = models.DateField(_("project start"), null=True, blank=True)
    end_date = models.DateField(_("project end"), null=True, blank=True)
    financing_type = models.CharField(
        _("financing type requested"),
        max_length=10,
        choices=FinancingType.choices,
        default=FinancingType.DEFICIT,
    )

    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    formal_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    proposed_amount = models.DecimalField(
        _("proposed grant"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recommendation = models.CharField(
        _("committee recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    recommended_on = models.DateField(_("recommended on"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="application_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=0),
                name="application_proposed_amount_nonneg",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "state"]),
            models.Index(fields=["organisation", "state"]),
            # The worklist's sort orders, the primary key breaking ties (issue 14 §2: a page is an
            # index range, in either direction, at any depth).
            models.Index(fields=["submitted_at", "id"], name="application_submitted_idx"),
            models.Index(fields=["title", "id"], name="application_title_idx"),
            models.Index(fields=["state", "id"], name="application_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_micro_project(self) -> bool:
        return self.fund_id is not None

    @property
    def awaits_recommendation(self) -> bool:
        """A micro-project is decided only on its committee's recommendation (DOMAIN §7)."""
        return self.is_micro_project and not self.recommendation

    @property
    def is_handed_in(self) -> bool:
        """The carrier has submitted it at least once; before that it is the carrier's own draft."""
        return self.submitted_at is not None

    @property
    def is_approved(self) -> bool:
        return self.state == S.APPROVED

    @property
    def has_approval_proposal(self) -> bool:
        return self.proposed_by_id is not None and self.proposed_amount is not None

    def record_recommendation(self, recommendation: Recommendation, *, on: Any) -> None:
        """The committee's vote on this micro-project (not a state: the staff still decide)."""
        self.recommendation = recommendation
        self.recommended_on = on

    @property
    def is_ready_for_committee(self) -> bool:
        """Reviewed for form and waiting for its committee's vote."""
        return self.awaits_recommendation and self.state == S.CONTENT_REVIEW

    def rule_for(self, transition: str) -> str:
        """The named rule that guards ``transition`` from the current state (read off the machine)."""
        meta = getattr(type(self), transition)._django_fsm
        step = meta.get_transition(self.state) or next(iter(meta.transitions.values()))
        return str(step.permission.rule)

    def available_steps(self, user: Any) -> list[str]:
        """Names of the steps ``user`` may take now: the state machine filtered by the named rules."""
        return [t.name for t in self.get_available_user_state_transitions(user)]  # type: ignore[attr-defined]

    # --- transitions -----------------------------------------------------------------------
    # Keyword ``by`` (the acting user) and ``description`` (the comment) are recorded by
    # django-fsm-log in the state history.

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[S.DRAFT, S.REVISION_REQUESTED], target=S.SUBMITTED, permission=carrier)
    def submit(self, *, by: User, description: str = "") -> None:
        # The first submission decides whether the deadline was met; resubmissions keep it.
        if self.submitted_at is None:
            self.submitted_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.SUBMITTED, target=S.FORMAL_CHECK, permission=case_officer)
    def start_formal_check(self, *, by: User, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.FORMAL_CHECK, target=S.CONTENT_REVIEW, permission=case_officer)
    def complete_formal_check(self, *, by: User, description: str = "") -> None:
        self.formal_checked_by = by

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.SUBMITTED, S.FORMAL_CHECK, S.CONTENT_REVIEW],
        target=S.REVISION_REQUESTED,
        permission=case_officer,
    )
    def request_revision(self, *, by: User, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.CONTENT_REVIEW, target=S.APPROVAL_PROPOSED, permission=case_officer)
    def propose_approval(self, *, by: User, amount: Decimal, description: str = "") -> None:
        # Proposing closes the content review: the proposer is its reviewer.
        self.content_reviewed_by = by
        self.proposed_by = by
        self.proposed_at = timezone.now()
        self.proposed_amount = amount
        self.decision_reasons = ""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.FORMAL_CHECK, S.CONTENT_REVIEW],
        target=S.REJECTION_PROPOSED,
        permission=case_officer,
    )
    def propose_rejection(self, *, by: User, reasons: str, description: str = "") -> None:
        if self.state == S.CONTENT_REVIEW:
            self.content_reviewed_by = by
        self.proposed_by = by
        self.proposed_at = timezone.now()
        self.proposed_amount = None
        self.decision_reasons = reasons

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.APPROVAL_PROPOSED, S.REJECTION_PROPOSED],
        target=S.CONTENT_REVIEW,
        permission=approver,
    )
    def return_proposal(self, *, by: User, description: str = "") -> None:
        self._check_four_eyes(by)

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.APPROVAL_PROPOSED, target=S.APPROVED, permission=approver)
    def approve(self, *, by: User, description: str = "") -> None:
        self._check_four_eyes(by)
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.REJECTION_PROPOSED, target=S.REJECTED, permission=approver)
    def reject(self, *, by: User, description: str = "") -> None:
        self._check_four_eyes(by)
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[s for s in UNDECIDED_STATES],
        target=S.WITHDRAWN,
        permission=carrier,
    )
    def withdraw(self, *, by: User, description: str = "") -> None:
        pass

    def _check_four_eyes(self, by: User | None) -> None:
        # Enforced here as well as in the permission, so no caller can skip it.
        if by is None or by.pk in {self.proposed_by_id, self.content_reviewed_by_id}:
            raise DomainError(
                _(
                    "Four-eyes principle: the decision must be taken by someone other than the person who proposed it or reviewed its content."
                )
            )
