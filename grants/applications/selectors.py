"""Reads that are more than a ``get``: what a user may see, worklists, timelines."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django_fsm_log.models import StateLog

from budgets.models import CoordinatingOffice
from grants.applications.models import Application
from grants.predicates import carrier_organisation_ids, office_roles


def visibility_q(user: Any, prefix: str = "") -> Q:
    """Rows of applications (or objects reached through ``prefix``) the user may see.

    Carriers see their organisations' applications; staff see their offices' subtrees;
    superusers see everything. Anyone else sees nothing.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    q = Q(**{f"{prefix}organisation_id__in": carrier_organisation_ids(user)})
    for path in {p for p, _role in office_roles(user)}:
        q |= Q(**{f"{prefix}office__path__startswith": path})
    return q


def applications_visible_to(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(visibility_q(user)).select_related(
        "organisation", "programme", "office"
    )


def carrier_applications(user: Any) -> QuerySet[Application]:
    """The applications of the user's own organisations (the carrier's "my applications")."""
    return (
        Application.objects.filter(organisation_id__in=carrier_organisation_ids(user))
        .select_related("organisation", "programme", "office")
        .order_by("-updated_at")
    )


WORKLIST_ORDERINGS = {
    "reference": "reference",
    "-reference": "-reference",
    "title": "title",
    "-title": "-title",
    "carrier": "organisation__name",
    "-carrier": "-organisation__name",
    "submitted": "submitted_at",
    "-submitted": "-submitted_at",
    "state": "state",
    "-state": "-state",
    "office": "office__name",
    "-office": "-office__name",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def worklist(
    user: Any,
    *,
    state: str = "",
    programme_id: int | None = None,
    office_id: int | None = None,
    ordering: str = "-submitted",
) -> QuerySet[Application]:
    """Applications in the staff user's subtree, drafts excluded (they are the carrier's)."""
    paths = {p for p, _role in office_roles(user)}
    if user.is_superuser:
        qs = Application.objects.all()
    elif paths:
        q = Q()
        for path in paths:
            q |= Q(office__path__startswith=path)
        qs = Application.objects.filter(q)
    else:
        return Application.objects.none()
    qs = qs.exclude(state="draft")
    if state:
        qs = qs.filter(state=state)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if office_id:
        office = CoordinatingOffice.objects.filter(pk=office_id).only("path").first()
        qs = qs.filter(office__path__startswith=office.path) if office else qs.none()
    order = WORKLIST_ORDERINGS.get(ordering, "-submitted_at")
    return qs.select_related("organisation", "programme", "office").order_by(order, "pk")


def offices_for(user: Any) -> QuerySet[CoordinatingOffice]:
    """Offices in the staff user's subtrees (for filter drop-downs)."""
    if user.is_superuser:
        return CoordinatingOffice.objects.order_by("path")
    q = Q(pk__in=[])
    for path in {p for p, _role in office_roles(user)}:
        q |= Q(path__startswith=path)
    return CoordinatingOffice.objects.filter(q).order_by("path")


def timeline(obj: Any) -> QuerySet[StateLog]:
    """The state history of any FSM object, oldest first, with the acting users."""
    ct = ContentType.objects.get_for_model(obj)
    return (
        StateLog.objects.filter(content_type=ct, object_id=obj.pk)
        .select_related("by")
        .order_by("timestamp", "pk")
    )
