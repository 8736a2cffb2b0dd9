"""Helpers shared by the reclaim use cases: row locks, role checks, the grant's ledger figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from budgets.selectors import reference_figures
from core.errors import AccessDenied
from grants.awards.models import Grant, Reclaim
from grants.awards.services._locks import locked_grant
from grants.predicates import covers

ZERO = Decimal("0.00")
DECIDING_ROLES = (StaffRole.CASE_OFFICER, StaffRole.APPROVER)


def locked_reclaim(reclaim: Reclaim) -> Reclaim:
    """The reclaim and its grant, both row-locked (grant first, as every grant use case does)."""
    grant = locked_grant(reclaim.grant_id)
    locked = Reclaim.objects.select_for_update(of=("self",)).get(pk=reclaim.pk)
    locked.grant = grant
    return locked


def require_role(by: Any, grant: Grant, roles: tuple[str, ...], message: str) -> None:
    if not covers(by, grant.office.path, roles):
        raise AccessDenied(message)


def require_decider(by: Any, grant: Grant) -> None:
    require_role(
        by,
        grant,
        DECIDING_ROLES,
        _("Only a case officer or approver of the granting office can decide a reclaim."),
    )


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
