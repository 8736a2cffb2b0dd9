"""Amendments (Änderungsantrag → Änderungsbescheid, DOMAIN.md §3.9).

The carrier proposes the complete new plan (expenditure and cover lines per budget year,
annual instalments, optionally a later end of the approval period); a case officer proposes
approval and a *different* person with the approver role decides. Approval writes a new
``PlanVersion`` (earlier versions are never changed), replaces the instalments, updates the
grant and moves the budget commitments by ledger entries, all in one transaction: an
amendment that does not fit the budget fails like an approval does and writes nothing.

An amendment that is not needed is refused at submission (a ``DomainError``, not a warning):
when every expenditure line stays within the overrun tolerance of §4.1 and nothing else
changes, the carrier may deviate without approval (Nr. 1.2 ANBest-P), and an amendment would
only cost the office a four-eyes procedure. ``amendment_assessment`` tells the editor so
before the carrier submits.

A higher total than the current maximum must be asked for explicitly
(``amendment_submit(..., asks_for_increase=True)``); the increase then needs budget at approval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from budgets.choices import StaffRole
from budgets.services.commitments import commit_instalments, decommit
from core.errors import AccessDenied, DomainError
from grants.awards.models import (
    Amendment,
    AmendmentInstalment,
    AmendmentLine,
    Grant,
    GrantInstalment,
    PlanVersion,
    PlanVersionLine,
)
from grants.awards.services.amendment.checks import (
    amendment_assessment,
    amendment_check,
    normalise_instalments,
    normalise_lines,
)
from grants.awards.services.proof.schedule import proofs_schedule
from grants.predicates import carrier_organisation_ids, covers

AMENDABLE_GRANT_STATES = ("notified", "final", "running")
OPEN_AMENDMENT_STATES = ("draft", "submitted", "proposed")
_UNSET: Any = object()


# --- helpers ------------------------------------------------------------------------------


def _lock_grant(grant_id: int) -> Grant:
    return (
        Grant.objects.select_for_update(of=("self",))
        .select_related("office", "programme", "organisation")
        .get(pk=grant_id)
    )


def _locked(amendment: Amendment) -> Amendment:
    return (
        Amendment.objects.select_for_update(of=("self",))
        .select_related("grant__office", "grant__programme", "grant__organisation")
        .get(pk=amendment.pk)
    )


def _require_carrier(grant: Grant, by: Any) -> None:
    if grant.organisation_id not in carrier_organisation_ids(by):
        raise AccessDenied(_("Only the grant recipient can apply for an amendment."))


def _require_role(grant: Grant, by: Any, role: str, message: str) -> None:
    if not covers(by, grant.office.path, (role,)):
        raise AccessDenied(message)
    if grant.organisation_id in carrier_organisation_ids(by):
        raise AccessDenied(_("Nobody may decide on an amendment for their own organisation."))


def _require_step(amendment: Amendment, name: str) -> None:
    if not can_proceed(getattr(amendment, name), check_conditions=False):
        raise DomainError(
            _("This step is not possible while the amendment is in state “%(state)s”.")
            % {"state": amendment.get_state_display()}
        )


def _require_amendable(grant: Grant) -> None:
    if grant.state not in AMENDABLE_GRANT_STATES:
        raise DomainError(
            _("An amendment is not possible while the grant is in state “%(state)s”.")
            % {"state": grant.get_state_display()}
        )


def _write_plan(amendment: Amendment, lines: list[dict[str, Any]], instalments: dict[int, Any]) -> None:
    amendment.lines.all().delete()
    amendment.instalments.all().delete()
    positions: dict[str, int] = {}
    rows = []
    for line in lines:
        position = positions.get(line["side"], 0)
        positions[line["side"]] = position + 1
        rows.append(AmendmentLine(amendment=amendment, position=position, **line))
    AmendmentLine.objects.bulk_create(rows)
    AmendmentInstalment.objects.bulk_create(
        AmendmentInstalment(amendment=amendment, budget_year=year, amount=amount)
        for year, amount in sorted(instalments.items())
        if amount
    )


# --- carrier side -------------------------------------------------------------------------


@transaction.atomic
def amendment_create(
    *,
    grant: Grant,
    by: Any,
    reason: str,
    lines: Sequence[Mapping[str, Any]],
    instalments: Mapping[int, Any],
    new_period_end: date | None = None,
) -> Amendment:
    """A draft amendment holding the complete proposed plan; numbered per grant (1, 2, …)."""
    locked = _lock_grant(grant.pk)
    _require_carrier(locked, by)
    _require_amendable(locked)
    open_one = locked.amendments.filter(state__in=OPEN_AMENDMENT_STATES).order_by("number").first()
    if open_one is not None:
        raise DomainError(
            _(
                "Amendment %(number)s of this grant is still open; withdraw it or wait for its decision before starting another."
            )
            % {"number": open_one.number}
        )
    normal_lines, normal_instalments = normalise_lines(lines), normalise_instalments(instalments)
    number = (locked.amendments.aggregate(last=Max("number"))["last"] or 0) + 1
    amendment = Amendment.objects.create(
        grant=locked, number=number, reason=reason, new_period_end=new_period_end, created_by=by
    )
    _write_plan(amendment, normal_lines, normal_instalments)
    return amendment


@transaction.atomic
def amendment_update(
    *,
    amendment: Amendment,
    by: Any,
    reason: str | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    instalments: Mapping[int, Any] | None = None,
    new_period_end: date | None = _UNSET,
) -> Amendment:
    """Change a draft; ``lines`` and ``instalments`` replace the whole proposed plan when given."""
    locked = _locked(amendment)
    _require_carrier(locked.grant, by)
    if locked.state != "draft":
        raise DomainError(_("An amendment can only be changed as a draft."))
    fields = []
    if reason is not None:
        locked.reason = reason
        fields.append("reason")
    if new_period_end is not _UNSET:
        locked.new_period_end = new_period_end
        fields.append("new_period_end")
    if fields:
        locked.save(update_fields=fields)
    if lines is not None or instalments is not None:
        current_lines = [
            {k: getattr(line, k) for k in ("side", "category", "cover_kind", "text", "budget_year", "amount")}
            for line in locked.lines.all()
        ]
        _write_plan(
            locked,
            normalise_lines(lines if lines is not None else current_lines),
            normalise_instalments(
                instalments
                if instalments is not None
                else {i.budget_year: i.amount for i in locked.instalments.all()}
            ),
        )
    return locked


@transaction.atomic
def amendment_submit(
    *,
    amendment: Amendment,
    by: Any,
    comment: str = "",
    asks_for_increase: bool = False,
    today: date | None = None,
) -> Amendment:
    """Hand the amendment in; every rule is checked and a needless amendment is refused."""
    locked = _locked(amendment)
    grant = locked.grant
    _require_carrier(grant, by)
    _require_step(locked, "submit")
    _require_amendable(grant)
    errors = amendment_check(
        locked, today=today or timezone.localdate(), increase_confirmed=asks_for_increase
    )
    if errors:
        raise DomainError(errors)
    assessment = amendment_assessment(locked)
    if not assessment.required:
        raise DomainError(assessment.message)
    locked.submit(by=by, description=comment)
    locked.save(update_fields=["state", "submitted_at"])
    return locked


@transaction.atomic
def amendment_withdraw(*, amendment: Amendment, by: Any, comment: str = "") -> Amendment:
    locked = _locked(amendment)
    _require_carrier(locked.grant, by)
    _require_step(locked, "withdraw")
    locked.withdraw(by=by, description=comment)
    locked.save(update_fields=["state"])
    return locked


# --- office side --------------------------------------------------------------------------


@transaction.atomic
def amendment_propose(*, amendment: Amendment, by: Any, comment: str = "") -> Amendment:
    """The case officer proposes approval after checking the amendment."""
    locked = _locked(amendment)
    grant = locked.grant
    _require_role(
        grant,
        by,
        StaffRole.CASE_OFFICER,
        _("Only a case officer of the granting office can propose to approve an amendment."),
    )
    _require_step(locked, "propose")
    _require_amendable(grant)
    errors = amendment_check(locked, today=None, increase_confirmed=True)
    if errors:
        raise DomainError(errors)
    locked.propose(by=by, description=comment)
    locked.save(update_fields=["state", "proposed_by"])
    return locked


@transaction.atomic
def amendment_approve(*, amendment: Amendment, by: Any, comment: str = "") -> Amendment:
    """The amendment notice: new plan version, instalments, grant figures and ledger entries, or nothing."""
    grant = _lock_grant(amendment.grant_id)  # the grant first, as drawdown requests lock it
    locked = _locked(amendment)
    locked.grant = grant
    _require_role(
        grant, by, StaffRole.APPROVER, _("Only an approver of the granting office can approve an amendment.")
    )
    _require_step(locked, "approve")
    _require_amendable(grant)
    errors = amendment_check(locked, today=None, increase_confirmed=True)
    if errors:
        raise DomainError(errors)
    locked.approve(by=by, description=comment)  # four eyes: refuses the person who proposed it

    lines = list(locked.lines.all())
    new_instalments = {i.budget_year: i.amount for i in locked.instalments.all()}
    old_instalments = {i.budget_year: i.amount for i in grant.instalments.all()}
    _move_commitments(grant, locked, old_instalments, new_instalments, by=by)

    version = (grant.plan_versions.aggregate(last=Max("version"))["last"] or 0) + 1
    plan = PlanVersion.objects.create(grant=grant, version=version, created_by=by, reason=locked.reason[:300])
    PlanVersionLine.objects.bulk_create(
        PlanVersionLine(
            plan=plan,
            side=line.side,
            position=line.position,
            category=line.category,
            cover_kind=line.cover_kind,
            text=line.text,
            budget_year=line.budget_year,
            amount=line.amount,
        )
        for line in lines
    )
    grant.instalments.all().delete()
    GrantInstalment.objects.bulk_create(
        GrantInstalment(grant=grant, budget_year=year, amount=amount)
        for year, amount in sorted(new_instalments.items())
    )
    _update_grant(grant, locked, lines, new_instalments)
    locked.resulting_plan = plan
    locked.save(update_fields=["state", "decided_by", "decided_at", "resulting_plan"])
    return locked


def _move_commitments(
    grant: Grant, amendment: Amendment, old: dict[int, Any], new: dict[int, Any], *, by: Any
) -> None:
    """Commit the increase per budget year and release the decrease; a shortfall refuses everything."""
    comment = _("Amendment %(number)s") % {"number": amendment.number}
    zero = Decimal(0)
    increases = {y: new[y] - old.get(y, zero) for y in new if new[y] > old.get(y, zero)}
    decreases = {y: old[y] - new.get(y, zero) for y in old if old[y] > new.get(y, zero)}
    if increases:
        commit_instalments(
            office=grant.office,
            programme=grant.programme,
            instalments=increases,
            reference=grant.file_number,
            by=by,
            comment=comment,
        )
    if decreases:
        decommit(reference=grant.file_number, by=by, amounts=decreases, comment=comment)


def _update_grant(grant: Grant, amendment: Amendment, lines: list[AmendmentLine], instalments: dict) -> None:
    planned = sum(
        (line.amount for line in lines if line.side == AmendmentLine.Side.EXPENDITURE), start=Decimal(0)
    )
    granted = sum(instalments.values(), start=Decimal(0))
    fields = ["granted_amount", "planned_expenditure", "funding_share"]
    grant.granted_amount = granted
    grant.planned_expenditure = planned
    # The share is computed as at the grant's creation; for share financing it is the binding figure.
    grant.funding_share = (granted / planned * 100).quantize(Decimal("0.0001")) if planned else None
    if amendment.new_period_end and amendment.new_period_end != grant.period_end:
        grant.period_end = amendment.new_period_end
        fields.append("period_end")
    grant.save(update_fields=fields)
    # Proofs not yet handed in follow the new period and plan; a longer period may owe a new
    # interim proof (DOMAIN.md §3.5, §4.4).
    proofs_schedule(grant=grant)


@transaction.atomic
def amendment_reject(*, amendment: Amendment, by: Any, reasons: str) -> Amendment:
    """Refuse the amendment (approver); the approved plan stays as it is."""
    locked = _locked(amendment)
    _require_role(
        locked.grant,
        by,
        StaffRole.APPROVER,
        _("Only an approver of the granting office can reject an amendment."),
    )
    if not reasons.strip():
        raise DomainError(_("A rejection needs reasons."))
    _require_step(locked, "reject")
    locked.reject(by=by, description=reasons)
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    return locked


__all__ = [
    "AMENDABLE_GRANT_STATES",
    "amendment_approve",
    "amendment_create",
    "amendment_propose",
    "amendment_reject",
    "amendment_submit",
    "amendment_update",
    "amendment_withdraw",
]
