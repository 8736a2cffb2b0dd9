"""Attachments: uploaded by the carrier, served only through a visibility check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import SecurityEventKind
from accounts.security import security_log
from core.confirm import confirm_page, is_confirmed
from core.errors import DomainError
from core.formatting import format_date
from grants.applications.forms import AttachmentForm
from grants.applications.services.attachment import attachment_add
from grants.applications.services.attachment import attachment_delete as delete_service
from grants.applications.views.common import (
    AuthenticatedRequest,
    editable_application,
    show_domain_error,
    visible_application,
)


@login_required
@require_POST
def attachment_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = editable_application(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("application_detail", pk=application.pk)
    try:
        attachment = attachment_add(
            application=application,
            by=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("“%(name)s” was uploaded.") % {"name": attachment.original_name})
    return redirect("application_detail", pk=application.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    application = visible_application(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Attachments hold personal data (CVs, statutes, signatures): who downloaded which is logged.
    security_log(
        kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD, user=request.user, request=request, obj=attachment
    )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    application = editable_application(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Delete “%(name)s”?") % {"name": attachment.original_name},
            consequence=_(
                "The file is removed from application %(reference)s and deleted; this cannot be undone."
            )
            % {"reference": application.reference},
            facts=[
                (_("File"), attachment.original_name),
                (_("Kind"), attachment.get_kind_display()),
                (_("Size"), filesizeformat(attachment.size)),
                (
                    _("Uploaded"),
                    f"{format_date(localtime(attachment.uploaded_at).date())} · {attachment.uploaded_by}",
                ),
            ],
            button=_("Delete the file"),
            cancel_url=reverse("application_detail", args=[application.pk]),
        )
    try:
        delete_service(attachment=attachment, by=request.user)
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("“%(name)s” was deleted.") % {"name": attachment.original_name})
    return redirect("application_detail", pk=application.pk)
