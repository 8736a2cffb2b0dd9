"""Repayments against a reclaim and the waiver of its interest (DOMAIN.md §3.8).

Ledger rule: the budget ledger tracks what the budget reclaimed and got back. The principal
part of a repayment is booked as a repayment (``post_repayment``), on the years that carry the
grant's outstanding reclaims, latest year first (the order in which the claim was booked). The
interest part is revenue of the funders' budgets, not money of the programme: it is booked as
interest received (``post_interest``, its own ledger kind that changes no spending figure) on
the latest year the grant's reclaims were booked in. Both are split across the grant's funding
sources in its shares (DOMAIN.md §8), one entry per source.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from budgets.services.commitments import post_interest, post_repayment
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.models import Grant, Reclaim, Repayment
from grants.awards.models.reclaim import BOOK_REPAYMENT, WAIVE_INTEREST
from grants.awards.services.dates import RECEIVED_ON, date_problems
from grants.awards.services.reclaim._common import (
    interest_year,
    latest_year_first,
    locked_reclaim,
    outstanding_reclaimed_by_year,
)
from grants.awards.services.reclaim.interest import InterestStatement, base_rates, statement


@transaction.atomic
def repayment_book(*, reclaim: Reclaim, amount: Decimal, received_on: date, by: User) -> Repayment:
    """Book money received against ``reclaim``: principal first, then interest (see interest.py)."""
    locked = locked_reclaim(reclaim)
    grant = locked.grant
    require(by, BOOK_REPAYMENT, locked)
    amount = Decimal(amount)
    if not locked.accepts_repayment:
        raise DomainError(_("This reclaim is settled; nothing more is owed."))
    booked = list(locked.repayments.order_by("received_on", "pk"))
    errors = []
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        errors.append(_("The amount received must be greater than zero and in whole cents."))
    if received_on > timezone.localdate():
        errors.append(_("A repayment cannot be booked before it has been received."))
    if received_on < locked.interest_from:
        errors.append(
            _("A repayment cannot have been received before interest started on %(date)s.")
            % {"date": format_date(locked.interest_from)}
        )
    errors += date_problems(received_on, what=RECEIVED_ON, grant=grant, future=False)
    if booked and received_on < booked[-1].received_on:
        # Earlier receipt dates would change the split of repayments already booked.
        errors.append(
            _("Repayments are booked in the order received; the last one was received on %(date)s.")
            % {"date": format_date(booked[-1].received_on)}
        )
    if errors:
        raise DomainError(errors)

    # Interest accrued up to the day before receipt; this repayment only changes what follows.
    before = statement(reclaim=locked, repayments=booked, until=received_on, rates=base_rates())
    if amount > before.outstanding:
        raise DomainError(
            _(
                "%(amount)s exceed what is owed: on %(date)s the outstanding amount is %(outstanding)s "
                "(principal %(principal)s, interest %(interest)s)."
            )
            % {
                "amount": format_eur(amount),
                "date": format_date(received_on),
                "outstanding": format_eur(before.outstanding),
                "principal": format_eur(before.principal_outstanding),
                "interest": format_eur(before.interest_outstanding),
            }
        )
    principal_part = min(amount, before.principal_outstanding)
    repayment = Repayment.objects.create(
        reclaim=locked,
        received_on=received_on,
        amount=amount,
        principal_part=principal_part,
        interest_part=amount - principal_part,
        booked_by=by,
    )
    if principal_part > 0:
        comment = _("Repayment received on %(date)s") % {"date": format_date(received_on)}
        parts = latest_year_first(principal_part, outstanding_reclaimed_by_year(grant))
        for year, part in sorted(parts.items()):
            post_repayment(reference=grant.file_number, budget_year=year, amount=part, by=by, comment=comment)
    if repayment.interest_part > 0:
        post_interest(
            reference=grant.file_number,
            budget_year=interest_year(grant),
            amount=repayment.interest_part,
            by=by,
            comment=_("Interest received on %(date)s") % {"date": format_date(received_on)},
        )
    if before.outstanding == amount:
        _settle(locked, by=by, description=_("Repaid in full"))
    return repayment


@transaction.atomic
def reclaim_waive_interest(*, reclaim: Reclaim, reason: str, by: User) -> Reclaim:
    """Waive the interest still owed (approver, with a reason); interest already paid stays paid."""
    locked = locked_reclaim(reclaim)
    require(by, WAIVE_INTEREST, locked)
    if not reason.strip():
        raise DomainError(_("Please give a reason for waiving the interest."))
    if not locked.is_open:
        raise DomainError(_("This reclaim is settled; there is no interest left to waive."))
    if not locked.accepts_interest_waiver:
        raise DomainError(_("The interest on this reclaim has already been waived."))
    locked.interest_waived = True
    locked.interest_waiver_reason = reason.strip()
    locked.interest_waived_by = by
    locked.save_changes()
    if principal_outstanding(locked) == 0:
        _settle(locked, by=by, description=_("Interest waived; principal repaid"))
    return locked


def principal_outstanding(reclaim: Reclaim) -> Decimal:
    repaid = sum((r.principal_part for r in reclaim.repayments.all()), Decimal(0))
    return reclaim.principal - repaid


def _settle(reclaim: Reclaim, *, by: User, description: str) -> None:
    """Settle the reclaim; close the grant when it was its last open reclaim and its life is over."""
    reclaim.settle(by=by, description=description)
    reclaim.save_changes()
    grant: Grant = reclaim.grant
    still_open = Reclaim.objects.filter(grant=grant).open().exclude(pk=reclaim.pk).exists()
    if not still_open and grant.closes_with_its_last_reclaim:
        grant.close(by=by, description=_("All reclaims settled"))
        grant.save_changes()


__all__ = ["InterestStatement", "reclaim_waive_interest", "repayment_book"]
