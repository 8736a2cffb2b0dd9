"""Ledger entries and rollups per office, programme, year and funding source (budget staff).

The budget dashboard's rules: finance staff, approvers and auditors (``budgets.view_dashboard``)
see the offices where they hold such a role and everything below; an office named in a filter
must be one of them (``budgets.view_office_budget``). Rollups count a euro once
(``count_once``), as the dashboard, the budget report and the rollup export do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from api.pagination import cursor_page
from api.v1.common import Money, PageQuery, Year, responses
from budgets.choices import FundingLevel, LedgerKind
from budgets.models import CoordinatingOffice, LedgerEntry
from budgets.rules import DASHBOARD_ROLES, require, role_paths
from budgets.selectors import rollup, subtree_q

router = Router(tags=["Budgets"])

RollupGroup = Literal["office", "programme", "year", "source"]


class BudgetFilters(Schema):
    office: int | None = Field(None, description="Office id: the office and every office below it")
    programme: int | None = None
    year: Year | None = None
    source: FundingLevel | None = None


def _paths(request: HttpRequest, office_id: int | None) -> list[str] | None:
    """The subtrees to read: the named office (if the user may see its budget) or all of theirs."""
    user: Any = request.user
    require(user, "budgets.view_dashboard")
    if office_id is None:
        return role_paths(user, DASHBOARD_ROLES)
    office = CoordinatingOffice.objects.filter(pk=office_id).first()
    if office is None:
        raise Http404
    require(user, "budgets.view_office_budget", office)
    return [office.path]


class LedgerEntryOut(Schema):
    id: int
    envelope_id: int
    office_id: int
    programme_id: int
    budget_title: str
    funding_source: FundingLevel
    budget_year: int
    kind: LedgerKind
    amount: Money = Field(description="Signed change of the figure the kind feeds")
    reference: str = Field(description="The grant's file number (empty for budget bookings)")
    created_at: datetime
    comment: str

    @staticmethod
    def resolve_office_id(obj: LedgerEntry) -> int:
        return obj.envelope.office_id

    @staticmethod
    def resolve_programme_id(obj: LedgerEntry) -> int:
        return obj.envelope.programme_id

    @staticmethod
    def resolve_budget_title(obj: LedgerEntry) -> str:
        return obj.envelope.budget_title

    @staticmethod
    def resolve_funding_source(obj: LedgerEntry) -> str:
        return obj.envelope.funding_source


class LedgerPage(Schema):
    items: list[LedgerEntryOut]
    next_cursor: str | None


class LedgerFilters(BudgetFilters):
    kind: LedgerKind | None = None
    reference: str | None = Field(None, max_length=40, description="A grant's file number")


@router.get("/ledger-entries", response=responses(LedgerPage), summary="Budget ledger entries (append-only)")
def ledger_list(request: HttpRequest, filters: Query[LedgerFilters], page: Query[PageQuery]) -> Any:
    paths = _paths(request, filters.office)
    qs = LedgerEntry.objects.select_related("envelope")
    if paths is not None:
        qs = qs.filter(subtree_q(paths))
    if filters.programme is not None:
        qs = qs.filter(envelope__programme_id=filters.programme)
    if filters.year is not None:
        qs = qs.filter(budget_year=filters.year)
    if filters.source:
        qs = qs.filter(envelope__funding_source=filters.source)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.reference:
        qs = qs.filter(reference=filters.reference)
    return cursor_page(qs, cursor=page.cursor, limit=page.limit)


class RollupQuery(BudgetFilters):
    group_by: list[RollupGroup] = Field(
        default=["office", "programme", "year", "source"], description="Dimensions to group by"
    )


class RollupRow(Schema):
    office_id: int | None
    programme_id: int | None
    year: int | None
    source: FundingLevel | None
    allocated: Money
    carry_over: Money
    reinforcements: Money
    blocked: Money
    budget: Money = Field(description="allocated + carry-over + reinforcements − blocked")
    committed: Money
    available: Money = Field(description="budget − committed")
    disbursed: Money
    open: Money = Field(description="committed − disbursed")
    proven: Money
    reclaimed: Money
    repaid: Money


class Rollup(Schema):
    group_by: list[RollupGroup]
    rows: list[RollupRow]


FIGURES = (
    "allocated",
    "carry_over",
    "reinforcements",
    "blocked",
    "budget",
    "committed",
    "available",
    "disbursed",
    "open",
    "proven",
    "reclaimed",
    "repaid",
)


@router.get("/rollups", response=responses(Rollup), summary="Budget figures rolled up (each euro once)")
def rollup_view(request: HttpRequest, query: Query[RollupQuery]) -> Any:
    paths = _paths(request, query.office)
    group_by = list(dict.fromkeys(query.group_by))
    rows = rollup(
        paths=paths,
        group_by=group_by,
        year=query.year,
        programme=query.programme,
        source=query.source or None,
        count_once=True,
    )
    return {
        "group_by": group_by,
        "rows": [
            {
                "office_id": row.keys.get("office"),
                "programme_id": row.keys.get("programme"),
                "year": row.keys.get("year"),
                "source": row.keys.get("source"),
                **{name: getattr(row, name) for name in FIGURES},
            }
            for row in rows
        ],
    }
