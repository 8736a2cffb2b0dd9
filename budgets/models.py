from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from budgets.choices import (
    CostCategory,
    FinancingType,
    FundingLevel,
    GermanState,
    LedgerKind,
    OfficeKind,
    ProgrammeFamily,
    ShareGroup,
    StaffRole,
    WindowUnit,
)
from core.bank_accounts import AccountError, checked_account

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class CoordinatingOffice(MP_Node):
    """An office in the tree federal → state → local (Koordinierungsstelle).

    The materialised path makes "this office and everything below it" one indexed
    prefix filter: ``path__startswith=office.path``.
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    code = models.CharField(
        _("file-number code"), max_length=12, help_text=_("Prefix of file numbers, e.g. SN or SN-LE.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OfficeKind.choices)
    state = models.CharField(
        _("federal state"),
        max_length=2,
        choices=GermanState.choices,
        help_text=_("Decides public holidays and state-law defaults."),
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Shown to carriers on every case page as the office to contact (issue 11 §4).
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("coordinating office")
        verbose_name_plural = _("coordinating offices")
        indexes = [
            # A prefix LIKE can use a btree index on PostgreSQL only with the pattern opclass
            # (the database collation is not C); other backends ignore opclasses.
            models.Index(fields=["path"], name="office_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def subtree_q(self, prefix: str = "") -> Q:
        """Q for rows whose ``<prefix>path`` lies in this office's subtree (self included)."""
        return Q(**{f"{prefix}path__startswith": self.path})


