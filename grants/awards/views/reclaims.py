"""Reclaims (Rückforderung): decision, interest piece by piece, repayments, waiver of interest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.rules import allowed
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.views.common import AuthenticatedRequest, show_domain_error
from grants.awards.forms import InterestUntilForm, InterestWaiverForm, ReclaimDecideForm, RepaymentForm
from grants.awards.models import Grant, Reclaim
from grants.awards.models.reclaim import BOOK_REPAYMENT, DECIDE_RECLAIM, WAIVE_INTEREST
from grants.awards.services import reclaim as reclaim_services
from grants.awards.services.reclaim.interest import reclaim_interest_overview
from grants.awards.views.common import require_rule, visible_grant


def _reclaim(request: HttpRequest, pk: int, reclaim_pk: int) -> tuple[Grant, Reclaim]:
    grant = visible_grant(request, pk)
    reclaim = get_object_or_404(
        Reclaim.objects.filter(grant=grant).select_related("decided_by", "interest_waived_by", "drawdown"),
        pk=reclaim_pk,
    )
    reclaim.grant = grant
    return grant, reclaim


@login_required
def grant_reclaims(request: HttpRequest, pk: int, form: ReclaimDecideForm | None = None) -> HttpResponse:
    grant = visible_grant(request, pk)
    reclaims = list(Reclaim.objects.filter(grant=grant).order_by("decided_on", "pk"))
    can_decide = grant.accepts_reclaim and allowed(request.user, DECIDE_RECLAIM, grant)
    if can_decide and form is None:
        form = ReclaimDecideForm(initial={"decided_on": timezone.localdate()}, auto_id="id_reclaim_%s")
    return render(
        request,
        "grants/grant_reclaims.html",
        {"grant": grant, "reclaims": reclaims, "decide_form": form if can_decide else None},
    )


@login_required
@require_POST
def reclaim_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    require_rule(request.user, DECIDE_RECLAIM, grant)
    form = ReclaimDecideForm(request.POST, auto_id="id_reclaim_%s")
    if not form.is_valid():
        return grant_reclaims(request, pk, form)
    try:
        reclaim = reclaim_services.reclaim_decide(grant=grant, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_domain_error(request, error)
        return grant_reclaims(request, pk, form)
    messages.success(
        request, _("The reclaim of %(amount)s was decided.") % {"amount": format_eur(reclaim.principal)}
    )
    return redirect("reclaim_detail", pk=grant.pk, reclaim_pk=reclaim.pk)


def _render_detail(
    request: HttpRequest,
    grant: Grant,
    reclaim: Reclaim,
    *,
    repayment_form: RepaymentForm | None = None,
    waiver_form: InterestWaiverForm | None = None,
) -> HttpResponse:
    user = request.user
    until_form = InterestUntilForm(request.GET or None, auto_id="id_until_%s")
    until = None
    if until_form.is_bound and until_form.is_valid() and until_form.cleaned_data.get("until"):
        until = until_form.cleaned_data["until"]
    # The same statement repayment_book splits a repayment by.
    interest = reclaim_interest_overview(reclaim=reclaim, until=until)
    can_book = reclaim.accepts_repayment and allowed(user, BOOK_REPAYMENT, reclaim)
    can_waive = reclaim.accepts_interest_waiver and allowed(user, WAIVE_INTEREST, reclaim)
    context = {
        "grant": grant,
        "reclaim": reclaim,
        "repayments": list(reclaim.repayments.select_related("booked_by").order_by("received_on", "pk")),
        "statement": interest.statement,
        "pieces": interest.statement.rows if interest.statement else [],
        "interest_error": interest.errors,
        "covered_until": interest.covered_until,
        "until": interest.until,
        "until_form": until_form,
        "repayment_form": (
            repayment_form or RepaymentForm(initial={"received_on": interest.until}, auto_id="id_repay_%s")
        )
        if can_book
        else None,
        "waiver_form": (waiver_form or InterestWaiverForm(auto_id="id_waive_%s")) if can_waive else None,
    }
    return render(request, "grants/grant_reclaim_detail.html", context)


@login_required
def reclaim_detail(request: HttpRequest, pk: int, reclaim_pk: int) -> HttpResponse:
    grant, reclaim = _reclaim(request, pk, reclaim_pk)
    return _render_detail(request, grant, reclaim)


@login_required
@require_POST
def repayment_book(request: AuthenticatedRequest, pk: int, reclaim_pk: int) -> HttpResponse:
    grant, reclaim = _reclaim(request, pk, reclaim_pk)
    require_rule(request.user, BOOK_REPAYMENT, reclaim)
    form = RepaymentForm(request.POST, auto_id="id_repay_%s")
    if not form.is_valid():
        return _render_detail(request, grant, reclaim, repayment_form=form)
    try:
        repayment = reclaim_services.repayment_book(reclaim=reclaim, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_domain_error(request, error)
        return _render_detail(request, grant, reclaim, repayment_form=form)
    messages.success(
        request,
        _("The repayment of %(amount)s was booked: %(principal)s principal, %(interest)s interest.")
        % {
            "amount": format_eur(repayment.amount),
            "principal": format_eur(repayment.principal_part),
            "interest": format_eur(repayment.interest_part),
        },
    )
    return redirect("reclaim_detail", pk=grant.pk, reclaim_pk=reclaim.pk)


@login_required
@require_POST
def interest_waive(request: AuthenticatedRequest, pk: int, reclaim_pk: int) -> HttpResponse:
    grant, reclaim = _reclaim(request, pk, reclaim_pk)
    require_rule(request.user, WAIVE_INTEREST, reclaim)
    form = InterestWaiverForm(request.POST, auto_id="id_waive_%s")
    if not form.is_valid():
        return _render_detail(request, grant, reclaim, waiver_form=form)
    try:
        reclaim_services.reclaim_waive_interest(
            reclaim=reclaim, by=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("The interest was waived."))
    return redirect("reclaim_detail", pk=grant.pk, reclaim_pk=reclaim.pk)
