"""Who manages which webhook endpoints (django-rules; autodiscovered as ``webhooks.rules``).

An endpoint belongs to a carrier organisation or to an office. Carrier members manage their
organisation's endpoints; staff of an office (or of an office above it) manage the office's
(auditors may look, not change). Carrier membership is read through ``user.organisations``, the
relation grants declares on the user: webhooks sits below grants and imports none of it, and
the view layer need not pass anything in, so every caller (pages, admin, API) asks the same name.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_lazy as _

from budgets.choices import StaffRole
from budgets.rules import Check, add_permission, covers, office_path_of

MANAGE_ENDPOINT = "webhooks.manage_endpoint"
VIEW_ENDPOINT = "webhooks.view_endpoint"

MANAGE_ROLES = (StaffRole.CASE_OFFICER, StaffRole.APPROVER, StaffRole.FINANCE)
VIEW_ROLES = (*MANAGE_ROLES, StaffRole.AUDITOR)


def carrier_organisation_ids(user: Any) -> set[int]:
    """The organisations the user belongs to as a carrier member, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_webhook_org_ids_cache", None)
    if cached is None:
        cached = set(user.organisations.values_list("pk", flat=True))
        user._webhook_org_ids_cache = cached
    return cached


def _endpoint(obj: Any) -> Any:
    """An endpoint, or what belongs to one (a delivery)."""
    return getattr(obj, "endpoint", None) or obj


@rules.predicate
def is_owning_carrier_member(user: Any, obj: Any) -> bool:
    organisation_id = getattr(_endpoint(obj), "organisation_id", None)
    return organisation_id is not None and organisation_id in carrier_organisation_ids(user)


def _office_staff(*roles: str) -> rules.Predicate:
    @rules.predicate(name=f"owning_office_staff({','.join(roles)})")
    def predicate(user: Any, obj: Any) -> bool:
        endpoint = _endpoint(obj)
        if getattr(endpoint, "office_id", None) is None:
            return False
        path = office_path_of(endpoint.office)
        return path is not None and covers(user, path, roles)

    return predicate


add_permission(
    MANAGE_ENDPOINT,
    Check(
        is_owning_carrier_member | _office_staff(*MANAGE_ROLES),
        _(
            "Only members of the organisation, or staff of the office or an office above it, may manage its webhooks."
        ),
    ),
)
add_permission(
    VIEW_ENDPOINT,
    Check(
        is_owning_carrier_member | _office_staff(*VIEW_ROLES),
        _(
            "Only members of the organisation, or staff of the office or an office above it, may see its webhooks."
        ),
    ),
)
