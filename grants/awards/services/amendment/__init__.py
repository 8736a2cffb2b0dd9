"""Amendments (Änderungsantrag → Änderungsbescheid, DOMAIN.md §3.9): use cases, rules, reads."""

from grants.awards.services.amendment.checks import (
    Assessment,
    amendment_assessment,
    amendment_check,
    current_plan,
)
from grants.awards.services.amendment.reads import (
    BudgetEffect,
    YearEffect,
    amendment_budget_effect,
    amendment_lines_from_plan,
    amendment_start_refusal,
    paid_by_year,
    plan_versions,
)
from grants.awards.services.amendment.use_cases import (
    amendment_approve,
    amendment_create,
    amendment_propose,
    amendment_reject,
    amendment_submit,
    amendment_update,
    amendment_withdraw,
)

__all__ = [
    "Assessment",
    "BudgetEffect",
    "YearEffect",
    "amendment_approve",
    "amendment_assessment",
    "amendment_budget_effect",
    "amendment_check",
    "amendment_create",
    "amendment_lines_from_plan",
    "amendment_propose",
    "amendment_reject",
    "amendment_start_refusal",
    "amendment_submit",
    "amendment_update",
    "amendment_withdraw",
    "current_plan",
    "paid_by_year",
    "plan_versions",
]
