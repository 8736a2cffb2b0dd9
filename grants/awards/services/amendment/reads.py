"""Reads around amendments: whether one can start, its budget effect, the editor's starting point.

``amendment_budget_effect`` is the preview the amendment page shows and the first half of
``amendment_approve``: the service calls it before it writes, so what the page promises and what
the approval does cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from budgets.models import BudgetEnvelope
from budgets.selectors import envelope_figures
from budgets.services._posting import envelope_label
from budgets.services.commitments import commitment_lines, funding_shares, matching_envelopes
from core.errors import DomainError
from grants.awards.models import Amendment, Grant, PlanVersionLine
from grants.awards.payments.models import DrawdownState
from grants.awards.selectors import plan_versions
from grants.awards.services.amendment.checks import current_plan

__all__ = [
    "BudgetEffect",
    "YearEffect",
    "amendment_budget_effect",
    "amendment_lines_from_plan",
    "amendment_start_refusal",
    "paid_by_year",
    "plan_versions",
]

ZERO = Decimal(0)


def amendment_start_refusal(grant: Grant) -> str:
    """Why no amendment can be started for ``grant`` now (empty when one can), whoever asks."""
    if not grant.is_amendable:
        return _("An amendment is not possible while the grant is in state “%(state)s”.") % {
            "state": grant.get_state_display()
        }
    open_one = next((a for a in grant.amendments.order_by("number") if a.is_open), None)
    if open_one is not None:
        return _(
            "Amendment %(number)s of this grant is still open; withdraw it or wait for its decision before starting another."
        ) % {"number": open_one.number}
    return ""


# --- the budget effect ----------------------------------------------------------------------


@dataclass(frozen=True)
class YearEffect:
    """One budget year: the instalment before and after, and the envelope it commits against."""

    year: int
    before: Decimal
    after: Decimal
    envelope: str  # how messages name the envelope; empty when the year has none
    available: Decimal | None  # available in that envelope now; None without an envelope
    problem: str  # why the increase does not fit; empty when it does

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def fits(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class BudgetEffect:
    years: list[YearEffect]

    @property
    def fits(self) -> bool:
        return all(y.fits for y in self.years)

    @property
    def problems(self) -> list[str]:
        return [y.problem for y in self.years if y.problem]

    @property
    def increases(self) -> dict[int, Decimal]:
        """What approval commits additionally, per budget year."""
        return {y.year: y.change for y in self.years if y.change > 0}

    @property
    def decreases(self) -> dict[int, Decimal]:
        """What approval releases, per budget year (positive numbers)."""
        return {y.year: -y.change for y in self.years if y.change < 0}


def _envelopes(grant: Grant, years: list[int]) -> dict[int, BudgetEnvelope | str]:
    """The envelope of each year, or the sentence why there is none (one query when all match)."""
    try:
        return dict(matching_envelopes(office=grant.office, programme=grant.programme, years=years))
    except DomainError:
        pass
    found: dict[int, BudgetEnvelope | str] = {}
    for year in years:
        try:
            found[year] = matching_envelopes(office=grant.office, programme=grant.programme, years=[year])[
                year
            ]
        except DomainError as error:
            found[year] = error.messages[0]
    return found


def amendment_budget_effect(amendment: Amendment) -> BudgetEffect:
    """Per budget year: the instalment before and after approval, what is available in the
    envelope, and whether the increase fits (decreases always fit: they release money).

    An increase is checked with ``commitment_lines``, the plan ``commit_instalments`` books: a
    grant with several funders (DOMAIN.md §8) splits it in its shares, each source's part on its
    own envelope (the row names every envelope and sums what they have available)."""
    grant = amendment.grant
    before = {i.budget_year: i.amount for i in grant.instalments.all()}
    after = {i.budget_year: i.amount for i in amendment.instalments.all()}
    years = sorted(set(before) | set(after))
    increases = {
        y: after.get(y, ZERO) - before.get(y, ZERO) for y in years if after.get(y, ZERO) > before.get(y, ZERO)
    }
    lines = (
        commitment_lines(
            office=grant.office,
            programme=grant.programme,
            instalments=increases,
            shares=funding_shares(grant.file_number),
        )
        if increases
        else []
    )
    others = [y for y in years if y not in increases]
    envelopes = _envelopes(grant, others) if others else {}
    figures = envelope_figures(e.pk for e in envelopes.values() if isinstance(e, BudgetEnvelope))
    rows = []
    for year in years:
        old, new = before.get(year, ZERO), after.get(year, ZERO)
        of_year = [line for line in lines if line.year == year]
        if of_year:
            label = ", ".join(envelope_label(line.envelope) for line in of_year if line.envelope is not None)
            amounts = [line.available for line in of_year]
            available = (
                None if any(a is None for a in amounts) else sum((a for a in amounts if a is not None), ZERO)
            )
            problem = " ".join(line.problem for line in of_year if line.problem)
        else:
            envelope = envelopes[year]
            found = isinstance(envelope, BudgetEnvelope)
            label = envelope_label(envelope) if found else ""  # type: ignore[arg-type]
            available = figures[envelope.pk].available if found else None  # type: ignore[union-attr]
            problem = ""
        rows.append(
            YearEffect(year=year, before=old, after=new, envelope=label, available=available, problem=problem)
        )
    return BudgetEffect(rows)


# --- the editor -----------------------------------------------------------------------------


def amendment_lines_from_plan(grant: Grant) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """The current plan as (lines, instalments) in the form ``amendment_create`` takes: the editor's start."""
    lines = [
        {"category": line.category, "text": line.text, "budget_year": line.budget_year, "amount": line.amount}
        if line.side == PlanVersionLine.Side.EXPENDITURE
        else {
            "cover_kind": line.cover_kind,
            "text": line.text,
            "budget_year": line.budget_year,
            "amount": line.amount,
        }
        for line in current_plan(grant).lines.all()
    ]
    return lines, {i.budget_year: i.amount for i in grant.instalments.all()}


def paid_by_year(grant: Grant) -> dict[int, Any]:
    """What was paid out per budget year (for the editor's hints)."""
    rows = (
        grant.drawdowns.filter(state=DrawdownState.PAID)
        .values("budget_year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["budget_year"]: row["total"] for row in rows}
