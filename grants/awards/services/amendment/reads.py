"""Reads around amendments: every plan version, the editor's starting point, payments per year."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from grants.awards.models import Grant, PlanVersionLine
from grants.awards.selectors import plan_versions
from grants.awards.services.amendment.checks import current_plan

__all__ = ["amendment_lines_from_plan", "paid_by_year", "plan_versions"]


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
