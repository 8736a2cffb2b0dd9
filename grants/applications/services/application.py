"""Use cases of the application workflow (Antrag → Entscheidung), except the approval itself.

Every function is atomic: it locks the application row, asks the named rule that guards the step
(``grants.rules``; the state machine names it), calls the model's transition (which
django-fsm-log records with actor and comment), saves the changed fields, and schedules the
e-mail to the carrier on commit. The approval creates the grant and commits the budget, so it
lives with the grants: ``grants.awards.services.award.application_approve``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from budgets.models import CoordinatingOffice, FundingProgramme
from budgets.rules import require
from budgets.selectors import programme_reachable
from budgets.services.commitments import funding_shares_replace, share_problems
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.models import (
    Application,
    ApplicationState,
    CoverLine,
    ExpenditureLine,
    Instalment,
    Recommendation,
)
from grants.applications.selectors import budget_available
from grants.applications.services.correspondence import record_revision_request, record_submission
from grants.applications.validation import check_application, plan_totals
from grants.carriers.models import Organisation
from webhooks.events import EventType
from webhooks.outbox import emit

if TYPE_CHECKING:
    from accounts.models import User

EDITABLE_FIELDS = (
    "title",
    "summary",
    "goals",
    "target_groups",
    "region",
    "start_date",
    "end_date",
    "financing_type",
    "programme",
    "office",
    "fund",
)


def lock_application(application: Application) -> Application:
    """A fresh copy of the row under ``SELECT … FOR UPDATE``; the caller is inside ``atomic``."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("office", "programme", "organisation")
        .get(pk=application.pk)
    )


