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
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from budgets.services.commitments import post_reclaim
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.models import Grant, Reclaim, ReclaimKind
from grants.awards.payments.models import Drawdown
from grants.awards.services._locks import locked_grant
from grants.awards.services.reclaim._common import (
    ZERO,
    latest_year_first,
    reclaimable_by_year,
    require_decider,
)

GRANT_ENDED_STATES = ("settled", "revoked")
OPEN_RECLAIM_STATES = ("settled", "revoked", "running", "final", "proof_due")


@transaction.atomic
def reclaim_decide(
    *,
    grant: Grant,
    kind: str,
    principal: Decimal,
    reasons: str,
    by: Any,
    decided_on: date,
    interest_from: date | None = None,
    drawdown: Drawdown | None = None,
    interest_until: date | None = None,
) -> Reclaim:
    """Decide a reclaim of ``principal`` (0 for late-use interest) with interest under § 49a VwVfG.

    Posts the reclaimed principal to the budget ledger and moves the grant to ``reclaim``
    where its life is over (see the module docstring); all or nothing.
    """
    locked = locked_grant(grant.pk)
    require_decider(by, locked)
    if kind not in ReclaimKind.values:
        raise DomainError(_("Unknown kind of reclaim: %(kind)s.") % {"kind": kind})
    if drawdown is not None:
        drawdown = Drawdown.objects.select_for_update(of=("self",)).get(pk=drawdown.pk)
    principal = Decimal(principal)
    errors: list[str] = []
    if not reasons.strip():
        errors.append(_("Please state the reasons for the reclaim."))
    if locked.state == "closed":
        errors.append(_("The grant is closed; no reclaim can be decided on it any more."))
    if drawdown is not None and (drawdown.grant_id != locked.pk or drawdown.state != "paid"):
        errors.append(_("The drawdown must be a paid drawdown of this grant."))
    basis = principal
    if kind == ReclaimKind.LATE_USE:
        errors += _late_use_errors(principal, drawdown, interest_from, interest_until)
        basis = drawdown.amount if drawdown is not None else ZERO
    else:
        errors += _reclaim_errors(locked, kind, principal, interest_until)
    if interest_from is None and not errors:
        interest_from = _default_interest_from(locked, drawdown)
        if interest_from is None:
            errors.append(_("Nothing has been paid on this grant, so interest has no start date."))
    if errors:
        raise DomainError(errors)
    assert interest_from is not None

    reclaim = Reclaim.objects.create(
        grant=locked,
        kind=kind,
        drawdown=drawdown,
        principal=principal,
        interest_basis=basis,
        decided_on=decided_on,
        interest_from=interest_from,
        interest_until=interest_until,
        reasons=reasons.strip(),
        decided_by=by,
    )
    if principal > 0:
        comment = _("Reclaim decided on %(date)s") % {"date": format_date(decided_on)}
        for year, amount in sorted(latest_year_first(principal, reclaimable_by_year(locked)).items()):
            post_reclaim(
                reference=locked.file_number, budget_year=year, amount=amount, by=by, comment=comment
            )
    if locked.state in GRANT_ENDED_STATES or (kind == ReclaimKind.SETTLEMENT and locked.state != "reclaim"):
        locked.open_reclaim(by=by, description=str(reclaim.get_kind_display()))
        locked.save(update_fields=["state"])
    reclaim.grant = locked
    return reclaim


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
    if kind == ReclaimKind.SETTLEMENT and grant.state not in (*OPEN_RECLAIM_STATES, "reclaim"):
        errors.append(
            _("A reclaim after settlement cannot be decided on a grant in state “%(state)s”.")
            % {"state": grant.get_state_display()}
        )
    return errors


def _default_interest_from(grant: Grant, drawdown: Drawdown | None) -> date | None:
    if drawdown is not None:
        return drawdown.paid_on
    return (
        grant.drawdowns.filter(state="paid", paid_on__isnull=False)
        .order_by("-paid_on")
        .values_list("paid_on", flat=True)
        .first()
    )
