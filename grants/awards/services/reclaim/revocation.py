"""Revocation of a grant in whole or in part (Widerruf, §§ 49 (3), 49a VwVfG).

A whole revocation ends the grant: what was paid and not yet reclaimed is reclaimed, the
requests not yet ordered fall (they are rejected), and the commitments not yet paid out
(committed − disbursed per budget year) are released. A payment already ordered may be on its
way to the bank: finance books or cancels it first, so it blocks the revocation. A partial
revocation reclaims the given amount of paid money and leaves the grant and its commitments as
they are (a reduction of future instalments is an amendment).

:func:`revocation_consequences` is the one read of all this: the page shows it before anything
is done, and :func:`grant_revoke` calls it on the locked grant and refuses with its problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from budgets.services.commitments import decommit
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.locks import lock_children, lock_grant
from grants.awards.models import Grant, Reclaim, ReclaimKind
from grants.awards.models.grant import REVOKE_GRANT
from grants.awards.payments.models import Drawdown
from grants.awards.services.dates import REVOKED_ON, require_true_date
from grants.awards.services.reclaim._common import ZERO, reclaimable_by_year, releasable_by_year
from grants.awards.services.reclaim.decide import decide_on_locked_grant, reclaim_problems


@dataclass
class RevocationConsequences:
    """What a revocation with these entries does; ``problems`` are the refusals of the service."""

    whole: bool
    reclaim: Decimal  # the principal reclaimed
    reclaimable: Decimal  # paid and not yet reclaimed
    interest_from: date | None
    falling: list[Drawdown] = field(default_factory=list)  # rejected by the revocation
    blocking: list[Drawdown] = field(default_factory=list)  # ordered payments not yet booked
    released: dict[int, Decimal] = field(default_factory=dict)  # per budget year
    problems: list[str] = field(default_factory=list)

    @property
    def released_total(self) -> Decimal:
        return sum(self.released.values(), ZERO)


def revocation_consequences(
    grant: Grant,
    *,
    amount: Decimal | None,
    reasons: str = "",
    interest_from: date | None = None,
) -> RevocationConsequences:
    """What revoking ``grant`` in whole (``amount`` None) or in part would do, and why it cannot."""
    reclaimable = sum(reclaimable_by_year(grant).values(), ZERO)
    whole = amount is None
    principal = reclaimable if amount is None else Decimal(amount)
    result = RevocationConsequences(
        whole=whole, reclaim=principal, reclaimable=reclaimable, interest_from=interest_from
    )
    if not reasons.strip():
        result.problems.append(_("Please state the reasons for the revocation."))
    if not whole:
        problems, result.interest_from = reclaim_problems(
            grant,
            kind=ReclaimKind.REVOCATION,
            principal=principal,
            reasons=reasons or "-",  # the reasons are checked above, with the revocation's sentence
            interest_from=interest_from,
        )
        result.problems += problems
        return result
    if not grant.is_revocable:
        result.problems.append(
            _("A grant in state “%(state)s” cannot be revoked as a whole.")
            % {"state": grant.get_state_display()}
        )
    # A request not yet ordered falls with the grant; an ordered payment must be booked or cancelled.
    pending = [d for d in grant.drawdowns.order_by("pk") if d.is_pending]
    result.falling = [d for d in pending if not d.is_ordered]
    result.blocking = [d for d in pending if d.is_ordered]
    for ordered in result.blocking[:1]:
        result.problems.append(
            _(
                "The payment of %(amount)s ordered on %(date)s has not been booked yet; finance must book or "
                "cancel it before the grant can be revoked as a whole."
            )
            % {
                "amount": format_eur(ordered.amount),
                "date": format_date(timezone.localdate(ordered.ordered_at)) if ordered.ordered_at else "–",
            }
        )
    result.released = releasable_by_year(grant)
    if principal > 0 and not result.problems:
        problems, result.interest_from = reclaim_problems(
            grant,
            kind=ReclaimKind.REVOCATION,
            principal=principal,
            reasons=reasons,
            interest_from=interest_from,
        )
        result.problems += problems
    return result


@transaction.atomic
def grant_revoke(
    *,
    grant: Grant,
    by: User,
    revoked_on: date,
    reasons: str,
    amount: Decimal | None = None,
    interest_from: date | None = None,
) -> Reclaim | None:
    """Revoke ``grant`` in whole (``amount`` None) or in part; returns the reclaim (None if nothing was paid)."""
    locked = lock_grant(grant.pk)
    require(by, REVOKE_GRANT, locked)
    # Lock the drawdowns the revocation reads (grant first, then children in pk order).
    lock_children(Drawdown.objects.filter(grant=locked))
    consequences = revocation_consequences(
        locked, amount=amount, reasons=reasons, interest_from=interest_from
    )
    if consequences.problems:
        raise DomainError(consequences.problems)
    require_true_date(revoked_on, what=REVOKED_ON, grant=locked)
    if not consequences.whole:
        return decide_on_locked_grant(
            grant=locked,
            kind=ReclaimKind.REVOCATION,
            principal=consequences.reclaim,
            reasons=reasons,
            by=by,
            decided_on=revoked_on,
            interest_from=consequences.interest_from,
        )
    fallen = _("Grant revoked on %(date)s") % {"date": format_date(revoked_on)}
    for drawdown in consequences.falling:
        drawdown.grant = locked
        drawdown.reject(by=by, description=fallen)
        drawdown.save_changes()
    locked.revoke(by=by, revoked_on=revoked_on, reasons=reasons.strip(), description=reasons.strip())
    locked.save_changes()
    if consequences.released:
        decommit(reference=locked.file_number, by=by, amounts=consequences.released, comment=fallen)
    if not consequences.reclaim:
        return None
    return decide_on_locked_grant(
        grant=locked,
        kind=ReclaimKind.REVOCATION,
        principal=consequences.reclaim,
        reasons=reasons,
        by=by,
        decided_on=revoked_on,
        interest_from=consequences.interest_from,
    )
