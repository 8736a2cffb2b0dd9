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
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.rules import require
from budgets.services.commitments import commit_instalments, decommit
from core.errors import DomainError
from grants.awards.locks import lock_child, lock_grant
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
from grants.awards.services.amendment.reads import (
    BudgetEffect,
    amendment_budget_effect,
    amendment_start_refusal,
)
from grants.awards.services.proof.schedule import proofs_schedule

if TYPE_CHECKING:
    from accounts.models import User

_UNSET: Any = object()


def _locked(amendment: Amendment) -> tuple[Grant, Amendment]:
    """The grant first, then the amendment (the one lock order, ``grants.awards.locks``)."""
    return lock_child(Amendment, amendment.pk)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise DomainError(message)


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


def _checked(amendment: Amendment, *, today: date | None, increase_confirmed: bool) -> None:
    grant = amendment.grant
    _refuse_unless(
        grant.is_amendable,
        _("An amendment is not possible while the grant is in state “%(state)s”.")
        % {"state": grant.get_state_display()},
    )
    errors = amendment_check(amendment, today=today, increase_confirmed=increase_confirmed)
    if errors:
        raise DomainError(errors)


# --- carrier side -------------------------------------------------------------------------


@transaction.atomic
def amendment_create(
    *,
    grant: Grant,
    by: User,
    reason: str,
    lines: Sequence[Mapping[str, Any]],
    instalments: Mapping[int, Any],
    new_period_end: date | None = None,
) -> Amendment:
    """A draft amendment holding the complete proposed plan; numbered per grant (1, 2, …)."""
    locked = lock_grant(grant.pk)
    require(by, "grants.request_amendment", locked)
    refusal = amendment_start_refusal(locked)
    _refuse_unless(not refusal, refusal)
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
    by: User,
    reason: str | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    instalments: Mapping[int, Any] | None = None,
    new_period_end: date | None = _UNSET,
) -> Amendment:
    """Change a draft; ``lines`` and ``instalments`` replace the whole proposed plan when given."""
    _grant, locked = _locked(amendment)
    require(by, "grants.request_amendment", locked)
    _refuse_unless(locked.is_draft, _("An amendment can only be changed as a draft."))
    if reason is not None:
        locked.reason = reason
    if new_period_end is not _UNSET:
        locked.new_period_end = new_period_end
    if lines is not None or instalments is not None:
        current_lines = [
            {k: v for k, v in line.plan_fields().items() if k != "position"} for line in locked.lines.all()
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
    locked.save_changes()
    return locked


@transaction.atomic
def amendment_submit(
    *,
    amendment: Amendment,
    by: User,
    comment: str = "",
    asks_for_increase: bool = False,
    today: date | None = None,
) -> Amendment:
    """Hand the amendment in; every rule is checked and a needless amendment is refused."""
    _grant, locked = _locked(amendment)
    require(by, "grants.request_amendment", locked)
    _refuse_unless(locked.is_draft, locked.wrong_state())
    _checked(locked, today=today or timezone.localdate(), increase_confirmed=asks_for_increase)
    assessment = amendment_assessment(locked)
    _refuse_unless(assessment.required, assessment.message)
    locked.submit(by=by, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def amendment_withdraw(*, amendment: Amendment, by: User, comment: str = "") -> Amendment:
    _grant, locked = _locked(amendment)
    require(by, "grants.request_amendment", locked)
    _refuse_unless(locked.is_open, locked.wrong_state())
    locked.withdraw(by=by, description=comment)
    locked.save_changes()
    return locked


# --- office side --------------------------------------------------------------------------


@transaction.atomic
def amendment_propose(*, amendment: Amendment, by: User, comment: str = "") -> Amendment:
    """The case officer proposes approval after checking the amendment."""
    _grant, locked = _locked(amendment)
    require(by, "grants.propose_amendment", locked)
    _refuse_unless(locked.awaits_proposal, locked.wrong_state())
    _checked(locked, today=None, increase_confirmed=True)
    locked.propose(by=by, description=comment)
    locked.save_changes()
    return locked


@transaction.atomic
def amendment_approve(*, amendment: Amendment, by: User, comment: str = "") -> Amendment:
    """The amendment notice: new plan version, instalments, grant figures and ledger entries, or nothing.

    The budget effect is the same read the amendment page shows; an increase that does not fit
    refuses the approval before anything is written.
    """
    grant, locked = _locked(amendment)
    require(by, "grants.decide_amendment", locked)
    _refuse_unless(locked.awaits_decision, locked.wrong_state())
    _checked(locked, today=None, increase_confirmed=True)
    effect = amendment_budget_effect(locked)
    if not effect.fits:
        raise DomainError(effect.problems)
    locked.approve(by=by, description=comment)

    lines = list(locked.lines.all())
    new_instalments = {i.budget_year: i.amount for i in locked.instalments.all()}
    _move_commitments(grant, locked, effect, by=by)

    version = (grant.plan_versions.aggregate(last=Max("version"))["last"] or 0) + 1
    plan = PlanVersion.objects.create(grant=grant, version=version, created_by=by, reason=locked.reason[:300])
    PlanVersionLine.objects.bulk_create(PlanVersionLine(plan=plan, **line.plan_fields()) for line in lines)
    grant.instalments.all().delete()
    GrantInstalment.objects.bulk_create(
        GrantInstalment(grant=grant, budget_year=year, amount=amount)
        for year, amount in sorted(new_instalments.items())
    )
    _update_grant(grant, locked, lines, new_instalments)
    locked.resulting_plan = plan
    locked.save_changes()
    return locked


def _move_commitments(grant: Grant, amendment: Amendment, effect: BudgetEffect, *, by: User) -> None:
    """Commit the increase per budget year and release the decrease; a shortfall refuses everything.

    ``commit_instalments`` checks again under the envelope locks: the preview read them without.
    """
    comment = _("Amendment %(number)s") % {"number": amendment.number}
    if effect.increases:
        commit_instalments(
            office=grant.office,
            programme=grant.programme,
            instalments=effect.increases,
            reference=grant.file_number,
            by=by,
            comment=comment,
        )
    if effect.decreases:
        decommit(reference=grant.file_number, by=by, amounts=effect.decreases, comment=comment)


def _update_grant(grant: Grant, amendment: Amendment, lines: list[AmendmentLine], instalments: dict) -> None:
    planned = sum(
        (line.amount for line in lines if line.side == AmendmentLine.Side.EXPENDITURE), start=Decimal(0)
    )
    granted = sum(instalments.values(), start=Decimal(0))
    grant.granted_amount = granted
    grant.planned_expenditure = planned
    # The share is computed as at the grant's creation; for share financing it is the binding figure.
    grant.funding_share = (granted / planned * 100).quantize(Decimal("0.0001")) if planned else None
    if amendment.new_period_end and amendment.new_period_end != grant.period_end:
        grant.period_end = amendment.new_period_end
    grant.save_changes()
    # Proofs not yet handed in follow the new period and plan; a longer period may owe a new
    # interim proof (DOMAIN.md §3.5, §4.4).
    proofs_schedule(grant=grant)


@transaction.atomic
def amendment_reject(*, amendment: Amendment, by: User, reasons: str) -> Amendment:
    """Refuse the amendment (approver); the approved plan stays as it is."""
    _grant, locked = _locked(amendment)
    require(by, "grants.decide_amendment", locked)
    _refuse_unless(bool(reasons.strip()), _("A rejection needs reasons."))
    _refuse_unless(locked.is_rejectable, locked.wrong_state())
    locked.reject(by=by, description=reasons)
    locked.save_changes()
    return locked


__all__ = [
    "amendment_approve",
    "amendment_create",
    "amendment_propose",
    "amendment_reject",
    "amendment_submit",
    "amendment_update",
    "amendment_withdraw",
]
