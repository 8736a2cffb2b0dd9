"""Who holds which role where: the one membership cache and the office-role predicates.

A staff role in an office covers that office and every office below it, so a check is a prefix
test on the office's materialised path. Each user's memberships are read once per user object
(one query per request) and every predicate of every app reads this cache; ``grants.rules``
builds its named permissions on these predicates.

Objects are duck-typed: an office itself (it has ``path``), or anything with an ``office``, or
anything that belongs to a grant or an application (``obj.grant.office``,
``obj.application.office``). Predicates never import models of the apps above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import and_
from typing import Any

import rules
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from budgets.choices import StaffRole
from budgets.models import OfficeMembership
from core.errors import AccessDenied

# --- the membership cache ------------------------------------------------------------------


def office_roles(user: Any) -> list[tuple[str, str]]:
    """(office path, role) pairs of a staff user, read once per user object."""
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


def covers(user: Any, office_path: str, roles: tuple[str, ...] | None = None) -> bool:
    """The user holds one of ``roles`` (any role when None) in this office or one above it."""
    return any(
        office_path.startswith(path) and (roles is None or role in roles) for path, role in office_roles(user)
    )


def _outermost(paths: set[str]) -> list[str]:
    """Drop paths that lie inside another one, so subtree filters do not overlap."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def role_paths(user: Any, roles: tuple[str, ...] | None = None) -> list[str] | None:
    """Subtree roots where the user holds one of ``roles``; None means every office (superuser).

    For selectors that filter lists to what a user may see; single objects go through the
    named permissions.
    """
    if getattr(user, "is_superuser", False):
        return None
    return _outermost({path for path, role in office_roles(user) if roles is None or role in roles})


def office_path_of(obj: Any) -> str | None:
    """The materialised path of the office responsible for ``obj``."""
    if obj is None:
        return None
    path = getattr(obj, "path", None)
    if isinstance(path, str):
        return path
    for via in (
        "office",
        "grant",
        "application",
        "reclaim",
        "proof",
        "drawdown",
        "run",
        "committee",
        "session",
        "item",
    ):
        inner = getattr(obj, via, None)
        if inner is not None and inner is not obj:
            return office_path_of(inner)
    return None


# --- predicates ----------------------------------------------------------------------------


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_office_staff(user: Any, obj: Any) -> bool:
    """Any role in the object's office or above it."""
    path = office_path_of(obj)
    return path is not None and covers(user, path)


def has_office_role(*roles: str) -> rules.Predicate:
    @rules.predicate(name=f"has_office_role({','.join(roles)})")
    def predicate(user: Any, obj: Any) -> bool:
        path = office_path_of(obj)
        return path is not None and covers(user, path, roles)

    return predicate


def holds_role_anywhere(*roles: str) -> rules.Predicate:
    """For pages without an object (a dashboard, an import form): the role in some office."""

    @rules.predicate(name=f"holds_role_anywhere({','.join(roles)})")
    def predicate(user: Any) -> bool:
        return any(role in roles for _path, role in office_roles(user))

    return predicate


is_case_officer = has_office_role(StaffRole.CASE_OFFICER)
is_approver = has_office_role(StaffRole.APPROVER)
is_finance = has_office_role(StaffRole.FINANCE)
is_auditor = has_office_role(StaffRole.AUDITOR)

# Finance staff and office heads (approvers) use the dashboard; auditors read everything.
DASHBOARD_ROLES = (StaffRole.FINANCE, StaffRole.APPROVER, StaffRole.AUDITOR)
MANAGE_ROLES = (StaffRole.FINANCE,)


# --- named permissions with the sentence a refusal shows -------------------------------------


@dataclass(frozen=True)
class Check:
    """One part of a permission, with the sentence shown when this part refuses."""

    predicate: rules.Predicate | Callable[..., bool]
    refusal: str | Promise


PERMISSIONS: dict[str, tuple[Check, ...]] = {}


def add_permission(name: str, *checks: Check) -> None:
    """Register ``name`` as the conjunction of ``checks`` (in the order a refusal is explained)."""
    predicates = [
        c.predicate if isinstance(c.predicate, rules.Predicate) else rules.predicate(c.predicate)
        for c in checks
    ]
    PERMISSIONS[name] = checks
    rules.add_perm(name, reduce(and_, predicates))


def allowed(user: Any, name: str, obj: Any = None) -> bool:
    """The rule itself, without Django's superuser shortcut: an admin gets no decision by default."""
    return bool(rules.has_perm(name, user, obj))


def refusal(user: Any, name: str, obj: Any = None) -> str:
    """The sentence of the first part of ``name`` that refuses ``user`` (empty when allowed)."""
    for check in PERMISSIONS.get(name, ()):
        predicate = (
            check.predicate
            if isinstance(check.predicate, rules.Predicate)
            else rules.predicate(check.predicate)
        )
        if not predicate.test(user, obj):
            return str(check.refusal)
    return "" if allowed(user, name, obj) else str(_("You are not allowed to perform this step."))


def require(user: Any, name: str, obj: Any = None) -> None:
    """Raise :class:`AccessDenied` with the specific reason unless ``user`` has ``name`` on ``obj``."""
    if not allowed(user, name, obj):
        error = AccessDenied(refusal(user, name, obj))
        error.rule = name
        raise error


def fsm_permission(name: str) -> Callable[[Any, Any], bool]:
    """django-fsm calls ``permission(instance, user)``; the named rule takes ``(user, obj)``."""

    def permission(instance: Any, user: Any) -> bool:
        return allowed(user, name, instance)

    permission.__name__ = f"fsm_{name.replace('.', '_')}"
    permission.__qualname__ = permission.__name__
    return permission


# --- budgets' own permissions --------------------------------------------------------------

add_permission(
    "budgets.view_dashboard",
    Check(
        is_admin | holds_role_anywhere(*DASHBOARD_ROLES),
        _("Only finance staff, approvers and auditors can see budget figures."),
    ),
)
add_permission(
    "budgets.view_office_budget",
    Check(
        is_admin | has_office_role(*DASHBOARD_ROLES),
        _("Only staff with a budget role in this office or above it can see its budget."),
    ),
)
add_permission(
    "budgets.import_envelopes",
    Check(
        is_admin | holds_role_anywhere(*MANAGE_ROLES), _("Only finance staff may import budget envelopes.")
    ),
)
add_permission(
    "budgets.manage_office_budget",
    Check(
        is_admin | has_office_role(*MANAGE_ROLES),
        _("Only finance staff of this office or an office above it may change its budget."),
    ),
)


# --- who gets in (accounts asks these names; it may not import budgets) ----------------------

# Staff who decide or pay (approvers, finance, administrators) log in with a second factor
# when settings.TWO_FACTOR_REQUIRED is on (production); everyone else may choose to.
SECOND_FACTOR_ROLES = (StaffRole.APPROVER, StaffRole.FINANCE)
rules.add_rule("accounts.second_factor_required", is_admin | holds_role_anywhere(*SECOND_FACTOR_ROLES))
add_permission(
    "accounts.view_security_log",
    Check(
        is_admin | holds_role_anywhere(StaffRole.AUDITOR),
        _("Only auditors and administrators can see the security log."),
    ),
)
