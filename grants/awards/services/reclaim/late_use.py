"""Late use of paid-out money (§ 49a (4) VwVfG; DOMAIN.md §4.3).

Money paid out must be used within the drawdown window (6 weeks federal, 2 months in most
states, copied onto the grant). Money used later bears interest for the time from payout (or,
where the programme says so, from the day after the window ended) until the day of use.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from core.errors import AccessDenied, DomainError
from core.formatting import format_date, format_eur
from grants import calculations
from grants.awards.deadlines import drawdowns_not_used_in_time as deadline_drawdowns_not_used
from grants.awards.models import Reclaim, ReclaimKind
from grants.awards.payments.models import Drawdown
from grants.awards.services._locks import locked_grant
from grants.awards.services.reclaim._common import require_decider
from grants.awards.services.reclaim.decide import reclaim_decide
from grants.predicates import carrier_organisation_ids, covers


def drawdown_window_end(drawdown: Drawdown) -> date:
    """The last day on which the drawdown's money counts as used in time."""
    assert drawdown.paid_on is not None
    grant = drawdown.grant
    return calculations.window_end(
        drawdown.paid_on, value=grant.drawdown_window_value, unit=grant.drawdown_window_unit
    )


def _locked(drawdown: Drawdown) -> Drawdown:
    locked_grant(drawdown.grant_id)
    return (
        Drawdown.objects.select_for_update(of=("self",)).select_related("grant__office").get(pk=drawdown.pk)
    )


@transaction.atomic
def drawdown_record_use(*, drawdown: Drawdown, used_on: date, by: Any) -> Drawdown:
    """The carrier (or a case officer reading its proof) records when the paid money was used."""
    locked = _locked(drawdown)
    grant = locked.grant
    is_carrier = grant.organisation_id in carrier_organisation_ids(by)
    if not is_carrier and not covers(by, grant.office.path, (StaffRole.CASE_OFFICER,)):
        raise AccessDenied(
            _("Only the grant recipient or a case officer can record when the money was used.")
        )
    if locked.state != "paid" or locked.paid_on is None:
        raise DomainError(_("Only the use of paid money can be recorded."))
    if locked.late_use_claims.exists():
        raise DomainError(
            _("Interest for late use has been claimed on this drawdown; its day of use is fixed.")
        )
    if used_on < locked.paid_on:
        raise DomainError(
            _("The money cannot have been used before it was paid on %(date)s.")
            % {"date": format_date(locked.paid_on)}
        )
    if used_on > timezone.localdate():
        raise DomainError(_("The day of use must not lie in the future."))
    locked.used_on = used_on
    locked.save(update_fields=["used_on"])
    return locked


@transaction.atomic
def late_use_interest_claim(*, drawdown: Drawdown, by: Any, decided_on: date, reasons: str = "") -> Reclaim:
    """Claim interest for money used after the end of its drawdown window."""
    locked = _locked(drawdown)
    grant = locked.grant
    require_decider(by, grant)
    if locked.state != "paid" or locked.paid_on is None:
        raise DomainError(_("Interest for late use can only be claimed on paid money."))
    if locked.used_on is None:
        raise DomainError(_("The day the money was used has not been recorded yet."))
    if locked.late_use_claims.exists():
        raise DomainError(_("Interest for late use has already been claimed on this drawdown."))
    window_last_day = drawdown_window_end(locked)
    if locked.used_on <= window_last_day:
        raise DomainError(
            _(
                "The money was used on %(used)s, within the drawdown window that ended on %(end)s; no interest is due."
            )
            % {"used": format_date(locked.used_on), "end": format_date(window_last_day)}
        )
    # From the day after the window's last day: that day still belongs to the window.
    interest_from = (
        window_last_day + timedelta(days=1) if grant.late_use_interest_from_window_end else locked.paid_on
    )
    default_reasons = _(
        "%(amount)s paid on %(paid)s were used on %(used)s, after the drawdown window ended on %(end)s "
        "(§ 49a (4) VwVfG)."
    ) % {
        "amount": format_eur(locked.amount),
        "paid": format_date(locked.paid_on),
        "used": format_date(locked.used_on),
        "end": format_date(window_last_day),
    }
    return reclaim_decide(
        grant=grant,
        kind=ReclaimKind.LATE_USE,
        principal=Decimal(0),
        reasons=reasons.strip() or default_reasons,
        by=by,
        decided_on=decided_on,
        interest_from=interest_from,
        drawdown=locked,
        interest_until=locked.used_on,
    )


def drawdowns_not_used_in_time(*, today: date) -> list[Drawdown]:
    """Paid drawdowns whose window is over and whose money was not (or late) used, not yet claimed.

    The deadline list of ``grants.awards.deadlines`` (one rule for reminders and claims), as
    the drawdowns themselves.
    """
    ids = [item.object_id for item in deadline_drawdowns_not_used(today=today)]
    found = Drawdown.objects.select_related("grant", "grant__office", "grant__organisation").in_bulk(ids)
    return [found[pk] for pk in ids]
