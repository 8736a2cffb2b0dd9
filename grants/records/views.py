"""Records pages: a case's legal holds and retention (office staff), the retention log
(administrators and auditors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from budgets.rules import allowed, refusal
from core.errors import DomainError
from core.lists import Column, ListPage
from grants.applications.views.common import AuthenticatedRequest, show_domain_error, visible_application
from grants.records.forms import LegalHoldForm, LegalHoldLiftForm
from grants.records.models import (
    LIFT_LEGAL_HOLD,
    PLACE_LEGAL_HOLD,
    VIEW_RECORDS,
    VIEW_RETENTION_LOG,
    LegalHold,
)
from grants.records.selectors import (
    active_legal_holds_visible_to,
    case_holds,
    case_retention,
    legal_holds_of,
    retention_log_of,
    retention_log_visible_to,
)
from grants.records.services import legal_hold_lift, legal_hold_place

LOG_COLUMNS = [
    Column("time", gettext_lazy("Time"), ("created_at",)),
    Column("action", gettext_lazy("Action"), ("action",)),
    Column("record", gettext_lazy("Record"), ("record_type",)),
    Column("file", gettext_lazy("File"), ("reference",)),
    Column("rule", gettext_lazy("Rule"), ("rule",)),
    Column("due", gettext_lazy("Due on"), ("due_on",)),
    Column("detail", gettext_lazy("Detail")),
]


def _require(request: HttpRequest, name: str, obj: object = None) -> None:
    if not allowed(request.user, name, obj):
        raise PermissionDenied(refusal(request.user, name, obj))


@login_required
@require_GET
def retention_log(request: AuthenticatedRequest) -> HttpResponse:
    """What the retention run did and skipped, newest first; the active legal holds."""
    _require(request, VIEW_RETENTION_LOG)
    listing = ListPage(request, retention_log_visible_to(request.user), LOG_COLUMNS, default="-time")
    holds = list(active_legal_holds_visible_to(request.user)[:100])
    return render(request, "grants/records/retention_log.html", listing.context(holds=holds))


def _case_context(request: HttpRequest, pk: int, **forms: object) -> dict[str, object]:
    application = visible_application(request, pk)
    _require(request, VIEW_RECORDS, application)
    may_place = allowed(request.user, PLACE_LEGAL_HOLD, application)
    may_lift = allowed(request.user, LIFT_LEGAL_HOLD, application)
    return {
        "application": application,
        "retention": case_retention(application),
        "holds": case_holds(application),
        "legal_holds": list(legal_holds_of(application)),
        "log": list(retention_log_of(application)[:200]),
        "hold_form": forms.get("hold_form") or (LegalHoldForm() if may_place else None),
        "lift_form": LegalHoldLiftForm() if may_lift else None,
        "may_lift": may_lift,
    }


@login_required
@require_GET
def case_records(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A case's retention periods, its holds (from reclaims, objections and auditors) and its log."""
    return render(request, "grants/records/case_records.html", _case_context(request, pk))


@login_required
@require_POST
def legal_hold_place_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    _require(request, PLACE_LEGAL_HOLD, application)
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_place(
                application=application,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            show_domain_error(request, exc)
        else:
            messages.success(
                request,
                _("Legal hold placed: nothing of %(reference)s is anonymised or deleted until it is lifted.")
                % {"reference": application.reference},
            )
            return redirect("case_records", pk=application.pk)
    context = _case_context(request, pk, hold_form=form)
    return render(request, "grants/records/case_records.html", context, status=400)


@login_required
@require_POST
def legal_hold_lift_view(request: AuthenticatedRequest, pk: int, hold_pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    hold = get_object_or_404(LegalHold, pk=hold_pk, application=application)
    _require(request, LIFT_LEGAL_HOLD, hold)
    form = LegalHoldLiftForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("case_records", pk=application.pk)
    try:
        legal_hold_lift(hold=hold, by=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        show_domain_error(request, exc)
    else:
        messages.success(request, _("Legal hold lifted."))
    return redirect("case_records", pk=application.pk)


urlpatterns = [
    path("aufbewahrung/", retention_log, name="retention_log"),
    path("antraege/<int:pk>/aufbewahrung/", case_records, name="case_records"),
    path("antraege/<int:pk>/aufbewahrung/sperre/", legal_hold_place_view, name="legal_hold_place"),
    path(
        "antraege/<int:pk>/aufbewahrung/sperre/<int:hold_pk>/aufheben/",
        legal_hold_lift_view,
        name="legal_hold_lift",
    ),
]
