from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.choices import CostCategory
from budgets.rules import fsm_permission
from core.dates import add_months
from core.models import SavesChangedFields
from grants.applications.models.plan import YEAR, CoverKind
from grants.awards.models.grant import Grant, GrantState, PlanVersion, PlanVersionLine

if TYPE_CHECKING:
    from accounts.models import User


class ProofKind(models.TextChoices):
    INTERIM = "interim", _("Interim proof")  # Zwischennachweis
    FINAL = "final", _("Final proof of use")  # Verwendungsnachweis


class ProofState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")


P = ProofState
G = GrantState

# The named rules (grants.rules) of the proof workflow: the carrier's steps and the office's review.
EDIT_PROOF = "grants.edit_proof"
REVIEW_PROOF = "grants.review_proof"


class ProofOfUseQuerySet(models.QuerySet["ProofOfUse"]):
    """The database form of the model's deadline predicates (one rule, two readings)."""

    def outstanding(self) -> ProofOfUseQuerySet:
        """Not handed in (a draft, or sent back) while the grant still takes proofs."""
        return self.filter(state__in=ProofOfUse.EDITABLE_STATES).exclude(
            grant__state__in=ProofOfUse.CLOSED_GRANT_STATES
        )

    def overdue(self, day: date) -> ProofOfUseQuerySet:
        """See :meth:`ProofOfUse.is_overdue`."""
        return self.outstanding().filter(due_on__lt=day)

    def due_soon(self, day: date, horizon: int | None = None) -> ProofOfUseQuerySet:
        """See :meth:`ProofOfUse.is_due_soon`."""
        days = ProofOfUse.DUE_SOON_DAYS if horizon is None else horizon
        return self.outstanding().filter(due_on__gte=day, due_on__lte=day + timedelta(days=days))

    def awaiting_first_check(self) -> ProofOfUseQuerySet:
        """Handed in and not yet checked a first time (see :attr:`ProofOfUse.awaits_first_check`)."""
        return self.filter(first_check_due_on__isnull=False, first_checked_on__isnull=True)

    def first_check_overdue(self, day: date) -> ProofOfUseQuerySet:
        """See :meth:`ProofOfUse.is_first_check_overdue`."""
        return self.awaiting_first_check().filter(first_check_due_on__lt=day)

    def first_check_due_soon(self, day: date, horizon: int | None = None) -> ProofOfUseQuerySet:
        """See :meth:`ProofOfUse.is_first_check_due_soon`."""
        days = ProofOfUse.FIRST_CHECK_SOON_DAYS if horizon is None else horizon
        return self.awaiting_first_check().filter(
            first_check_due_on__gte=day, first_check_due_on__lte=day + timedelta(days=days)
        )

    def unsettled_final(self) -> ProofOfUseQuerySet:
        """Final proofs whose grant still takes proofs: not settled, in reclaim, closed or revoked."""
        return self.filter(kind=ProofKind.FINAL).exclude(grant__state__in=ProofOfUse.CLOSED_GRANT_STATES)


def _may_be_submitted(proof: models.Model) -> bool:
    """Condition of ``submit``: the grant still takes proofs."""
    return cast(ProofOfUse, proof).grant_takes_proofs


def _may_be_accepted(proof: models.Model) -> bool:
    """Condition of ``accept``: a final proof settles the grant, which must await that."""
    proof = cast(ProofOfUse, proof)
    return not proof.is_final or proof.grant_awaits_settlement


