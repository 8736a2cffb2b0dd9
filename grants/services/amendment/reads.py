"""Reads around amendments: every plan version, the editor's starting point, payments per year."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from ...models import Grant, PlanVersion, PlanVersionLine
from .checks import current_plan


def plan_versions(grant: Grant) -> QuerySet[PlanVersion]:
    """Every plan version of the grant, oldest first, with lines and the amendment that made it (2 queries)."""
    return (
        PlanVersion.objects.filter(grant=grant)
        .select_related("created_by", "amendment")
        .prefetch_related("lines")
        .order_by("version")
    )


def amendment_lines_from_plan(grant: Grant) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """The current plan as (lines, instalments) in the form ``amendment_create`` takes: the editor's start."""
    lines = [
        {"category": line.category, "text": line.text, "budget_year": line.budget_year, "amount": line.amount}
        if line.side == PlanVersionLine.Side.EXPENDITURE
        else {
            "cover_kind": line.cover_kind,
            "text": line.text,
            "budget_year": line.budget_year,
            "amount": line.amount,
        }
        for line in current_plan(grant).lines.all()
    ]
    return lines, {i.budget_year: i.amount for i in grant.instalments.all()}


def paid_by_year(grant: Grant) -> dict[int, Any]:
    """What was paid out per budget year (for the editor's hints)."""
    rows = grant.drawdowns.filter(state="paid").values("budget_year").annotate(total=Sum("amount")).order_by()
    return {row["budget_year"]: row["total"] for row in rows}
