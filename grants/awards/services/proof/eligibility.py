"""Which costs are eligible in time, and which receipts name whom: THE rules of a receipt.

Early start (DOMAIN.md §9, VV Nr. 1.3 zu § 44 BHO): costs before the permitted early start, or
without a permission before the notice, are not eligible. :func:`eligible_from` is the one day
the receipt form, the import (both through ``ReceiptRules``) and the settlement
(:func:`before_start_by_line`) ask.

Individual help (Einzelfallhilfe, DOMAIN.md §6): a receipt on that cost category names a case
pseudonym ``Fall-<Nr.>`` and never a person; a receipt on any other line (rent, salaries, fees)
names its payee, so a pseudonym there is refused too. The help for one case in one calendar
year may not exceed the grant's cap (copied from the programme at approval).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import CostCategory
from core.formatting import format_date, format_eur
from grants.awards.models import Grant, PlanVersionLine, ProofOfUse

ZERO = Decimal("0.00")
PSEUDONYM = re.compile(r"Fall-\d{1,10}")
# Something written like a case pseudonym (``Fall 12``, ``fall-12``), but not a name like ``Fallmann``.
PSEUDONYM_LIKE = re.compile(r"\s*fall\s*[-_ ]?\s*\d+\s*", re.IGNORECASE)


def notice_day(grant: Grant) -> date:
    """The day of the grant notice (its approval, in the local time zone)."""
    return timezone.localdate(grant.approved_at)


def eligible_from(grant: Grant) -> date:
    """The first day whose costs are eligible: the permitted early start, else the notice; never
    before the approval period."""
    start = grant.early_start_from if grant.early_start_from is not None else notice_day(grant)
    return max(start, grant.period_start)


def early_date_refusal(paid_on: date, grant: Grant) -> str:
    """Why a receipt of ``paid_on`` is not eligible in time (empty when it is)."""
    first = eligible_from(grant)
    if paid_on >= first or paid_on < grant.period_start:
        return ""  # the approval period's own rule speaks for a day before it
    if grant.early_start_from is not None:
        return _(
            "The date %(date)s lies before the permitted early start on %(start)s: costs before it are not eligible."
        ) % {"date": format_date(paid_on), "start": format_date(first)}
    return _(
        "The date %(date)s lies before the grant notice of %(notice)s and no early start was permitted: costs before the notice are not eligible."
    ) % {"date": format_date(paid_on), "notice": format_date(first)}


def before_start_by_line(proof: ProofOfUse) -> dict[int, Decimal]:
    """What the receipts dated before :func:`eligible_from` count, per plan line (the settlement
    never recognises it). A receipt an in-depth check admitted only in part counts with its
    admitted amount: the rest is already deducted as not admitted."""
    first = eligible_from(proof.grant)
    out: dict[int, Decimal] = {}
    early = proof.receipts.filter(paid_on__lt=first).values_list("plan_line_id", "amount", "admitted_amount")
    for line_id, amount, admitted in early:
        counted = amount if admitted is None else admitted
        if counted:
            out[line_id] = out.get(line_id, ZERO) + counted
    return out


def before_start_note(amount: Decimal) -> str:
    """The settlement's sentence for receipts dated before the eligible start."""
    return _(
        "Receipts of %(amount)s are dated before the eligible start (permitted early start or grant notice) and are not recognised; the actual amounts are reduced by them."
    ) % {"amount": format_eur(amount)}


# --- individual help ------------------------------------------------------------------------


def is_individual_help(line: PlanVersionLine) -> bool:
    return line.category == CostCategory.INDIVIDUAL_HELP


def counterparty_refusal(counterparty: str, line: PlanVersionLine, label: str) -> str:
    """Why ``counterparty`` may not stand on a receipt of ``line`` (empty when it may)."""
    if is_individual_help(line):
        if PSEUDONYM.fullmatch(counterparty):
            return ""
        return _(
            "Plan line “%(line)s” is individual help: instead of the person's name, give the case pseudonym in the form “Fall-<number>” (e.g. Fall-0042); “%(value)s” is not one."
        ) % {"line": label, "value": counterparty}
    if PSEUDONYM.fullmatch(counterparty) or PSEUDONYM_LIKE.fullmatch(counterparty):
        return _(
            "Plan line “%(line)s” is not individual help: name the payee or payer (e.g. the landlord or the employee), not a case pseudonym like “%(value)s”."
        ) % {"line": label, "value": counterparty}
    return ""


class CaseTotals:
    """Individual help per (case, year) in one receipt list, to check the cap row by row."""

    def __init__(self, grant: Grant, receipts: Iterable[tuple[str, date, Decimal]]) -> None:
        self.cap = grant.individual_help_cap
        self.totals: dict[tuple[str, int], Decimal] = {}
        for case, paid_on, amount in receipts:
            self.add(case, paid_on, amount)

    @classmethod
    def of(cls, proof: ProofOfUse, *, exclude_pk: int | None = None) -> CaseTotals:
        receipts = proof.receipts.filter(plan_line__category=CostCategory.INDIVIDUAL_HELP)
        if exclude_pk is not None:
            receipts = receipts.exclude(pk=exclude_pk)
        return cls(proof.grant, receipts.values_list("counterparty", "paid_on", "amount"))

    def add(self, case: str, paid_on: date, amount: Decimal) -> None:
        key = (case, paid_on.year)
        self.totals[key] = self.totals.get(key, ZERO) + amount

    def refusal(self, case: str, paid_on: date, amount: Decimal) -> str:
        """Why ``amount`` more for ``case`` in ``paid_on``'s year exceeds the cap (empty if not)."""
        if self.cap is None:
            return ""
        before = self.totals.get((case, paid_on.year), ZERO)
        if before + amount <= self.cap:
            return ""
        return _(
            "Individual help for %(case)s in %(year)s would come to %(total)s (%(before)s so far in the receipt list), more than the cap of %(cap)s per case and year."
        ) % {
            "case": case,
            "year": paid_on.year,
            "total": format_eur(before + amount),
            "before": format_eur(before),
            "cap": format_eur(self.cap),
        }