def begin_step(application: Application, name: str, *, by: User) -> Application:
    """Lock the row, then refuse a step the state does not allow or the rule does not grant.

    The state comes first: a step that is impossible now is impossible for everyone.
    """
    locked = lock_application(application)
    method = getattr(locked, name)
    if not can_proceed(method, check_conditions=False):
        raise DomainError(
            _("This step is not possible while the application is in state “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    require(by, locked.rule_for(name), locked)
    if not can_proceed(method):
        raise DomainError(_("The conditions for this step are not met."))
    return locked


def finish_step(locked: Application, name: str, *, by: User, comment: str = "", **kwargs: Any) -> Application:
    """Run transition ``name`` on a row from :func:`begin_step`, save what it changed, notify."""
    previous = locked.state
    getattr(locked, name)(by=by, description=comment, **kwargs)
    save_touched(locked)
    _notify_carrier_on_commit(locked)
    _announce_state_change(locked, previous)
    return locked


def save_touched(application: Application) -> None:
    """Save what changed and move ``updated_at`` (``auto_now`` only moves when it is saved)."""
    application.updated_at = timezone.now()
    application.save_changes()


def _step(application: Application, name: str, *, by: User, comment: str = "", **kwargs: Any) -> Application:
    locked = begin_step(application, name, by=by)
    return finish_step(locked, name, by=by, comment=comment, **kwargs)


def _announce_state_change(application: Application, previous: str) -> None:
    """Webhooks (issue 13): the event is written to the outbox in this step's transaction."""
    emit(
        EventType.APPLICATION_STATE_CHANGED,
        subject=application,
        payload={
            "application_id": application.pk,
            "reference": application.reference,
            "previous_state": previous,
            "state": application.state,
            "organisation_id": application.organisation_id,
            "office_id": application.office_id,
            "programme_id": application.programme_id,
            "fund_id": application.fund_id,
        },
        organisation_id=application.organisation_id,
        office_path=application.office.path,
    )


def _notify_carrier_on_commit(application: Application) -> None:
    from grants.applications.tasks import send_application_state_email

    application_id, state = application.pk, application.state
    transaction.on_commit(lambda: send_application_state_email.delay(application_id, state))


# --- carrier side ------------------------------------------------------------------------


def require_editable(application: Application) -> None:
    if not application.is_editable:
        raise DomainError(
            _(
                "The application can only be changed as a draft or after a revision request (current state: “%(state)s”)."
            )
            % {"state": application.get_state_display()}
        )


def lock_for_editing(application: Application, *, by: User) -> Application:
    """The locked row, if ``by`` may change it (carrier member) and it is editable now."""
    locked = lock_application(application)
    require(by, "grants.edit_application", locked)
    require_editable(locked)
    return locked


@transaction.atomic
def application_create(
    *,
    organisation: Organisation,
    programme: FundingProgramme,
    office: CoordinatingOffice,
    by: User,
    title: str,
    **fields: Any,
) -> Application:
    require(by, "grants.create_application", organisation)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    application = Application(
        organisation=organisation,
        programme=programme,
        office=office,
        title=title,
        created_by=by,
        reference=f"tmp-{timezone.now().timestamp()}",
        **fields,
    )
    check_fund_address(application)
    check_programme_reachable(application)
    application.full_clean(exclude=["reference", "state"])
    application.save()
    # The reference derives from the primary key, so two carriers never race for a number.
    application.reference = f"A-{timezone.localtime(application.created_at):%Y}-{application.pk:05d}"
    application.save(update_fields=["reference"])
    return application


@transaction.atomic
def application_update(*, application: Application, by: User, **fields: Any) -> Application:
    locked = lock_for_editing(application, by=by)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    readdressed = any(getattr(locked, key) != fields[key] for key in ("office", "programme") if key in fields)
    for key, value in fields.items():
        setattr(locked, key, value)
    check_fund_address(locked)
    if readdressed:
        check_programme_reachable(locked)
    locked.full_clean(exclude=["reference", "state"])
    save_touched(locked)
    return locked


@transaction.atomic
def financing_plan_replace(
    *,
    application: Application,
    by: User,
    expenditure: Sequence[Mapping[str, Any]],
    cover: Sequence[Mapping[str, Any]],
) -> None:
    """Replace the whole financing plan: the editor always submits all lines at once."""
    locked = lock_for_editing(application, by=by)
    for line in [*expenditure, *cover]:
        if Decimal(line["amount"]) < 0:
            raise DomainError(_("Amounts in the financing plan must not be negative."))
    locked.expenditure_lines.all().delete()
    locked.cover_lines.all().delete()
    ExpenditureLine.objects.bulk_create(
        ExpenditureLine(application=locked, position=i, **line) for i, line in enumerate(expenditure)
    )
    CoverLine.objects.bulk_create(
        CoverLine(application=locked, position=i, **line) for i, line in enumerate(cover)
    )
    save_touched(locked)


def check_programme_reachable(application: Application) -> None:
    """An office that neither holds nor sits below an envelope of the programme can never approve
    the application: refuse it when it is addressed, not at the approver's click."""
    if application.fund_id is not None or programme_reachable(application.office, application.programme):
        return
    raise DomainError(
        _(
            "%(office)s and the offices above it hold no budget for %(programme)s, so an application there could never be approved; choose the office responsible for this programme."
        )
        % {"office": application.office.name, "programme": application.programme.name}
    )


def check_fund_address(application: Application) -> None:
    """A micro-project goes to its fund's office under its fund's programme, and to an open fund."""
    fund = application.fund
    if fund is None:
        return
    if (
        application.office_id != fund.envelope.office_id
        or application.programme_id != fund.envelope.programme_id
    ):
        raise DomainError(
            _("The fund “%(fund)s” is kept by %(office)s under %(programme)s; address the application there.")
            % {"fund": fund.name, "office": fund.office.name, "programme": fund.programme.name}
        )


@transaction.atomic
def application_record_recommendation(
    *, application: Application, recommendation: str, on: date, by: User
) -> Application:
    """Write a committee's vote onto a micro-project; called by ``grants.chain`` when a session
    closes (which checks ``grants.manage_committee``). The lead office then decides on it."""
    locked = lock_application(application)
    if not locked.is_micro_project:
        raise DomainError(_("Only a micro-project application is decided on a committee's recommendation."))
    if locked.state != ApplicationState.CONTENT_REVIEW:
        raise DomainError(
            _("A committee decides only on applications in content review (current state: “%(state)s”).")
            % {"state": locked.get_state_display()}
        )
    locked.record_recommendation(Recommendation(recommendation), on=on)
    save_touched(locked)
    return locked


def application_rule_check(application: Application, *, today: date | None = None) -> list[str]:
    """The broken programme rules of a saved application (empty when it may be submitted)."""
    if today is None:
        # A resubmission after a revision request keeps the date of the first submission.
        today = (
            timezone.localdate(application.submitted_at) if application.submitted_at else timezone.localdate()
        )
    return check_application(
        application,
        expenditure=list(application.expenditure_lines.all()),
        cover=list(application.cover_lines.all()),
        today=today,
    )


@transaction.atomic
def application_submit(
    *, application: Application, by: User, comment: str = "", today: date | None = None
) -> Application:
    locked = begin_step(application, "submit", by=by)
    errors = application_rule_check(locked, today=today)
    if errors:
        raise DomainError(errors)
    finish_step(locked, "submit", by=by, comment=comment)
    # The version handed in, frozen for the case file; a resubmission answers the revision request.
    record_submission(application=locked, by=by, comment=comment)
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, by: User, comment: str = "") -> Application:
    return _step(application, "withdraw", by=by, comment=comment)


# --- office side -------------------------------------------------------------------------


@transaction.atomic
def application_start_formal_check(*, application: Application, by: User, comment: str = "") -> Application:
    return _step(application, "start_formal_check", by=by, comment=comment)


@transaction.atomic
def application_complete_formal_check(
    *, application: Application, by: User, comment: str = ""
) -> Application:
    return _step(application, "complete_formal_check", by=by, comment=comment)


@transaction.atomic
def application_request_revision(
    *, application: Application, by: User, comment: str, due_on: date | None = None
) -> Application:
    """Nachforderung: the comment and the day the answer is due go to the thread of the case."""
    if not comment.strip():
        raise DomainError(_("Please tell the carrier what needs to be revised."))
    locked = _step(application, "request_revision", by=by, comment=comment)
    record_revision_request(application=locked, by=by, comment=comment, due_on=due_on)
    return locked


def default_instalments(application: Application) -> dict[int, Decimal]:
    """The requested grant per budget year, as the starting point of a proposal."""
    return plan_totals(application.expenditure_lines.all(), application.cover_lines.all()).grant_by_year


def budget_refusals(
    *,
    application: Application,
    instalments: Mapping[int, Decimal],
    shares: Mapping[str, Decimal] | None = None,
) -> list[str]:
    """Why the budget cannot carry ``instalments``: a shortfall in a matching envelope.

    A year without a matching envelope does not stop a proposal (the budget may not be
    allocated yet); the approval needs one (see ``application_approve``).
    """
    return [
        row.problem
        for row in budget_available(application=application, instalments=instalments, shares=shares)
        if not row.fits and not row.missing_envelope
    ]


@transaction.atomic
def application_propose_approval(
    *,
    application: Application,
    by: User,
    instalments: Mapping[int, Decimal],
    comment: str = "",
    shares: Mapping[str, Decimal] | None = None,
) -> Application:
    """Propose the annual instalments, and with ``shares`` (amount per funding source, adding up
    to the instalments) the grant's split across several funders (DOMAIN.md §8); the approval
    commits each source's part against its own envelope. No shares: the programme's funding
    level carries the grant, and an earlier split is dropped."""
    locked = begin_step(application, "propose_approval", by=by)
    if locked.is_micro_project and locked.recommendation != Recommendation.ADOPTED:
        raise DomainError(
            _(
                "A micro-project is approved only on its committee's recommendation; the committee has not recommended this application."
            )
        )
    requested = plan_totals(locked.expenditure_lines.all(), locked.cover_lines.all()).grant
    shares = {source: Decimal(value) for source, value in (shares or {}).items() if value}
    amount = sum(instalments.values(), Decimal(0))
    errors = _instalment_errors(locked, instalments, requested)
    if shares and not errors:
        errors = share_problems(shares, total=amount)
    if not errors:
        errors = budget_refusals(application=locked, instalments=instalments, shares=shares)
    if errors:
        raise DomainError(errors)
    funding_shares_replace(reference=locked.reference, shares=shares)
    locked = finish_step(locked, "propose_approval", by=by, comment=comment, amount=amount)
    locked.instalments.all().delete()
    Instalment.objects.bulk_create(
        Instalment(application=locked, budget_year=year, amount=value)
        for year, value in sorted(instalments.items())
        if value
    )
    return locked


def _instalment_errors(
    application: Application, instalments: Mapping[int, Decimal], requested: Decimal
) -> list[str]:
    errors = []
    start, end = application.start_date, application.end_date
    programme = application.programme
    for year, value in sorted(instalments.items()):
        if value < 0:
            errors.append(_("The instalment for %(year)s must not be negative.") % {"year": year})
        if start and end and not start.year <= year <= end.year:
            errors.append(_("The budget year %(year)s lies outside the project period.") % {"year": year})
        if (
            application.fund is None
            and programme.max_grant_per_year is not None
            and value > programme.max_grant_per_year
        ):
            errors.append(
                _("The instalment for %(year)s is %(amount)s; the programme allows at most %(max)s per year.")
                % {"year": year, "amount": format_eur(value), "max": format_eur(programme.max_grant_per_year)}
            )
    total = sum(instalments.values(), Decimal(0))
    if total <= 0:
        errors.append(_("The proposed grant must be greater than zero."))
    elif application.fund is not None and total > application.fund.max_per_measure:
        errors.append(
            _("The proposed grant of %(amount)s exceeds the fund's maximum of %(max)s per micro-project.")
            % {"amount": format_eur(total), "max": format_eur(application.fund.max_per_measure)}
        )
    elif total > requested:
        errors.append(
            _("The proposed grant of %(amount)s exceeds the requested grant of %(requested)s.")
            % {"amount": format_eur(total), "requested": format_eur(requested)}
        )
    return errors


@transaction.atomic
def application_propose_rejection(
    *, application: Application, by: User, reasons: str, comment: str = ""
) -> Application:
    if not reasons.strip():
        raise DomainError(_("A rejection needs reasons."))
    return _step(application, "propose_rejection", by=by, comment=comment, reasons=reasons)


@transaction.atomic
def application_return_proposal(*, application: Application, by: User, comment: str) -> Application:
    if not comment.strip():
        raise DomainError(_("Please say why the proposal goes back to review."))
    return _step(application, "return_proposal", by=by, comment=comment)


@transaction.atomic
def application_reject(*, application: Application, by: User, comment: str = "") -> Application:
    return _step(application, "reject", by=by, comment=comment)


# The steps of the pre-award workflow with the service that performs each, in display order.
# The approval (``approve``) creates the grant and is performed by
# ``grants.awards.services.award.application_approve``; ``WORKFLOW_SERVICES`` there lists all.
TRANSITION_SERVICES: dict[str, Callable[..., Application]] = {
    "submit": application_submit,
    "start_formal_check": application_start_formal_check,
    "complete_formal_check": application_complete_formal_check,
    "request_revision": application_request_revision,
    "propose_approval": application_propose_approval,
    "propose_rejection": application_propose_rejection,
    "return_proposal": application_return_proposal,
    "reject": application_reject,
    "withdraw": application_withdraw,
}

__all__ = [
    "TRANSITION_SERVICES",
    "ApplicationState",
    "application_complete_formal_check",
    "application_create",
    "application_propose_approval",
    "application_propose_rejection",
    "application_record_recommendation",
    "application_reject",
    "application_request_revision",
    "application_return_proposal",
    "application_rule_check",
    "application_start_formal_check",
    "application_submit",
    "application_update",
    "application_withdraw",
    "begin_step",
    "budget_refusals",
    "check_fund_address",
    "default_instalments",
    "financing_plan_replace",
    "finish_step",
    "lock_application",
    "lock_for_editing",
]
