"""Reclaims (Rückforderung): decision, interest piece by piece, repayments, waiver of interest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.choices import StaffRole
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.views.common import show_domain_error
from grants.awards.forms import InterestUntilForm, InterestWaiverForm, ReclaimDecideForm, RepaymentForm
from grants.awards.models import Grant, Reclaim
from grants.awards.services import reclaim as reclaim_services
from grants.awards.services.reclaim.interest import base_rates, missing_half_year
from grants.awards.views.common import APPROVER, FINANCE, is_staff_for, require_staff, visible_grant

DECIDERS = (StaffRole.CASE_OFFICER, StaffRole.APPROVER)


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
    can_decide = is_staff_for(request.user, grant, DECIDERS) and grant.state != "closed"
    if can_decide and form is None:
        form = ReclaimDecideForm(initial={"decided_on": timezone.localdate()}, auto_id="id_reclaim_%s")
    return render(
        request,
        "grants/grant_reclaims.html",
        {"grant": grant, "reclaims": reclaims, "decide_form": form if can_decide else None},
    )


@login_required
@require_POST
def reclaim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_grant(request, pk)
    require_staff(request.user, grant, DECIDERS)
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


def _pieces(statement: Any) -> list[dict[str, Any]]:
    rows = []
    for segment in statement.segments:
        for piece in segment.pieces:
            rows.append(
                {
                    "principal": segment.principal,
                    "start": piece.start,
                    "last_day": piece.end - timedelta(days=1),
                    "days": piece.days,
                    "rate": piece.rate_percent,
                    "amount": piece.amount.quantize(piece.amount.__class__("0.0001")),
                }
            )
    return rows


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
    until = timezone.localdate()
    if until_form.is_bound and until_form.is_valid() and until_form.cleaned_data.get("until"):
        until = until_form.cleaned_data["until"]
    if reclaim.interest_until and until > reclaim.interest_until:
        until = reclaim.interest_until
    statement, interest_error, covered_until = None, [], None
    try:
        statement = reclaim_services.reclaim_interest(reclaim=reclaim, until=until)
    except DomainError as error:
        interest_error = error.messages
        # The first half-year without a base rate: interest can be shown up to the day before it.
        missing = missing_half_year(reclaim.interest_from, until, base_rates())
        if missing is not None and missing > reclaim.interest_from:
            covered_until = missing
    is_open = reclaim.state == "open"
    can_book = is_open and is_staff_for(user, grant, FINANCE)
    can_waive = is_open and not reclaim.interest_waived and is_staff_for(user, grant, APPROVER)
    context = {
        "grant": grant,
        "reclaim": reclaim,
        "repayments": list(reclaim.repayments.select_related("booked_by").order_by("received_on", "pk")),
        "statement": statement,
        "pieces": _pieces(statement) if statement else [],
        "interest_error": interest_error,
        "covered_until": covered_until,
        "until": until,
        "until_form": until_form,
        "repayment_form": (
            repayment_form or RepaymentForm(initial={"received_on": until}, auto_id="id_repay_%s")
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
def repayment_book(request: HttpRequest, pk: int, reclaim_pk: int) -> HttpResponse:
    grant, reclaim = _reclaim(request, pk, reclaim_pk)
    require_staff(request.user, grant, FINANCE)
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
def interest_waive(request: HttpRequest, pk: int, reclaim_pk: int) -> HttpResponse:
    grant, reclaim = _reclaim(request, pk, reclaim_pk)
    require_staff(request.user, grant, APPROVER)
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
