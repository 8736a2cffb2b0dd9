"""Dates that cannot be true are refused: every day a person types into a service goes through here.

A value date, a day of receipt, of posting, of a decision or of use records something that
already happened: it cannot lie after today. Nothing of a grant can have happened before the
grant began: the day it was approved (``Grant.approved_at`` in the local time zone) or, when the
approval period starts earlier (an early start, a grant taken over from paper files), that
start. No payment, repayment, posting or decision on a grant lies before it. Receipts are
checked against the approval period (``ReceiptRules``) and only for the future here.

Each refusal names the date, what it is, and the day it collides with, in one sentence.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.formatting import format_date
from grants.awards.models import Grant

# What a date is, as the refusal names it (German: a noun without article, then a colon).
VALUE_DATE = gettext_lazy("Value date")
EXECUTION_DAY = gettext_lazy("Day of execution")
RECEIVED_ON = gettext_lazy("Day the repayment was received")
POSTED_ON = gettext_lazy("Day of posting")
DECIDED_ON = gettext_lazy("Day of the decision")
REVOKED_ON = gettext_lazy("Day of the revocation")
WAIVED_ON = gettext_lazy("Day of the waiver")
LODGED_ON = gettext_lazy("Day the objection was lodged")
PAID_ON = gettext_lazy("Date of payment")
USED_ON = gettext_lazy("Day of use")
INTEREST_FROM = gettext_lazy("Start of interest")


def approval_day(grant: Grant) -> date:
    return timezone.localdate(grant.approved_at)


def grant_began(grant: Grant) -> date:
    """The first day on which anything of ``grant`` can have happened."""
    return min(approval_day(grant), grant.period_start)


def date_problems(
    day: date | None,
    *,
    what: str | Promise,
    grant: Grant | None = None,
    future: bool = True,
    today: date | None = None,
) -> list[str]:
    """Why ``day`` cannot be true (empty when it can): after today, or before ``grant``'s approval.

    ``future=False`` lets a day after today through (a start of interest fixed in advance).
    """
    if day is None:
        return []
    today = timezone.localdate() if today is None else today
    problems = []
    if future and day > today:
        problems.append(
            _("%(what)s: %(date)s lies in the future (today is %(today)s).")
            % {"what": what, "date": format_date(day), "today": format_date(today)}
        )
    if grant is not None and day < grant_began(grant):
        problems.append(
            _(
                "%(what)s: %(date)s lies before the grant %(grant)s began "
                "(approved on %(approved)s, approval period from %(start)s)."
            )
            % {
                "what": what,
                "date": format_date(day),
                "grant": grant.file_number,
                "approved": format_date(approval_day(grant)),
                "start": format_date(grant.period_start),
            }
        )
    return problems


def require_true_date(
    day: date | None, *, what: str | Promise, grant: Grant | None = None, future: bool = True
) -> None:
    """Raise ``DomainError`` with :func:`date_problems`' sentences."""
    problems = date_problems(day, what=what, grant=grant, future=future)
    if problems:
        raise DomainError(problems)
