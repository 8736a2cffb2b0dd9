"""Individual help in exit programmes (Einzelfallhilfe, DOMAIN.md §6): what the authority sees.

The authority sees sums per case pseudonym and purpose, never who a case is (the register that
resolves pseudonyms stays with the carrier). Auditors check individual help on site by a random
sample of a receipt list's pseudonyms: :func:`case_sample_draw` keeps the seed, the population
size and who drew it when, so :func:`case_sample_replay` repeats the draw to the same cases.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.choices import CostCategory
from budgets.rules import require
from core.errors import DomainError
from grants.awards.models import CaseSample, ProofOfUse, Receipt
from grants.awards.models.individual_help import DRAW_CASE_SAMPLE
from grants.awards.services.proof._common import locked_proof

ZERO = Decimal("0.00")
MAX_SAMPLE = 500


@dataclass(frozen=True)
class CaseSum:
    """Individual help for one case, purpose and year: how many receipts and how much."""

    case: str
    purpose: str
    year: int
    receipts: int
    total: Decimal


@dataclass(frozen=True)
class CaseYear:
    """Individual help for one case in one year, against the cap per case and year."""

    case: str
    year: int
    total: Decimal
    cap: Decimal | None

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.total > self.cap


def _individual_help(proof: ProofOfUse) -> QuerySet[Receipt]:
    return proof.receipts.filter(plan_line__category=CostCategory.INDIVIDUAL_HELP)


def individual_help_sums(proof: ProofOfUse) -> list[CaseSum]:
    """Sums per case, purpose (the receipt's reason) and year, in case order; one query."""
    rows = (
        _individual_help(proof)
        .annotate(year=ExtractYear("paid_on"))
        .values("counterparty", "reason", "year")
        .annotate(receipts=Count("pk"), total=Sum("amount"))
        .order_by("counterparty", "year", "reason")
    )
    return [
        CaseSum(r["counterparty"], r["reason"], r["year"], r["receipts"], r["total"] or ZERO) for r in rows
    ]


def individual_help_by_case(sums: list[CaseSum], cap: Decimal | None) -> list[CaseYear]:
    """The sums folded per case and year (for the cap), from :func:`individual_help_sums`."""
    totals: dict[tuple[str, int], Decimal] = {}
    for row in sums:
        totals[(row.case, row.year)] = totals.get((row.case, row.year), ZERO) + row.total
    return [CaseYear(case, year, total, cap) for (case, year), total in totals.items()]


def case_population(proof: ProofOfUse) -> list[str]:
    """Every case pseudonym of the proof's individual help, in one fixed order (the draw's input)."""
    return sorted(set(_individual_help(proof).values_list("counterparty", flat=True)))


def case_sample_replay(population: list[str], *, seed: int, size: int) -> list[str]:
    """THE draw: ``size`` cases from ``population`` with ``seed``, in ascending order."""
    return sorted(random.Random(seed).sample(population, size))


@transaction.atomic
def case_sample_draw(*, proof: ProofOfUse, by: User, size: int | None, seed: int | None = None) -> CaseSample:
    """An auditor draws ``size`` case pseudonyms at random for an on-site check; recorded."""
    locked = locked_proof(proof)
    require(by, DRAW_CASE_SAMPLE, locked)
    population = case_population(locked)
    if not population:
        raise DomainError(
            _("This proof of use has no receipts of individual help: there are no cases to draw.")
        )
    if size is None or size < 1:
        raise DomainError(_("The sample needs at least one case."))
    if size > len(population):
        raise DomainError(
            _(
                "The sample cannot have %(size)s cases: the receipt list names only %(count)s cases of individual help."
            )
            % {"size": size, "count": len(population)}
        )
    seed = secrets.randbits(63) if seed is None else seed
    return CaseSample.objects.create(
        proof=locked,
        seed=seed,
        size=size,
        population=len(population),
        cases=case_sample_replay(population, seed=seed, size=size),
        drawn_by=by,
    )


def case_samples(proof: ProofOfUse) -> list[CaseSample]:
    return list(CaseSample.objects.filter(proof=proof).select_related("drawn_by"))


__all__ = [
    "CaseSum",
    "CaseYear",
    "case_population",
    "case_sample_draw",
    "case_sample_replay",
    "case_samples",
    "individual_help_by_case",
    "individual_help_sums",
]
