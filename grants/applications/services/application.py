"""Use cases of the application workflow (Antrag → Entscheidung).

Every function is atomic: it locks the application row, checks access and rules, calls the
model's transition (which django-fsm-log records with actor and comment), saves with
``update_fields``, and schedules the e-mail to the carrier on commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from budgets.models import CoordinatingOffice, FundingProgramme
from budgets.services.commitments import commit_instalments
from core.errors import AccessDenied, DomainError
from core.formatting import format_eur
from grants.applications.models import Application, ApplicationState, CoverLine, ExpenditureLine, Instalment
from grants.applications.validation import check_application, plan_totals
from grants.awards.services.grant import grant_create_from_application
from grants.carriers.models import Organisation
from grants.predicates import carrier_organisation_ids, is_approver, is_carrier_member, is_case_officer

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
)


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("office", "programme", "organisation")
        .get(pk=application.pk)
    )


def _transition(
    application: Application,
    name: str,
    *,
    by: Any,
    comment: str = "",
    update_fields: Sequence[str] = (),
    role: rules.Predicate | None = None,
    **kwargs: Any,
) -> Application:
    """Run transition ``name`` on a freshly locked copy; the caller is inside ``atomic``."""
    locked = _locked(application)
    method = getattr(locked, name)
    if not can_proceed(method, check_conditions=False):
        raise DomainError(
            _("This step is not possible while the application is in state “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    # ``role`` narrows the check to the role when the transition itself enforces more (four
    # eyes), so the user gets the specific reason instead of a bare refusal.
    allowed = role.test(by, locked) if role is not None else has_transition_perm(method, by)
    if not allowed:
        raise AccessDenied(_("You are not allowed to perform this step on this application."))
    if not can_proceed(method):
        raise DomainError(_("The conditions for this step are not met."))
    method(by=by, description=comment, **kwargs)
    locked.save(update_fields=["state", "updated_at", *update_fields])
    _notify_carrier_on_commit(locked)
    return locked


def _notify_carrier_on_commit(application: Application) -> None:
    from grants.tasks import send_application_state_email

    application_id, state = application.pk, application.state
    transaction.on_commit(lambda: send_application_state_email.delay(application_id, state))


# --- carrier side ------------------------------------------------------------------------


def _require_carrier(application: Application, by: Any) -> None:
    if not is_carrier_member.test(by, application):
        raise AccessDenied(_("Only members of the applying organisation may change this application."))


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        raise DomainError(
            _(
                "The application can only be changed as a draft or after a revision request (current state: “%(state)s”)."
            )
            % {"state": application.get_state_display()}
        )


@transaction.atomic
def application_create(
    *,
    organisation: Organisation,
    programme: FundingProgramme,
    office: CoordinatingOffice,
    by: Any,
    title: str,
    **fields: Any,
) -> Application:
    if organisation.pk not in carrier_organisation_ids(by):
        raise AccessDenied(_("You can only apply on behalf of your own organisation."))
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
    application.full_clean(exclude=["reference", "state"])
    application.save()
    # The reference derives from the primary key, so two carriers never race for a number.
    application.reference = f"A-{timezone.localtime(application.created_at):%Y}-{application.pk:05d}"
    application.save(update_fields=["reference"])
    return application


@transaction.atomic
def application_update(*, application: Application, by: Any, **fields: Any) -> Application:
    locked = _locked(application)
    _require_carrier(locked, by)
    _require_editable(locked)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.full_clean(exclude=["reference", "state"])
    locked.save(update_fields=[*fields, "updated_at"])
    return locked


@transaction.atomic
def financing_plan_replace(
    *,
    application: Application,
    by: Any,
    expenditure: Sequence[Mapping[str, Any]],
    cover: Sequence[Mapping[str, Any]],
) -> None:
    """Replace the whole financing plan: the editor always submits all lines at once."""
    locked = _locked(application)
    _require_carrier(locked, by)
    _require_editable(locked)
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
    locked.save(update_fields=["updated_at"])


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
    *, application: Application, by: Any, comment: str = "", today: date | None = None
) -> Application:
    locked = _locked(application)
    _require_carrier(locked, by)
    errors = application_rule_check(locked, today=today)
    if errors:
        raise DomainError(errors)
    return _transition(locked, "submit", by=by, comment=comment, update_fields=["submitted_at"])


@transaction.atomic
def application_withdraw(*, application: Application, by: Any, comment: str = "") -> Application:
    return _transition(application, "withdraw", by=by, comment=comment)


# --- office side -------------------------------------------------------------------------


@transaction.atomic
def application_start_formal_check(*, application: Application, by: Any, comment: str = "") -> Application:
    return _transition(application, "start_formal_check", by=by, comment=comment)


@transaction.atomic
def application_complete_formal_check(*, application: Application, by: Any, comment: str = "") -> Application:
    return _transition(
        application, "complete_formal_check", by=by, comment=comment, update_fields=["formal_checked_by"]
    )


@transaction.atomic
def application_request_revision(*, application: Application, by: Any, comment: str) -> Application:
    if not comment.strip():
        raise DomainError(_("Please tell the carrier what needs to be revised."))
    return _transition(application, "request_revision", by=by, comment=comment)


def default_instalments(application: Application) -> dict[int, Decimal]:
    """The requested grant per budget year, as the starting point of a proposal."""
    return plan_totals(application.expenditure_lines.all(), application.cover_lines.all()).grant_by_year


@transaction.atomic
def application_propose_approval(
    *,
    application: Application,
    by: Any,
    instalments: Mapping[int, Decimal],
    comment: str = "",
) -> Application:
    locked = _locked(application)
    if not is_case_officer.test(by, locked):
        raise AccessDenied(_("You are not allowed to perform this step on this application."))
    requested = plan_totals(locked.expenditure_lines.all(), locked.cover_lines.all()).grant
    errors = _instalment_errors(locked, instalments, requested)
    if errors:
        raise DomainError(errors)
    amount = sum(instalments.values(), Decimal(0))
    locked = _transition(
        locked,
        "propose_approval",
        by=by,
        comment=comment,
        amount=amount,
        update_fields=[
            "content_reviewed_by",
            "proposed_by",
            "proposed_at",
            "proposed_amount",
            "decision_reasons",
        ],
    )
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
        if programme.max_grant_per_year is not None and value > programme.max_grant_per_year:
            errors.append(
                _("The instalment for %(year)s is %(amount)s; the programme allows at most %(max)s per year.")
                % {"year": year, "amount": format_eur(value), "max": format_eur(programme.max_grant_per_year)}
            )
    total = sum(instalments.values(), Decimal(0))
    if total <= 0:
        errors.append(_("The proposed grant must be greater than zero."))
    elif total > requested:
        errors.append(
            _("The proposed grant of %(amount)s exceeds the requested grant of %(requested)s.")
            % {"amount": format_eur(total), "requested": format_eur(requested)}
        )
    return errors


@transaction.atomic
def application_propose_rejection(
    *, application: Application, by: Any, reasons: str, comment: str = ""
) -> Application:
    if not reasons.strip():
        raise DomainError(_("A rejection needs reasons."))
    return _transition(
        application,
        "propose_rejection",
        by=by,
        comment=comment,
        reasons=reasons,
        update_fields=[
            "content_reviewed_by",
            "proposed_by",
            "proposed_at",
            "proposed_amount",
            "decision_reasons",
        ],
    )


@transaction.atomic
def application_return_proposal(*, application: Application, by: Any, comment: str) -> Application:
    if not comment.strip():
        raise DomainError(_("Please say why the proposal goes back to review."))
    return _transition(application, "return_proposal", by=by, comment=comment, role=is_approver)


@transaction.atomic
def application_approve(*, application: Application, by: Any, comment: str = "") -> Application:
    """The approval: the single seam where the budget commitment and the grant notice attach.

    Everything that approval causes happens in this transaction, so a failure in any part
    leaves no state change, no ledger row and no e-mail behind.
    """
    approved = _transition(
        application,
        "approve",
        by=by,
        comment=comment,
        update_fields=["decided_by", "decided_at"],
        role=is_approver,
    )
    grant = grant_create_from_application(application=approved, by=by)
    commit_instalments(
        office=approved.office,
        programme=approved.programme,
        instalments={i.budget_year: i.amount for i in grant.instalments.all()},
        reference=grant.file_number,
        by=by,
        comment=approved.reference,
    )
    return approved


@transaction.atomic
def application_reject(*, application: Application, by: Any, comment: str = "") -> Application:
    return _transition(
        application,
        "reject",
        by=by,
        comment=comment,
        update_fields=["decided_by", "decided_at"],
        role=is_approver,
    )


# The transitions a person can trigger from the review page, in display order, with the
# service that performs each.
TRANSITION_SERVICES = {
    "submit": application_submit,
    "start_formal_check": application_start_formal_check,
    "complete_formal_check": application_complete_formal_check,
    "request_revision": application_request_revision,
    "propose_approval": application_propose_approval,
    "propose_rejection": application_propose_rejection,
    "return_proposal": application_return_proposal,
    "approve": application_approve,
    "reject": application_reject,
    "withdraw": application_withdraw,
}

__all__ = [
    "TRANSITION_SERVICES",
    "ApplicationState",
    "application_approve",
    "application_complete_formal_check",
    "application_create",
    "application_propose_approval",
    "application_propose_rejection",
    "application_reject",
    "application_request_revision",
    "application_return_proposal",
    "application_rule_check",
    "application_start_formal_check",
    "application_submit",
    "application_update",
    "application_withdraw",
    "default_instalments",
    "financing_plan_replace",
]
