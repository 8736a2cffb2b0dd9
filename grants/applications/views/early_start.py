"""Early start on the application page: the carrier asks, an official of the office decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm_log.models import StateLog

from budgets.rules import allowed
from core.errors import DomainError
from core.formatting import format_date
from grants.applications.forms import EarlyStartDecisionForm, EarlyStartRequestForm
from grants.applications.models import Application, EarlyStartRequest, EarlyStartState
from grants.applications.models.early_start import DECIDE_EARLY_START, REQUEST_EARLY_START
from grants.applications.services.early_start import (
    EARLY_START_CAVEAT,
    early_start_grant,
    early_start_open,
    early_start_refuse,
    early_start_request,
)
from grants.applications.views.common import AuthenticatedRequest, show_domain_error, visible_application


def early_start_requests(application: Application) -> list[EarlyStartRequest]:
    return list(application.early_start_requests.select_related("requested_by", "decided_by"))


def early_start_context(
    user: Any, application: Application, requests: list[EarlyStartRequest]
) -> dict[str, Any]:
    """What the application page shows of early start: the requests, and the form this user may use."""
    open_now = early_start_open(application)
    may_ask = (
        open_now
        and not any(r.blocks_new_request for r in requests)
        and allowed(user, REQUEST_EARLY_START, application)
    )
    may_decide = open_now and allowed(user, DECIDE_EARLY_START, application)
    return {
        "early_starts": requests,
        "early_start_caveat": EARLY_START_CAVEAT,
        "early_start_form": EarlyStartRequestForm(auto_id="id_early_start_%s") if may_ask else None,
        "early_start_decision_form": EarlyStartDecisionForm(auto_id="id_early_decision_%s")
        if may_decide and any(r.is_open for r in requests)
        else None,
    }


def early_start_history(requests: list[EarlyStartRequest]) -> list[dict[str, Any]]:
    """The early-start requests' state changes, as entries of the application's history (one
    query, none without a request)."""
    if not requests:
        return []
    labels = dict(EarlyStartState.choices)
    prefix = _("Early start")
    entries = (
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(EarlyStartRequest),
            object_id__in=[r.pk for r in requests],
        )
        .select_related("by")
        .order_by("timestamp", "pk")
    )
    return [
        {
            "entry": entry,
            "source": f"{prefix}: {labels.get(entry.source_state, entry.source_state)}",
            "target": labels.get(entry.state, entry.state),
        }
        for entry in entries
    ]


def _form_errors(request: AuthenticatedRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


@login_required
@require_POST
def early_start_ask(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = EarlyStartRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("application_detail", pk=application.pk)
    try:
        early_start_request(application=application, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(
            request,
            _("The early start from %(date)s was asked for. The office decides on it before the notice.")
            % {"date": format_date(form.cleaned_data["wished_from"])},
        )
    return redirect("application_detail", pk=application.pk)


@login_required
@require_POST
def early_start_decide(request: AuthenticatedRequest, pk: int, request_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    early = get_object_or_404(EarlyStartRequest, pk=request_pk, application=application)
    form = EarlyStartDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("application_detail", pk=application.pk)
    data = form.cleaned_data
    try:
        if data["decision"] == EarlyStartDecisionForm.GRANT:
            decided = early_start_grant(
                request=early, by=request.user, permitted_from=data["permitted_from"], comment=data["comment"]
            )
            messages.success(
                request,
                _("The early start is permitted from %(date)s.")
                % {"date": format_date(decided.permitted_from)},
            )
        else:
            early_start_refuse(request=early, by=request.user, reasons=data["comment"])
            messages.success(request, _("The early start was refused."))
    except DomainError as error:
        show_domain_error(request, error)
    return redirect("application_detail", pk=application.pk)
