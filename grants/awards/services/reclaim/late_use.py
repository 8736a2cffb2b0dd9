"""Late use of paid-out money (§ 49a (4) VwVfG; DOMAIN.md §4.3).

Money paid out must be used within the drawdown window (6 weeks federal, 2 months in most
states, copied onto the grant). Money used later bears interest for the time from payout (or,
where the programme says so, from the day after the window ended) until the day of use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants import calculations
from grants.awards.deadlines import drawdowns_not_used_in_time as deadline_drawdowns_not_used
from grants.awards.locks import lock_child
from grants.awards.models import Reclaim, ReclaimKind, UseOfFundsRecord
from grants.awards.models.reclaim import CLAIM_LATE_USE_INTEREST
from grants.awards.payments.models import Drawdown
from grants.awards.services.reclaim.decide import decide_on_locked_grant
from grants.awards.services.reclaim.interest import (
    InterestRow,
    InterestStatement,
    base_rates,
    missing_half_year,
    missing_rate_message,
    statement,
)

RECORD_USE_OF_FUNDS = "grants.record_use_of_funds"


def drawdown_window_end(drawdown: Drawdown) -> date:
    """The last day on which the drawdown's money counts as used in time."""
    assert drawdown.paid_on is not None
    grant = drawdown.grant
    return calculations.window_end(
        drawdown.paid_on, value=grant.drawdown_window_value, unit=grant.drawdown_window_unit
    )


@dataclass(frozen=True)
class LateUseInterest:
    """What a late-use claim on a drawdown would be: the page shows it, the claim writes it.

    ``problems`` say why nothing can be claimed; ``statement`` is the claim's own interest
    statement (the same function the reclaim page and the repayments read), None when a base
    rate is missing (``rate_error`` names the half-year) or nothing is due.
    """

    claim: Reclaim | None
    problems: list[str] = field(default_factory=list)
    window_end: date | None = None
    used_on: date | None = None
    days_late: int | None = None
    interest_from: date | None = None
    statement: InterestStatement | None = None
    rate_error: str = ""

    @property
    def interest(self) -> Decimal | None:
        return self.statement.interest_accrued if self.statement else None

    @property
    def rows(self) -> list[InterestRow]:
        return self.statement.rows if self.statement else []


def late_use_interest(drawdown: Drawdown) -> LateUseInterest:
    """The window's last day, the days late and the interest piece by piece (§ 49a (4) VwVfG)."""
    claim = drawdown.late_use_claims.order_by("pk").first()
    if not drawdown.is_paid or drawdown.paid_on is None:
        return LateUseInterest(claim, [_("Interest for late use can only be claimed on paid money.")])
    window_last_day = drawdown_window_end(drawdown)
    used_on = drawdown.used_on
    problems = []
    if claim is not None:
        problems.append(_("Interest for late use has already been claimed on this drawdown."))
    if used_on is None:
        problems.append(
            _("The day the money was used has not been recorded yet (by the recipient or a case officer).")
        )
        return LateUseInterest(claim, problems, window_last_day)
    if used_on <= window_last_day:
        problems.append(
            _(
                "The money was used on %(used)s, within the drawdown window that ended on %(end)s; no interest is due."
            )
            % {"used": format_date(used_on), "end": format_date(window_last_day)}
        )
        return LateUseInterest(claim, problems, window_last_day, used_on)
    grant = drawdown.grant
    # From the day after the window's last day: that day still belongs to the window.
    interest_from = (
        window_last_day + timedelta(days=1) if grant.late_use_interest_from_window_end else drawdown.paid_on
    )
    result = LateUseInterest(
        claim, problems, window_last_day, used_on, (used_on - window_last_day).days, interest_from
    )
    rates = base_rates()
    missing = missing_half_year(interest_from, used_on, rates)
    if missing is not None:
        return replace(result, rate_error=missing_rate_message(missing))
    # Exactly the reclaim the claim writes, unsaved: its statement is the claim's figure.
    draft = Reclaim(
        grant=grant,
        kind=ReclaimKind.LATE_USE,
        drawdown=drawdown,
        principal=Decimal("0.00"),
        interest_basis=drawdown.amount,
        interest_from=interest_from,
        interest_until=used_on,
    )
    figures = statement(reclaim=draft, repayments=[], until=used_on, rates=rates)
    return replace(result, statement=figures)


@transaction.atomic
def drawdown_record_use(*, drawdown: Drawdown, used_on: date, by: User) -> Drawdown:
    """The carrier (or a case officer reading its proof) records when the paid money was used."""
    _grant, locked = lock_child(Drawdown, drawdown.pk, related=("grant__office",))
    require(by, RECORD_USE_OF_FUNDS, locked)
    if not locked.is_paid or locked.paid_on is None:
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
    locked.save_changes()
    UseOfFundsRecord.objects.create(drawdown=locked, used_on=used_on, recorded_by=by)
    return locked


@transaction.atomic
def late_use_interest_claim(*, drawdown: Drawdown, by: User, decided_on: date, reasons: str = "") -> Reclaim:
    """Claim interest for money used after the end of its drawdown window."""
    grant, locked = lock_child(Drawdown, drawdown.pk)
    require(by, CLAIM_LATE_USE_INTEREST, grant)
    due = late_use_interest(locked)
    if due.problems:
        raise DomainError(due.problems)
    assert locked.paid_on and due.used_on and due.window_end and due.interest_from
    default_reasons = _(
        "%(amount)s paid on %(paid)s were used on %(used)s, after the drawdown window ended on %(end)s "
        "(§ 49a (4) VwVfG)."
    ) % {
        "amount": format_eur(locked.amount),
        "paid": format_date(locked.paid_on),
        "used": format_date(due.used_on),
        "end": format_date(due.window_end),
    }
    return decide_on_locked_grant(
        grant=grant,
        kind=ReclaimKind.LATE_USE,
        principal=Decimal(0),
        reasons=reasons.strip() or default_reasons,
        by=by,
        decided_on=decided_on,
        interest_from=due.interest_from,
        drawdown=locked,
        interest_until=due.used_on,
    )


def drawdowns_not_used_in_time(*, today: date) -> list[Drawdown]:
    """Paid drawdowns whose window is over and whose money was not (or late) used, not yet claimed.

    The deadline list of ``grants.awards.deadlines`` (one rule for reminders and claims), as
    the drawdowns themselves.
    """
    ids = [item.object_id for item in deadline_drawdowns_not_used(today=today)]
    found = Drawdown.objects.select_related("grant", "grant__office", "grant__organisation").in_bulk(ids)
    return [found[pk] for pk in ids]
