"""Which proofs of use a grant owes and when (DOMAIN.md §3.5, §3.6, §4.4)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from grants import calculations
from grants.awards.locks import lock_children
from grants.awards.models import Grant, PlanVersion, ProofKind, ProofOfUse


def interim_years(grant: Grant) -> list[int]:
    """Budget years at whose end the project is still running (period_end after 31 Dec of Y)."""
    return [
        year
        for year in range(grant.period_start.year, grant.period_end.year + 1)
        if grant.period_end > date(year, 12, 31)
    ]


@transaction.atomic
def proofs_schedule(*, grant: Grant) -> list[ProofOfUse]:
    """Create the grant's interim proofs and its final proof, idempotently; returns all of them.

    One interim proof per budget year in which the project is still running at the year's end,
    due ``interim_report_months`` after that end; the final proof due ``final_report_months``
    after the month in which the approval period ends. New proofs are measured against the
    grant's latest plan version. Called again (after an amendment changed the period or the
    plan), proofs not yet handed in get the new due date, and those without any statement line
    or receipt the latest plan version; proofs handed in stay as they are.
    """
    plan = PlanVersion.objects.filter(grant=grant).order_by("-version").first()
    if plan is None:
        raise ValueError(f"grant {grant.file_number} has no plan version")
    wanted: dict[int | None, date] = {
        year: calculations.interim_report_due(year, months=grant.interim_report_months)
        for year in interim_years(grant)
    }
    wanted[None] = calculations.final_report_due(grant.period_end, months=grant.final_report_months)
    existing = {proof.budget_year: proof for proof in lock_children(ProofOfUse.objects.filter(grant=grant))}
    for year, due_on in wanted.items():
        proof = existing.get(year)
        if proof is None:
            existing[year] = ProofOfUse.objects.create(
                grant=grant,
                kind=ProofKind.INTERIM if year is not None else ProofKind.FINAL,
                budget_year=year,
                plan=plan,
                due_on=due_on,
            )
            continue
        if proof.is_handed_in:
            continue
        proof.due_on = due_on
        if proof.plan_id != plan.pk and not proof.lines.exists() and not proof.receipts.exists():
            proof.plan = plan
        proof.save_changes()
    return sorted(existing.values(), key=lambda p: (p.due_on, p.kind != ProofKind.INTERIM))


def overdue_interim_proofs(grant: Grant, *, today: date) -> QuerySet[ProofOfUse]:
    """Interim proofs overdue on ``today`` (:meth:`ProofOfUse.is_overdue`); they block drawdowns."""
    return ProofOfUse.objects.filter(grant=grant, kind=ProofKind.INTERIM).overdue(today).order_by("due_on")
