"""Pages of the chain: the rollup of money passed on (DOMAIN.md §7, docs/chain.md).

Office staff drill down from their offices (the programme, by the filter) to each first
recipient with its grant and funds, to each fund, to each micro-project. Every figure counts a
euro once per level; staff see only their offices' subtrees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from budgets.forms import DashboardFilterForm
from budgets.models import CoordinatingOffice, Fund
from budgets.rules import allowed, role_paths
from budgets.selectors import Figures, chain_table
from grants.applications.views.common import AuthenticatedRequest
from grants.awards.views.common import require_rule
from grants.chain.selectors import first_recipients_of, fund_line, funds_at, micro_projects_booked


def _filters(request: AuthenticatedRequest) -> tuple[DashboardFilterForm, dict[str, Any], str]:
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    query = "&".join(f"{k}={v}" for k, v in request.GET.items() if v)
    return form, filters, query


def _breadcrumbs(user: Any, office: CoordinatingOffice) -> list[CoordinatingOffice]:
    ancestors = CoordinatingOffice.objects.get_ancestors(office)
    return [a for a in ancestors if allowed(user, "grants.view_fund", a)]


@login_required
def passed_on_overview(request: AuthenticatedRequest) -> HttpResponse:
    """The user's top offices, each with its subtree's money passed on."""
    visible = role_paths(request.user)
    if visible is not None and not visible:
        raise PermissionDenied(_("Only office staff can see the money passed on."))
    form, filters, query = _filters(request)
    table = chain_table(office=None, visible=visible, **filters)
    return render(
        request,
        "grants/chain/rollup.html",
        {"form": form, "table": table, "office": None, "filter_query": query},
    )


@login_required
def passed_on_office(request: AuthenticatedRequest, office_pk: int) -> HttpResponse:
    """One office: its own level and each child's subtree, the first recipients it passed money
    on to (with their funds), and the funds at the office."""
    office = get_object_or_404(CoordinatingOffice, pk=office_pk)
    require_rule(request.user, "grants.view_fund", office)
    form, filters, query = _filters(request)
    return render(
        request,
        "grants/chain/rollup.html",
        {
            "form": form,
            "office": office,
            "table": chain_table(office=office, visible=None, **filters),
            "first_recipients": first_recipients_of(office, **filters),
            "funds": funds_at(office, **filters),
            "breadcrumbs": _breadcrumbs(request.user, office),
            "filter_query": query,
        },
    )


@login_required
def passed_on_fund(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One fund: each micro-project with its carrier, granted, paid, recognised, reclaimed."""
    fund = get_object_or_404(
        Fund.objects.select_related("envelope__office", "envelope__programme", "kind"), pk=pk
    )
    require_rule(request.user, "grants.view_fund", fund)
    projects = micro_projects_booked(fund)
    return render(
        request,
        "grants/chain/rollup_fund.html",
        {
            "fund": fund,
            "line": fund_line(fund),
            "projects": projects,
            "total": sum((p.figures for p in projects), Figures()),
            "granted": sum((p.granted for p in projects), Decimal(0)),
            "breadcrumbs": [*_breadcrumbs(request.user, fund.envelope.office), fund.envelope.office],
        },
    )


urlpatterns: list[URLPattern] = [
    path("weiterleitung/", passed_on_overview, name="passed_on_overview"),
    path("weiterleitung/<int:office_pk>/", passed_on_office, name="passed_on_office"),
    path("weiterleitung/fonds/<int:pk>/", passed_on_fund, name="passed_on_fund"),
]
