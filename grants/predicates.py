"""Object-permission predicates (django-rules) for carriers and office staff.

A staff role in an office covers that office and every office below it, so a check is a
prefix test on the office's materialised path. Each user's memberships are loaded once and
cached on the user object, so checking many predicates costs one query per request.
"""

from __future__ import annotations

from typing import Any

import rules

from budgets.choices import StaffRole
from budgets.models import OfficeMembership


def office_roles(user: Any) -> list[tuple[str, str]]:
    """(office path, role) pairs of a staff user, cached on the user instance."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_office_roles_cache", None)
    if cached is None:
        cached = list(
            OfficeMembership.objects.filter(user=user)
            .values_list("office__path", "role")
            .order_by("office__path")
        )
        user._office_roles_cache = cached
    return cached


def carrier_organisation_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_carrier_org_ids_cache", None)
    if cached is None:
        cached = set(user.organisations.values_list("pk", flat=True))
        user._carrier_org_ids_cache = cached
    return cached


def covers(user: Any, office_path: str, roles: tuple[str, ...] | None = None) -> bool:
    return any(
        office_path.startswith(path) and (roles is None or role in roles) for path, role in office_roles(user)
    )


def has_office_role(*roles: str) -> rules.Predicate:
    @rules.predicate(name=f"has_office_role({','.join(roles)})")
    def predicate(user: Any, obj: Any) -> bool:
        return obj is not None and covers(user, obj.office.path, roles)

    return predicate


@rules.predicate
def is_office_staff(user: Any, obj: Any) -> bool:
    return obj is not None and covers(user, obj.office.path)


@rules.predicate
def is_carrier_member(user: Any, obj: Any) -> bool:
    return obj is not None and obj.organisation_id in carrier_organisation_ids(user)


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_not_proposer_or_reviewer(user: Any, obj: Any) -> bool:
    """Four-eyes principle: who decides did not propose and did not review the content."""
    return obj is not None and user.pk not in {obj.proposed_by_id, obj.content_reviewed_by_id}


is_case_officer = has_office_role(StaffRole.CASE_OFFICER)
is_approver = has_office_role(StaffRole.APPROVER)
is_finance = has_office_role(StaffRole.FINANCE)

can_view_application = is_carrier_member | is_office_staff | is_admin
can_edit_application = is_carrier_member
can_process_application = is_case_officer
can_decide_application = is_approver & is_not_proposer_or_reviewer


def as_fsm_permission(predicate: rules.Predicate) -> Any:
    """django-fsm calls ``permission(instance, user)``; rules predicates take ``(user, obj)``."""

    def permission(instance: Any, user: Any) -> bool:
        return bool(predicate.test(user, instance))

    permission.__name__ = f"fsm_{predicate.name}"
    return permission
