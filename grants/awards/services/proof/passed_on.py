"""Money passed on (Weiterleitung, DOMAIN.md §7) in a first recipient's final proof of use.

A first recipient's grant finances funds (``budgets.Fund.source_reference`` is its file
number); the funds grant micro-projects to last recipients, whose proofs of use the first
recipient's office checks first. For the first recipient's own final proof this means:

- an **annex** listing every measure (:func:`passed_on_measures`): last recipient, file number,
  granted, paid, checked on, recognised, reclaimed;
- in the **settlement**, a plan line of the category *passed on* counts as spent only as far as
  the last recipients' settled proofs recognise the money: the ``proven`` postings on the funds'
  envelopes (:func:`budgets.selectors.passed_on_figures`), never what the first recipient
  stated (:func:`passed_on_actuals`);
- the first recipient's final proof is settled only once no micro-project of its funds has an
  open final proof (:func:`unsettled_measures`): until then nobody knows what counts.

Reads only. ``grants.awards`` does not see ``grants.chain``: this reads the grants (a
micro-project is a grant with a fund) and the budget ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import CostCategory
from budgets.selectors import Figures, passed_on_figures
from core.formatting import format_eur
from grants.applications.models.plan import PlanLineSide
from grants.awards.models import Grant, PlanVersionLine, ProofOfUse
from grants.awards.models.proof import ProofKind
from grants.awards.services.proof._common import ordered

ZERO = Decimal("0.00")


def finances_funds(grant: Grant) -> bool:
    """Whether the grant may finance funds at all: only a recipient that runs an office opens
    funds (``grants.chain.services.funds``). Asked first so that every other grant's pages and
    settlement cost no query for money passed on."""
    return grant.organisation.runs_office_id is not None


def is_passed_on(line: PlanVersionLine) -> bool:
    """An expenditure line of money passed on to last recipients through funds."""
    return line.side == PlanLineSide.EXPENDITURE and line.category == CostCategory.FORWARDED


@dataclass(frozen=True)
class Measure:
    """One micro-project of the first recipient's funds, as the annex lists it."""

    grant_id: int
    file_number: str
    fund: str
    last_recipient: str  # a pseudonym for a confidential carrier
    granted: Decimal
    paid: Decimal
    checked_on: date | None  # the day its final proof was accepted (settled)
    recognised: Decimal | None  # the final grant of its settlement; None while not settled
    reclaimed: Decimal
    status: str

    @property
    def is_settled(self) -> bool:
        return self.recognised is not None


@dataclass(frozen=True)
class PassedOnAnnex:
    """The annex “money passed on” of a first recipient's final proof of use."""

    reference: str
    allocated: Decimal  # what the grant put into its funds
    measures: list[Measure]

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(m, name) or ZERO for m in self.measures), ZERO)

    @property
    def granted(self) -> Decimal:
        return self._sum("granted")

    @property
    def paid(self) -> Decimal:
        return self._sum("paid")

    @property
    def recognised(self) -> Decimal:
        return self._sum("recognised")

    @property
    def reclaimed(self) -> Decimal:
        return self._sum("reclaimed")

    @property
    def open_measures(self) -> list[Measure]:
        return [m for m in self.measures if not m.is_settled]


def last_recipient_name(grant: Grant) -> str:
    """The organisation's name; a confidential carrier (exit programmes, DOMAIN.md §6) is named
    by a pseudonym that only the office can resolve."""
    organisation = grant.organisation
    if organisation.confidential:
        return _("Confidential last recipient no. %(number)s") % {"number": organisation.pk}
    return organisation.name


def _status(grant: Grant, final: ProofOfUse | None) -> str:
    if grant.is_revoked:
        return grant.get_state_display()
    if final is None:
        return _("no final proof of use")
    if final.is_accepted or not final.grant_takes_proofs:
        return grant.get_state_display()
    return _("Final proof of use: %(state)s") % {"state": final.get_state_display()}


