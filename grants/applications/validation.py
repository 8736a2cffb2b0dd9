"""Checks an application against its programme's rules (DOMAIN.md §2).

Each broken rule yields one German sentence that names the numbers. The checks work on
plain line objects (saved or not), so the same code serves submission and the live check
in the plan editor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from budgets.choices import CostCategory, FinancingType
from core.formatting import (
    format_date,
    format_eur,
    format_percent,
    format_percent_ceiling,
    format_percent_floor,
)
from grants.applications.models.plan import CoverKind

HUNDRED = Decimal(100)


class _Expenditure(Protocol):
    # read-only: an application's line and a post-award PlanLine (with properties) both fit
    @property
    def category(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def budget_year(self) -> int: ...
    @property
    def amount(self) -> Decimal: ...


class _Cover(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def budget_year(self) -> int: ...
    @property
    def amount(self) -> Decimal: ...


@dataclass(frozen=True)
class PlanTotals:
    expenditure: Decimal
    own: Decimal
    third: Decimal  # third-party funds and income (D)
    grant: Decimal
    grant_by_year: dict[int, Decimal]
    expenditure_by_year: dict[int, Decimal]

    @property
    def cover(self) -> Decimal:
        return self.own + self.third + self.grant

    @property
    def difference(self) -> Decimal:
        return self.expenditure - self.cover

    @property
    def funding_rate(self) -> Decimal | None:
        return self.grant / self.expenditure * HUNDRED if self.expenditure else None

    def own_share(self, *, include_third: bool) -> Decimal | None:
        if not self.expenditure:
            return None
        own = self.own + self.third if include_third else self.own
        return own / self.expenditure * HUNDRED


def plan_totals(expenditure: Iterable[_Expenditure], cover: Iterable[_Cover]) -> PlanTotals:
    exp_total = Decimal(0)
    exp_by_year: dict[int, Decimal] = defaultdict(Decimal)
    for line in expenditure:
        exp_total += line.amount or 0
        exp_by_year[line.budget_year] += line.amount or 0
    own = third = grant = Decimal(0)
    grant_by_year: dict[int, Decimal] = defaultdict(Decimal)
    for c in cover:
        amount = c.amount or Decimal(0)
        if c.kind == CoverKind.OWN:
            own += amount
        elif c.kind in (CoverKind.THIRD_PARTY, CoverKind.INCOME):
            third += amount
        elif c.kind == CoverKind.GRANT:
            grant += amount
            grant_by_year[c.budget_year] += amount
    return PlanTotals(
        exp_total, own, third, grant, dict(sorted(grant_by_year.items())), dict(sorted(exp_by_year.items()))
    )


def _months_period_end(start: date, months: int) -> date:
    """Last day of a period of ``months`` months that begins on ``start`` (§ 188 (2), (3) BGB).

    It is the day before the same day number ``months`` later; if that month has no such
    day, the month's last day.
    """
    shifted = start + relativedelta(months=months)  # a missing day number becomes the month's last
    return shifted if shifted.day != start.day else shifted - timedelta(days=1)


def project_months(start: date, end: date) -> int:
    """How many months the period lasts, a started month counting as whole.

    1 Jan – 30 Nov is 11 months; 15 Jan – 14 Dec is 11; 15 Jan – 20 Dec is 12;
    31 Jan – 28 Feb is 1; 29 Feb 2024 – 28 Feb 2025 is 12.
    """
    months = max(1, (end.year - start.year) * 12 + (end.month - start.month) - 1)
    while end > _months_period_end(start, months):
        months += 1
    return months


def check_application(
    application: Any,
    *,
    expenditure: Sequence[_Expenditure],
    cover: Sequence[_Cover],
    today: date,
) -> list[str]:
    """All broken rules of ``application`` against its programme, as sentences."""
    programme = application.programme
    errors: list[str] = []
    field_names = {
        "title": _("Project title"),
        "summary": _("Summary"),
        "goals": _("Goals"),
        "target_groups": _("Target groups"),
        "region": _("Region"),
    }
    for field, label in field_names.items():
        if not (getattr(application, field, "") or "").strip():
            errors.append(_("The field “%(field)s” is empty.") % {"field": label})

    start, end = application.start_date, application.end_date
    fund = getattr(application, "fund", None)
    if fund is None:
        errors += check_deadline(programme, today)
        errors += check_period(programme, start, end)
    else:
        errors += check_fund_period(fund, start, end)

    if application.financing_type not in (programme.allowed_financing_types or []):
        errors.append(
            _("The financing type “%(type)s” is not allowed in this programme.")
            % {"type": FinancingType(application.financing_type).label}
        )

    if not expenditure:
        errors.append(_("The financing plan contains no expenditure."))
    allowed_categories = set(programme.allowed_cost_categories or [])
    for category in sorted({line.category for line in expenditure} - allowed_categories):
        errors.append(
            _("The cost category “%(category)s” is not eligible in this programme.")
            % {"category": CostCategory(category).label}
        )
    if start and end and end >= start:
        years = range(start.year, end.year + 1)
        for line in expenditure:
            if line.budget_year not in years:
                errors.append(
                    _(
                        "The expenditure line “%(text)s” is assigned to budget year %(year)s, outside the project period."
                    )
                    % {"text": line.description, "year": line.budget_year}
                )
        for c in cover:
            if c.budget_year not in years:
                errors.append(
                    _(
                        "A cover line (%(kind)s) is assigned to budget year %(year)s, outside the project period."
                    )
                    % {"kind": CoverKind(c.kind).label, "year": c.budget_year}
                )

    totals = plan_totals(expenditure, cover)
    errors += check_money(programme, totals) if fund is None else check_fund_money(fund, totals)
    return errors


# --- micro-projects: the fund's rules instead of the programme's (DOMAIN.md §7) -----------------


def check_fund_period(fund: Any, start: date | None, end: date | None) -> list[str]:
    if problems := _period_entered(start, end):
        return problems
    assert start is not None and end is not None
    errors = []
    if start.year != fund.budget_year:
        errors.append(
            _("The fund “%(fund)s” finances budget year %(year)s; the project starts on %(start)s.")
            % {"fund": fund.name, "year": fund.budget_year, "start": format_date(start)}
        )
    if end > fund.latest_end_date:
        errors.append(
            _("The project ends on %(end)s; the fund “%(fund)s” requires micro-projects to end by %(limit)s.")
            % {"end": format_date(end), "fund": fund.name, "limit": format_date(fund.latest_end_date)}
        )
    return errors


def check_fund_money(fund: Any, totals: PlanTotals) -> list[str]:
    errors = _balance(totals)
    if totals.grant > fund.max_per_measure:
        errors.append(
            _(
                "The grant requested is %(amount)s; the fund “%(fund)s” allows at most %(max)s per micro-project."
            )
            % {"amount": format_eur(totals.grant), "fund": fund.name, "max": format_eur(fund.max_per_measure)}
        )
    return errors


def cofinancing_hint(fund: Any, totals: PlanTotals) -> str:
    """A note (not a refusal) when a micro-project brings less than the fund's guide value."""
    share = totals.own_share(include_third=True)
    if not fund.cofinancing_guide_rate or share is None or share >= fund.cofinancing_guide_rate:
        return ""
    return _(
        "Own and third-party funds cover %(share)s; the fund “%(fund)s” expects about %(guide)s (a guide value, not a condition)."
    ) % {
        "share": format_percent_floor(share),
        "fund": fund.name,
        "guide": format_percent(fund.cofinancing_guide_rate),
    }


