"""Export pages: start an export, watch its progress (htmx polling), download the file.

A job belongs to the person who started it: anyone else gets a 404, and so does its creator
once they may no longer see the data it holds.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import SecurityEventKind, User
from accounts.security import security_log
from core.errors import DomainError
from core.lists import Column, ListPage, filtered
from reporting.exports.filters import ExportJobFilter
from reporting.exports.forms import ExportForm
from reporting.exports.selectors import check_filters, exportable_kinds, filters_summary
from reporting.exports.services import export_job_create
from reporting.exports.writers import CONTENT_TYPES
from reporting.models import ExportJob


def _own_job(request: HttpRequest, pk: Any) -> ExportJob:
    return get_object_or_404(
        ExportJob.objects.select_related("created_by"), pk=pk, created_by_id=request.user.pk
    )


JOB_COLUMNS = [
    Column("kind", gettext_lazy("Export"), ("kind",)),
    Column("format", gettext_lazy("Format"), ("format",)),
    Column("started", gettext_lazy("Started"), ("created_at",)),
    Column("state", gettext_lazy("Status"), ("state",)),
    Column("rows", gettext_lazy("Rows"), ("rows_done",), numeric=True),
]


@login_required
@require_http_methods(["GET", "POST"])
def export_start(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous
    if not exportable_kinds(user):
        raise PermissionDenied(_("You may not export any data."))
    form = ExportForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            job = export_job_create(
                user=user,
                kind=form.cleaned_data["kind"],
                fmt=form.cleaned_data["format"],
                filters=form.filters(),
            )
        except DomainError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return redirect("export_job", pk=job.pk)
    filterset = ExportJobFilter(
        request.GET or None, queryset=ExportJob.objects.filter(created_by_id=request.user.pk)
    )
    listing = ListPage(request, filtered(filterset), JOB_COLUMNS, default="-started")
    return render(request, "reporting/export_start.html", listing.context(form=form, filters=filterset.form))


@login_required
@require_GET
def export_job(request: HttpRequest, pk: Any) -> HttpResponse:
    job = _own_job(request, pk)
    context = {
        "job": job,
        "filters": filters_summary(job.filters, job.kind),
        "history": job.history.select_related("by"),
    }
    return render(request, "reporting/export_job.html", context)


@login_required
@require_GET
def export_job_progress(request: HttpRequest, pk: Any) -> HttpResponse:
    """The progress partial; it polls itself every second until the job is done or failed."""
    job = _own_job(request, pk)
    response = render(request, "reporting/export_progress.html", {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_job_download(request: HttpRequest, pk: Any) -> FileResponse:
    job = _own_job(request, pk)
    if not job.is_downloadable:
        raise Http404
    try:
        # The file holds what the creator could see when it ran: they must still see it now.
        check_filters(cast(User, request.user), job.kind, job.filters)
    except DomainError as exc:
        raise Http404 from exc
    security_log(
        kind=SecurityEventKind.PERSONAL_DATA_EXPORT,
        user=request.user,
        request=request,
        obj=job,
        detail=job.file_name,
    )
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES[job.format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
