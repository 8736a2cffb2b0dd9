"""Budget pages for finance staff and office heads: the dashboard, its chart and the import."""

from __future__ import annotations

import base64
import hashlib
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from budgets.charts import office_table_svg, svg_data_uri
from budgets.forms import DashboardFilterForm, EnvelopeImportForm
from budgets.models import CoordinatingOffice
from budgets.paying_accounts import paying_accounts_configured, paying_accounts_of_office
from budgets.rules import DASHBOARD_ROLES, allowed, role_paths
from budgets.selectors import Figures, OfficeRow, SourceRow, office_and_source_tables, references_of_office
from budgets.services.envelope_import import JOB_KIND, LIMITS, import_envelopes
from budgets.services.envelope_import import TEMPLATE as ENVELOPE_TEMPLATE
from budgets.tasks import enqueue_envelope_import
from core.errors import DomainError
from core.imports import import_job_confirm, import_job_create, progress
from core.models import ImportJob
from core.tabular import TableTooLarge, check_size
from core.views import table_template_download

SESSION_KEY = "budget_import"


def _dashboard_state(
    request: HttpRequest,
) -> tuple[CoordinatingOffice | None, list[OfficeRow], list[SourceRow], dict[str, Any], Any]:
    if not allowed(request.user, "budgets.view_dashboard"):
        raise PermissionDenied(_("The budget dashboard is for finance staff and office heads."))
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    office = None
    if request.GET.get("office"):
        try:
            office = get_object_or_404(CoordinatingOffice, pk=int(request.GET["office"]))
        except ValueError as exc:
            raise Http404 from exc
        if not allowed(request.user, "budgets.view_office_budget", office):
            raise PermissionDenied(_("This office lies outside your offices."))
    rows, by_source = office_and_source_tables(
        office=office, visible=role_paths(request.user, DASHBOARD_ROLES), **filters
    )
    return office, rows, by_source, filters, form


def _breadcrumbs(user: Any, office: CoordinatingOffice | None) -> list[CoordinatingOffice]:
    if office is None:
        return []
    ancestors = list(CoordinatingOffice.objects.get_ancestors(office))
    return [a for a in ancestors if allowed(user, "budgets.view_office_budget", a)]


@login_required
def budget_dashboard(request: HttpRequest) -> HttpResponse:
    office, rows, by_source, filters, form = _dashboard_state(request)
    total = sum((row.figures for row in rows), Figures())
    params = request.GET.copy()
    # The chart is drawn from the table's rows and embedded: one rollup per page view.
    context = {
        "form": form,
        "office": office,
        "rows": rows,
        "total": total,
        "breadcrumbs": _breadcrumbs(request.user, office),
        "references": references_of_office(office=office, **filters) if office else [],
        "by_source": by_source,
        "paying_accounts": paying_accounts_of_office(office) if office else [],
        "paying_accounts_configured": paying_accounts_configured(),
        "chart_src": svg_data_uri(office_table_svg(rows, office=office)),
        "filter_query": "&".join(f"{k}={v}" for k, v in params.items() if k != "office" and v),
        "may_import": allowed(request.user, "budgets.import_envelopes"),
    }
    return render(request, "budgets/dashboard.html", context)


@login_required
def budget_chart(request: HttpRequest) -> HttpResponse:
    """The dashboard's chart on its own (a link or a download); the page embeds the same drawing."""
    office, rows, _by_source, _filters, _form = _dashboard_state(request)
    response = HttpResponse(office_table_svg(rows, office=office), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def envelope_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The envelope import template (XLSX or CSV) with the columns the import reads."""
    if not allowed(request.user, "budgets.import_envelopes"):
        raise PermissionDenied(_("Only finance staff may import budget envelopes."))
    return table_template_download(ENVELOPE_TEMPLATE, fmt)


@login_required
@require_http_methods(["GET", "POST"])
def envelope_import(request: HttpRequest) -> HttpResponse:
    """Upload → dry run (every row's result) → confirm; a file with any bad row writes nothing."""
    if not allowed(request.user, "budgets.import_envelopes"):
        raise PermissionDenied(_("Only finance staff may import budget envelopes."))
    by = cast(User, request.user)  # login_required: never anonymous here
    report = None
    form = EnvelopeImportForm()
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = request.session.get(SESSION_KEY)
        if not stored or stored["digest"] != request.POST.get("digest"):
            messages.error(request, _("Please upload the file again."))
            return redirect("budget_import")
        content = base64.b64decode(stored["content"])
        try:
            report = import_envelopes(content=content, file_name=stored["name"], by=by, dry_run=False)
        except DomainError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("budget_import")
        if report.ok:
            del request.session[SESSION_KEY]
            messages.success(request, _("%(count)s envelopes were imported.") % {"count": report.created})
            return redirect("budget_dashboard")
    elif request.method == "POST":
        form = EnvelopeImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(LIMITS.max_bytes + 1)  # never more than the largest file taken
            try:
                report = import_envelopes(content=content, file_name=upload.name, by=by, dry_run=True)
            except TableTooLarge:
                # Too large for a web request: a worker checks it, if it is not too large for one too.
                try:
                    check_size(content, upload.name, LIMITS)
                except DomainError as exc:
                    form.add_error("file", exc.messages)
                else:
                    job = import_job_create(
                        kind=JOB_KIND,
                        by=by,
                        content=content,
                        file_name=upload.name,
                        dry_run=True,
                        enqueue=enqueue_envelope_import,
                    )
                    return redirect("budget_import_job", pk=job.pk)
            except DomainError as exc:
                form.add_error("file", exc.messages)
            else:
                digest = hashlib.sha256(content).hexdigest()
                request.session[SESSION_KEY] = {
                    "name": upload.name,
                    "content": base64.b64encode(content).decode("ascii"),
                    "digest": digest,
                }
                report.digest = digest
    return render(request, "budgets/import.html", {"form": form, "report": report})


@login_required
@require_http_methods(["GET", "POST"])
def envelope_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large envelope file checked (then imported) by a worker: progress, result, confirmation."""
    if not allowed(request.user, "budgets.import_envelopes"):
        raise PermissionDenied(_("Only finance staff may import budget envelopes."))
    by = cast(User, request.user)
    job = get_object_or_404(ImportJob, pk=pk, kind=JOB_KIND, created_by=by)
    if request.method == "POST":
        try:
            job = import_job_confirm(job=job, by=by, enqueue=enqueue_envelope_import)
        except DomainError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("budget_import_job", pk=job.pk)
    done, total = progress(job)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "restart_url": reverse("budget_import"),
        "finished_url": reverse("budget_dashboard"),
    }
    template = "includes/import_job.html" if request.headers.get("HX-Request") else "budgets/import_job.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response