def proof_report_path(instance: ProofOfUse, filename: str) -> str:
    return f"proofs/{instance.grant_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class ProofOfUse(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """An interim proof for one budget year, or the final proof of use (DOMAIN.md §3.5–3.7).

    The numerical statement is ``lines`` (actual amounts per plan line and cover line), the
    receipt list is ``receipts``; both refer to the plan version the proof is measured against.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="proofs")
    kind = models.CharField(_("kind"), max_length=8, choices=ProofKind.choices)
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True, validators=YEAR)
    plan = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan version")
    )
    due_on = models.DateField(_("due on"))
    state = FSMField(_("state"), default=P.DRAFT, choices=P.choices, protected=True, db_index=True)
    narrative = models.TextField(_("narrative report"), blank=True)  # Sachbericht
    narrative_file = models.FileField(_("narrative report (file)"), upload_to=proof_report_path, blank=True)
    narrative_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # First check (VV Nr. 11): within three months of receiving the proof; set on the first
    # submission, done when the office first accepts the proof or sends it back.
    first_check_due_on = models.DateField(_("first check due on"), null=True, blank=True)
    first_checked_on = models.DateField(_("first checked on"), null=True, blank=True)
    first_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProofOfUseQuerySet.as_manager()

    # The carrier works on the proof: a draft, or sent back ("changes requested" means due again).
    EDITABLE_STATES = (P.DRAFT, P.CHANGES_REQUESTED)
    HANDED_IN_STATES = (P.SUBMITTED, P.IN_REVIEW, P.ACCEPTED)
    # A grant whose life is over (or revoked as a whole) takes no more changes to its proofs.
    CLOSED_GRANT_STATES = (G.SETTLED, G.RECLAIM, G.CLOSED, G.REVOKED)
    DUE_SOON_DAYS = 30
    FIRST_CHECK_MONTHS = 3  # VV Nr. 11.1 zu § 44 BHO: first check within three months of receipt
    FIRST_CHECK_SOON_DAYS = 14
    # transition → the named rule a user needs for it (views ask the same names as services).
    PERMISSIONS = {
        "submit": EDIT_PROOF,
        "start_review": REVIEW_PROOF,
        "request_changes": REVIEW_PROOF,
        "accept": REVIEW_PROOF,
    }

    class Meta:
        verbose_name = _("proof of use")
        verbose_name_plural = _("proofs of use")
        ordering = ["grant", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "budget_year"],
                condition=Q(kind="interim"),
                name="one_interim_proof_per_year",
            ),
            models.UniqueConstraint(fields=["grant"], condition=Q(kind="final"), name="one_final_proof"),
            models.CheckConstraint(
                condition=(Q(kind="interim") & Q(budget_year__isnull=False))
                | (Q(kind="final") & Q(budget_year__isnull=True)),
                name="proof_year_by_kind",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{self.grant.file_number} · {label}" + (f" {self.budget_year}" if self.budget_year else "")

    # --- named state predicates (the one place that knows the states) -----------------------

    @property
    def is_final(self) -> bool:
        return self.kind == ProofKind.FINAL

    @property
    def is_interim(self) -> bool:
        return self.kind == ProofKind.INTERIM

    @property
    def simple_proof_threshold(self) -> Decimal | None:
        """The threshold up to which the final proof is a simple one: a micro-project's fund's,
        otherwise the grant's (copied from its programme at approval); None where the one that
        applies sets none (0). A fund's rules replace the programme's for its micro-projects."""
        fund = self.grant.fund  # no query for a grant outside a fund (no fund_id)
        threshold = fund.simple_proof_threshold if fund is not None else self.grant.simple_proof_threshold
        if threshold is None or threshold <= 0:
            return None
        return threshold

    @property
    def is_simple(self) -> bool:
        """A simple proof of use (einfacher Verwendungsnachweis, DOMAIN.md §9): the final proof of a
        grant of no more than the threshold of its fund or programme. The carrier hands in a short
        narrative report and the numerical statement, without a receipt list."""
        threshold = self.simple_proof_threshold
        return self.is_final and threshold is not None and self.grant.granted_amount <= threshold

    @property
    def needs_receipt_list(self) -> bool:
        """A final proof needs a receipt list adding up to its statement, unless it is simple."""
        return self.is_final and not self.is_simple

    @property
    def grant_takes_proofs(self) -> bool:
        """The grant is not settled, in reclaim, closed or revoked."""
        return self.grant.state not in self.CLOSED_GRANT_STATES

    @property
    def is_editable(self) -> bool:
        """The carrier may change it: a draft or sent back, and the grant still takes proofs.

        The same condition makes a proof *outstanding* for its deadlines.
        """
        return self.state in self.EDITABLE_STATES and self.grant_takes_proofs

    @property
    def is_handed_in(self) -> bool:
        return self.state in self.HANDED_IN_STATES

    @property
    def is_submitted(self) -> bool:
        return self.state == P.SUBMITTED

    @property
    def is_in_review(self) -> bool:
        return self.state == P.IN_REVIEW

    @property
    def is_accepted(self) -> bool:
        return self.state == P.ACCEPTED

    @property
    def grant_awaits_settlement(self) -> bool:
        """The grant's final proof is under review: accepting it settles the grant."""
        return self.grant.state == G.PROOF_UNDER_REVIEW

    def is_overdue(self, day: date) -> bool:
        """THE overdue rule: outstanding (see :attr:`is_editable`) and due before ``day``.

        On the due day itself the proof is not overdue; on the day after it is.
        """
        return self.is_editable and self.due_on < day

    def is_due_soon(self, day: date, horizon: int | None = None) -> bool:
        """Outstanding and due from ``day`` up to ``horizon`` days ahead (both ends included)."""
        days = self.DUE_SOON_DAYS if horizon is None else horizon
        return self.is_editable and day <= self.due_on <= day + timedelta(days=days)

    @property
    def awaits_first_check(self) -> bool:
        """Handed in, and the office has neither accepted it nor sent it back yet."""
        return self.first_check_due_on is not None and self.first_checked_on is None

    def is_first_check_overdue(self, day: date) -> bool:
        """THE first-check rule: awaiting its first check and due before ``day``."""
        return (
            self.awaits_first_check and self.first_check_due_on is not None and self.first_check_due_on < day
        )

    def _first_check_done(self, by: User) -> None:
        if self.first_check_due_on is not None and self.first_checked_on is None:
            self.first_checked_on = timezone.localdate()
            self.first_checked_by = by

    # --- transitions -----------------------------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[P.DRAFT, P.CHANGES_REQUESTED],
        target=P.SUBMITTED,
        conditions=[_may_be_submitted],
        permission=fsm_permission(EDIT_PROOF),
    )
    def submit(self, *, by: User, description: str = "") -> None:
        self.submitted_at = timezone.now()
        self.submitted_by = by
        if self.first_check_due_on is None:
            received = timezone.localdate(self.submitted_at)
            self.first_check_due_on = add_months(received, self.FIRST_CHECK_MONTHS)

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=P.SUBMITTED, target=P.IN_REVIEW, permission=fsm_permission(REVIEW_PROOF))
    def start_review(self, *, by: User, description: str = "") -> None:
        self.reviewed_by = by

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=P.IN_REVIEW, target=P.CHANGES_REQUESTED, permission=fsm_permission(REVIEW_PROOF)
    )
    def request_changes(self, *, by: User, description: str = "") -> None:
        self._first_check_done(by)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=P.IN_REVIEW,
        target=P.ACCEPTED,
        conditions=[_may_be_accepted],
        permission=fsm_permission(REVIEW_PROOF),
    )
    def accept(self, *, by: User, description: str = "") -> None:
        self.accepted_at = timezone.now()
        self._first_check_done(by)


