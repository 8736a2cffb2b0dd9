"""Helpers shared by the reclaim use cases: the reclaim's lock and the grant's ledger figures."""

from __future__ import annotations

from decimal import Decimal

from budgets.selectors import reference_figures
from grants.awards.locks import lock_child
from grants.awards.models import Grant, Reclaim

ZERO = Decimal("0.00")


def locked_reclaim(reclaim: Reclaim) -> Reclaim:
    """The reclaim and its grant, both row-locked (grant first, as every grant use case does)."""
    grant, locked = lock_child(Reclaim, reclaim.pk)
    locked.grant = grant
    return locked


def reclaimable_by_year(grant: Grant) -> dict[int, Decimal]:
    """Per budget year: money paid out on the grant and not yet claimed back (ledger figures).

    Disbursed net of bank returns, minus what earlier decisions already reclaimed; what was
    reclaimed and then repaid is not paid out any more, so it is not reclaimable again.
    """
    by_year: dict[int, Decimal] = {}
    for (_envelope_id, year), figures in reference_figures(grant.file_number).items():
        by_year[year] = by_year.get(year, ZERO) + figures.disbursed - figures.reclaimed
    return {year: amount for year, amount in by_year.items() if amount > 0}


def outstanding_reclaimed_by_year(grant: Grant) -> dict[int, Decimal]:
    """Per budget year: reclaimed on the ledger and not yet repaid."""
    by_year: dict[int, Decimal] = {}
    for (_envelope_id, year), figures in reference_figures(grant.file_number).items():
        by_year[year] = by_year.get(year, ZERO) + figures.reclaimed - figures.repaid
    return {year: amount for year, amount in by_year.items() if amount > 0}


def interest_year(grant: Grant) -> int:
    """The budget year interest on the grant's claims is booked in: the latest one reclaimed, or
    (interest on late use, which reclaims no principal) the latest one paid out of."""
    booked = reference_figures(grant.file_number)
    reclaimed = [year for (_envelope_id, year), f in booked.items() if f.reclaimed > 0]
    paid = [year for (_envelope_id, year), f in booked.items() if f.disbursed > 0]
    return max(reclaimed or paid or [year for _envelope_id, year in booked])


def releasable_by_year(grant: Grant) -> dict[int, Decimal]:
    """Per budget year: committed and not yet paid out (what a whole revocation releases)."""
    by_year: dict[int, Decimal] = {}
    for (_envelope_id, year), figures in reference_figures(grant.file_number).items():
        by_year[year] = by_year.get(year, ZERO) + figures.open
    return {year: amount for year, amount in sorted(by_year.items()) if amount > 0}


def latest_year_first(amount: Decimal, capacity: dict[int, Decimal]) -> dict[int, Decimal]:
    """Spread ``amount`` over the years of ``capacity``, filling the latest year first."""
    parts: dict[int, Decimal] = {}
    remaining = amount
    for year in sorted(capacity, reverse=True):
        if remaining <= 0:
            break
        part = min(remaining, capacity[year])
        if part > 0:
            parts[year] = part
            remaining -= part
    return parts
