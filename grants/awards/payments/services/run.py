"""Payment runs (Zahllauf): ordered payments → one SEPA file → booked as paid when executed.

A payment is in at most one run. Two requests that put the same payment into a run — a double
click, or two finance officers at once — are serialised by the one lock order (the grants in
primary-key order, then their drawdowns in primary-key order), so overlapping runs wait instead
of deadlocking; whoever comes second finds the payment already in a run and is refused. The
unique ``PaymentRunItem.drawdown`` is the backstop should anything insert an item without the
locks.

The file itself is written by ``reporting`` (SEPA rendering); this module receives it through
the :class:`PaymentFile` it is handed, so the run, its items and its file are written in one
transaction, all or nothing, and grants never imports reporting.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.locks import lock_children, lock_grant
from grants.awards.payments.models import (
    CANCEL_PAYMENT_RUN,
    CREATE_PAYMENT_RUN,
    EXECUTE_PAYMENT_RUN,
    Drawdown,
    PaymentRun,
    PaymentRunItem,
)
from grants.awards.payments.services.drawdown import drawdown_book_payment
from grants.awards.services.dates import EXECUTION_DAY, require_true_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Payee:
    name: str
    iban: str
    bic: str  # empty: IBAN only (allowed in SEPA)


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    creditor: Payee
    amount: Decimal
    remittance: str


class PaymentFile(Protocol):
    """The SEPA side of a run (written by reporting): accounts and the pain.001 file."""

    name_length: int

    def debtor(self) -> Payee:
        """The paying account; raises DomainError when it is not usable."""
        ...

    def transfer(self, drawdown: Drawdown) -> Transfer | str:
        """The drawdown's transfer, or the sentence why it cannot be paid."""
        ...

    def render(
        self, *, reference: str, debtor: Payee, execution_date: date, transfers: list[Transfer]
    ) -> bytes:
        """The validated file; raises DomainError when it does not validate."""
        ...


def payment_label(drawdown: Drawdown) -> str:
    """How a message names a payment: file number, request date and amount."""
    return _("drawdown %(file_number)s of %(date)s (%(amount)s)") % {
        "file_number": drawdown.grant.file_number,
        "date": format_date(timezone.localdate(drawdown.requested_at)),
        "amount": format_eur(drawdown.amount),
    }


def end_to_end_id(drawdown: Drawdown) -> str:
    # Unique because a drawdown is paid in at most one run; the payee's bank passes it back,
    # so a returned payment leads straight to its drawdown.
    return f"MA-{drawdown.pk}"


def _new_reference(execution_date: date) -> str:
    return f"ZL-{execution_date:%Y%m%d}-{secrets.token_hex(4).upper()}"


def _lock_grants(grant_ids: Iterable[int]) -> None:
    """The first step of the one lock order for a run: its grants, in primary-key order."""
    for grant_id in sorted(set(grant_ids)):
        lock_grant(grant_id)


@transaction.atomic
def payment_run_create(
    *, drawdowns: Iterable[Drawdown], execution_date: date, by: User, payment_file: PaymentFile
) -> PaymentRun:
    """Put ordered payments into a new run and store its validated SEPA file; all or nothing."""
    ids = sorted({d.pk for d in drawdowns})
    if not ids:
        raise DomainError(_("Please select at least one ordered payment."))
    _lock_grants(Drawdown.objects.filter(pk__in=ids).values_list("grant_id", flat=True))
    locked = lock_children(
        Drawdown.objects.filter(pk__in=ids).select_related("grant", "grant__office", "grant__organisation")
    )
    if len(locked) != len(ids):
        raise DomainError(_("Please select at least one ordered payment."))
    for drawdown in locked:
        require(by, CREATE_PAYMENT_RUN, drawdown)
    errors = []
    if execution_date < timezone.localdate():
        errors.append(_("The requested execution date must not lie in the past."))
    # Read after the locks: a run committed while we waited is seen here.
    in_runs = dict(
        PaymentRunItem.objects.filter(drawdown_id__in=ids).values_list("drawdown_id", "run__reference")
    )
    payments: list[tuple[Drawdown, Transfer]] = []
    for drawdown in locked:
        label = payment_label(drawdown)
        if drawdown.pk in in_runs:
            errors.append(
                _("The %(payment)s is already in payment run %(run)s; a payment can be in only one run.")
                % {"payment": label, "run": in_runs[drawdown.pk]}
            )
            continue
        if not drawdown.is_ordered:
            errors.append(
                _("The %(payment)s cannot be paid: its state is “%(state)s”, not “payment ordered”.")
                % {"payment": label, "state": drawdown.get_state_display()}
            )
            continue
        transfer = payment_file.transfer(drawdown)
        if isinstance(transfer, str):
            errors.append(transfer)
            continue
        payments.append((drawdown, transfer))
    if errors:
        raise DomainError(errors)
    debtor = payment_file.debtor()
    transfers = [transfer for _drawdown, transfer in payments]
    reference = _new_reference(execution_date)
    xml = payment_file.render(
        reference=reference, debtor=debtor, execution_date=execution_date, transfers=transfers
    )
    run = PaymentRun(
        reference=reference,
        execution_date=execution_date,
        debtor_name=debtor.name[: payment_file.name_length],
        debtor_iban=debtor.iban,
        debtor_bic=debtor.bic,
        total_amount=sum((t.amount for t in transfers), Decimal(0)),
        payment_count=len(transfers),
        file_name=f"Zahllauf_{reference}.xml",
        created_by=by,
    )
    run.file.save(run.file_name, ContentFile(xml), save=False)
    try:
        with transaction.atomic():
            run.save()
            PaymentRunItem.objects.bulk_create(
                PaymentRunItem(
                    run=run,
                    drawdown=drawdown,
                    amount=t.amount,
                    creditor_name=t.creditor.name,
                    creditor_iban=t.creditor.iban,
                    creditor_bic=t.creditor.bic,
                    remittance=t.remittance,
                    end_to_end_id=t.end_to_end_id,
                )
                for drawdown, t in payments
            )
    except IntegrityError as exc:
        run.file.delete(save=False)
        raise DomainError(
            _("A selected payment was put into another payment run at the same moment; nothing was created.")
        ) from exc
    except BaseException:
        run.file.delete(save=False)
        raise
    logger.info("Payment run %s: %s payments, %s", reference, len(transfers), run.total_amount)
    return run


