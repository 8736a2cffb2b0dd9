"""A transfer of an executed payment run that the payee's bank sent back (Rücküberweisung).

The bank statement names our transfer by its end-to-end id (``MA-<drawdown>``, see
``run.end_to_end_id``). Booking the return undoes what the run's execution booked for that
payment: the disbursement is reversed on the ledger (a negative disbursement, as the budget
figures expect: "disbursed net of bank returns"), the drawdown goes back to *payment ordered*
and leaves its run, so finance can put it into a new run — after the carrier's bank details
were corrected, where the reason says the account is wrong. The run keeps its reference,
total and file; who reads the return (reporting's statement line) keeps the run and the
drawdown it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from budgets.services.commitments import post_disbursement
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.locks import lock_child
from grants.awards.payments.models import (
    BOOK_PAYMENT,
    Drawdown,
    PaymentRun,
    PaymentRunItem,
    PaymentRunTransfer,
)
from grants.awards.services.dates import VALUE_DATE as RETURN_DAY
from grants.awards.services.dates import require_true_date


@dataclass(frozen=True)
class ReturnedPayment:
    """What a booked return leaves behind: the drawdown (ordered again) and the run it left."""

    drawdown: Drawdown
    run: PaymentRun
    amount: Decimal


@dataclass(frozen=True)
class ReturnTarget:
    """The payment a returned transfer belongs to, and every transfer it was paid in.

    A payment financed by several sources went out as one transfer per source (``MA-<id>-<n>``,
    DOMAIN §8); it is back only when every one of them is.
    """

    item: PaymentRunItem
    parts: dict[str, Decimal]  # end-to-end id → amount, for each transfer of the payment


def returnable(end_to_end_id: str) -> ReturnTarget | None:
    """The payment of a run that a return with ``end_to_end_id`` refers to (no lock; a lookup)."""
    if not end_to_end_id:
        return None
    related = ("run", "drawdown", "drawdown__grant", "drawdown__grant__office")
    transfer = (
        PaymentRunTransfer.objects.select_related(*(f"item__{r}" for r in related))
        .filter(end_to_end_id=end_to_end_id)
        .first()
    )
    item = (
        transfer.item
        if transfer is not None
        else PaymentRunItem.objects.select_related(*related).filter(end_to_end_id=end_to_end_id).first()
    )
    if item is None:
        return None
    # Runs made before payments were split have no transfer rows: the item is the transfer.
    parts = dict(item.transfers.order_by("pk").values_list("end_to_end_id", "amount")) or {
        item.end_to_end_id: item.amount
    }
    return ReturnTarget(item=item, parts=parts)


@transaction.atomic
def payment_return_book(
    *, item: PaymentRunItem, amount: Decimal, returned_on: date, reason: str, by: User
) -> ReturnedPayment:
    """Book the bank's return of ``item``: reverse the disbursement, order the payment again.

    ``amount`` is what came back for the whole payment (all its transfers).
    """
    grant, drawdown = lock_child(Drawdown, item.drawdown_id)
    require(by, BOOK_PAYMENT, drawdown)
    # Read again under the drawdown's lock: a return booked meanwhile has removed the item.
    locked_item = PaymentRunItem.objects.select_related("run").filter(pk=item.pk).first()
    if locked_item is None:
        raise DomainError(
            _("The transfer %(id)s has already been booked as returned; it is no longer in a payment run.")
            % {"id": item.end_to_end_id}
        )
    run = locked_item.run
    if not run.is_executed or not drawdown.is_paid:
        raise DomainError(
            _(
                "The transfer %(id)s of payment run %(run)s has not been booked as paid, so its return cannot be booked."
            )
            % {"id": locked_item.end_to_end_id, "run": run.reference}
        )
    if Decimal(amount) != locked_item.amount:
        raise DomainError(
            _("The bank returned %(returned)s, but the payment %(id)s was for %(amount)s.")
            % {
                "returned": format_eur(Decimal(amount)),
                "id": locked_item.end_to_end_id,
                "amount": format_eur(locked_item.amount),
            }
        )
    assert drawdown.paid_on is not None
    if returned_on < drawdown.paid_on:
        raise DomainError(
            _("A transfer cannot come back on %(date)s, before it was paid on %(paid)s.")
            % {"date": format_date(returned_on), "paid": format_date(drawdown.paid_on)}
        )
    require_true_date(returned_on, what=RETURN_DAY)
    if drawdown.late_use_claims.exists():
        raise DomainError(
            _("Late-use interest was claimed on the payment %(id)s; its return must be handled by hand.")
            % {"id": locked_item.end_to_end_id}
        )
    description = _("Returned by the bank on %(date)s (payment run %(run)s): %(reason)s") % {
        "date": format_date(returned_on),
        "run": run.reference,
        "reason": reason,
    }
    drawdown.return_by_bank(by=by, description=description)
    drawdown.save_changes()
    post_disbursement(
        reference=grant.file_number,
        budget_year=drawdown.budget_year,
        amount=-locked_item.amount,
        by=by,
        comment=description,
    )
    # Out of the run, so it can go into a new one (a payment is in at most one run).
    locked_item.delete()
    return ReturnedPayment(drawdown=drawdown, run=run, amount=locked_item.amount)
