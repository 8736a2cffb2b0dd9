"""Use cases of an approved grant: creation at approval and the notice's finality."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from core.errors import AccessDenied, DomainError
from core.formatting import format_date
from grants import calculations
from grants.applications.models import Application
from grants.awards.models import FileNumberSequence, Grant, GrantInstalment, PlanVersion, PlanVersionLine
from grants.awards.services._locks import locked_grant
from grants.awards.services.proof.schedule import proofs_schedule
from grants.predicates import carrier_organisation_ids, covers


def next_file_number(*, office_code: str, programme_code: str, year: int) -> str:
    """``SN-DL-2026-0042``: gap-free per office, programme and year (row lock on the prefix)."""
    prefix = f"{office_code}-{programme_code}-{year}"
    FileNumberSequence.objects.get_or_create(prefix=prefix)
    sequence = FileNumberSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{sequence.last_number:04d}"


def grant_create_from_application(*, application: Application, by: Any) -> Grant:
    """Freeze the approved application into a grant; called inside the approval's transaction."""
    expenditure = list(application.expenditure_lines.all())
    cover = list(application.cover_lines.all())
    instalments = list(application.instalments.all())
    planned = sum((line.amount for line in expenditure), Decimal(0))
    granted = sum((i.amount for i in instalments), Decimal(0))
    programme = application.programme
    assert application.start_date and application.end_date  # guaranteed by the submission rules
    grant = Grant.objects.create(
        application=application,
        file_number=next_file_number(
            office_code=application.office.code, programme_code=programme.code, year=timezone.localdate().year
        ),
        organisation=application.organisation,
        programme=programme,
        office=application.office,
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


def _locked(grant: Grant) -> Grant:
    return locked_grant(grant.pk)


@transaction.atomic
def grant_notice_post(*, grant: Grant, posted_on: date, by: Any) -> Grant:
    """Record that the notice was posted; derive deemed receipt and the objection period."""
    locked = _locked(grant)
    if not covers(by, locked.office.path):
        raise AccessDenied(_("Only staff of the granting office may record the posting of the notice."))
    if locked.state != "notified" or locked.posted_on:
        raise DomainError(_("The posting of this notice has already been recorded."))
    if posted_on < timezone.localdate(locked.approved_at):
        raise DomainError(
            _("The notice cannot have been posted before its approval on %(date)s.")
            % {"date": format_date(timezone.localdate(locked.approved_at))}
        )
    locked.posted_on = posted_on
    locked.deemed_received_on = calculations.deemed_notification(posted_on, days=locked.notice_receipt_days)
    locked.objection_deadline = calculations.objection_deadline(
        locked.deemed_received_on, subdiv=locked.subdivision
    )
    locked.save(update_fields=["posted_on", "deemed_received_on", "objection_deadline"])
    return locked


@transaction.atomic
def grant_objection_waive(*, grant: Grant, waived_on: date, by: Any) -> Grant:
    """The carrier waives its right to object (Rechtsbehelfsverzicht): final at once."""
    locked = _locked(grant)
    if locked.organisation_id not in carrier_organisation_ids(by):
        raise AccessDenied(_("Only the grant recipient can waive the right to object."))
    if locked.state != "notified":
        raise DomainError(_("The notice is already final."))
    if not locked.posted_on or waived_on < locked.posted_on:
        raise DomainError(_("The right to object can only be waived after the notice was posted."))
    locked.objection_waived_on = waived_on
    locked.become_final(by=by, final_on=waived_on, description=_("Right to object waived"))
    locked.save(update_fields=["state", "objection_waived_on", "final_on"])
    return locked


def grants_make_final(*, today: date) -> list[str]:
    """Make every notice final whose objection period has passed; returns the file numbers.

    The notice is final on the day after the objection period ends (DOMAIN.md §3.3).
    Each grant is its own transaction, so one failure does not hold back the others.
    """
    done = []
    due = Grant.objects.filter(
        state="notified", objection_deadline__lt=today, objection_lodged_on__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            grant = Grant.objects.select_for_update().get(pk=pk)
            if (
                grant.state != "notified"
                or not grant.objection_deadline
                or grant.objection_deadline >= today
                or grant.objection_lodged_on
            ):
                continue
            grant.become_final(
                final_on=grant.objection_deadline + timedelta(days=1), description=_("Objection period ended")
            )
            grant.save(update_fields=["state", "final_on"])
            done.append(grant.file_number)
    return done


@transaction.atomic
def grant_objection_record(*, grant: Grant, lodged_on: date, by: Any) -> Grant:
    """Record an objection (Widerspruch) received by the office; it suspends finality.

    Only an objection lodged by the last day of the period counts (§ 70 VwGO); a late one is
    refused here with the date the notice became final, and the notice stays final.
    """
    locked = _locked(grant)
    if not covers(by, locked.office.path):
        raise AccessDenied(_("Only staff of the granting office may record an objection."))
    if locked.state != "notified" or locked.objection_waived_on:
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
    locked.save(update_fields=["objection_lodged_on"])
    return locked


@transaction.atomic
def grant_objection_conclude(*, grant: Grant, final_on: date, by: Any, comment: str) -> Grant:
    """The objection was withdrawn or decided and no further remedy is pending: the notice is final.

    The office records the day from which it is final (e.g. the day after the withdrawal, or
    after the period for an action against the objection decision has passed).
    """
    locked = _locked(grant)
    if not covers(by, locked.office.path, (StaffRole.CASE_OFFICER, StaffRole.APPROVER)):
        raise AccessDenied(
            _("Only case officers or approvers of the granting office may conclude an objection.")
        )
    if locked.state != "notified" or not locked.objection_lodged_on:
        raise DomainError(_("There is no pending objection against this notice."))
    if not comment.strip():
        raise DomainError(_("Please state how the objection was concluded (withdrawn or decided)."))
    earliest = max(locked.objection_lodged_on, locked.objection_deadline or locked.objection_lodged_on)
    if final_on <= earliest:
        raise DomainError(
            _("The notice can be final at the earliest on %(date)s.")
            % {"date": format_date(earliest + timedelta(days=1))}
        )
    locked.become_final(by=by, final_on=final_on, description=comment.strip())
    locked.save(update_fields=["state", "final_on"])
    return locked
