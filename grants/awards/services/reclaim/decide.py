"""The reclaim decision (Rückforderungsbescheid, §§ 49a (1), (3) VwVfG).

Choices made here (DOMAIN.md §3.8, §4.3):

- **Which money is reclaimed.** The money paid most recently is taken to be the money that was
  not needed. So the principal is spread over the budget years in which it was paid, latest
  year first (at most what was paid in a year and not yet reclaimed), and booked there with
  ``post_reclaim``; the reference is the grant's file number.
- **From when interest runs.** Unless the decision fixes ``interest_from``, it is the value
  date of the affected money: the given ``drawdown``'s, otherwise the last paid drawdown's.
  With one date per decision this never charges interest for a day before the money was
  paid; where the decision means an earlier date (a revocation with effect for the past, of
  money paid earlier), the office states it explicitly.
- **The grant's state.** A grant whose life is over (settled or revoked), or that is settled by
  this very decision (kind ``settlement``), moves to ``reclaim``. A project still running (a
  partial revocation, late-use interest during the project) keeps its state so that it can go
  on and be settled; its reclaim is tracked on its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from budgets.services.commitments import post_reclaim
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.locks import lock_children, lock_grant
from grants.awards.models import Grant, Reclaim, ReclaimKind
from grants.awards.models.reclaim import DECIDE_RECLAIM
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.awards.services.dates import DECIDED_ON, INTEREST_FROM, date_problems
from grants.awards.services.reclaim._common import ZERO, latest_year_first, reclaimable_by_year


@transaction.atomic
def reclaim_decide(
    *,
    grant: Grant,
    kind: str,
    principal: Decimal,
    reasons: str,
    by: User,
    decided_on: date,
    interest_from: date | None = None,
    drawdown: Drawdown | None = None,
    interest_until: date | None = None,
) -> Reclaim:
    """Decide a reclaim of ``principal`` (0 for late-use interest) with interest under § 49a VwVfG.

    Posts the reclaimed principal to the budget ledger and moves the grant to ``reclaim``
    where its life is over (see the module docstring); all or nothing.
    """
    locked = lock_grant(grant.pk)
    require(by, DECIDE_RECLAIM, locked)
    return decide_on_locked_grant(
        grant=locked,
        kind=kind,
        principal=principal,
        reasons=reasons,
        by=by,
        decided_on=decided_on,
        interest_from=interest_from,
        drawdown=drawdown,
        interest_until=interest_until,
    )


def decide_on_locked_grant(
    *,
    grant: Grant,
    kind: str,
    principal: Decimal,
    reasons: str,
    by: User,
    decided_on: date,
    interest_from: date | None = None,
    drawdown: Drawdown | None = None,
    interest_until: date | None = None,
) -> Reclaim:
    """The write of every reclaim decision, on a grant the caller has locked and whose rule
    (decide a reclaim, claim late-use interest, revoke) the caller has checked."""
    if kind not in ReclaimKind.values:
        raise DomainError(_("Unknown kind of reclaim: %(kind)s.") % {"kind": kind})
    if drawdown is not None:
        drawdown = lock_children(Drawdown.objects.filter(pk=drawdown.pk))[0]
    principal = Decimal(principal)
    errors, interest_from = reclaim_problems(
        grant,
        kind=kind,
        principal=principal,
        reasons=reasons,
        interest_from=interest_from,
        drawdown=drawdown,
        interest_until=interest_until,
    )
    errors += date_problems(decided_on, what=DECIDED_ON, grant=grant)
    errors += date_problems(interest_from, what=INTEREST_FROM, grant=grant, future=False)
    if errors:
        raise DomainError(errors)
    assert interest_from is not None

    reclaim = Reclaim.objects.create(
        grant=grant,
        kind=kind,
        drawdown=drawdown,
        principal=principal,
        interest_basis=drawdown.amount if kind == ReclaimKind.LATE_USE and drawdown else principal,
        decided_on=decided_on,
        interest_from=interest_from,
        interest_until=interest_until,
        reasons=reasons.strip(),
        decided_by=by,
    )
    if principal > 0:
        comment = _("Reclaim decided on %(date)s") % {"date": format_date(decided_on)}
        for year, amount in sorted(latest_year_first(principal, reclaimable_by_year(grant)).items()):
            post_reclaim(reference=grant.file_number, budget_year=year, amount=amount, by=by, comment=comment)
    if grant.has_ended or (kind == ReclaimKind.SETTLEMENT and not grant.is_in_reclaim):
        grant.open_reclaim(by=by, description=str(reclaim.get_kind_display()))
        grant.save_changes()
    reclaim.grant = grant
    return reclaim


def reclaim_problems(
    grant: Grant,
    *,
    kind: str,
    principal: Decimal,
    reasons: str,
    interest_from: date | None,
    drawdown: Drawdown | None = None,
    interest_until: date | None = None,
) -> tuple[list[str], date | None]:
    """Why this reclaim cannot be decided (empty when it can), and the day interest runs from.

    The decision and every page that previews one (the revocation) read this one function.
    """
    errors: list[str] = []
    if not reasons.strip():
        errors.append(_("Please state the reasons for the reclaim."))
    if not grant.accepts_reclaim:
        errors.append(_("The grant is closed; no reclaim can be decided on it any more."))
    if drawdown is not None and (drawdown.grant_id != grant.pk or not drawdown.is_paid):
        errors.append(_("The drawdown must be a paid drawdown of this grant."))
    if kind == ReclaimKind.LATE_USE:
        errors += _late_use_errors(principal, drawdown, interest_from, interest_until)
    else:
        errors += _reclaim_errors(grant, kind, principal, interest_until)
    if interest_from is None and not errors:
        interest_from = default_interest_from(grant, drawdown)
        if interest_from is None:
            errors.append(_("Nothing has been paid on this grant, so interest has no start date."))
    return errors, interest_from


def _late_use_errors(
    principal: Decimal, drawdown: Drawdown | None, interest_from: date | None, interest_until: date | None
) -> list[str]:
    errors = []
    if principal != 0:
        errors.append(_("Interest for late use is interest only: its principal must be 0."))
    if drawdown is None:
        errors.append(_("Interest for late use needs the drawdown whose money was used late."))
    if interest_until is None:
        errors.append(_("Interest for late use needs the day the money was used."))
    elif interest_from is not None and interest_until <= interest_from:
        errors.append(_("The day of use must lie after the day interest starts."))
    return errors


def _reclaim_errors(grant: Grant, kind: str, principal: Decimal, interest_until: date | None) -> list[str]:
    errors = []
    if interest_until is not None:
        errors.append(_("Only interest for late use has a fixed end; a reclaim bears interest until repaid."))
    if principal <= 0:
        errors.append(_("The amount reclaimed must be greater than zero."))
    elif principal != principal.quantize(Decimal("0.01")):
        errors.append(_("The amount reclaimed must be in whole cents."))
    else:
        reclaimable = sum(reclaimable_by_year(grant).values(), ZERO)
        if principal > reclaimable:
            errors.append(
                _(
                    "%(principal)s cannot be reclaimed: only %(reclaimable)s were paid on this grant and not yet reclaimed."
                )
                % {"principal": format_eur(principal), "reclaimable": format_eur(reclaimable)}
            )
    if kind == ReclaimKind.SETTLEMENT and not grant.accepts_settlement_reclaim:
        errors.append(
            _("A reclaim after settlement cannot be decided on a grant in state “%(state)s”.")
            % {"state": grant.get_state_display()}
        )
    return errors


def default_interest_from(grant: Grant, drawdown: Drawdown | None = None) -> date | None:
    """The value date of the affected money: the drawdown's, otherwise the last payout's."""
    if drawdown is not None:
        return drawdown.paid_on
    return (
        grant.drawdowns.filter(state=DrawdownState.PAID, paid_on__isnull=False)
        .order_by("-paid_on")
        .values_list("paid_on", flat=True)
        .first()
    )
