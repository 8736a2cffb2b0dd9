"""The case file (Akte): its page for every case, the ZIP of a grant for archiving, and printable
copies of the submitted application and proofs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from accounts.models import SecurityEventKind
from accounts.security import security_log
from budgets.rules import allowed, refusal
from grants.applications.models import Application
from grants.applications.selectors import applications_visible_to
from grants.awards.models import Grant, ProofOfUse, Receipt
from grants.awards.selectors import grants_visible_to
from reporting.archive.case_file import EXPORT_CASE_FILE, case_file_zip
from reporting.case_file_page import case_file_items
from reporting.documents.submitted_forms import render_submitted_application, render_submitted_proof


@login_required
@require_GET
def case_file_download(request: HttpRequest, pk: int) -> FileResponse:
    """404 for a grant the user may not see; 403 for one they see but may not export (the carrier)."""
    grant = get_object_or_404(grants_visible_to(request.user), pk=pk)
    if not allowed(request.user, EXPORT_CASE_FILE, grant):
        raise PermissionDenied(refusal(request.user, EXPORT_CASE_FILE, grant))
    case_file = case_file_zip(grant=grant, by=request.user)  # type: ignore[arg-type]
    # The whole file holds personal data (names, addresses, receipts): the security log notes it.
    security_log(
        kind=SecurityEventKind.PERSONAL_DATA_EXPORT,
        user=request.user,
        request=request,
        obj=grant,
        detail=case_file.file_name,
    )
    response = FileResponse(
        case_file.file, as_attachment=True, filename=case_file.file_name, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _case_file_page(request: HttpRequest, application: Application, grant: Grant | None) -> HttpResponse:
    context = {
        "application": application,
        "grant": grant,
        "items": case_file_items(application=application, grant=grant, user=request.user),
        "can_export": grant is not None and allowed(request.user, EXPORT_CASE_FILE, grant),
    }
    return render(request, "reporting/case_file.html", context)


@login_required
@require_GET
def case_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The case file of an application (and its grant, if any); 404 for who may not see it."""
    application = _visible_application(request, pk)
    return _case_file_page(request, application, Grant.objects.filter(application=application).first())


@login_required
@require_GET
def grant_case_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(grants_visible_to(request.user).select_related("application"), pk=pk)
    return _case_file_page(request, grant.application, grant)


def _visible_application(request: HttpRequest, pk: int) -> Application:
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    if not allowed(request.user, "grants.view_application", application):
        raise Http404
    return application


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def submitted_application_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One submitted version of the application as a PDF made now from its frozen content."""
    application = _visible_application(request, pk)
    version = get_object_or_404(application.submitted_versions, number=number)
    with translation.override("de"):
        data = render_submitted_application(version=version)
    security_log(
        kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD, user=request.user, request=request, obj=application
    )
    return _pdf(data, f"Antrag-{slugify(application.reference)}-{number}.pdf")


@login_required
@require_GET
def proof_pdf(request: HttpRequest, pk: int, proof_pk: int) -> HttpResponse:
    """A submitted proof of use as a PDF; 404 for a grant the user may not see or a draft proof."""
    grant = get_object_or_404(grants_visible_to(request.user).select_related("organisation", "office"), pk=pk)
    proof = get_object_or_404(ProofOfUse.objects.filter(grant=grant, submitted_at__isnull=False), pk=proof_pk)
    receipts = list(Receipt.objects.filter(proof=proof).order_by("paid_on", "number", "pk"))
    with translation.override("de"):
        data = render_submitted_proof(proof=proof, receipts=receipts)
    security_log(kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD, user=request.user, request=request, obj=proof)
    return _pdf(data, f"Nachweis-{slugify(grant.file_number)}-{proof.pk}.pdf")
