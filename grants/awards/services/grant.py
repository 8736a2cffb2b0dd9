"""Use cases of an approved grant: creation at approval and the notice's finality."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date
from grants import calculations
from grants.applications.models import Application
from grants.applications.services.early_start import granted_early_start
from grants.awards.locks import lock_grant
from grants.awards.models import (
    FileNumberSequence,
    Grant,
    GrantInstalment,
    GrantState,
    PlanVersion,
    PlanVersionLine,
)
from grants.awards.models.grant import (
    CONCLUDE_OBJECTION,
    RECORD_NOTICE_POSTING,
    RECORD_OBJECTION,
    WAIVE_OBJECTION,
)
from grants.awards.services.dates import LODGED_ON, POSTED_ON, WAIVED_ON, require_true_date
from grants.awards.services.proof.schedule import proofs_schedule


def next_file_number(*, office_code: str, programme_code: str, year: int) -> str:
    """``SN-DL-2026-0042``: gap-free per office, programme and year (row lock on the prefix)."""
    prefix = f"{office_code}-{programme_code}-{year}"
    FileNumberSequence.objects.get_or_create(prefix=prefix)
    sequence = FileNumberSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{sequence.last_number:04d}"


def grant_create_from_application(*, application: Application, by: User) -> Grant:
    """Freeze the approved application into a grant; called inside the approval's transaction."""
    expenditure = list(application.expenditure_lines.all())
    cover = list(application.cover_lines.all())
    instalments = list(application.instalments.all())
    planned = sum((line.amount for line in expenditure), Decimal(0))
    granted = sum((i.amount for i in instalments), Decimal(0))
    programme = application.programme
    early_start = granted_early_start(application)
    assert application.start_date and application.end_date  # guaranteed by the submission rules
    grant = Grant.objects.create(
        application=application,
        file_number=next_file_number(
            office_code=application.office.code, programme_code=programme.code, year=timezone.localdate().year
        ),
        organisation=application.organisation,
        programme=programme,
        office=application.office,
        fund=application.fund,
        title=application.title,
        purpose="\n\n".join(p for p in (application.summary, application.goals) if p),
        period_start=application.start_date,
        period_end=application.end_date,
        financing_type=application.financing_type,
        granted_amount=granted,
        planned_expenditure=planned,
        funding_share=(granted / planned * 100).quantize(Decimal("0.0001")) if planned else None,
        drawdown_window_value=programme.drawdown_window_value,
        drawdown_window_unit=programme.drawdown_window_unit,
        overrun_tolerance=programme.overrun_tolerance,
        notice_receipt_days=programme.notice_receipt_days,
        interim_report_months=programme.interim_report_months,
        final_report_months=programme.final_report_months,
        payout_requires_final_notice=programme.payout_requires_final_notice,
        interest_margin_points=programme.interest_margin_points,
        late_use_interest_from_window_end=programme.late_use_interest_from_window_end,
        confidential_individual_support=programme.confidential_individual_support,
        individual_help_cap=programme.individual_help_cap,
        early_start_from=early_start.permitted_from if early_start else None,
        flat_rate_percent=programme.flat_rate_percent,
        simple_proof_threshold=programme.simple_proof_threshold,
        approved_by=by,
    )
    GrantInstalment.objects.bulk_create(
        GrantInstalment(grant=grant, budget_year=i.budget_year, amount=i.amount) for i in instalments
    )
    plan = PlanVersion.objects.create(
        grant=grant, version=1, created_by=by, reason=_("Approved financing plan")
    )
    PlanVersionLine.objects.bulk_create(
        [
            *(
                PlanVersionLine(
                    plan=plan,
                    side=PlanVersionLine.Side.EXPENDITURE,
                    position=i,
                    category=line.category,
                    text=line.description,
                    budget_year=line.budget_year,
                    amount=line.amount,
                )
                for i, line in enumerate(expenditure)
            ),
            *(
                PlanVersionLine(
                    plan=plan,
                    side=PlanVersionLine.Side.COVER,
                    position=i,
                    cover_kind=line.kind,
                    text=line.source,
                    budget_year=line.budget_year,
                    amount=line.amount,
                )
                for i, line in enumerate(cover)
            ),
        ]
    )
    proofs_schedule(grant=grant)
    return grant


def _refuse_contract(grant: Grant) -> None:
    if grant.is_forwarded_by_contract:
        raise DomainError(
            _(
                "%(grant)s was passed on by a forwarding contract: there is no notice to post and no objection."
            )
            % {"grant": grant.file_number}
        )


