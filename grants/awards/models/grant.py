from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from budgets.choices import FinancingType, WindowUnit
from budgets.models import CoordinatingOffice, Fund, FundingProgramme
from budgets.rules import fsm_permission
from core.errors import DomainError
from core.models import SavesChangedFields
from grants.applications.models.application import Application
from grants.applications.models.plan import (
    BaseInstalment,
    PlanLine,
    instalment_constraints,
    plan_line_constraints,
)
from grants.carriers.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User
    from grants.awards.models.reclaim import Reclaim


class FileNumberSequence(models.Model):
    """The last number used per file-number prefix (e.g. ``SN-DL-2026``).

    A row lock on the prefix hands out gap-free numbers even when approvals race.
    """

    prefix = models.CharField(max_length=40, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("file-number sequence")
        verbose_name_plural = _("file-number sequences")

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"


class GrantState(models.TextChoices):
    NOTIFIED = "notified", _("Notice issued")  # Bescheid erlassen
    FINAL = "final", _("Final")  # bestandskräftig
    RUNNING = "running", _("Running")
    PROOF_DUE = "proof_due", _("Proof of use due")
    PROOF_UNDER_REVIEW = "proof_under_review", _("Proof of use under review")
    SETTLED = "settled", _("Settled")
    RECLAIM = "reclaim", _("Reclaim")
    CLOSED = "closed", _("Closed")
    REVOKED = "revoked", _("Revoked")


G = GrantState

# The named rules (grants.rules) of the grant's own steps; views and services ask the same names.
RECORD_NOTICE_POSTING = "grants.record_notice_posting"
RECORD_OBJECTION = "grants.record_objection"
CONCLUDE_OBJECTION = "grants.conclude_objection"
WAIVE_OBJECTION = "grants.waive_objection"
REVOKE_GRANT = "grants.revoke_grant"
# Steps that follow from another use case or from the daily tasks (the objection period ends,
# the first payment is booked, the last reclaim is settled): never offered as a step of their own.
FOLLOW_ON_STEP = "grants.follow_on_step"


def _notice_posted(grant: models.Model) -> bool:
    """Condition of ``waive_objection``: the notice was posted."""
    return bool(cast(Grant, grant).posted_on)


def _objection_pending(grant: models.Model) -> bool:
    """Condition of ``conclude_objection``: an objection was lodged in time."""
    return bool(cast(Grant, grant).objection_lodged_on)


class Grant(ConcurrentTransitionMixin, SavesChangedFields, models.Model):
    """An approved grant (Zuwendung) and its notice (Zuwendungsbescheid).

    Created by the approval service. The programme's parameters are copied onto the grant at
    approval so that later changes to the programme never alter an issued notice.
    """

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="grant")
    file_number = models.CharField(_("file number"), max_length=40, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grants")
    programme = models.ForeignKey(FundingProgramme, on_delete=models.PROTECT, related_name="grants")
    office = models.ForeignKey(CoordinatingOffice, on_delete=models.PROTECT, related_name="grants")
    fund = models.ForeignKey(
        Fund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("fund"),
        help_text=_("Set for a micro-project: the fund at the first recipient's office that finances it."),
    )
    title = models.CharField(_("project title"), max_length=200)
    purpose = models.TextField(_("purpose of the grant"))
    period_start = models.DateField(_("approval period from"))
    period_end = models.DateField(_("approval period until"))
    financing_type = models.CharField(_("financing type"), max_length=10, choices=FinancingType.choices)
    granted_amount = models.DecimalField(_("maximum amount"), max_digits=12, decimal_places=2)
    planned_expenditure = models.DecimalField(_("planned expenditure"), max_digits=12, decimal_places=2)
    funding_share = models.DecimalField(
        _("share of eligible expenditure (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )

    # Parameters copied from the programme at approval (DOMAIN.md: never hard-coded).
    drawdown_window_value = models.PositiveSmallIntegerField(_("drawdown window"))
    drawdown_window_unit = models.CharField(
        _("drawdown window unit"), max_length=6, choices=WindowUnit.choices
    )
    overrun_tolerance = models.DecimalField(_("overrun tolerance per line"), max_digits=4, decimal_places=2)
    notice_receipt_days = models.PositiveSmallIntegerField(_("days until a posted notice counts as received"))
    interim_report_months = models.PositiveSmallIntegerField(_("interim proof due (months after year end)"))
    final_report_months = models.PositiveSmallIntegerField(_("final proof due (months after period end)"))
    payout_requires_final_notice = models.BooleanField(_("payout only when the notice is final"))
    interest_margin_points = models.DecimalField(
        _("interest margin over the base rate (points)"), max_digits=4, decimal_places=2
    )
    late_use_interest_from_window_end = models.BooleanField(
        _("late-use interest counts only from the end of the drawdown window")
    )
    confidential_individual_support = models.BooleanField(_("individual support is confidential"))
    individual_help_cap = models.DecimalField(
        _("individual help: cap per case and year (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # The permitted early start (DOMAIN.md §9), copied from the granted request at approval:
    # costs from this day on are eligible although they precede the notice.
    early_start_from = models.DateField(_("early start permitted from"), null=True, blank=True)
    flat_rate_percent = models.DecimalField(
        _("flat rate cap (% of direct costs)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    simple_proof_threshold = models.DecimalField(
        _("simple proof of use up to (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )

    state = FSMField(_("state"), default=G.NOTIFIED, choices=G.choices, protected=True, db_index=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)

    # Finality (Bestandskraft, DOMAIN.md §3.3 and §4.4)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    deemed_received_on = models.DateField(_("deemed received on"), null=True, blank=True)
    objection_deadline = models.DateField(_("objection period ends"), null=True, blank=True)
    objection_waived_on = models.DateField(_("objection waived on"), null=True, blank=True)
    final_on = models.DateField(_("final from"), null=True, blank=True)
    # An objection lodged in time (Widerspruch) suspends finality until the office records
    # the outcome; a late one is inadmissible and does not.
    objection_lodged_on = models.DateField(_("objection lodged on"), null=True, blank=True)

    # Revocation (Widerruf, §§ 49, 49a VwVfG)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reasons = models.TextField(_("reasons for revocation"), blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(condition=Q(granted_amount__gte=0), name="grant_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="grant_period"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "state"]),
            # The grant list's sort orders, the primary key breaking ties (issue 14 §2).
            models.Index(fields=["approved_at", "id"], name="grant_approved_idx"),
            models.Index(fields=["title", "id"], name="grant_title_idx"),
            models.Index(fields=["state", "id"], name="grant_state_idx"),
            models.Index(fields=["granted_amount", "id"], name="grant_amount_idx"),
            models.Index(fields=["period_start", "period_end", "id"], name="grant_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_number} – {self.title}"

    @property
    def subdivision(self) -> str:
        """The office's state decides the public holidays for deadlines."""
        return self.office.state

    # --- what the state allows (ask these; never compare state strings outside the model) ---

    PAYABLE_STATES = (G.NOTIFIED, G.FINAL, G.RUNNING)
    AMENDABLE_STATES = (G.NOTIFIED, G.FINAL, G.RUNNING)
    REVOCABLE_STATES = (G.NOTIFIED, G.FINAL, G.RUNNING, G.PROOF_DUE, G.PROOF_UNDER_REVIEW)
    # The approval period has not been declared over yet.
    PERIOD_OPEN_STATES = (G.NOTIFIED, G.FINAL, G.RUNNING)
    # Paid money may still be reported as not used in time (late-use interest, § 49a (4) VwVfG).
    LATE_USE_STATES = (G.NOTIFIED, G.FINAL, G.RUNNING, G.PROOF_DUE, G.PROOF_UNDER_REVIEW, G.RECLAIM)
    # Its life is over (settled, or revoked as a whole): a reclaim moves it to "reclaim".
    ENDED_STATES = (G.SETTLED, G.REVOKED)
    # A reclaim after settlement can be decided on these (the project may also still run).
    SETTLEMENT_RECLAIM_STATES = (G.SETTLED, G.REVOKED, G.RUNNING, G.FINAL, G.PROOF_DUE, G.RECLAIM)

    @cached_property
    def first_recipient(self) -> Organisation | None:
        """For a micro-project: the organisation whose grant finances its fund (DOMAIN §7)."""
        if self.fund_id is None:
            return None
        assert self.fund is not None
        first = (
            Grant.objects.filter(file_number=self.fund.source_reference)
            .select_related("organisation")
            .first()
        )
        return first.organisation if first is not None else None

    @property
    def is_forwarded_by_contract(self) -> bool:
        """A private first recipient passes money on by contract: no notice, no objection period."""
        organisation = self.first_recipient
        return organisation is not None and not organisation.is_public_body

    @property
    def is_payable(self) -> bool:
        """Funds may be requested and paid out (before payout rules such as finality)."""
        return self.state in self.PAYABLE_STATES

    @property
    def awaits_finality(self) -> bool:
        """The programme pays only on a final notice, and this one is not final yet."""
        return self.payout_requires_final_notice and self.state == G.NOTIFIED

    @property
    def is_amendable(self) -> bool:
        return self.state in self.AMENDABLE_STATES

    @property
    def is_revocable(self) -> bool:
        """Can be revoked as a whole."""
        return self.state in self.REVOCABLE_STATES

    @property
    def accepts_revocation(self) -> bool:
        """A revocation in whole or in part may still be decided (not revoked, not closed)."""
        return not (self.is_revoked or self.is_closed)

    @property
    def is_notice_pending(self) -> bool:
        """The notice is issued and not yet final (posting, objection and waiver apply)."""
        return self.state == G.NOTIFIED

    @property
    def accepts_notice_posting(self) -> bool:
        """The notice is pending and its posting has not been recorded yet."""
        return self.is_notice_pending and not self.posted_on

    @property
    def accepts_objection(self) -> bool:
        """Posted, not final, not waived and no objection recorded yet."""
        return (
            self.is_notice_pending
            and bool(self.posted_on)
            and not self.objection_lodged_on
            and not self.objection_waived_on
        )

    @property
    def has_objection_pending(self) -> bool:
        """An objection lodged in time holds finality until the office records its outcome."""
        return self.is_notice_pending and bool(self.objection_lodged_on)

    @property
    def accepts_objection_waiver(self) -> bool:
        """The recipient may waive its right to object once the notice was posted."""
        return self.is_notice_pending and bool(self.posted_on)

    @property
    def has_period_open(self) -> bool:
        return self.state in self.PERIOD_OPEN_STATES

    @property
    def is_settled(self) -> bool:
        return self.state == G.SETTLED

    @property
    def is_revoked(self) -> bool:
        return self.state == G.REVOKED

    @property
    def is_closed(self) -> bool:
        return self.state == G.CLOSED

    @property
    def is_in_reclaim(self) -> bool:
        return self.state == G.RECLAIM

    @property
    def has_ended(self) -> bool:
        """Settled, or revoked as a whole: what follows is only reclaiming."""
        return self.state in self.ENDED_STATES

    @property
    def accepts_reclaim(self) -> bool:
        """A reclaim (of any kind) may still be decided: everything but a closed grant."""
        return not self.is_closed

    @property
    def accepts_settlement_reclaim(self) -> bool:
        return self.state in self.SETTLEMENT_RECLAIM_STATES

    @property
    def closes_with_its_last_reclaim(self) -> bool:
        """Settled or in reclaim: when its last open reclaim is settled, the grant is closed."""
        return self.state in (G.SETTLED, G.RECLAIM)

    # --- transitions -----------------------------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=G.NOTIFIED, target=G.FINAL, permission=fsm_permission(FOLLOW_ON_STEP))
    def become_final(self, *, by: User | None = None, final_on: date, description: str = "") -> None:
        """The objection period ended without an objection (the daily task)."""
        self.final_on = final_on

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=G.NOTIFIED,
        target=G.FINAL,
        conditions=[_notice_posted],
        permission=fsm_permission(WAIVE_OBJECTION),
    )
    def waive_objection(self, *, by: User, waived_on: date, description: str = "") -> None:
        """The recipient waives its right to object (Rechtsbehelfsverzicht): final at once."""
        self.objection_waived_on = waived_on
        self.final_on = waived_on

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=G.NOTIFIED,
        target=G.FINAL,
        conditions=[_objection_pending],
        permission=fsm_permission(CONCLUDE_OBJECTION),
    )
    def conclude_objection(self, *, by: User, final_on: date, description: str = "") -> None:
        """The objection was withdrawn or decided and no remedy is pending any more."""
        self.final_on = final_on

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[G.NOTIFIED, G.FINAL],
        target=G.RUNNING,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def start_running(self, *, by: User | None = None, description: str = "") -> None:
        """The first payment starts the project's running phase."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[G.NOTIFIED, G.FINAL, G.RUNNING],
        target=G.PROOF_DUE,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def period_ended(self, *, by: User | None = None, description: str = "") -> None:
        """The approval period is over: the final proof of use is now due."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[G.RUNNING, G.PROOF_DUE],
        target=G.PROOF_UNDER_REVIEW,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def final_proof_submitted(self, *, by: User | None = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=G.PROOF_UNDER_REVIEW,
        target=G.PROOF_DUE,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def final_proof_returned(self, *, by: User | None = None, description: str = "") -> None:
        """Changes were requested on the final proof; it is due again."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=G.PROOF_UNDER_REVIEW,
        target=G.SETTLED,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def settle(self, *, by: User | None = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[G.SETTLED, G.REVOKED, G.RUNNING, G.FINAL, G.PROOF_DUE],
        target=G.RECLAIM,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def open_reclaim(self, *, by: User | None = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[G.SETTLED, G.RECLAIM],
        target=G.CLOSED,
        permission=fsm_permission(FOLLOW_ON_STEP),
    )
    def close(self, *, by: User | None = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=list(REVOCABLE_STATES),
        target=G.REVOKED,
        permission=fsm_permission(REVOKE_GRANT),
    )
    def revoke(self, *, by: User, revoked_on: date, reasons: str, description: str = "") -> None:
        """Revocation of the whole grant (Widerruf); a partial one keeps the state."""
        self.revoked_on = revoked_on
        self.revocation_reasons = reasons


class GrantInstalment(BaseInstalment):
    """An annual instalment (Jahresrate) of the grant, as currently approved."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="instalments")

    class Meta(BaseInstalment.Meta):
        verbose_name = _("annual instalment")
        verbose_name_plural = _("annual instalments")
        constraints = instalment_constraints("grant")


class PlanVersion(models.Model):
    """One version of the approved financing plan; amendments add versions, none is changed."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="plan_versions")
    version = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("financing plan version")
        verbose_name_plural = _("financing plan versions")
        ordering = ["grant", "version"]
        constraints = [models.UniqueConstraint(fields=["grant", "version"], name="unique_plan_version")]

    def __str__(self) -> str:
        return f"{self.grant.file_number} v{self.version}"


class PlanVersionLine(PlanLine):
    """A frozen line of a plan version."""

    plan = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="lines")

    class Meta(PlanLine.Meta):
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        constraints = plan_line_constraints()

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.text} ({self.budget_year})"


class BaseRate(models.Model):
    """The base rate (Basiszinssatz, § 247 BGB) per half-year, maintained by finance.

    A decision rests on the rates it was computed with: once a reclaim's interest ran through
    a half-year (see :meth:`used_by`), that half-year's rate can be neither changed nor
    deleted — not here (``save``/``delete``), not in the admin (``clean``), and on PostgreSQL
    not by any ``UPDATE`` or ``DELETE`` either (trigger ``grants_baserate_in_use``, migration
    0015). A half-year that no interest has run through yet may still be corrected.
    """

    valid_from = models.DateField(_("valid from"), unique=True, help_text=_("1 January or 1 July."))
    rate = models.DecimalField(_("base rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("base rate")
        verbose_name_plural = _("base rates")
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__day=1) & (Q(valid_from__month=1) | Q(valid_from__month=7)),
                name="base_rate_half_year_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%d.%m.%Y}: {self.rate} %"

    def save(self, *args: Any, **kwargs: Any) -> None:
        message = self.refusal()
        if message:
            raise DomainError(message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        message = self.refusal(deleting=True)
        if message:
            raise DomainError(message)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        message = self.refusal()
        if message:
            raise ValidationError(message)

    @staticmethod
    def half_year_end(valid_from: date) -> date:
        """The first day of the next half-year."""
        return date(valid_from.year, 7, 1) if valid_from.month < 7 else date(valid_from.year + 1, 1, 1)

    @classmethod
    def used_by(cls, valid_from: date, *, today: date | None = None) -> models.QuerySet[Reclaim]:
        """The reclaims whose interest ran through the half-year starting ``valid_from``.

        Interest runs from ``interest_from`` to (not counting) the day of use for late use, the
        last repayment of a settled reclaim, and today for an open one. A reclaim whose interest
        was waived owes only what was already paid, so no rate changes it.
        """
        from grants.awards.models.reclaim import Reclaim, ReclaimState

        today = timezone.localdate() if today is None else today
        return (
            Reclaim.objects.filter(interest_waived=False, interest_from__lt=cls.half_year_end(valid_from))
            .annotate(last_repaid=models.Max("repayments__received_on"))
            .annotate(
                interest_end=Coalesce(
                    "interest_until",
                    models.Case(
                        models.When(state=ReclaimState.SETTLED, then="last_repaid"),
                        default=models.Value(today),
                        output_field=models.DateField(),
                    ),
                )
            )
            .filter(interest_end__gt=valid_from)
            .select_related("grant")
            .order_by("pk")
        )

    def refusal(self, *, deleting: bool = False) -> str:
        """Why this row (as stored) may not be changed or deleted now, or ""."""
        if self.pk is None:
            return ""
        stored = BaseRate.objects.filter(pk=self.pk).values_list("valid_from", "rate").first()
        if stored is None:
            return ""
        valid_from, rate = stored
        if not deleting and (valid_from, rate) == (self.valid_from, self.rate):
            return ""
        users = list(BaseRate.used_by(valid_from)[:4])
        if not users:
            return ""
        files = ", ".join(sorted({reclaim.grant.file_number for reclaim in users[:3]}))
        more = len(users) > 3
        return str(
            _(
                "The base rate of %(rate)s %% from %(date)s cannot be %(done)s: the interest of decided "
                "reclaims was computed with it (%(files)s%(more)s). Those decisions keep this rate; "
                "enter the rates of later half-years as new rows."
            )
            % {
                "rate": str(rate).replace(".", ","),
                "date": valid_from.strftime("%d.%m.%Y"),
                "done": _("deleted") if deleting else _("changed"),
                "files": files,
                "more": ", …" if more else "",
            }
        )
