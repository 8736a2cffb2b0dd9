"""Who am I, and the programmes and offices every form of the site offers to every user."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.http import HttpRequest
from ninja import Query, Router, Schema

from api.pagination import cursor_page
from api.v1.common import Money, PageQuery, Percent, responses, visible_or_404
from budgets.choices import FinancingType, FundingLevel, ProgrammeFamily
from budgets.models import CoordinatingOffice, FundingProgramme, OfficeMembership
from grants.carriers.models import Organisation
from grants.rules import carrier_organisation_ids

router = Router(tags=["Programmes and offices"])


class OrganisationRef(Schema):
    id: int
    name: str


class OfficeRole(Schema):
    office_id: int
    office_name: str
    role: str


class TokenInfo(Schema):
    name: str
    scope: str
    expires_at: datetime


class Me(Schema):
    id: int
    username: str
    name: str
    organisations: list[OrganisationRef]
    office_roles: list[OfficeRole]
    token: TokenInfo | None = None


@router.get("/me", response=responses(Me), summary="The person the request acts for")
def me(request: HttpRequest) -> Any:
    user: Any = request.user
    token = getattr(request, "api_token", None)
    organisations = Organisation.objects.filter(pk__in=carrier_organisation_ids(user)).order_by("name")
    roles = (
        OfficeMembership.objects.filter(user=user).select_related("office").order_by("office__path", "role")
    )
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "organisations": [{"id": o.pk, "name": o.name} for o in organisations],
        "office_roles": [
            {"office_id": m.office_id, "office_name": m.office.name, "role": m.role} for m in roles
        ],
        "token": {"name": token.name, "scope": token.scope, "expires_at": token.expires_at}
        if token
        else None,
    }


class ProgrammeOut(Schema):
    id: int
    name: str
    code: str
    family: ProgrammeFamily
    funding_level: FundingLevel
    period_start: date
    period_end: date
    max_funding_rate: Percent
    min_own_share: Percent
    min_grant_per_year: Money
    max_grant_per_year: Money | None
    allowed_financing_types: list[FinancingType]
    max_months: int | None
    must_end_by_year_end: bool
    application_start: date | None
    application_deadline: date | None


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    next_cursor: str | None


@router.get("/programmes", response=responses(ProgrammePage), summary="Funding programmes")
def programme_list(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return cursor_page(FundingProgramme.objects.all(), cursor=page.cursor, limit=page.limit)


@router.get("/programmes/{programme_id}", response=responses(ProgrammeOut), summary="One funding programme")
def programme_detail(request: HttpRequest, programme_id: int) -> Any:
    return visible_or_404(FundingProgramme.objects.all(), programme_id)


class OfficeOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    state: str
    depth: int
    parent_id: int | None


class OfficePage(Schema):
    items: list[OfficeOut]
    next_cursor: str | None


def offices() -> Any:
    """Every office with its parent's id, in one query (the parent is the path minus one step)."""
    parent = CoordinatingOffice.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - CoordinatingOffice.steplen)
    ).values("pk")[:1]
    return CoordinatingOffice.objects.annotate(parent_id=Subquery(parent))


@router.get(
    "/offices", response=responses(OfficePage), summary="Coordinating offices (federal, state, local)"
)
def office_list(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return cursor_page(offices(), cursor=page.cursor, limit=page.limit)


@router.get("/offices/{office_id}", response=responses(OfficeOut), summary="One coordinating office")
def office_detail(request: HttpRequest, office_id: int) -> Any:
    return visible_or_404(offices(), office_id)
