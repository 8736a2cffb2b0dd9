"""Opening funds from a first recipient's grant and keeping their rules (DOMAIN.md §7)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from budgets.choices import LedgerKind, ShareGroup
from budgets.models import Fund, FundCutoff, FundKind, LedgerEntry
from budgets.rules import require
from budgets.services.funds import fund_envelope_create
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.locks import lock_grant
from grants.awards.models import Grant
from grants.chain.calculations import ShareLimit, share_problems

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal(0)


@dataclass(frozen=True)
class YearOfFunds:
    """One budget year of a first recipient's grant: its instalment and what its funds take."""

    year: int
    instalment: Decimal
    funds: list[Fund]
    by_group: dict[str, Decimal]
    problems: list[str]  # every share limit the year breaks as it stands

    @property
    def in_funds(self) -> Decimal:
        return sum(self.by_group.values(), ZERO)

    @property
    def kept(self) -> Decimal:
        return self.instalment - self.in_funds

    @property
    def unallocated(self) -> Decimal:
        return self.instalment - self.in_funds


def fund_allocations(grant: Grant) -> dict[int, Decimal]:
    """Per fund: what the grant allocated to it (the allocation postings with its file number)."""
    rows = (
        LedgerEntry.objects.filter(
            reference=grant.file_number, kind=LedgerKind.ALLOCATION, envelope__fund__isnull=False
        )
        .values("envelope__fund")
        .annotate(total=Sum("amount"))
    )
    return {row["envelope__fund"]: row["total"] for row in rows}


def share_limits(grant: Grant) -> list[ShareLimit]:
    kinds: dict[str, list[str]] = defaultdict(list)
    for kind in FundKind.objects.filter(programme_id=grant.programme_id).order_by("name"):
        kinds[kind.share_group].append(kind.name)
    return [
        ShareLimit(
            group=limit.share_group,
            label=str(ShareGroup(limit.share_group).label),
            kinds=", ".join(f"„{name}“" for name in kinds.get(limit.share_group, [])),
            min_share=limit.min_share,
            max_share=limit.max_share,
        )
        for limit in grant.programme.fund_share_limits.order_by("share_group")
    ]


def funds_by_year(grant: Grant) -> list[YearOfFunds]:
    """The grant's funds per budget year with the share limits they break (the funds page and
    :func:`fund_open` read this same function)."""
    funds = list(Fund.objects.filter(source_reference=grant.file_number).select_related("envelope", "kind"))
    allocated = fund_allocations(grant)
    limits = share_limits(grant)
    years = []
    for instalment in grant.instalments.order_by("budget_year"):
        of_year = [f for f in funds if f.envelope.budget_year == instalment.budget_year]
        by_group: dict[str, Decimal] = defaultdict(Decimal)
        for fund in of_year:
            by_group[fund.kind.share_group] += allocated.get(fund.pk, ZERO)
        problems = share_problems(
            instalment=instalment.amount, by_group=by_group, limits=limits, complete=True
        )
        years.append(
            YearOfFunds(instalment.budget_year, instalment.amount, of_year, dict(by_group), problems)
        )
    return years


def fund_open_problems(*, grant: Grant, kind: FundKind, budget_year: int, amount: Decimal) -> list[str]:
    """Why opening this fund is refused; empty when it may be opened. The form's preview and
    :func:`fund_open` (under the grant's lock) call it."""
    problems = []
    if grant.is_revoked or grant.is_closed or grant.is_settled:
        problems.append(
            _("The grant %(grant)s is %(state)s; it finances no new funds.")
            % {"grant": grant.file_number, "state": grant.get_state_display()}
        )
    if grant.organisation.runs_office_id is None:
        problems.append(
            _("%(recipient)s runs no office, so the grant %(grant)s cannot finance funds.")
            % {"recipient": grant.organisation.name, "grant": grant.file_number}
        )
    if kind.programme_id != grant.programme_id:
        problems.append(
            _("The programme %(programme)s has no fund kind “%(kind)s”.")
            % {"programme": grant.programme.name, "kind": kind.name}
        )
    if amount <= 0:
        problems.append(_("A fund needs an amount greater than zero."))
    years = {y.year: y for y in funds_by_year(grant)}
    year = years.get(budget_year)
    if year is None:
        problems.append(
            _("The grant %(grant)s has no instalment for %(year)s.")
            % {"grant": grant.file_number, "year": budget_year}
        )
        return problems
    if any(f.kind_id == kind.pk for f in year.funds):
        problems.append(
            _("The grant %(grant)s already finances a fund of the kind “%(kind)s” in %(year)s.")
            % {"grant": grant.file_number, "kind": kind.name, "year": budget_year}
        )
    if amount > year.unallocated:
        problems.append(
            _(
                "The grant's instalment for %(year)s is %(instalment)s and its funds already hold %(held)s; a fund of %(amount)s would exceed the instalment by %(excess)s."
            )
            % {
                "year": budget_year,
                "instalment": format_eur(year.instalment),
                "held": format_eur(year.in_funds),
                "amount": format_eur(amount),
                "excess": format_eur(amount - year.unallocated),
            }
        )
    elif amount > 0:
        by_group = dict(year.by_group)
        by_group[kind.share_group] = by_group.get(kind.share_group, ZERO) + amount
        problems += share_problems(
            instalment=year.instalment, by_group=by_group, limits=share_limits(grant), complete=False
        )
    return problems


