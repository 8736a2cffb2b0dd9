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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.models import BudgetEnvelope, PayingAccount
from budgets.paying_accounts import paying_accounts_configured, paying_accounts_of
from budgets.rules import require
from budgets.services.commitments import MovementPart, movement_parts
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
    PaymentRunTransfer,
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


@dataclass(frozen=True)
class PlannedTransfer:
    """One transfer of the file: a payment's part carried by one envelope (funding source)."""

    drawdown: Drawdown
    transfer: Transfer
    envelope_id: int
    funding_source: str
    paying_account: PayingAccount | None  # None: the settings account (none is set up)


@dataclass(frozen=True)
class PaymentBlock:
    """One payment information block (PmtInf) of the file: the transfers from one paying account."""

    debtor: Payee
    transfers: tuple[PlannedTransfer, ...]

    @property
    def total(self) -> Decimal:
        return sum((t.transfer.amount for t in self.transfers), Decimal(0))

    @property
    def count(self) -> int:
        return len(self.transfers)


@dataclass(frozen=True)
class RunPlan:
    """What a run of the given payments writes into its file; the preview shows exactly this."""

    blocks: tuple[PaymentBlock, ...]
    drawdowns: tuple[Drawdown, ...]

    @property
    def total(self) -> Decimal:
        return sum((b.total for b in self.blocks), Decimal(0))

    @property
    def transfer_count(self) -> int:
        return sum(b.count for b in self.blocks)

    @property
    def transfers(self) -> list[Transfer]:
        return [t.transfer for b in self.blocks for t in b.transfers]


class PaymentFile(Protocol):
    """The SEPA side of a run (written by reporting): accounts and the pain.001 file."""

    name_length: int

    def debtor(self, account: PayingAccount | None) -> Payee:
        """The checked paying account (None: the one in the settings); DomainError if unusable."""
        ...

    def transfer(self, drawdown: Drawdown) -> Transfer | str:
        """The drawdown's transfer, or the sentence why it cannot be paid."""
        ...

    def render(self, *, reference: str, execution_date: date, blocks: Sequence[PaymentBlock]) -> bytes:
        """The validated file, one PmtInf per block; raises DomainError when it does not validate."""
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


def part_end_to_end_id(drawdown: Drawdown, position: int, parts: int) -> str:
    """The id of one part's transfer: ``MA-<drawdown>`` if unsplit, else ``MA-<drawdown>-<n>``."""
    return end_to_end_id(drawdown) if parts == 1 else f"{end_to_end_id(drawdown)}-{position}"


def _new_reference(execution_date: date) -> str:
    return f"ZL-{execution_date:%Y%m%d}-{secrets.token_hex(4).upper()}"


def _lock_grants(grant_ids: Iterable[int]) -> None:
    """The first step of the one lock order for a run: its grants, in primary-key order."""
    for grant_id in sorted(set(grant_ids)):
        lock_grant(grant_id)


def _missing_account(drawdown: Drawdown, envelope: BudgetEnvelope) -> str:
    return _(
        "No paying account is set up for %(source)s funds of %(office)s (budget title %(title)s, "
        "budget year %(year)s), so the %(payment)s cannot be assigned to a paying account. "
        "Please ask the administrators to set one up."
    ) % {
        "source": envelope.get_funding_source_display(),
        "office": envelope.office.name,
        "title": envelope.budget_title,
        "year": envelope.budget_year,
        "payment": payment_label(drawdown),
    }


def payment_run_plan(*, drawdowns: Sequence[Drawdown], by: User, payment_file: PaymentFile) -> RunPlan:
    """The blocks and transfers of a run of ``drawdowns``, or DomainError with every reason why not.

    Each payment is split across its funding sources as the ledger will book it
    (``movement_parts``); each part is paid from the paying account of the envelope that
    carries it (``budgets.paying_accounts``), and the file has one block per paying account.
    The preview on the payment-run page and :func:`payment_run_create` (under the locks) both
    call this.
    """
    errors: list[str] = []
    ids = [d.pk for d in drawdowns]
    in_runs = dict(
        PaymentRunItem.objects.filter(drawdown_id__in=ids).values_list("drawdown_id", "run__reference")
    )
    split: list[tuple[Drawdown, Transfer, list[MovementPart]]] = []
    for drawdown in drawdowns:
        require(by, CREATE_PAYMENT_RUN, drawdown)
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
        try:
            parts = movement_parts(
                reference=drawdown.grant.file_number, budget_year=drawdown.budget_year, amount=drawdown.amount
            )
        except DomainError as exc:
            errors.extend(f"{label}: {message}" for message in exc.messages)
            continue
        split.append((drawdown, transfer, parts))
    envelope_ids = {part.envelope_id for _d, _t, parts in split for part in parts}
    accounts = paying_accounts_of(envelope_ids)
    configured = paying_accounts_configured()
    envelopes = BudgetEnvelope.objects.select_related("office").in_bulk(envelope_ids)
    debtors: dict[int | None, Payee] = {}
    blocks: dict[Payee, list[PlannedTransfer]] = {}
    for drawdown, transfer, parts in split:
        for position, part in enumerate(parts, start=1):
            account = accounts.get(part.envelope_id)
            if account is None and configured:
                errors.append(_missing_account(drawdown, envelopes[part.envelope_id]))
                continue
            key = account.pk if account is not None else None
            if key not in debtors:
                debtors[key] = payment_file.debtor(account)
            planned = PlannedTransfer(
                drawdown=drawdown,
                transfer=replace(
                    transfer,
                    end_to_end_id=part_end_to_end_id(drawdown, position, len(parts)),
                    amount=part.amount,
                ),
                envelope_id=part.envelope_id,
                funding_source=part.funding_source,
                paying_account=account,
            )
            blocks.setdefault(debtors[key], []).append(planned)
    if errors:
        raise DomainError(errors)
    return RunPlan(
        blocks=tuple(
            PaymentBlock(debtor=debtor, transfers=tuple(transfers))
            for debtor, transfers in sorted(blocks.items(), key=lambda b: (b[0].name, b[0].iban))
        ),
        drawdowns=tuple(d for d, _t, _p in split),
    )