@transaction.atomic
def grant_notice_post(*, grant: Grant, posted_on: date, by: User) -> Grant:
    """Record that the notice was posted; derive deemed receipt and the objection period."""
    locked = lock_grant(grant.pk)
    require(by, RECORD_NOTICE_POSTING, locked)
    _refuse_contract(locked)
    if not locked.accepts_notice_posting:
        raise DomainError(_("The posting of this notice has already been recorded."))
    if posted_on < timezone.localdate(locked.approved_at):
        raise DomainError(
            _("The notice cannot have been posted before its approval on %(date)s.")
            % {"date": format_date(timezone.localdate(locked.approved_at))}
        )
    require_true_date(posted_on, what=POSTED_ON)
    locked.posted_on = posted_on
    locked.deemed_received_on = calculations.deemed_notification(posted_on, days=locked.notice_receipt_days)
    locked.objection_deadline = calculations.objection_deadline(
        locked.deemed_received_on, subdiv=locked.subdivision
    )
    locked.save_changes()
    return locked


@transaction.atomic
def grant_objection_waive(*, grant: Grant, waived_on: date, by: User) -> Grant:
    """The carrier waives its right to object (Rechtsbehelfsverzicht): final at once."""
    locked = lock_grant(grant.pk)
    require(by, WAIVE_OBJECTION, locked)
    _refuse_contract(locked)
    if not locked.is_notice_pending:
        raise DomainError(_("The notice is already final."))
    posted_on = locked.posted_on
    if not locked.accepts_objection_waiver or posted_on is None or waived_on < posted_on:
        raise DomainError(_("The right to object can only be waived after the notice was posted."))
    require_true_date(waived_on, what=WAIVED_ON)
    locked.waive_objection(by=by, waived_on=waived_on, description=_("Right to object waived"))
    locked.save_changes()
    return locked


def grants_make_final(*, today: date) -> list[str]:
    """Make every notice final whose objection period has passed; returns the file numbers.

    The notice is final on the day after the objection period ends (DOMAIN.md §3.3).
    Each grant is its own transaction, so one failure does not hold back the others.
    """
    done = []
    due = Grant.objects.filter(
        state=GrantState.NOTIFIED, objection_deadline__lt=today, objection_lodged_on__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            grant = lock_grant(pk)
            if (
                not grant.is_notice_pending
                or not grant.objection_deadline
                or grant.objection_deadline >= today
                or grant.has_objection_pending
            ):
                continue
            grant.become_final(
                final_on=grant.objection_deadline + timedelta(days=1), description=_("Objection period ended")
            )
            grant.save_changes()
            done.append(grant.file_number)
    return done


@transaction.atomic
def grant_objection_record(*, grant: Grant, lodged_on: date, by: User) -> Grant:
    """Record an objection (Widerspruch) received by the office; it suspends finality.

    Only an objection lodged by the last day of the period counts (§ 70 VwGO); a late one is
    refused here with the date the notice became final, and the notice stays final.
    """
    locked = lock_grant(grant.pk)
    require(by, RECORD_OBJECTION, locked)
    _refuse_contract(locked)
    if not locked.is_notice_pending or locked.objection_waived_on:
        raise DomainError(_("The notice is already final; an objection can no longer be recorded."))
    if not locked.posted_on or not locked.objection_deadline:
        raise DomainError(_("Please record the posting of the notice first."))
    if locked.objection_lodged_on:
        raise DomainError(
            _("An objection was already recorded on %(date)s.")
            % {"date": format_date(locked.objection_lodged_on)}
        )
    if lodged_on < locked.posted_on:
        raise DomainError(_("An objection cannot predate the posting of the notice."))
    require_true_date(lodged_on, what=LODGED_ON)
    if lodged_on > locked.objection_deadline:
        raise DomainError(
            _(
                "The objection period ended on %(deadline)s; an objection lodged on %(date)s is too late and the notice is final from %(final)s."
            )
            % {
                "deadline": format_date(locked.objection_deadline),
                "date": format_date(lodged_on),
                "final": format_date(locked.objection_deadline + timedelta(days=1)),
            }
        )
    locked.objection_lodged_on = lodged_on
    locked.save_changes()
    return locked


@transaction.atomic
def grant_objection_conclude(*, grant: Grant, final_on: date, by: User, comment: str) -> Grant:
    """The objection was withdrawn or decided and no further remedy is pending: the notice is final.

    The office records the day from which it is final (e.g. the day after the withdrawal, or
    after the period for an action against the objection decision has passed).
    """
    locked = lock_grant(grant.pk)
    require(by, CONCLUDE_OBJECTION, locked)
    if not locked.has_objection_pending:
        raise DomainError(_("There is no pending objection against this notice."))
    if not comment.strip():
        raise DomainError(_("Please state how the objection was concluded (withdrawn or decided)."))
    lodged_on = locked.objection_lodged_on
    assert lodged_on is not None
    earliest = max(lodged_on, locked.objection_deadline or lodged_on)
    if final_on <= earliest:
        raise DomainError(
            _("The notice can be final at the earliest on %(date)s.")
            % {"date": format_date(earliest + timedelta(days=1))}
        )
    locked.conclude_objection(by=by, final_on=final_on, description=comment.strip())
    locked.save_changes()
    return locked