def check_deadline(programme: Any, today: date) -> list[str]:
    if programme.application_deadline and today > programme.application_deadline:
        return [
            _("The application deadline ended on %(date)s.")
            % {"date": format_date(programme.application_deadline)}
        ]
    if programme.application_start and today < programme.application_start:
        return [
            _("Applications are accepted only from %(date)s.")
            % {"date": format_date(programme.application_start)}
        ]
    return []


def _period_entered(start: date | None, end: date | None) -> list[str]:
    """Start and end given, end not before start: what every period check needs first."""
    if not start or not end:
        return [_("Please enter the project start and end.")]
    if end < start:
        return [
            _("The project end (%(end)s) is before its start (%(start)s).")
            % {"end": format_date(end), "start": format_date(start)}
        ]
    return []


def check_period(programme: Any, start: date | None, end: date | None) -> list[str]:
    if problems := _period_entered(start, end):
        return problems
    assert start is not None and end is not None
    errors = []
    if start < programme.period_start or end > programme.period_end:
        errors.append(
            _("The project period must lie within the programme period %(from)s–%(until)s.")
            % {"from": format_date(programme.period_start), "until": format_date(programme.period_end)}
        )
    months = project_months(start, end)
    if programme.max_months and months > programme.max_months:
        errors.append(
            _("The project period covers %(months)s months; the programme allows at most %(max)s months.")
            % {"months": months, "max": programme.max_months}
        )
    if programme.must_end_by_year_end and end > date(start.year, 12, 31):
        errors.append(
            _("The project ends on %(end)s; the programme requires it to end by %(limit)s.")
            % {"end": format_date(end), "limit": format_date(date(start.year, 12, 31))}
        )
    return errors


def _balance(totals: PlanTotals) -> list[str]:
    """The plan balances and asks for a grant: every plan, of a programme or of a fund."""
    errors = []
    if totals.difference:
        errors.append(
            _(
                "The financing plan does not balance: expenditure %(exp)s, cover %(cover)s (difference %(diff)s)."
            )
            % {
                "exp": format_eur(totals.expenditure),
                "cover": format_eur(totals.cover),
                "diff": format_eur(totals.difference),
            }
        )
    if not totals.grant:
        errors.append(_("No grant is requested in the financing plan."))
    return errors


def check_money(programme: Any, totals: PlanTotals) -> list[str]:
    errors = _balance(totals)
    rate = totals.funding_rate
    if rate is not None and rate > programme.max_funding_rate:
        errors.append(
            _("The funding rate is %(rate)s; the programme allows at most %(max)s.")
            % {"rate": format_percent_ceiling(rate), "max": format_percent(programme.max_funding_rate)}
        )
    share = totals.own_share(include_third=programme.third_party_counts_as_own_share)
    if share is not None and share < programme.min_own_share:
        template = (
            _("The share of own and third-party funds is %(share)s; the programme requires at least %(min)s.")
            if programme.third_party_counts_as_own_share
            else _("The own share is %(share)s; the programme requires at least %(min)s.")
        )
        errors.append(
            template % {"share": format_percent_floor(share), "min": format_percent(programme.min_own_share)}
        )
    for year, grant in totals.grant_by_year.items():
        if programme.max_grant_per_year is not None and grant > programme.max_grant_per_year:
            errors.append(
                _(
                    "The grant requested for %(year)s is %(amount)s; the programme allows at most %(max)s per year."
                )
                % {"year": year, "amount": format_eur(grant), "max": format_eur(programme.max_grant_per_year)}
            )
        if grant and grant < programme.min_grant_per_year:
            errors.append(
                _(
                    "The grant requested for %(year)s is %(amount)s; the programme requires at least %(min)s per year."
                )
                % {"year": year, "amount": format_eur(grant), "min": format_eur(programme.min_grant_per_year)}
            )
    return errors