def payment_run_preview(*, drawdowns: Iterable[Drawdown], by: User, payment_file: PaymentFile) -> RunPlan:
    """What creating a run of ``drawdowns`` would write (no locks, nothing written)."""
    ids = sorted({d.pk for d in drawdowns})
    if not ids:
        raise DomainError(_("Please select at least one ordered payment."))
    selected = Drawdown.objects.filter(pk__in=ids).select_related(
        "grant", "grant__office", "grant__organisation"
    )
    return payment_run_plan(drawdowns=list(selected.order_by("pk")), by=by, payment_file=payment_file)


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
    if execution_date < timezone.localdate():
        raise DomainError(_("The requested execution date must not lie in the past."))
    # Planned after the locks: a run committed while we waited is seen here.
    plan = payment_run_plan(drawdowns=locked, by=by, payment_file=payment_file)
    reference = _new_reference(execution_date)
    xml = payment_file.render(reference=reference, execution_date=execution_date, blocks=plan.blocks)
    single = plan.blocks[0].debtor if len(plan.blocks) == 1 else Payee(name="", iban="", bic="")
    run = PaymentRun(
        reference=reference,
        execution_date=execution_date,
        debtor_name=single.name[: payment_file.name_length],
        debtor_iban=single.iban,
        debtor_bic=single.bic,
        total_amount=plan.total,
        payment_count=len(plan.drawdowns),
        file_name=f"Zahllauf_{reference}.xml",
        created_by=by,
    )
    run.file.save(run.file_name, ContentFile(xml), save=False)
    try:
        with transaction.atomic():
            run.save()
            items = {
                drawdown.pk: PaymentRunItem(
                    run=run,
                    drawdown=drawdown,
                    amount=drawdown.amount,
                    creditor_name=transfer.creditor.name,
                    creditor_iban=transfer.creditor.iban,
                    creditor_bic=transfer.creditor.bic,
                    remittance=transfer.remittance,
                    end_to_end_id=end_to_end_id(drawdown),
                )
                for drawdown, transfer in _payments(plan)
            }
            PaymentRunItem.objects.bulk_create(items.values())
            PaymentRunTransfer.objects.bulk_create(
                PaymentRunTransfer(
                    item=items[planned.drawdown.pk],
                    envelope_id=planned.envelope_id,
                    funding_source=planned.funding_source,
                    paying_account=planned.paying_account,
                    debtor_name=block.debtor.name[: payment_file.name_length],
                    debtor_iban=block.debtor.iban,
                    debtor_bic=block.debtor.bic,
                    amount=planned.transfer.amount,
                    end_to_end_id=planned.transfer.end_to_end_id,
                )
                for block in plan.blocks
                for planned in block.transfers
            )
    except IntegrityError as exc:
        run.file.delete(save=False)
        raise DomainError(
            _("A selected payment was put into another payment run at the same moment; nothing was created.")
        ) from exc
    except BaseException:
        run.file.delete(save=False)
        raise
    logger.info(
        "Payment run %s: %s payments, %s transfers in %s blocks, %s",
        reference,
        len(plan.drawdowns),
        plan.transfer_count,
        len(plan.blocks),
        run.total_amount,
    )
    return run


def _payments(plan: RunPlan) -> list[tuple[Drawdown, Transfer]]:
    """Each payment once (in drawdown order) with the payee's side of its first transfer."""
    first: dict[int, tuple[Drawdown, Transfer]] = {}
    for block in plan.blocks:
        for planned in block.transfers:
            first.setdefault(planned.drawdown.pk, (planned.drawdown, planned.transfer))
    return [first[pk] for pk in sorted(first)]


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


def _require_same_split(run: PaymentRun) -> None:
    """The ledger books each payment in the parts the file paid from each envelope, or nothing.

    The split is read again now (``movement_parts``); should the grant's commitments have moved
    since the file was made, its transfers no longer match the bookings and the run must be
    cancelled and made again.
    """
    errors = []
    items = run.items.select_related("drawdown", "drawdown__grant").prefetch_related("transfers")
    for item in items.order_by("drawdown_id"):
        paid = sorted((t.envelope_id, t.amount) for t in item.transfers.all())
        if not paid:
            continue  # a run made before payments were split: one transfer, booked as before
        drawdown = item.drawdown
        booked = sorted(
            (p.envelope_id, p.amount)
            for p in movement_parts(
                reference=drawdown.grant.file_number, budget_year=drawdown.budget_year, amount=item.amount
            )
        )
        if paid != booked:
            errors.append(
                _(
                    "The %(payment)s would now be booked on other envelopes than the file pays it from; "
                    "please cancel payment run %(run)s and create a new one."
                )
                % {"payment": payment_label(drawdown), "run": run.reference}
            )
    if errors:
        raise DomainError(errors)


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
    _require_same_split(locked)
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
