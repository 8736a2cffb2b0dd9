"""Grants with their annual instalments and the versions of their financing plan (read)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from api.pagination import cursor_page
from api.v1.common import Money, PageQuery, Percent, filter_data, responses, visible_or_404
from budgets.choices import CostCategory, FinancingType
from budgets.rules import office_roles
from core.lists import filtered
from grants.applications.models import CoverKind
from grants.applications.selectors import offices_for
from grants.awards.models import GrantState
from grants.awards.selectors import (
    grant_detail_queryset,
    grant_drawdowns,
    grant_filter,
    instalment_rows,
    plan_versions,
)

router = Router(tags=["Grants"])


class GrantOut(Schema):
    id: int
    file_number: str
    application_id: int
    title: str
    state: GrantState
    state_label: str
    organisation_id: int
    organisation_name: str
    programme_id: int
    office_id: int
    fund_id: int | None
    period_start: date
    period_end: date
    financing_type: FinancingType
    granted_amount: Money
    planned_expenditure: Money
    funding_share: Percent | None
    approved_at: datetime
    final_on: date | None
    revoked_on: date | None

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return obj.organisation.name


class InstalmentRowOut(Schema):
    budget_year: int
    instalment: Money
    in_progress: Money = Field(description="Requested, certified or ordered, not yet paid")
    paid: Money
    headroom: Money = Field(description="What can still be requested for the year")


class PlanLineOut(Schema):
    id: int
    side: str
    position: int
    category: CostCategory | None
    cover_kind: CoverKind | None
    text: str
    budget_year: int
    amount: Money

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category or None

    @staticmethod
    def resolve_cover_kind(obj: Any) -> str | None:
        return obj.cover_kind or None


class PlanVersionOut(Schema):
    version: int
    created_at: datetime
    reason: str
    lines: list[PlanLineOut]


class GrantDetail(GrantOut):
    purpose: str
    posted_on: date | None
    objection_deadline: date | None
    instalments: list[InstalmentRowOut]
    plan_versions: list[PlanVersionOut]

    @staticmethod
    def resolve_instalments(obj: Any) -> Any:
        return obj.instalment_rows

    @staticmethod
    def resolve_plan_versions(obj: Any) -> Any:
        return obj.plan_version_list


class GrantPage(Schema):
    items: list[GrantOut]
    next_cursor: str | None


class GrantFilters(Schema):
    q: str | None = Field(
        None, max_length=100, description="Search in file number, reference, title, carrier"
    )
    state: GrantState | None = None
    programme: int | None = None
    office: int | None = Field(None, description="Office id and every office below it (office staff)")


def _is_staff(user: Any) -> bool:
    return bool(user.is_superuser or office_roles(user))


@router.get("/grants", response=responses(GrantPage), summary="Grants you may see")
def grant_list(request: HttpRequest, filters: Query[GrantFilters], page: Query[PageQuery]) -> Any:
    """Carriers see their organisations' grants, office staff their offices' subtrees (as on the
    grant list page, with the same filters)."""
    user: Any = request.user
    staff = _is_staff(user)
    data = filter_data(filters.dict())
    if not staff:
        data.pop("office", None)
    filterset = grant_filter(user, data, offices=offices_for(user) if staff else None)
    return cursor_page(filtered(filterset), cursor=page.cursor, limit=page.limit)


@router.get(
    "/grants/{grant_id}", response=responses(GrantDetail), summary="One grant with instalments and plan"
)
def grant_detail(request: HttpRequest, grant_id: int) -> Any:
    grant = visible_or_404(grant_detail_queryset(request.user), grant_id)
    # The grant page's reads: instalments with requested and paid, every plan version.
    grant.instalment_rows = instalment_rows(grant, grant_drawdowns(grant))  # type: ignore[attr-defined]
    grant.plan_version_list = plan_versions(grant)  # type: ignore[attr-defined]
    return grant
