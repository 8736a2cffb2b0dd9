"""Who may see and change budgets: the budgets-side equivalent of ``grants.predicates``.

A staff role in an office covers the office and everything below it (a prefix test on the
materialised path). Budgets may not import grants, so this small module stands on its own.
"""

from __future__ import annotations

from typing import Any

from budgets.choices import StaffRole
from budgets.models import CoordinatingOffice, OfficeMembership

# Finance staff and office heads (approvers) use the dashboard; auditors read everything.
DASHBOARD_ROLES = (StaffRole.FINANCE, StaffRole.APPROVER, StaffRole.AUDITOR)
MANAGE_ROLES = (StaffRole.FINANCE,)


def _memberships(user: Any) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_budget_roles_cache", None)
    if cached is None:
        cached = list(OfficeMembership.objects.filter(user=user).values_list("office__path", "role"))
        user._budget_roles_cache = cached
    return cached


def _outermost(paths: set[str]) -> list[str]:
    """Drop paths that lie inside another one, so subtree filters do not overlap."""
    ordered = sorted(paths)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def role_paths(user: Any, roles: tuple[str, ...]) -> list[str] | None:
    """Subtree roots the user holds one of ``roles`` in; None means every office (superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    return _outermost({path for path, role in _memberships(user) if role in roles})


def dashboard_paths(user: Any) -> list[str] | None:
    return role_paths(user, DASHBOARD_ROLES)


def can_see_budget(user: Any, office: CoordinatingOffice) -> bool:
    paths = dashboard_paths(user)
    return paths is None or any(office.path.startswith(p) for p in paths)


def can_manage_budget(user: Any, office: CoordinatingOffice) -> bool:
    paths = role_paths(user, MANAGE_ROLES)
    return paths is None or any(office.path.startswith(p) for p in paths)


def may_use_dashboard(user: Any) -> bool:
    paths = dashboard_paths(user)
    return paths is None or bool(paths)


def may_import_envelopes(user: Any) -> bool:
    paths = role_paths(user, MANAGE_ROLES)
    return paths is None or bool(paths)
