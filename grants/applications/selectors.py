"""Reads that are more than a ``get``: what a user may see, worklists, timelines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django_fsm_log.models import StateLog

from budgets.models import BudgetEnvelope, CoordinatingOffice
from budgets.rules import office_roles
from budgets.services.commitments import commitment_lines, funding_shares, source_label
from core.lists import filtered
from grants.applications.filters import WorklistFilter
from grants.applications.models import Application, ApplicationState
from grants.rules import carrier_organisation_ids


def visibility_q(user: Any, prefix: str = "") -> Q:
    """Rows of applications (or objects reached through ``prefix``) the user may see.

    Carriers see their organisations' applications; staff see their offices' subtrees;
    superusers see everything. Anyone else sees nothing. For applications themselves use
    :func:`application_visibility_q`, which also keeps carriers' unsubmitted drafts from staff.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    q = Q(**{f"{prefix}organisation_id__in": carrier_organisation_ids(user)})
    for path in {p for p, _role in office_roles(user)}:
        q |= Q(**{f"{prefix}office__path__startswith": path})
    return q


def application_visibility_q(user: Any) -> Q:
    """The rule ``grants.view_application`` as a filter: carriers see their organisations'
    applications, staff their offices' subtrees once handed in (``submitted_at`` set), superusers
    everything."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    staff = Q(pk__in=[])
    for path in {p for p, _role in office_roles(user)}:
        staff |= Q(office__path__startswith=path)
    return Q(organisation_id__in=carrier_organisation_ids(user)) | (staff & Q(submitted_at__isnull=False))


def applications_visible_to(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(application_visibility_q(user)).select_related(
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


def worklist_queryset(user: Any) -> QuerySet[Application]:
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
    return qs.exclude(state=ApplicationState.DRAFT).select_related("organisation", "programme", "office")


def worklist_filter(user: Any, data: Any) -> WorklistFilter:
    """The worklist narrowed by the person's filters and search (django-filter)."""
    return WorklistFilter(data or None, queryset=worklist_queryset(user), offices=offices_for(user))


def worklist(
    user: Any,
    *,
    state: str = "",
    programme_id: int | None = None,
    office_id: int | None = None,
    search: str = "",
    ordering: str = "-submitted",
) -> QuerySet[Application]:
    """The worklist for code that filters by value (the page passes the request's GET to
    :func:`worklist_filter`); the same FilterSet does the filtering."""
    data = {"state": state, "programme": programme_id or "", "office": office_id or "", "q": search}
    filterset = worklist_filter(user, {k: v for k, v in data.items() if v})
    qs = filtered(filterset)
    order = WORKLIST_ORDERINGS.get(ordering, "-submitted_at")
    return qs.order_by(order, "pk")


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


# --- the budget before a proposal or an approval -----------------------------------------------


@dataclass(frozen=True)
class YearBudget:
    """One budget year (and funding source) of a proposal: what the matching envelope has left
    and what is asked."""

    year: int
    requested: Decimal
    envelope: BudgetEnvelope | None
    available: Decimal | None
    problem: str = ""  # why this year cannot be committed; empty when it can
    funding_source: str = ""

    @property
    def fits(self) -> bool:
        return not self.problem

    @property
    def missing_envelope(self) -> bool:
        return self.envelope is None

    @property
    def source_label(self) -> str:
        return source_label(self.funding_source) if self.funding_source else ""


def budget_available(
    *,
    application: Application,
    instalments: Mapping[int, Decimal],
    shares: Mapping[str, Decimal] | None = None,
) -> list[YearBudget]:
    """Per budget year and funding source: the envelope the approval would commit against, its
    available money and the amount asked, with the sentence that refuses the line (the
    approval's own wording).

    The lines are ``budgets.services.commitments.commitment_lines``, the plan the approval books:
    with funding shares set for the application (DOMAIN.md §8) each year is split across them.
    The proposal and approval pages show this; the proposal and approval services call it before
    they write, so page and service cannot disagree. The approval's ledger posting checks again
    under the envelope lock, so a concurrent approval cannot overcommit.
    """
    return [
        YearBudget(line.year, line.amount, line.envelope, line.available, line.problem, line.funding_source)
        for line in commitment_lines(
            office=application.office,
            programme=application.programme,
            instalments=instalments,
            fund=application.fund,
            shares=funding_shares(application.reference) if shares is None else shares,
        )
    ]


def proposed_instalments(application: Application) -> dict[int, Decimal]:
    """The annual instalments of the approval proposal, as the approver decides on them."""
    return {i.budget_year: i.amount for i in application.instalments.all()}


def approval_budget(application: Application) -> list[YearBudget]:
    """What approving ``application`` would commit per year, against what is available.

    The approval step shows it; ``grants.awards.services.award.application_approve`` refuses
    with its sentences before it writes.
    """
    return budget_available(application=application, instalments=proposed_instalments(application))
