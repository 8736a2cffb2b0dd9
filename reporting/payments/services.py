"""Payment runs (Zahllauf): ordered payments → one SEPA file → booked as paid when executed.

A payment is in at most one run, ever. Two requests that put the same payment into a run — a
double click, or two finance officers at once — are serialised by row locks on the drawdowns
(taken in primary-key order, so overlapping runs wait instead of deadlocking); whoever comes
second finds the payment already in a run and is refused. The unique ``PaymentRunItem.drawdown``
is the backstop should anything ever insert an item without taking the locks.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from core.errors import AccessDenied, DomainError
from core.formatting import format_date, format_eur
from grants.awards.locks import lock_children, lock_grant
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.awards.payments.services.drawdown import drawdown_book_payment
from grants.predicates import covers
from reporting.models import PaymentRun, PaymentRunItem, PaymentRunState
from reporting.payments.selectors import may_handle_run
from reporting.payments.sepa import (
    NAME_LENGTH,
    SCHEMA,
    Account,
    AccountError,
    SepaFileError,
    Transfer,
    build_credit_transfer,
    checked_account,
    remittance,
)

logger = logging.getLogger(__name__)


def payment_label(drawdown: Drawdown) -> str:
    """How a message names a payment: file number, request date and amount."""
    return _("drawdown %(file_number)s of %(date)s (%(amount)s)") % {
        "file_number": drawdown.grant.file_number,
        "date": format_date(timezone.localdate(drawdown.requested_at)),
        "amount": format_eur(drawdown.amount),
    }


def end_to_end_id(drawdown: Drawdown) -> str:
    # Unique for ever because a drawdown is paid in at most one run; the payee's bank passes
    # it back, so a returned payment leads straight to its drawdown.
    return f"MA-{drawdown.pk}"


def debtor_account() -> Account:
    """The paying account from the settings (SEPA_DEBTOR_*), checked like any other."""
    try:
        return checked_account(
            name=settings.SEPA_DEBTOR_NAME, iban=settings.SEPA_DEBTOR_IBAN, bic=settings.SEPA_DEBTOR_BIC
        )
    except AccountError as exc:
        logger.error("SEPA_DEBTOR_IBAN/BIC is not usable: %s", exc)
        raise DomainError(
            _("The paying account (SEPA_DEBTOR_IBAN) is not a valid IBAN; please ask the administrators.")
        ) from exc


def _new_reference(execution_date: date) -> str:
    return f"ZL-{execution_date:%Y%m%d}-{secrets.token_hex(4).upper()}"


def _creditor_or_error(drawdown: Drawdown) -> Account | str:
    """The payee's checked account, or the message why it cannot be paid to."""
    organisation = drawdown.grant.organisation
    values = {"carrier": organisation.name, "iban": organisation.iban, "payment": payment_label(drawdown)}
    if not organisation.iban:
        return _("%(carrier)s has no IBAN on file, so the %(payment)s cannot be paid.") % values
    try:
        return checked_account(name=organisation.account_holder or organisation.name, iban=organisation.iban)
    except AccountError as exc:
        logger.warning("IBAN of organisation %s refused: %s", organisation.pk, exc)
        return (
            _(
                "The IBAN %(iban)s of %(carrier)s is not valid for a SEPA transfer, so the %(payment)s cannot be paid."
            )
            % values
        )


@transaction.atomic
def payment_run_create(*, drawdowns: Iterable[Drawdown], execution_date: date, by: Any) -> PaymentRun:
    """Put ordered payments into a new run and store its validated SEPA file; all or nothing."""
    ids = sorted({d.pk for d in drawdowns})
    if not ids:
        raise DomainError(_("Please select at least one ordered payment."))
    # The one lock order: the grants first (in pk order), then their drawdowns (in pk order).
    for grant_id in sorted(set(Drawdown.objects.filter(pk__in=ids).values_list("grant_id", flat=True))):
        lock_grant(grant_id)
    locked = lock_children(
        Drawdown.objects.filter(pk__in=ids).select_related("grant", "grant__office", "grant__organisation")
    )
    if len(locked) != len(ids) or not all(
        covers(by, d.grant.office.path, (StaffRole.FINANCE,)) for d in locked
    ):
        raise AccessDenied(
            _("Only finance staff of the granting office can put a payment into a payment run.")
        )
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
        if drawdown.state != DrawdownState.ORDERED:
            errors.append(
                _("The %(payment)s cannot be paid: its state is “%(state)s”, not “payment ordered”.")
                % {"payment": label, "state": drawdown.get_state_display()}
            )
            continue
        creditor = _creditor_or_error(drawdown)
        if isinstance(creditor, str):
            errors.append(creditor)
            continue
        payments.append(
            (
                drawdown,
                Transfer(
                    end_to_end_id=end_to_end_id(drawdown),
                    creditor=creditor,
                    amount=drawdown.amount,
                    remittance=remittance(drawdown),
                ),
            )
        )
    if errors:
        raise DomainError(errors)
    debtor = debtor_account()
    transfers = [transfer for _drawdown, transfer in payments]
    reference = _new_reference(execution_date)
    try:
        xml = build_credit_transfer(
            message_id=reference, debtor=debtor, execution_date=execution_date, transfers=transfers
        )
    except SepaFileError as exc:
        logger.error("Payment file %s not created: %s", reference, exc)
        raise DomainError(
            _("The payment file could not be created: it does not validate against the %(schema)s schema.")
            % {"schema": SCHEMA}
        ) from exc
    run = PaymentRun(
        reference=reference,
        execution_date=execution_date,
        debtor_name=debtor.name[:NAME_LENGTH],
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


@transaction.atomic
def payment_run_execute(*, run: PaymentRun, executed_on: date, by: Any) -> PaymentRun:
    """The bank executed the file: book every payment as paid on ``executed_on``, or none."""
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if not may_handle_run(by, run):
        raise AccessDenied(_("Only finance staff responsible for every payment in the run can book it."))
    if run.state != PaymentRunState.CREATED:
        raise DomainError(
            _("Payment run %(run)s has already been booked as executed on %(date)s.")
            % {"run": run.reference, "date": format_date(run.executed_on)}
        )
    if executed_on < run.execution_date:
        raise DomainError(
            _("The payments cannot have been executed before the requested execution date %(date)s.")
            % {"date": format_date(run.execution_date)}
        )
    comment = _("Payment run %(run)s") % {"run": run.reference}
    # The one lock order: the run's grants first (in pk order), then their drawdowns (in pk order).
    for grant_id in sorted(set(run.items.values_list("drawdown__grant_id", flat=True))):
        lock_grant(grant_id)
    lock_children(Drawdown.objects.filter(payment_run_item__run=run))
    items = run.items.select_related("drawdown", "drawdown__grant").order_by("drawdown_id")
    for item in items:
        try:
            drawdown_book_payment(
                drawdown=item.drawdown, by=by, paid_on=executed_on, comment=comment, in_payment_run=True
            )
        except DomainError as exc:
            label = payment_label(item.drawdown)
            raise type(exc)([f"{label}: {message}" for message in exc.messages]) from exc
    run.state = PaymentRunState.EXECUTED
    run.executed_on = executed_on
    run.executed_by = by
    run.save(update_fields=["state", "executed_on", "executed_by"])
    return run
