"""Amendments (Änderungsantrag → Änderungsbescheid, DOMAIN.md §3.9): use cases, rules, reads."""

from grants.awards.services.amendment.checks import (
    Assessment,
    amendment_assessment,
    amendment_check,
    current_plan,
)
from grants.awards.services.amendment.reads import (
    AmendmentPreview,
    BudgetEffect,
    CompareRow,
    YearEffect,
    amendment_budget_effect,
    amendment_lines_from_plan,
    amendment_preview,
    amendment_start_refusal,
    instalment_comparison,
    paid_by_year,
    plan_comparison,
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
    "AmendmentPreview",
    "Assessment",
    "BudgetEffect",
    "CompareRow",
    "YearEffect",
    "amendment_approve",
    "amendment_assessment",
    "amendment_budget_effect",
    "amendment_check",
    "amendment_create",
    "amendment_lines_from_plan",
    "amendment_preview",
    "amendment_propose",
    "amendment_reject",
    "amendment_start_refusal",
    "amendment_submit",
    "amendment_update",
    "amendment_withdraw",
    "current_plan",
    "instalment_comparison",
    "paid_by_year",
    "plan_comparison",
    "plan_versions",
]
