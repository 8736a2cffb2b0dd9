"""Transitional re-exports: every permission now lives in ``grants.rules`` / ``budgets.rules``.

Remove once no module imports from here.
"""

from __future__ import annotations

from typing import Any

import rules

from budgets.rules import (
    covers,
    fsm_permission,
    has_office_role,
    is_admin,
    is_approver,
    is_case_officer,
    is_finance,
    is_office_staff,
    office_roles,
)
from grants.rules import carrier_organisation_ids, is_carrier_member, is_not_proposer_or_reviewer

__all__ = [
    "as_fsm_permission",
    "can_decide_application",
    "can_edit_application",
    "can_process_application",
    "can_view_application",
    "carrier_organisation_ids",
    "covers",
    "fsm_permission",
    "has_office_role",
    "is_admin",
    "is_approver",
    "is_carrier_member",
    "is_case_officer",
    "is_finance",
    "is_not_proposer_or_reviewer",
    "is_office_staff",
    "office_roles",
]

can_view_application = rules.permissions.permissions["grants.view_application"]
can_edit_application = rules.permissions.permissions["grants.edit_application"]
can_process_application = rules.permissions.permissions["grants.process_application"]
can_decide_application = rules.permissions.permissions["grants.decide_application"]


def as_fsm_permission(predicate: rules.Predicate) -> Any:
    def permission(instance: Any, user: Any) -> bool:
        return bool(predicate.test(user, instance))

    permission.__name__ = f"fsm_{predicate.name}"
    return permission
