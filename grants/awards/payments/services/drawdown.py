"""Drawdowns (Mittelabruf): request → certification → payment order → booking (DOMAIN.md §3.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from budgets.services.commitments import post_disbursement
from core.errors import AccessDenied, DomainError
from core.formatting import format_date, format_eur
from grants import calculations
from grants.awards.models import Grant
from grants.awards.payments.models import OPEN_DRAWDOWN_STATES, Drawdown
from grants.awards.services.proof.schedule import overdue_interim_proofs
from grants.predicates import carrier_organisation_ids, covers

PAYABLE_GRANT_STATES = ("notified", "final", "running")


def drawdown_headroom(grant: Grant, budget_year: int) -> tuple[Decimal, Decimal]:
    """(the year's instalment, what is still available to request in that year)."""
    instalment = grant.instalments.filter(budget_year=budget_year).values_list("amount", flat=True).first()
    if instalment is None:
        return Decimal(0), Decimal(0)
    used = grant.drawdowns.filter(budget_year=budget_year, state__in=OPEN_DRAWDOWN_STATES).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    return instalment, instalment - used


@transaction.atomic
def drawdown_request(
    *, grant: Grant, by: Any, amount: Decimal, needed_on: date, purpose: str, today: date
) -> Drawdown:
    # Lock the grant so two requests for the same year cannot both pass the headroom check.
    grant = Grant.objects.select_for_update(of=("self",)).select_related("office").get(pk=grant.pk)
    if grant.organisation_id not in carrier_organisation_ids(by):
        raise AccessDenied(_("Only the grant recipient can request funds."))
    errors = []
    if grant.state not in PAYABLE_GRANT_STATES:
        errors.append(
            _("Funds cannot be requested for a grant in state “%(state)s”.")
            % {"state": grant.get_state_display()}
        )
    if grant.payout_requires_final_notice and grant.state == "notified":
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
    return (
        Drawdown.objects.select_for_update(of=("self",))
        .select_related("grant", "grant__office")
        .get(pk=drawdown.pk)
    )


def _require_role(drawdown: Drawdown, by: Any, role: str, message: str) -> None:
    if not covers(by, drawdown.grant.office.path, (role,)):
        raise AccessDenied(message)


@transaction.atomic
def drawdown_certify(*, drawdown: Drawdown, by: Any, comment: str = "") -> Drawdown:
    """Certify the request as factually and arithmetically correct (sachlich und rechnerisch richtig)."""
    locked = _locked(drawdown)
    _require_role(
        locked,
        by,
        StaffRole.CASE_OFFICER,
        _("Only a case officer of the granting office can certify a request."),
    )
    if locked.state != "requested":
        raise DomainError(_("Only a requested drawdown can be certified."))
    locked.certify(by=by, description=comment)
    locked.save(update_fields=["state", "certified_by", "certified_at"])
    return locked


@transaction.atomic
def drawdown_order(*, drawdown: Drawdown, by: Any, comment: str = "") -> Drawdown:
    """The payment order (Auszahlungsanordnung) by finance."""
    locked = _locked(drawdown)
    _require_role(
        locked, by, StaffRole.FINANCE, _("Only finance staff of the granting office can order a payment.")
    )
    if locked.state != "certified":
        raise DomainError(_("Only a certified drawdown can be ordered for payment."))
    if locked.grant.organisation_id in carrier_organisation_ids(by):
        raise DomainError(_("Nobody may order a payment to their own organisation."))
    if locked.grant.payout_requires_final_notice and locked.grant.state == "notified":
        raise DomainError(_("This programme pays out only when the notice is final; it is not final yet."))
    locked.order(by=by, description=comment)
    locked.save(update_fields=["state", "ordered_by", "ordered_at"])
    return locked


@transaction.atomic
def drawdown_book_payment(
    *, drawdown: Drawdown, by: Any, paid_on: date, comment: str = "", in_payment_run: bool = False
) -> Drawdown:
    """Book the payment with its value date; the disbursement goes to the budget ledger.

    A payment that went into a SEPA payment run is booked by the run's execution
    (``in_payment_run=True``), never by hand: the bank pays it with the run.
    """
    locked = _locked(drawdown)
    _require_role(
        locked, by, StaffRole.FINANCE, _("Only finance staff of the granting office can book a payment.")
    )
    if locked.state != "ordered":
        raise DomainError(_("Only an ordered payment can be booked as paid."))
    # The reverse one-to-one of reporting's PaymentRunItem, read without importing reporting.
    if not in_payment_run and hasattr(locked, "payment_run_item"):
        raise DomainError(
            _(
                "This payment is part of the payment run %(run)s; it is booked when the run's execution is booked."
            )
            % {"run": locked.payment_run_item.run.reference}
        )
    locked.book_payment(by=by, paid_on=paid_on, description=comment)
    locked.save(update_fields=["state", "paid_on", "booked_by"])
    grant = Grant.objects.select_for_update().get(pk=locked.grant_id)
    post_disbursement(
        reference=grant.file_number,
        budget_year=locked.budget_year,
        amount=locked.amount,
        by=by,
        comment=_("Drawdown of %(date)s") % {"date": format_date(paid_on)},
    )
    if grant.state in ("notified", "final"):
        grant.start_running(by=by, description=_("First payment"))
        grant.save(update_fields=["state"])
    elif (
        grant.state == "settled"
        and not grant.drawdowns.filter(state__in=("requested", "certified", "ordered")).exists()
    ):
        # The settlement's last payment was the only thing left: the grant's file is complete.
        grant.close(by=by, description=_("Last payment booked"))
        grant.save(update_fields=["state"])
    return locked


@transaction.atomic
def drawdown_reject(*, drawdown: Drawdown, by: Any, comment: str) -> Drawdown:
    locked = _locked(drawdown)
    _require_role(
        locked,
        by,
        StaffRole.CASE_OFFICER,
        _("Only a case officer of the granting office can reject a request."),
    )
    if not comment.strip():
        raise DomainError(_("Please give a reason for rejecting the request."))
    if locked.state not in ("requested", "certified"):
        raise DomainError(_("Only a drawdown that is not yet ordered can be rejected."))
    locked.reject(by=by, description=comment)
    locked.save(update_fields=["state"])
    return locked


@transaction.atomic
def drawdown_cancel(*, drawdown: Drawdown, by: Any, comment: str = "") -> Drawdown:
    locked = _locked(drawdown)
    if locked.grant.organisation_id not in carrier_organisation_ids(by):
        raise AccessDenied(_("Only the grant recipient can withdraw its request."))
    if locked.state != "requested":
        raise DomainError(_("A request can only be withdrawn before it is certified."))
    locked.cancel(by=by, description=comment)
    locked.save(update_fields=["state"])
    return locked
