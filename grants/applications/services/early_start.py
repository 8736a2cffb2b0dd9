"""Permission to start early (vorzeitiger Maßnahmebeginn, VV Nr. 1.3 zu § 44 BHO, DOMAIN.md §9).

A carrier asks before the notice, with the day it wishes to begin and why; an official of the
responsible office grants it from a day (never before the day it was asked for: a project that
began before asking cannot be permitted to have begun) or refuses it with a reason. One person
decides; the permission promises nothing (``EARLY_START_CAVEAT``, printed on the notice too).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date
from grants.applications.models import UNDECIDED_STATES, Application, EarlyStartRequest, EarlyStartState
from grants.applications.models.early_start import DECIDE_EARLY_START, REQUEST_EARLY_START
from grants.applications.services.application import lock_application

# The standard caveat (Standardvorbehalt) of every permission to start early.
EARLY_START_CAVEAT = gettext_lazy(
    "The permission to start early does not establish any claim to a grant; the expenditure incurred before the notice is at the carrier's own risk."
)


def early_start_open(application: Application) -> bool:
    """Whether an early start can be asked for and decided now: handed in, not yet decided."""
    return application.is_handed_in and application.state in UNDECIDED_STATES


def _require_undecided(application: Application) -> None:
    if early_start_open(application):
        return
    if not application.is_handed_in:
        raise DomainError(_("An early start can only be asked for once the application has been submitted."))
    raise DomainError(
        _(
            "The application has been decided (state “%(state)s”): an early start is asked for and decided before the notice only."
        )
        % {"state": application.get_state_display()}
    )


def _latest(application: Application) -> EarlyStartRequest | None:
    return application.early_start_requests.select_for_update().order_by("-requested_at", "-pk").first()


@transaction.atomic
def early_start_request(
    *, application: Application, by: User, wished_from: date | None, reason: str, today: date | None = None
) -> EarlyStartRequest:
    """The carrier asks to start before the notice (from ``wished_from``, for ``reason``)."""
    locked = lock_application(application)
    require(by, REQUEST_EARLY_START, locked)
    _require_undecided(locked)
    today = today or timezone.localdate()
    errors = []
    if wished_from is None:
        errors.append(_("The day from which the project should start is missing."))
    elif wished_from < today:
        errors.append(
            _(
                "The early start cannot be asked for a day that has passed (%(date)s): a project that has already begun cannot be funded."
            )
            % {"date": format_date(wished_from)}
        )
    elif locked.end_date and wished_from > locked.end_date:
        errors.append(
            _("The day %(date)s lies after the end of the project on %(end)s.")
            % {"date": format_date(wished_from), "end": format_date(locked.end_date)}
        )
    if not reason.strip():
        errors.append(_("Say why the project must start before the notice."))
    previous = _latest(locked)
    if previous is not None and previous.blocks_new_request:
        errors.append(
            _("An early start was already asked for on %(date)s (%(state)s).")
            % {
                "date": format_date(timezone.localdate(previous.requested_at)),
                "state": previous.get_state_display(),
            }
        )
    if errors:
        raise DomainError(errors)
    assert wished_from is not None
    request = EarlyStartRequest(
        application=locked, wished_from=wished_from, reason=reason.strip(), requested_by=by
    )
    request.save()
    request.hand_in(
        by=by,
        description=_("From %(date)s: %(reason)s")
        % {"date": format_date(wished_from), "reason": reason.strip()},
    )
    request.save(update_fields=["state", "requested_by", "requested_at"])
    return request


def _locked_request(request: EarlyStartRequest) -> tuple[Application, EarlyStartRequest]:
    application = lock_application(request.application)
    locked = EarlyStartRequest.objects.select_for_update().get(pk=request.pk, application=application)
    return application, locked


def _require_open(request: EarlyStartRequest) -> None:
    if not request.is_open:
        raise DomainError(
            _("This request has already been decided (%(state)s).") % {"state": request.get_state_display()}
        )


@transaction.atomic
def early_start_grant(
    *, request: EarlyStartRequest, by: User, permitted_from: date | None, comment: str = ""
) -> EarlyStartRequest:
    """Permit the early start from ``permitted_from`` (the caveat applies; see the module)."""
    application, locked = _locked_request(request)
    require(by, DECIDE_EARLY_START, application)
    _require_undecided(application)
    _require_open(locked)
    asked_on = timezone.localdate(locked.requested_at)
    if permitted_from is None:
        raise DomainError(_("The day from which the early start is permitted is missing."))
    if permitted_from < asked_on:
        raise DomainError(
            _(
                "The early start cannot be permitted from %(date)s: it was only asked for on %(asked)s, and a project that began before asking cannot be funded."
            )
            % {"date": format_date(permitted_from), "asked": format_date(asked_on)}
        )
    if application.end_date and permitted_from > application.end_date:
        raise DomainError(
            _("The day %(date)s lies after the end of the project on %(end)s.")
            % {"date": format_date(permitted_from), "end": format_date(application.end_date)}
        )
    locked.grant(by=by, permitted_from=permitted_from, description=comment.strip())
    locked.save_changes()
    return locked


@transaction.atomic
def early_start_refuse(*, request: EarlyStartRequest, by: User, reasons: str) -> EarlyStartRequest:
    """Refuse the early start, with the reasons the carrier reads."""
    application, locked = _locked_request(request)
    require(by, DECIDE_EARLY_START, application)
    _require_undecided(application)
    _require_open(locked)
    if not reasons.strip():
        raise DomainError(_("Give the reasons for refusing the early start."))
    locked.refuse(by=by, description=reasons.strip())
    locked.save_changes()
    return locked


def granted_early_start(application: Application) -> EarlyStartRequest | None:
    """The permission in force for ``application`` (None without one)."""
    return (
        application.early_start_requests.filter(state=EarlyStartState.GRANTED)
        .order_by("-decided_at", "-pk")
        .first()
    )
