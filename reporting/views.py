"""Downloads of stored documents and the on-demand budget report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import SecurityEventKind
from accounts.security import security_log
from budgets.models import CoordinatingOffice
from budgets.rules import DASHBOARD_ROLES, allowed, role_paths
from budgets.selectors import top_offices
from core.errors import AccessDenied, DomainError
from grants.awards.selectors import grants_visible_to
from grants.awards.services.proof import passed_on_measures
from grants.chain.selectors import sessions_visible_to
from grants.chain.services.committee import item_tallies
from reporting.documents.committee_minutes import render_committee_minutes
from reporting.documents.proof_annex import render_proof_annex
from reporting.selectors import budget_report_documents, budget_reports_visible_to, documents_visible_to
from reporting.services import budget_report_request


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A stored document as a download; 404 for anyone who may not see what it belongs to."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    security_log(
        kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD, user=request.user, request=request, obj=document
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _report_office(request: HttpRequest) -> CoordinatingOffice:
    """The office named in the form, or the user's only top office when none is named."""
    raw = request.POST.get("office", "")
    if raw:
        try:
            office = get_object_or_404(CoordinatingOffice, pk=int(raw))
        except ValueError as exc:
            raise Http404 from exc
        if not allowed(request.user, "budgets.view_office_budget", office):
            raise Http404
        return office
    offices = top_offices(role_paths(request.user, DASHBOARD_ROLES))
    if len(offices) != 1:
        raise DomainError(_("Please choose an office on the dashboard first."))
    return offices[0]


@login_required
@require_POST
def budget_report_create(request: HttpRequest) -> HttpResponse:
    """Queue a budget report for an office subtree and year (from the budget dashboard)."""
    if not allowed(request.user, "budgets.view_dashboard"):
        raise PermissionDenied(_("Budget reports are for finance staff and office heads."))
    try:
        year = int(request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = 0
    try:
        office = _report_office(request)
        budget_report_request(office=office, year=year, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(" ".join(exc.messages)) from exc
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("budget_dashboard")
    messages.success(
        request,
        _("The budget report %(year)s for %(office)s is being prepared; it appears below when it is ready.")
        % {"year": year, "office": office.name},
    )
    return redirect("budget_report_list")


@login_required
@require_GET
def budget_report_list(request: HttpRequest) -> HttpResponse:
    """The budget reports of the user's offices, newest first; polls while one is in preparation."""
    if not allowed(request.user, "budgets.view_dashboard"):
        raise PermissionDenied(_("Budget reports are for finance staff and office heads."))
    reports = list(budget_reports_visible_to(request.user)[:50])
    documents = budget_report_documents(reports)
    rows = [(report, documents.get(report.pk)) for report in reports]
    context = {"rows": rows, "pending": any(document is None for _report, document in rows)}
    return render(request, "reporting/budget_reports.html", context)


@login_required
@require_GET
def proof_annex_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The annex “money passed on” of a first recipient's final proof of use, as a PDF made now.

    Whoever may see the grant may download it (the carrier attaches it to its proof); 404 for a
    grant the user may not see or one that finances no funds.
    """
    grant = get_object_or_404(
        grants_visible_to(request.user).select_related("organisation__runs_office", "office"), pk=pk
    )
    with translation.override("de"):
        annex = passed_on_measures(grant)
    if annex is None:
        raise Http404
    response = HttpResponse(render_proof_annex(grant=grant, annex=annex), content_type="application/pdf")
    name = f"Anlage-Weitergeleitete-Mittel-{slugify(grant.file_number)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def committee_minutes_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes of a closed session as a PDF made now; 404 for a session the user may not
    see or one that is not closed yet."""
    session = get_object_or_404(sessions_visible_to(request.user), pk=pk)
    if not session.is_closed or not allowed(request.user, "grants.view_committee", session):
        raise Http404
    with translation.override("de"):
        pdf = render_committee_minutes(session=session, items=item_tallies(session))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"Protokoll-{slugify(session.committee.name)}-{session.held_on:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
