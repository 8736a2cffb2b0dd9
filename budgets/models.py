from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .choices import (
    CostCategory,
    FinancingType,
    FundingLevel,
    GermanState,
    OfficeKind,
    ProgrammeFamily,
    StaffRole,
    WindowUnit,
)

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
    return list(CostCategory.values)


class FundingProgramme(models.Model):
    """A funding programme with its rule and process parameters (DOMAIN.md §2–4).

    Every parameter is a default for the programme; at approval it is copied onto the grant.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("Used in file numbers, e.g. DL."))
    family = models.CharField(_("programme family"), max_length=20, choices=ProgrammeFamily.choices)
    funding_level = models.CharField(_("funding level"), max_length=12, choices=FundingLevel.choices)
    period_start = models.DateField(_("programme period from"))
    period_end = models.DateField(_("programme period until"))

    # Rule parameters (validated on submission)
    max_funding_rate = models.DecimalField(
        _("maximum funding rate (%)"), max_digits=5, decimal_places=2, default=Decimal("100"), validators=PERCENT
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
    max_months = models.PositiveSmallIntegerField(_("maximum project duration (months)"), null=True, blank=True)
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
    notice_receipt_days = models.PositiveSmallIntegerField(_("days until a posted notice counts as received"), default=4)
    interim_report_months = models.PositiveSmallIntegerField(_("interim proof due (months after year end)"), default=4)
    final_report_months = models.PositiveSmallIntegerField(_("final proof due (months after period end)"), default=6)
    payout_requires_final_notice = models.BooleanField(_("payout only when the notice is final"), default=False)
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

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="programme_period"),
            models.CheckConstraint(condition=Q(min_grant_per_year__gte=0), name="programme_min_grant_nonneg"),
            models.CheckConstraint(
                condition=Q(max_grant_per_year__isnull=True) | Q(max_grant_per_year__gte=models.F("min_grant_per_year")),
                name="programme_max_ge_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        bad_types = set(self.allowed_financing_types or []) - set(FinancingType.values)
        if bad_types:
            raise ValidationError({"allowed_financing_types": _("Unknown financing type: %s") % ", ".join(sorted(bad_types))})
        bad_cats = set(self.allowed_cost_categories or []) - set(CostCategory.values)
        if bad_cats:
            raise ValidationError({"allowed_cost_categories": _("Unknown cost category: %s") % ", ".join(sorted(bad_cats))})
