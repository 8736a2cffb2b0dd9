"""Drawdowns (Mittelabruf): request → certification → payment order → booking (DOMAIN.md §3.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import User
from budgets.rules import require
from budgets.services.commitments import post_disbursement
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants import calculations
from grants.awards.locks import lock_child, lock_grant
from grants.awards.models import Grant
from grants.awards.payments.models import (
    BOOK_PAYMENT,
    CANCEL_DRAWDOWN,
    CERTIFY_DRAWDOWN,
    OPEN_DRAWDOWN_STATES,
    ORDER_PAYMENT,
    PENDING_DRAWDOWN_STATES,
    REJECT_DRAWDOWN,
    REQUEST_DRAWDOWN,
    Drawdown,
)
from grants.awards.services.dates import VALUE_DATE, require_true_date
from grants.awards.services.proof.schedule import overdue_interim_proofs
from webhooks.events import EventType
from webhooks.outbox import emit


def drawdown_headroom_by_year(grant: Grant) -> dict[int, tuple[Decimal, Decimal]]:
    """Per budget year: (the year's instalment, what is still available to request in it).

    The one read of the headroom: the request page shows it and :func:`drawdown_request` checks
    against it (under the grant's lock) before it writes. Every open request counts.
    """
    used = dict(
        grant.drawdowns.filter(state__in=OPEN_DRAWDOWN_STATES)
        .order_by()
        .values("budget_year")
        .annotate(total=Sum("amount"))
        .values_list("budget_year", "total")
    )
    return {
        year: (amount, amount - (used.get(year) or Decimal(0)))
        for year, amount in grant.instalments.order_by("budget_year").values_list("budget_year", "amount")
    }


def drawdown_headroom(grant: Grant, budget_year: int) -> tuple[Decimal, Decimal]:
    """(the year's instalment, what is still available to request in that year)."""
    return drawdown_headroom_by_year(grant).get(budget_year, (Decimal(0), Decimal(0)))


@transaction.atomic
def drawdown_request(
    *, grant: Grant, by: User, amount: Decimal, needed_on: date, purpose: str, today: date
) -> Drawdown:
    # Lock the grant so two requests for the same year cannot both pass the headroom check.
    grant = lock_grant(grant.pk)
    require(by, REQUEST_DRAWDOWN, grant)
    errors = []
    if not grant.is_payable:
        errors.append(
            _("Funds cannot be requested for a grant in state “%(state)s”.")
            % {"state": grant.get_state_display()}
        )
    if grant.awaits_finality:
        errors.append(_("This programme pays out only when the notice is final; it is not final yet."))
    if amount <= 0:
        errors.append(_("The amount must be greater than zero."))
    year = needed_on.year
    instalment, headroom = drawdown_headroom(grant, year)
    if not instalment:
        errors.append(_("The grant has no instalment for the budget year %(year)s.") % {"year": year})
    elif amount > headroom:
        errors.append(
            _(
                "%(amount)s exceed what can still be requested for %(year)s: the instalment of %(instalment)s minus requests and payments leaves %(headroom)s."
            )
            % {
                "amount": format_eur(amount),
                "year": year,
                "instalment": format_eur(instalment),
                "headroom": format_eur(headroom),
            }
        )
    window_last_day = calculations.window_end(
        today, value=grant.drawdown_window_value, unit=grant.drawdown_window_unit
    )
    if needed_on < today:
        errors.append(_("The date the money is needed must not lie in the past."))
    elif needed_on > window_last_day:
        errors.append(
            _("Funds may only be requested for payments due by %(date)s (%(value)s %(unit)s after payout).")
            % {
                "date": format_date(window_last_day),
                "value": grant.drawdown_window_value,
                "unit": grant.get_drawdown_window_unit_display(),
            }
        )
    if not grant.period_start <= needed_on <= grant.period_end:
        errors.append(
            _("The date the money is needed must lie in the approval period %(from)s–%(until)s.")
            % {"from": format_date(grant.period_start), "until": format_date(grant.period_end)}
        )
    if not purpose.strip():
        errors.append(_("Please state what the money is needed for."))
    for proof in overdue_interim_proofs(grant, today=today):
        errors.append(
            _(
                "No funds can be requested while the interim proof for %(year)s is overdue: it was due on %(date)s."
            )
            % {"year": proof.budget_year, "date": format_date(proof.due_on)}
        )
    if errors:
        raise DomainError(errors)
    drawdown = Drawdown.objects.create(
        grant=grant, budget_year=year, amount=amount, needed_on=needed_on, purpose=purpose, requested_by=by
    )
    return drawdown


def _locked(drawdown: Drawdown) -> Drawdown:
    """The drawdown under its lock, taken after its grant's (the one lock order)."""
    _grant, locked = lock_child(Drawdown, drawdown.pk)
    return locked


@transaction.atomic
def drawdown_certify(*, drawdown: Drawdown, by: User, comment: str = "") -> Drawdown:
    """Certify the request as factually and arithmetically correct (sachlich und rechnerisch richtig)."""
    locked = _locked(drawdown)
    require(by, CERTIFY_DRAWDOWN, locked)
    if not locked.is_requested:
        raise DomainError(_("Only a requested drawdown can be certified."))
    locked.certify(by=by, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def drawdown_order(*, drawdown: Drawdown, by: User, comment: str = "") -> Drawdown:
    """The payment order (Auszahlungsanordnung) by finance."""
    locked = _locked(drawdown)
    require(by, ORDER_PAYMENT, locked)
    if not locked.is_certified:
        raise DomainError(_("Only a certified drawdown can be ordered for payment."))
    if locked.grant.awaits_finality:
        raise DomainError(_("This programme pays out only when the notice is final; it is not final yet."))
    # The account is frozen on the order: a later change of the carrier's bank details (confirmed
    # or not) never redirects a payment that was certified and ordered.
    organisation = locked.grant.organisation
    if not organisation.iban:
        raise DomainError(
            _("%(carrier)s has no bank details on file, so the payment cannot be ordered.")
            % {"carrier": organisation.name}
        )
    locked.order(by=by, payee_iban=organisation.iban, payee_name=organisation.payee_name, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def drawdown_book_payment(
    *, drawdown: Drawdown, by: User, paid_on: date, comment: str = "", in_payment_run: bool = False
) -> Drawdown:
    """Book the payment with its value date; the disbursement goes to the budget ledger.

    A payment that went into a SEPA payment run is booked by the run's execution
    (``in_payment_run=True``), never by hand: the bank pays it with the run.
    """
    locked = _locked(drawdown)
    require(by, BOOK_PAYMENT, locked)
    if not locked.is_ordered:
        raise DomainError(_("Only an ordered payment can be booked as paid."))
    if not in_payment_run and locked.in_payment_run:
        raise DomainError(
            _(
                "This payment is part of the payment run %(run)s; it is booked when the run's execution is booked."
            )
            % {"run": locked.payment_run_item.run.reference}  # type: ignore[attr-defined]
        )
    require_true_date(paid_on, what=VALUE_DATE, grant=locked.grant)
    locked.book_payment(by=by, paid_on=paid_on, description=comment)
    locked.save_changes()
    grant = locked.grant
    post_disbursement(
        reference=grant.file_number,
        budget_year=locked.budget_year,
        amount=locked.amount,
        by=by,
        comment=_("Drawdown of %(date)s") % {"date": format_date(paid_on)},
    )
    # Webhooks (issue 13): written in this transaction, so in a payment run's too.
    emit(
        EventType.PAYMENT_EXECUTED,
        subject=locked,
        payload={
            "drawdown_id": locked.pk,
            "grant_id": grant.pk,
            "file_number": grant.file_number,
            "amount": locked.amount,
            "budget_year": locked.budget_year,
            "paid_on": paid_on,
            "in_payment_run": in_payment_run,
        },
        organisation_id=grant.organisation_id,
        office_path=grant.office.path,
    )
    if can_proceed(grant.start_running):
        grant.start_running(by=by, description=_("First payment"))
        grant.save_changes()
    elif grant.is_settled and not grant.drawdowns.filter(state__in=PENDING_DRAWDOWN_STATES).exists():
        # The settlement's last payment was the only thing left: the grant's file is complete.
        grant.close(by=by, description=_("Last payment booked"))
        grant.save_changes()
    return locked


@transaction.atomic
def drawdown_reject(*, drawdown: Drawdown, by: User, comment: str) -> Drawdown:
    locked = _locked(drawdown)
    require(by, REJECT_DRAWDOWN, locked)
    if not comment.strip():
        raise DomainError(_("Please give a reason for rejecting the request."))
    if not (locked.is_requested or locked.is_certified):
        raise DomainError(_("Only a drawdown that is not yet ordered can be rejected."))
    locked.reject(by=by, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def drawdown_cancel(*, drawdown: Drawdown, by: User, comment: str = "") -> Drawdown:
    locked = _locked(drawdown)
    require(by, CANCEL_DRAWDOWN, locked)
    if not locked.is_requested:
        raise DomainError(_("A request can only be withdrawn before it is certified."))
    locked.cancel(by=by, description=comment)
    locked.save_changes()
    return locked
