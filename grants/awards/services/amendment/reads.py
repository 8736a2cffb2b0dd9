"""Reads around amendments: whether one can start, its budget effect, the editor's starting point.

``amendment_budget_effect`` is the preview the amendment page shows and the first half of
``amendment_approve``: the service calls it before it writes, so what the page promises and what
the approval does cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import CostCategory
from budgets.models import BudgetEnvelope
from budgets.selectors import envelope_figures
from budgets.services._posting import envelope_label
from budgets.services.commitments import commitment_lines, funding_shares, matching_envelopes
from core.errors import DomainError
from grants.applications.models.plan import CoverKind
from grants.applications.validation import PlanTotals, plan_totals
from grants.awards.models import Amendment, AmendmentLine, Grant, PlanVersionLine
from grants.awards.payments.models import DrawdownState
from grants.awards.selectors import plan_versions
from grants.awards.services.amendment.checks import (
    current_plan,
    normalise_instalments,
    normalise_lines,
    plan_check,
)

__all__ = [
    "AmendmentPreview",
    "BudgetEffect",
    "CompareRow",
    "YearEffect",
    "amendment_budget_effect",
    "amendment_lines_from_plan",
    "amendment_preview",
    "amendment_start_refusal",
    "instalment_comparison",
    "paid_by_year",
    "plan_comparison",
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


# --- the editor's live check and the comparison ---------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    """One line of the old-and-new comparison: ``old`` is None for a new line, ``new`` for a dropped one."""

    side: str
    kind: str  # the cost category or kind of cover, as shown
    text: str
    year: int
    old: Decimal | None
    new: Decimal | None

    @property
    def status(self) -> str:
        if self.old is None:
            return "new"
        if self.new is None:
            return "removed"
        return "changed" if self.old != self.new else "same"


def _line_key(line: Any) -> tuple[str, str, str, int]:
    return (line.side, line.category or line.cover_kind, line.text.strip(), line.budget_year)


def _kind_label(side: str, value: str) -> str:
    if side == AmendmentLine.Side.EXPENDITURE:
        return str(CostCategory(value).label) if value in CostCategory.values else value
    return str(CoverKind(value).label) if value in CoverKind.values else value


def plan_comparison(old_lines: Iterable[Any], new_lines: Iterable[Any]) -> list[CompareRow]:
    """Old and new plan line by line (same side, kind, text and year are one line; amounts of
    equal lines add up): expenditure first, then cover, each in the old plan's order."""
    old: dict[tuple[str, str, str, int], Decimal] = {}
    new: dict[tuple[str, str, str, int], Decimal] = {}
    for lines, sums in ((old_lines, old), (new_lines, new)):
        for line in lines:
            key = _line_key(line)
            sums[key] = sums.get(key, ZERO) + (line.amount or ZERO)
    keys = list(old) + [k for k in new if k not in old]
    keys.sort(key=lambda k: k[0] != AmendmentLine.Side.EXPENDITURE)  # stable: keeps the order within a side
    return [
        CompareRow(
            side=key[0],
            kind=_kind_label(key[0], key[1]),
            text=key[2],
            year=key[3],
            old=old.get(key),
            new=new.get(key),
        )
        for key in keys
    ]


def instalment_comparison(old: Mapping[int, Decimal], new: Mapping[int, Decimal]) -> list[CompareRow]:
    """The annual instalments before and after, in the shape of ``plan_comparison``'s rows."""
    years = sorted(y for y in set(old) | set(new) if old.get(y) or new.get(y))
    return [
        CompareRow(
            side="",
            kind="",
            text="",
            year=year,
            old=old.get(year) or None,
            new=new.get(year) or None,
        )
        for year in years
    ]


@dataclass(frozen=True)
class AmendmentPreview:
    """What the editor shows while the carrier types: the input the save would refuse, the
    totals, the broken rules submission would name, and old and new plan side by side."""

    input_errors: list[str]
    totals: PlanTotals
    rule_errors: list[str]
    lines: list[CompareRow]
    instalments: list[CompareRow]

    @property
    def changed(self) -> bool:
        return any(row.status != "same" for row in [*self.lines, *self.instalments])


def amendment_preview(
    *,
    grant: Grant,
    reason: str,
    lines: Sequence[Mapping[str, Any]],
    instalments: Mapping[int, Any],
    new_period_end: date | None = None,
    today: date | None = None,
) -> AmendmentPreview:
    """The plan as typed, checked by the functions the save (``normalise_lines``,
    ``normalise_instalments``) and the submission (``plan_check``) use: a line the save would
    refuse is named with the save's sentence and left out of the totals."""
    input_errors: list[str] = []
    typed: list[AmendmentLine] = []
    for line in lines:
        try:
            typed += [AmendmentLine(**x) for x in normalise_lines([line])]
        except DomainError as error:
            input_errors += error.messages
    amounts: dict[int, Decimal] = {}
    for year, value in instalments.items():
        try:
            amounts |= normalise_instalments({year: value})
        except DomainError as error:
            input_errors += error.messages
    expenditure = [x for x in typed if x.side == AmendmentLine.Side.EXPENDITURE]
    cover = [x for x in typed if x.side == AmendmentLine.Side.COVER]
    rule_errors = plan_check(
        grant,
        reason=reason,
        new_period_end=new_period_end,
        lines=typed,
        instalments=amounts,
        today=today or timezone.localdate(),
        increase_confirmed=False,
    )
    old_lines = list(current_plan(grant).lines.all())
    return AmendmentPreview(
        input_errors=list(dict.fromkeys(input_errors)),
        totals=plan_totals(expenditure, cover),
        rule_errors=rule_errors,
        lines=plan_comparison(old_lines, typed),
        instalments=instalment_comparison(
            {i.budget_year: i.amount for i in grant.instalments.all()}, amounts
        ),
    )