@dataclass(frozen=True)
class Booking:
    """One line of what booking a run's execution writes: a grant's disbursement in one year."""

    file_number: str
    budget_year: int
    payments: int
    amount: Decimal


def payment_run_effect(run: PaymentRun) -> list[Booking]:
    """What booking the run's execution will book, per grant and budget year (its envelope).

    The run's page shows this; :func:`payment_run_execute` computes it again under the locks and
    books exactly these disbursements.
    """
    totals: dict[tuple[str, int], list[Decimal]] = {}
    for file_number, year, amount in run.items.values_list(
        "drawdown__grant__file_number", "drawdown__budget_year", "amount"
    ).order_by("drawdown__grant__file_number", "drawdown__budget_year", "drawdown_id"):
        totals.setdefault((file_number, year), []).append(amount)
    return [
        Booking(
            file_number=file_number, budget_year=year, payments=len(amounts), amount=sum(amounts, Decimal(0))
        )
        for (file_number, year), amounts in totals.items()
    ]


def _locked_run(run: PaymentRun) -> PaymentRun:
    """The run, then its grants (pk order), then its drawdowns (pk order): the one lock order."""
    locked = PaymentRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    _lock_grants(locked.items.values_list("drawdown__grant_id", flat=True))
    lock_children(Drawdown.objects.filter(payment_run_item__run=locked))
    return locked


@transaction.atomic
def payment_run_execute(*, run: PaymentRun, executed_on: date, by: User, comment: str = "") -> PaymentRun:
    """The bank executed the file: book every payment as paid on ``executed_on``, or none."""
    locked = _locked_run(run)
    require(by, EXECUTE_PAYMENT_RUN, locked)
    if not locked.is_open:
        raise DomainError(
            _("Payment run %(run)s has already been booked as executed on %(date)s.")
            % {"run": locked.reference, "date": format_date(locked.executed_on)}
            if locked.is_executed
            else _("Payment run %(run)s was cancelled; it cannot be booked.") % {"run": locked.reference}
        )
    if executed_on < locked.execution_date:
        raise DomainError(
            _("The payments cannot have been executed before the requested execution date %(date)s.")
            % {"date": format_date(locked.execution_date)}
        )
    require_true_date(executed_on, what=EXECUTION_DAY)
    effect = payment_run_effect(locked)
    label = _("Payment run %(run)s") % {"run": locked.reference}
    booked: dict[tuple[str, int], Decimal] = {}
    items = locked.items.select_related("drawdown", "drawdown__grant").order_by("drawdown_id")
    for item in items:
        try:
            drawdown = drawdown_book_payment(
                drawdown=item.drawdown, by=by, paid_on=executed_on, comment=label, in_payment_run=True
            )
        except DomainError as exc:
            payment = payment_label(item.drawdown)
            raise type(exc)([f"{payment}: {message}" for message in exc.messages]) from exc
        key = (drawdown.grant.file_number, drawdown.budget_year)
        booked[key] = booked.get(key, Decimal(0)) + drawdown.amount
    # What was booked is what the page previewed (the same read, under the locks).
    assert booked == {(b.file_number, b.budget_year): b.amount for b in effect}
    locked.execute(by=by, executed_on=executed_on, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def payment_run_cancel(*, run: PaymentRun, by: User, comment: str) -> PaymentRun:
    """The file will not go to the bank: its payments are released for another run."""
    locked = _locked_run(run)
    require(by, CANCEL_PAYMENT_RUN, locked)
    if not comment.strip():
        raise DomainError(_("Please give a reason for cancelling the payment run."))
    if not locked.is_open:
        raise DomainError(_("Only a payment run that has not been booked as executed can be cancelled."))
    locked.items.all().delete()
    locked.cancel(by=by, description=comment)
    locked.save_changes()
    # The file carries the payees' accounts and must never go to the bank: remove it once the
    # cancellation is committed (the run keeps its reference, totals and history).
    file = locked.file
    transaction.on_commit(lambda: file.delete(save=False))
    return locked
