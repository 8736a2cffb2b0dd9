"""Pages of the funds: a first recipient's funds per grant, a fund with its rules, where carriers
can apply for a micro-project."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import Fund
from budgets.rules import allowed
from core.errors import DomainError
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.views.common import require_rule
from grants.carriers.selectors import organisations_of
from grants.chain.fund_forms import FundOpenForm, FundRulesForm, MicroProjectForm
from grants.chain.selectors import (
    fund_figures,
    funds_queryset,
    funds_visible_to,
    grant_for_funds,
    micro_projects_of,
    open_funds,
)
from grants.chain.services.funds import fund_open, fund_rules_update, funds_by_year
from grants.chain.services.microprojects import microproject_create


def _grant(request: AuthenticatedRequest, pk: int) -> Any:
    grant = grant_for_funds(request.user, pk)
    if grant is None:
        raise Http404
    return grant


def _open_form(grant: Any, data: Any = None) -> FundOpenForm:
    years = [i.budget_year for i in grant.instalments.order_by("budget_year")]
    return FundOpenForm(data, programme_id=grant.programme_id, years=years, auto_id="id_open_%s")


@login_required
def grant_funds(request: AuthenticatedRequest, pk: int, form: FundOpenForm | None = None) -> HttpResponse:
    grant = _grant(request, pk)
    years = funds_by_year(grant)
    figures = {f.fund.pk: f for f in fund_figures([f for y in years for f in y.funds], timezone.localdate())}
    can_open = allowed(request.user, "grants.open_fund", grant)
    return render(
        request,
        "grants/chain/grant_funds.html",
        {
            "grant": grant,
            "years": [(y, [figures[f.pk] for f in y.funds]) for y in years],
            "can_open": can_open,
            "form": form or (_open_form(grant) if can_open else None),
        },
    )


@login_required
@require_POST
def fund_open_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    require_rule(request.user, "grants.open_fund", grant)
    form = _open_form(grant, request.POST)
    if not form.is_valid():
        return grant_funds(request, pk, form=form)
    try:
        fund = fund_open(grant=grant, by=request.user, **form.service_fields())  # type: ignore[arg-type]
    except DomainError as error:
        show_domain_error(request, error)
        return grant_funds(request, pk, form=form)
    messages.success(request, _("The fund “%(fund)s” was opened.") % {"fund": fund.name})
    return redirect("fund_detail", pk=fund.pk)


def _fund(request: AuthenticatedRequest, pk: int) -> Fund:
    return get_object_or_404(funds_visible_to(request.user), pk=pk)


@login_required
def fund_detail(request: AuthenticatedRequest, pk: int, form: FundRulesForm | None = None) -> HttpResponse:
    fund = _fund(request, pk)
    require_rule(request.user, "grants.view_fund", fund)
    can_manage = allowed(request.user, "grants.manage_fund", fund)
    (figures,) = fund_figures([fund], timezone.localdate())
    return render(
        request,
        "grants/chain/fund_detail.html",
        {
            "fund": fund,
            "figures": figures,
            "applications": micro_projects_of(fund),
            "can_manage": can_manage,
            "form": form or (FundRulesForm.for_fund(fund) if can_manage else None),
        },
    )


@login_required
@require_POST
def fund_rules_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    require_rule(request.user, "grants.manage_fund", fund)
    form = FundRulesForm.for_fund(fund, request.POST)
    if not form.is_valid():
        return fund_detail(request, pk, form=form)
    fields = form.service_fields()
    cutoffs = fields.pop("cutoffs")
    try:
        fund_rules_update(fund=fund, by=request.user, cutoffs=cutoffs, **fields)
    except DomainError as error:
        show_domain_error(request, error)
        return fund_detail(request, pk, form=form)
    messages.success(request, _("The fund's rules were saved."))
    return redirect("fund_detail", pk=pk)


@login_required
def fund_list(request: AuthenticatedRequest) -> HttpResponse:
    """Staff: the funds of their offices. Carriers: the funds that accept micro-projects."""
    today = timezone.localdate()
    staff_funds = list(funds_visible_to(request.user).order_by("-envelope__budget_year", "name"))
    carrier = organisations_of(request.user).exists()
    return render(
        request,
        "grants/chain/fund_list.html",
        {
            "staff_funds": fund_figures(staff_funds, today),
            "open_funds": list(open_funds(today)) if carrier else [],
            "carrier": carrier,
        },
    )


@login_required
def microproject_apply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(funds_queryset(), pk=pk)
    organisations = list(organisations_of(request.user))
    if not organisations:
        raise PermissionDenied(_("Only members of a project carrier can apply."))
    form = MicroProjectForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            application = microproject_create(fund=fund, organisation=organisation, by=request.user, **data)
        except DomainError as error:
            show_domain_error(request, error)
        else:
            messages.success(request, _("The micro-project was created. Now enter the financing plan."))
            return redirect("application_edit", pk=application.pk)
    return render(request, "grants/chain/microproject_apply.html", {"fund": fund, "form": form})


urlpatterns: list[URLPattern] = [
    path("fonds/", fund_list, name="fund_list"),
    path("fonds/<int:pk>/", fund_detail, name="fund_detail"),
    path("fonds/<int:pk>/regeln/", fund_rules_view, name="fund_rules"),
    path("fonds/<int:pk>/antrag/", microproject_apply, name="microproject_apply"),
    path("zuwendungen/<int:pk>/fonds/", grant_funds, name="grant_funds"),
    path("zuwendungen/<int:pk>/fonds/eroeffnen/", fund_open_view, name="fund_open"),
]