class OfficeMembership(models.Model):
    """A staff member's role in an office; it covers the office and every office below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_memberships"
    )
    office = models.ForeignKey(CoordinatingOffice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "office", "role"], name="unique_office_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.office}"


def _all_financing_types() -> list[str]:
    return list(FinancingType.values)


def _all_cost_categories() -> list[str]:
    """Every category but money passed on: a grant may be passed on only where the programme
    allows it explicitly (Nr. 12 VV zu § 44 BHO), so a new programme must name it."""
    return [c for c in CostCategory.values if c != CostCategory.FORWARDED]


class FundingProgramme(models.Model):
    """A funding programme with its rule and process parameters (DOMAIN.md §2–4).

    Every parameter is a default for the programme; at approval it is copied onto the grant.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(
        _("code"), max_length=12, unique=True, help_text=_("Used in file numbers, e.g. DL.")
    )
    family = models.CharField(_("programme family"), max_length=20, choices=ProgrammeFamily.choices)
    funding_level = models.CharField(_("funding level"), max_length=12, choices=FundingLevel.choices)
    period_start = models.DateField(_("programme period from"))
    period_end = models.DateField(_("programme period until"))

    # Rule parameters (validated on submission)
    max_funding_rate = models.DecimalField(
        _("maximum funding rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=PERCENT,
    )
    min_own_share = models.DecimalField(
        _("minimum own share (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    third_party_counts_as_own_share = models.BooleanField(
        _("third-party funds count towards the own share"),
        default=False,
        help_text=_("Co-financing by own or third-party funds (e.g. Demokratie leben! partnerships)."),
    )
    min_grant_per_year = models.DecimalField(
        _("minimum grant per year (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    max_grant_per_year = models.DecimalField(
        _("maximum grant per year (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    allowed_financing_types = models.JSONField(_("allowed financing types"), default=_all_financing_types)
    allowed_cost_categories = models.JSONField(_("allowed cost categories"), default=_all_cost_categories)
    max_months = models.PositiveSmallIntegerField(
        _("maximum project duration (months)"), null=True, blank=True
    )
    must_end_by_year_end = models.BooleanField(_("project must end by 31 December"), default=False)
    application_start = models.DateField(_("applications accepted from"), null=True, blank=True)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)

    # Process parameters (copied onto the grant at approval)
    drawdown_window_value = models.PositiveSmallIntegerField(_("drawdown window"), default=6)
    drawdown_window_unit = models.CharField(
        _("drawdown window unit"), max_length=6, choices=WindowUnit.choices, default=WindowUnit.WEEKS
    )
    overrun_tolerance = models.DecimalField(
        _("overrun tolerance per line"), max_digits=4, decimal_places=2, default=Decimal("0.20")
    )
    notice_receipt_days = models.PositiveSmallIntegerField(
        _("days until a posted notice counts as received"), default=4
    )
    interim_report_months = models.PositiveSmallIntegerField(
        _("interim proof due (months after year end)"), default=4
    )
    final_report_months = models.PositiveSmallIntegerField(
        _("final proof due (months after period end)"), default=6
    )
    payout_requires_final_notice = models.BooleanField(
        _("payout only when the notice is final"), default=False
    )
    interest_margin_points = models.DecimalField(
        _("interest margin over the base rate (points)"), max_digits=4, decimal_places=2, default=Decimal("5")
    )
    late_use_interest_from_window_end = models.BooleanField(
        _("late-use interest counts only from the end of the drawdown window"), default=False
    )
    confidential_individual_support = models.BooleanField(
        _("individual support is confidential"),
        default=False,
        help_text=_("Receipt lists carry a case pseudonym instead of a payee name (exit programmes)."),
    )
    # Exit programmes (DOMAIN.md §6): individual help (Einzelfallhilfe) per case and calendar year.
    individual_help_cap = models.DecimalField(
        _("individual help: cap per case and year (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: no cap. Receipts of individual help for one case and year may not exceed it."),
    )
    # Proof review (DOMAIN.md §9, VV Nr. 11): flat-rate lines need no receipts, only their cap; a
    # grant of no more than the threshold hands in a simple proof without a receipt list.
    flat_rate_percent = models.DecimalField(
        _("flat rate cap (% of direct costs)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
        help_text=_("Flat-rate administrative costs are recognised up to this share of the direct costs."),
    )
    simple_proof_threshold = models.DecimalField(
        _("simple proof of use up to (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0: every final proof needs a receipt list."),
    )

    # Records management (Aufbewahrung, docs/records.md): how long a case file is kept before the
    # daily retention run anonymises it or deletes its files. Each period runs from the end of
    # the calendar year of its event (as § 147 (4) AO and the registry guidelines count), so a
    # period of 2 years after a decision in 2025 ends on 31.12.2027.
    retention_unfunded_years = models.PositiveSmallIntegerField(
        _("keep unfunded applications (years)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Rejected or withdrawn applications are anonymised, with their attachments and notices deleted, this many years after the end of the year of the decision."
        ),
    )
    retention_grant_years = models.PositiveSmallIntegerField(
        _("keep grant files (years)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Grant files are anonymised, with their documents deleted, this many years after the end of the year the grant was closed (§ 70 BHO with its administrative rules: 10 years)."
        ),
    )
    retention_attachment_years = models.PositiveSmallIntegerField(
        _("keep attachments of funded applications (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Application attachments may hold personal data (statutes, CVs, quotes); their files are deleted this many years after the end of the year the grant was closed (the 5 years of ANBest-P No. 6.5 for receipts)."
        ),
    )

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_unfunded_years__gte=1)
                & Q(retention_grant_years__gte=1)
                & Q(retention_attachment_years__gte=1),
                name="programme_retention_at_least_a_year",
            ),
            models.CheckConstraint(
                condition=Q(retention_attachment_years__lte=models.F("retention_grant_years")),
                name="programme_attachments_within_grant_file",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="programme_period"
            ),
            models.CheckConstraint(condition=Q(min_grant_per_year__gte=0), name="programme_min_grant_nonneg"),
            models.CheckConstraint(
                condition=Q(max_grant_per_year__isnull=True)
                | Q(max_grant_per_year__gte=models.F("min_grant_per_year")),
                name="programme_max_ge_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        bad_types = set(self.allowed_financing_types or []) - set(FinancingType.values)
        if bad_types:
            raise ValidationError(
                {"allowed_financing_types": _("Unknown financing type: %s") % ", ".join(sorted(bad_types))}
            )
        bad_cats = set(self.allowed_cost_categories or []) - set(CostCategory.values)
        if bad_cats:
            raise ValidationError(
                {"allowed_cost_categories": _("Unknown cost category: %s") % ", ".join(sorted(bad_cats))}
            )
        if (
            self.retention_attachment_years is not None
            and self.retention_grant_years is not None
            and self.retention_attachment_years > self.retention_grant_years
        ):
            raise ValidationError(
                {
                    "retention_attachment_years": _(
                        "Attachments cannot be kept longer than the grant file: %(attachments)s years are more than %(file)s years."
                    )
                    % {"attachments": self.retention_attachment_years, "file": self.retention_grant_years}
                }
            )


class BudgetEnvelope(models.Model):
    """Money of one office for one programme, budget year, funding source and budget title.

    An envelope holds no amounts: every figure (allocated, carry-over, reinforcements,
    blocked, committed, …) is the sum of its ledger entries, so the ledger is the complete
    history. Created and changed only through ``budgets.services.envelopes``.
    """

    office = models.ForeignKey(
        CoordinatingOffice,
        on_delete=models.PROTECT,
        related_name="envelopes",
        verbose_name=_("coordinating office"),
    )
    programme = models.ForeignKey(
        FundingProgramme, on_delete=models.PROTECT, related_name="envelopes", verbose_name=_("programme")
    )
    budget_year = models.PositiveSmallIntegerField(
        _("budget year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    funding_source = models.CharField(_("funding source"), max_length=12, choices=FundingLevel.choices)
    budget_title = models.CharField(
        _("budget title"), max_length=40, help_text=_("Haushaltstitel, e.g. 1702 684 01.")
    )
    is_default = models.BooleanField(
        _("default title"),
        default=False,
        help_text=_(
            "Commitments use this title when the office has several for the same programme and year."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget envelope")
        verbose_name_plural = _("budget envelopes")
        ordering = ["budget_year", "office__path", "programme__name", "budget_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "programme", "budget_year", "funding_source", "budget_title"],
                name="unique_envelope",
            ),
            models.UniqueConstraint(
                fields=["office", "programme", "budget_year", "funding_source"],
                condition=Q(is_default=True),
                name="one_default_envelope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office.short_name} · {self.programme.code} · {self.budget_year} · {self.budget_title}"


class FundKind(models.Model):
    """A kind of fund a programme's first recipients may set up (e.g. action fund, youth fund).

    Every fund kind belongs to a share group whose share of the annual grant the programme
    limits (:class:`FundShareLimit`).
    """

    programme = models.ForeignKey(
        FundingProgramme, on_delete=models.CASCADE, related_name="fund_kinds", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=12, help_text=_("Used in budget titles, e.g. AIF."))
    name = models.CharField(_("name"), max_length=120)
    share_group = models.CharField(
        _("share group"), max_length=12, choices=ShareGroup.choices, default=ShareGroup.PROJECTS
    )

    class Meta:
        verbose_name = _("fund kind")
        verbose_name_plural = _("fund kinds")
        ordering = ["programme", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="unique_fund_kind_code")]

    def __str__(self) -> str:
        return self.name


class FundShareLimit(models.Model):
    """The share of a first recipient's annual grant a group may take (e.g. projects ≥ 50 %)."""

    programme = models.ForeignKey(
        FundingProgramme,
        on_delete=models.CASCADE,
        related_name="fund_share_limits",
        verbose_name=_("programme"),
    )
    share_group = models.CharField(_("share group"), max_length=12, choices=ShareGroup.choices)
    min_share = models.DecimalField(
        _("minimum share (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    max_share = models.DecimalField(
        _("maximum share (%)"), max_digits=5, decimal_places=2, default=Decimal("100"), validators=PERCENT
    )

    class Meta:
        verbose_name = _("fund share limit")
        verbose_name_plural = _("fund share limits")
        constraints = [
            models.UniqueConstraint(fields=["programme", "share_group"], name="unique_fund_share_limit"),
            models.CheckConstraint(
                condition=Q(max_share__gte=models.F("min_share")), name="fund_share_max_ge_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_share_group_display()}: {self.min_share}–{self.max_share} %"


class Fund(models.Model):
    """A fund at a first recipient's office, financed by one budget year of its grant (DOMAIN §7).

    The money is the fund's own envelope: its allocation is a ledger posting whose reference
    is the file number of the financing grant (``source_reference``), so the fund's figures,
    commitments to micro-projects, payments and reclaims are the envelope's ledger like every
    other budget. Opened only through ``grants.chain.services.funds.fund_open``; its rules are
    kept by the first recipient's staff and checked on every micro-project application.
    """

    envelope = models.OneToOneField(
        "BudgetEnvelope", on_delete=models.PROTECT, related_name="fund", verbose_name=_("budget envelope")
    )
    kind = models.ForeignKey(FundKind, on_delete=models.PROTECT, related_name="funds", verbose_name=_("kind"))
    name = models.CharField(_("name"), max_length=200)
    source_reference = models.CharField(
        _("financing grant"),
        max_length=40,
        db_index=True,
        help_text=_("File number of the grant that finances it."),
    )
    max_per_measure = models.DecimalField(
        _("maximum per micro-project (EUR)"), max_digits=12, decimal_places=2
    )
    cofinancing_guide_rate = models.DecimalField(
        _("co-financing guide value (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
        help_text=_("Own or third-party funds a micro-project should bring; a guide, not a limit."),
    )
    latest_end_date = models.DateField(_("micro-projects end by"))
    simple_proof_threshold = models.DecimalField(
        _("simple proof up to (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_(
            "Micro-projects granted up to this amount prove their use with a short report and a numerical statement, without a receipt list."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["envelope__budget_year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_per_measure__gt=0), name="fund_max_per_measure_positive"),
            models.CheckConstraint(
                condition=Q(simple_proof_threshold__gte=0), name="fund_simple_proof_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def budget_year(self) -> int:
        return self.envelope.budget_year

    @property
    def office(self) -> CoordinatingOffice:
        return self.envelope.office

    @property
    def programme(self) -> FundingProgramme:
        return self.envelope.programme

    def released_share(self, day: date) -> Decimal:
        """Percent of the volume released on ``day``: all of it without cut-off dates."""
        cutoffs = list(self.cutoffs.all())
        if not cutoffs:
            return Decimal("100")
        return min(
            Decimal("100"), sum((c.release_percent for c in cutoffs if c.cutoff_date <= day), Decimal("0"))
        )


class FundCutoff(models.Model):
    """A cut-off date (Stichtag) that releases a share of the fund's volume for decisions."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="cutoffs", verbose_name=_("fund"))
    cutoff_date = models.DateField(_("cut-off date"))
    release_percent = models.DecimalField(
        _("releases (% of the volume)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("cut-off date")
        verbose_name_plural = _("cut-off dates")
        ordering = ["cutoff_date"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "cutoff_date"], name="unique_fund_cutoff"),
            models.CheckConstraint(
                condition=Q(release_percent__gt=0) & Q(release_percent__lte=100), name="fund_cutoff_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cutoff_date}: {self.release_percent} %"


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("The budget ledger is append-only: post a counter-entry instead of updating.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise TypeError("The budget ledger is append-only: post a counter-entry instead of deleting.")


class LedgerEntry(models.Model):
    """One append-only booking on an envelope (Buchung).

    ``amount`` is the signed change of the figure its kind feeds: a commitment is positive,
    a decommitment negative; a correction of any other kind is a counter-entry of the same
    kind with the opposite sign. Rows are never updated or deleted (on PostgreSQL a trigger
    refuses it as well).
    """

    envelope = models.ForeignKey(
        BudgetEnvelope, on_delete=models.PROTECT, related_name="entries", verbose_name=_("budget envelope")
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    kind = models.CharField(_("kind"), max_length=14, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=40, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(
                condition=~Q(kind=LedgerKind.COMMITMENT) | Q(amount__gt=0), name="ledger_commitment_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind=LedgerKind.DECOMMITMENT) | Q(amount__lt=0),
                name="ledger_decommitment_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.reference or self.envelope_id})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise TypeError("The budget ledger is append-only: post a counter-entry instead of updating.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("The budget ledger is append-only: post a counter-entry instead of deleting.")


class EnvelopeTotalQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("Envelope totals are kept by the database from the ledger: post a ledger entry.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise TypeError("Envelope totals are kept by the database from the ledger: post a ledger entry.")


class EnvelopeTotal(models.Model):
    """The running §4.5 figures of one envelope and budget year: Σ of its ledger entries by kind.

    A cache of the ledger, never a second truth. Written only by the database: an
    ``AFTER INSERT`` trigger on the ledger (migration ``0006_envelope_totals_trigger``; on
    PostgreSQL one statement-level upsert per INSERT/COPY, on SQLite one upsert per row) adds
    every new entry's amount to its figure in the same transaction, so a ledger row and its
    total commit together or not at all. Nothing else writes here (the ORM refuses updates,
    deletes and saves; raw SQL writes are forbidden by convention); ``manage.py
    reconcile_budget_totals`` proves totals = Σ ledger. Rollups, the dashboard, the budget
    report and the balance checks of the booking services read these rows instead of
    summing the ledger; per-grant figures (by reference) still come from the ledger.
    """

    envelope = models.ForeignKey(
        BudgetEnvelope, on_delete=models.PROTECT, related_name="totals", verbose_name=_("budget envelope")
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    # One column per figure of ``budgets.selectors.FIGURE_KINDS`` (committed = commitments +
    # decommitments); the trigger maps each ledger kind to its column.
    allocated = models.DecimalField(_("allocated"), max_digits=16, decimal_places=2, default=Decimal("0"))
    carry_over = models.DecimalField(_("carry-over"), max_digits=16, decimal_places=2, default=Decimal("0"))
    reinforcements = models.DecimalField(
        _("reinforcements"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    blocked = models.DecimalField(_("blocked"), max_digits=16, decimal_places=2, default=Decimal("0"))
    committed = models.DecimalField(_("committed"), max_digits=16, decimal_places=2, default=Decimal("0"))
    disbursed = models.DecimalField(_("disbursed"), max_digits=16, decimal_places=2, default=Decimal("0"))
    proven = models.DecimalField(_("proven"), max_digits=16, decimal_places=2, default=Decimal("0"))
    reclaimed = models.DecimalField(_("reclaimed"), max_digits=16, decimal_places=2, default=Decimal("0"))
    repaid = models.DecimalField(_("repaid"), max_digits=16, decimal_places=2, default=Decimal("0"))
    interest = models.DecimalField(
        _("interest received"), max_digits=16, decimal_places=2, default=Decimal("0")
    )

    objects = EnvelopeTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("envelope total")
        verbose_name_plural = _("envelope totals")
        constraints = [
            models.UniqueConstraint(fields=["envelope", "budget_year"], name="unique_envelope_total"),
        ]

    def __str__(self) -> str:
        return f"{self.envelope_id} · {self.budget_year}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("Envelope totals are kept by the database from the ledger: post a ledger entry.")

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("Envelope totals are kept by the database from the ledger: post a ledger entry.")


class FundingShare(models.Model):
    """One funding source's fixed share of a grant's financing (DOMAIN.md §8, Kofinanzierung).

    ``reference`` is an application's reference while the official plans the split, and the
    grant's file number once it is approved (the approval copies the plan; see
    ``budgets.services.commitments``). The amounts of a reference add up to its total (the plan);
    every movement of the grant is split in their ratio with ``split_pro_rata``. A reference
    without shares is financed entirely by its programme's funding level, as before.
    """

    reference = models.CharField(_("reference"), max_length=40, db_index=True)
    funding_source = models.CharField(_("funding source"), max_length=12, choices=FundingLevel.choices)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("funding share")
        verbose_name_plural = _("funding shares")
        ordering = ["reference", "funding_source"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "funding_source"], name="unique_funding_share"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_share_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.get_funding_source_display()} · {self.amount}"


class PayingAccount(models.Model):
    """A budget account an office pays from (Zahlkonto; DOMAIN.md §8: each source its own).

    An account belongs to an office and either to one of its funding sources, to all sources of
    the office that have no account of their own (source left empty), or to one envelope only
    (which overrides the office's account). A payment run pays each part of a payment from the
    account of the envelope that carries that part: ``budgets.paying_accounts``.
    """

    office = models.ForeignKey(
        CoordinatingOffice,
        on_delete=models.PROTECT,
        related_name="paying_accounts",
        verbose_name=_("coordinating office"),
    )
    funding_source = models.CharField(
        _("funding source"),
        max_length=12,
        choices=FundingLevel.choices,
        blank=True,
        help_text=_("Empty: every funding source of the office that has no account of its own."),
    )
    envelope = models.OneToOneField(
        BudgetEnvelope,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paying_account",
        verbose_name=_("budget envelope"),
        help_text=_("Only for this envelope; empty: for the office and funding source."),
    )
    name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("paying account")
        verbose_name_plural = _("paying accounts")
        ordering = ["office__path", "funding_source", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "funding_source"],
                condition=Q(envelope__isnull=True),
                name="one_paying_account_per_office_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.iban}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            account = checked_account(name=self.name, iban=self.iban, bic=self.bic)
        except AccountError:
            errors["iban"] = _("%(iban)s is not a valid IBAN in the SEPA zone with a known bank.") % {
                "iban": self.iban
            }
        else:
            self.iban, self.bic = account.iban, account.bic
        if self.envelope_id is not None:
            envelope = self.envelope
            assert envelope is not None
            if self.office_id is not None and envelope.office_id != self.office_id:
                errors["envelope"] = _("The envelope %(envelope)s belongs to another office.") % {
                    "envelope": envelope
                }
            if self.funding_source and self.funding_source != envelope.funding_source:
                errors["funding_source"] = _("The envelope %(envelope)s is financed by %(source)s.") % {
                    "envelope": envelope,
                    "source": envelope.get_funding_source_display(),
                }
            self.funding_source = envelope.funding_source
        if errors:
            raise ValidationError(errors)