@transaction.atomic
def fund_open(
    *,
    grant: Grant,
    kind: FundKind,
    budget_year: int,
    amount: Decimal,
    max_per_measure: Decimal,
    latest_end_date: date,
    by: User,
    name: str = "",
    cofinancing_guide_rate: Decimal = ZERO,
    simple_proof_threshold: Decimal = ZERO,
) -> Fund:
    """Open a fund at the first recipient's office, allocated from one year of ``grant``.

    All or nothing: the year's instalment and the programme's share ceilings are checked under
    the grant's lock (two funds opened at once cannot together exceed the instalment).
    """
    locked = lock_grant(grant.pk)
    require(by, "grants.open_fund", locked)
    problems = fund_open_problems(grant=locked, kind=kind, budget_year=budget_year, amount=amount)
    if latest_end_date.year != budget_year:
        problems.append(
            _("Micro-projects of a fund for %(year)s must end in %(year)s, not on %(date)s.")
            % {"year": budget_year, "date": format_date(latest_end_date)}
        )
    if problems:
        raise DomainError(problems)
    assert locked.organisation.runs_office is not None
    return fund_envelope_create(
        office=locked.organisation.runs_office,
        programme=locked.programme,
        budget_year=budget_year,
        kind=kind,
        name=name.strip() or f"{kind.name} {budget_year}",
        source_reference=locked.file_number,
        amount=amount,
        max_per_measure=max_per_measure,
        latest_end_date=latest_end_date,
        cofinancing_guide_rate=cofinancing_guide_rate,
        simple_proof_threshold=simple_proof_threshold,
        by=by,
    )


RULE_FIELDS = (
    "name",
    "max_per_measure",
    "cofinancing_guide_rate",
    "latest_end_date",
    "simple_proof_threshold",
)


_UNCHANGED: Any = object()


@transaction.atomic
def fund_rules_update(
    *,
    fund: Fund,
    by: User,
    cutoffs: Iterable[tuple[date, Decimal]] | None = None,
    committee: Any = _UNCHANGED,
    **rules: object,
) -> Fund:
    """Change a fund's rules (and, when given, replace its cut-off dates); granted
    micro-projects keep what they were granted."""
    locked = Fund.objects.select_for_update().select_related("envelope__office").get(pk=fund.pk)
    require(by, "grants.manage_fund", locked)
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fund rules: {sorted(unknown)}")
    for key, value in rules.items():
        setattr(locked, key, value)
    errors = []
    if locked.latest_end_date.year != locked.budget_year:
        errors.append(
            _("Micro-projects of a fund for %(year)s must end in %(year)s, not on %(date)s.")
            % {"year": locked.budget_year, "date": format_date(locked.latest_end_date)}
        )
    if locked.max_per_measure is None or locked.max_per_measure <= 0:
        errors.append(_("The maximum per micro-project must be greater than zero."))
    new_cutoffs = sorted(cutoffs) if cutoffs is not None else None
    if new_cutoffs is not None:
        days = [day for day, _percent in new_cutoffs]
        if len(set(days)) != len(days):
            errors.append(_("Each cut-off date may appear only once."))
        total = sum((percent for _day, percent in new_cutoffs), ZERO)
        if any(percent <= 0 for _day, percent in new_cutoffs):
            errors.append(_("A cut-off date must release more than 0 % of the volume."))
        if new_cutoffs and total != 100:
            errors.append(
                _(
                    "The cut-off dates release %(total)s %% of the volume together; they must release exactly 100 %%."
                )
                % {"total": total}
            )
        for day, _percent in new_cutoffs:
            if day.year != locked.budget_year:
                errors.append(
                    _("The cut-off date %(date)s lies outside the fund's budget year %(year)s.")
                    % {"date": format_date(day), "year": locked.budget_year}
                )
    if (
        committee is not _UNCHANGED
        and committee is not None
        and committee.office_id != locked.envelope.office_id
    ):
        errors.append(
            _("%(committee)s belongs to another office; a fund is decided by a committee of its own office.")
            % {"committee": committee.name}
        )
    if errors:
        raise DomainError(errors)
    if committee is not _UNCHANGED:
        # One committee decides on a fund (DOMAIN §7): the chosen one, or none.
        for other in locked.committees.all():
            other.funds.remove(locked)
        if committee is not None:
            committee.funds.add(locked)
    locked.full_clean(exclude=["envelope", "kind"])
    locked.save(update_fields=list(rules) or None)
    if new_cutoffs is not None:
        locked.cutoffs.all().delete()
        FundCutoff.objects.bulk_create(
            FundCutoff(fund=locked, cutoff_date=day, release_percent=percent) for day, percent in new_cutoffs
        )
    return locked
