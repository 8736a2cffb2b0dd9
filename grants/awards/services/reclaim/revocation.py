"""Revocation of a grant in whole or in part (Widerruf, §§ 49 (3), 49a VwVfG).

A whole revocation ends the grant: what was paid and not yet reclaimed is reclaimed, and the
commitments not yet paid out (committed − disbursed per budget year) are released. A partial
revocation reclaims the given amount of paid money and leaves the grant and its commitments as
they are (a reduction of future instalments is an amendment).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from budgets.selectors import reference_figures
from budgets.services.commitments import decommit
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.models import Grant, Reclaim, ReclaimKind
from grants.awards.payments.models import Drawdown
from grants.awards.services._locks import locked_grant
from grants.awards.services.reclaim._common import ZERO, reclaimable_by_year, require_role
from grants.awards.services.reclaim.decide import reclaim_decide

REVOCABLE_STATES = ("notified", "final", "running", "proof_due", "proof_under_review")


@transaction.atomic
def grant_revoke(
    *,
    grant: Grant,
    by: Any,
    revoked_on: date,
    reasons: str,
    amount: Decimal | None = None,
    interest_from: date | None = None,
) -> Reclaim | None:
    """Revoke ``grant`` in whole (``amount`` None) or in part; returns the reclaim (None if nothing was paid)."""
    locked = locked_grant(grant.pk)
    require_role(
        by, locked, (StaffRole.APPROVER,), _("Only an approver of the granting office can revoke a grant.")
    )
    if not reasons.strip():
        raise DomainError(_("Please state the reasons for the revocation."))
    if amount is not None:
        return reclaim_decide(
            grant=locked,
            kind=ReclaimKind.REVOCATION,
            principal=Decimal(amount),
            reasons=reasons,
            by=by,
            decided_on=revoked_on,
            interest_from=interest_from,
        )
    if locked.state not in REVOCABLE_STATES:
        raise DomainError(
            _("A grant in state “%(state)s” cannot be revoked as a whole.")
            % {"state": locked.get_state_display()}
        )
    # A payment already ordered may be on its way to the bank: finance settles it first. Requests
    # not yet ordered fall with the grant, so no money can be paid against released commitments.
    open_drawdowns = list(
        Drawdown.objects.select_for_update().filter(
            grant=locked, state__in=("requested", "certified", "ordered")
        )
    )
    ordered = [d for d in open_drawdowns if d.state == "ordered"]
    if ordered:
        raise DomainError(
            _(
                "The payment of %(amount)s ordered on %(date)s has not been booked yet; finance must book or "
                "cancel it before the grant can be revoked as a whole."
            )
            % {
                "amount": format_eur(ordered[0].amount),
                "date": format_date(timezone.localdate(ordered[0].ordered_at)),
            }
        )
    for drawdown in open_drawdowns:
        drawdown.reject(by=by, description=_("Grant revoked on %(date)s") % {"date": format_date(revoked_on)})
        drawdown.save(update_fields=["state"])
    locked.revoke(by=by, revoked_on=revoked_on, reasons=reasons.strip(), description=reasons.strip())
    locked.save(update_fields=["state", "revoked_on", "revocation_reasons"])
    open_by_year: dict[int, Decimal] = {}
    for (_envelope_id, year), figures in reference_figures(locked.file_number).items():
        open_by_year[year] = open_by_year.get(year, ZERO) + figures.open
    releasable = {year: value for year, value in open_by_year.items() if value > 0}
    if releasable:
        decommit(
            reference=locked.file_number,
            by=by,
            amounts=releasable,
            comment=_("Grant revoked on %(date)s") % {"date": format_date(revoked_on)},
        )
    paid = sum(reclaimable_by_year(locked).values(), ZERO)
    if not paid:
        return None
    return reclaim_decide(
        grant=locked,
        kind=ReclaimKind.REVOCATION,
        principal=paid,
        reasons=reasons,
        by=by,
        decided_on=revoked_on,
        interest_from=interest_from,
    )