class ProofLine(models.Model):
    """The numerical statement: the actual amount of one plan line or cover line.

    ``plan_line`` is empty for expenditure in a category the plan did not have (plan 0).
    """

    class Side(models.TextChoices):
        EXPENDITURE = "expenditure", _("Expenditure")
        COVER = "cover", _("Cover")

    proof = models.ForeignKey(ProofOfUse, on_delete=models.CASCADE, related_name="lines")
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    plan_line = models.ForeignKey(
        PlanVersionLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("plan line"),
    )
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices, blank=True)
    cover_kind = models.CharField(_("kind"), max_length=12, choices=CoverKind.choices, blank=True)
    text = models.CharField(_("description"), max_length=200, blank=True)
    actual = models.DecimalField(_("actual amount (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["side", "pk"]
        constraints = [models.CheckConstraint(condition=Q(actual__gte=0), name="proof_line_actual_nonneg")]

    def __str__(self) -> str:
        return f"{self.text or self.category or self.cover_kind}: {self.actual}"


class Admission(models.TextChoices):
    """The official's decision on one receipt in an in-depth check (VV Nr. 11.2 zu § 44 BHO)."""

    FULL = "full", _("admitted in full")  # voll anerkannt
    PARTIAL = "partial", _("admitted in part")  # teilweise anerkannt
    NONE = "none", _("not admitted")  # nicht anerkannt


class Receipt(models.Model):
    """One entry of the receipt list (Belegliste): a payment made or money received.

    In an in-depth check the official admits it fully, partly or not (``admission``), with
    the amount admitted and, unless admitted fully, a reason; the settlement then counts the
    admitted amount only.
    """

    proof = models.ForeignKey(ProofOfUse, on_delete=models.CASCADE, related_name="receipts")
    number = models.CharField(_("receipt number"), max_length=40)
    paid_on = models.DateField(_("date"))
    counterparty = models.CharField(
        _("payee or payer"),
        max_length=200,
        help_text=_("For confidential individual support: the case pseudonym, never the person's name."),
    )
    reason = models.CharField(_("reason for payment"), max_length=300)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    plan_line = models.ForeignKey(
        PlanVersionLine, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("plan line")
    )
    admission = models.CharField(_("admission"), max_length=8, choices=Admission.choices, blank=True)
    admitted_amount = models.DecimalField(
        _("admitted amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    admission_reason = models.CharField(_("reason for the admission"), max_length=500, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        # Chronological per plan line, as the receipt list is printed.
        ordering = ["plan_line", "paid_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proof", "number"], name="unique_receipt_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=(Q(admission="") & Q(admitted_amount__isnull=True))
                | (~Q(admission="") & Q(admitted_amount__gte=0) & Q(admitted_amount__lte=models.F("amount"))),
                name="receipt_admitted_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.amount}"

    @property
    def is_admission_decided(self) -> bool:
        return bool(self.admission)

    @property
    def not_admitted(self) -> Decimal:
        """What the in-depth check did not admit (0 while undecided)."""
        if self.admitted_amount is None:
            return Decimal("0.00")
        return self.amount - self.admitted_amount


class Settlement(models.Model):
    """The computation made when the final proof is accepted (DOMAIN.md §4.1–4.2).

    Stored with every intermediate figure so that a person can check it by hand later.
    """

    proof = models.OneToOneField(ProofOfUse, on_delete=models.PROTECT, related_name="settlement")
    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="settlement")
    planned_expenditure = models.DecimalField(_("planned expenditure"), max_digits=12, decimal_places=2)
    actual_expenditure = models.DecimalField(_("actual expenditure"), max_digits=12, decimal_places=2)
    recognised_expenditure = models.DecimalField(_("recognised expenditure"), max_digits=12, decimal_places=2)
    planned_own = models.DecimalField(_("planned own funds"), max_digits=12, decimal_places=2)
    planned_third = models.DecimalField(_("planned third-party funds"), max_digits=12, decimal_places=2)
    actual_own = models.DecimalField(_("actual own funds"), max_digits=12, decimal_places=2)
    actual_third = models.DecimalField(_("actual third-party funds"), max_digits=12, decimal_places=2)
    granted = models.DecimalField(_("maximum amount"), max_digits=12, decimal_places=2)
    final_grant = models.DecimalField(_("final grant"), max_digits=12, decimal_places=2)
    paid = models.DecimalField(_("paid out"), max_digits=12, decimal_places=2)
    reclaim_amount = models.DecimalField(_("to be reclaimed"), max_digits=12, decimal_places=2)
    last_payment = models.DecimalField(_("last payment"), max_digits=12, decimal_places=2)
    lines = models.JSONField(
        _("line-by-line computation"),
        help_text=_("Per plan line: category, text, planned, actual, cap, recognised, capped."),
    )
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.grant.file_number}: {self.final_grant}"