def passed_on_measures(grant: Grant) -> PassedOnAnnex | None:
    """Every micro-project of the funds ``grant`` finances (None when it finances none).

    Paid and reclaimed come from the ledger of the funds' envelopes (what the fund paid and
    claimed back), recognised from each micro-project's settlement; three queries, one for a
    grant without funds.
    """
    if not finances_funds(grant):
        return None
    reference = grant.file_number
    ledger = passed_on_figures(reference, by="reference")
    if not ledger:
        return None
    finals = Prefetch("proofs", queryset=ProofOfUse.objects.filter(kind=ProofKind.FINAL), to_attr="finals")
    micro = (
        Grant.objects.filter(fund__source_reference=reference)
        .select_related("organisation", "fund__envelope", "settlement__proof")
        .prefetch_related(finals)
        .order_by("fund__envelope__budget_year", "fund__name", "file_number")
    )
    measures = []
    for m in micro:
        figures = ledger.get(m.file_number, Figures())
        final = m.finals[0] if m.finals else None  # type: ignore[attr-defined]
        if final is not None:
            final.grant = m
        settlement = getattr(m, "settlement", None)
        checked_on = recognised = None
        if settlement is not None:
            accepted = settlement.proof.accepted_at
            checked_on = timezone.localdate(accepted) if accepted else None
            recognised = settlement.final_grant
        elif m.is_revoked:
            checked_on, recognised = m.revoked_on, ZERO
        assert m.fund is not None
        measures.append(
            Measure(
                grant_id=m.pk,
                file_number=m.file_number,
                fund=m.fund.name,
                last_recipient=last_recipient_name(m),
                granted=m.granted_amount,
                paid=figures.disbursed,
                checked_on=checked_on,
                recognised=recognised,
                reclaimed=figures.reclaimed,
                status=_status(m, final),
            )
        )
    allocated = ledger.get(reference, Figures()).allocated
    return PassedOnAnnex(reference=reference, allocated=allocated, measures=measures)


def unsettled_measures(grant: Grant) -> list[str]:
    """File numbers of the micro-projects of ``grant``'s funds whose final proof is not settled."""
    if not finances_funds(grant):
        return []
    return list(
        ProofOfUse.objects.unsettled_final()
        .filter(grant__fund__source_reference=grant.file_number)
        .order_by("grant__file_number")
        .values_list("grant__file_number", flat=True)
    )


def unsettled_problem(files: list[str]) -> str:
    shown = ", ".join(files[:10]) + (" …" if len(files) > 10 else "")
    return _(
        "Not yet settled: %(count)s micro-project(s) financed from this grant's funds (%(files)s). Money passed on counts as spent only as far as the last recipients' proofs of use recognise it, so this proof can be accepted once their final proofs are settled."
    ) % {"count": len(files), "files": shown}


def passed_on_recognised(grant: Grant) -> dict[int, Decimal]:
    """Per budget year of the funds: what the last recipients' settled proofs recognised."""
    return {year: figures.proven for year, figures in passed_on_figures(grant.file_number).items()}


def passed_on_actuals(
    lines: Iterable[PlanVersionLine], recognised_by_year: dict[int, Decimal]
) -> dict[int, Decimal]:
    """What each passed-on plan line counts as spent (plan line pk → amount).

    The money the last recipients' proofs recognised for a budget year (the year of its fund)
    goes to that year's passed-on lines in plan order, each up to its planned amount, the rest
    to the year's last line (where the overrun tolerance then caps it). Money of a year without
    such a line goes to the nearest year that has one (the earlier on a tie).
    """
    lines = ordered(lines)
    years = sorted({line.budget_year for line in lines})
    if not years:
        return {}
    pooled: dict[int, Decimal] = {}
    for year, amount in recognised_by_year.items():
        target = min(years, key=lambda y: (abs(y - year), y))
        pooled[target] = pooled.get(target, ZERO) + amount
    result: dict[int, Decimal] = {}
    for year in years:
        of_year = [line for line in lines if line.budget_year == year]
        remaining = pooled.get(year, ZERO)
        for i, line in enumerate(of_year):
            part = remaining if i == len(of_year) - 1 else min(remaining, line.amount)
            result[line.pk] = part
            remaining -= part
    return result


def passed_on_note(stated: Decimal, recognised: Decimal) -> str:
    """The sentence the settlement shows next to its passed-on lines."""
    return _(
        "Money passed on is recognised only as far as the last recipients' proofs of use recognise it: their settled proofs recognise %(recognised)s; the statement showed %(stated)s."
    ) % {"recognised": format_eur(recognised), "stated": format_eur(stated)}
