"""The thread of a case: messages between carrier and office, shown on the application and grant pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import SecurityEventKind
from accounts.security import security_log
from budgets.rules import allowed
from core.errors import DomainError
from grants.applications.forms import MessageForm
from grants.applications.models import Application, MessageAttachment
from grants.applications.services.correspondence import SEND_MESSAGE, message_attachment_limit, message_send
from grants.applications.views.common import AuthenticatedRequest, show_domain_error, visible_application

# Where the form was sent from; anything else goes back to the application page.
BACK_TO_GRANT = "grant"


def thread_context(user: Any, application: Application, *, back: str = "") -> dict[str, Any]:
    """The thread (oldest first), the open revision request and, for who may write, the form."""
    thread = list(
        application.messages.select_related("author", "answered_by").prefetch_related("attachments")
    )
    today = timezone.localdate()
    can_write = allowed(user, SEND_MESSAGE, application)
    return {
        "thread": [{"message": m, "overdue": m.is_overdue(today)} for m in thread],
        "open_request": next((m for m in reversed(thread) if m.is_open_request), None),
        "open_request_overdue": any(m.is_overdue(today) for m in thread),
        "message_form": MessageForm(auto_id="id_message_%s") if can_write else None,
        "message_back": back,
        "message_max_files": message_attachment_limit(),
    }


def _back(request: HttpRequest, application: Application) -> str:
    if request.POST.get("back") == BACK_TO_GRANT:
        return reverse("grant_of_application", args=[application.pk]) + "#nachrichten"
    return reverse("application_detail", args=[application.pk]) + "#nachrichten"


@login_required
@require_POST
def message_send_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_back(request, application))
    try:
        message_send(
            application=application,
            by=request.user,
            body=form.cleaned_data["body"],
            uploads=form.cleaned_data["files"],
        )
    except DomainError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("Your message was sent."))
    return redirect(_back(request, application))


@login_required
@require_GET
def message_attachment_download(
    request: HttpRequest, pk: int, message_pk: int, attachment_pk: int
) -> FileResponse:
    application = visible_application(request, pk)
    attachment = get_object_or_404(
        MessageAttachment.objects.filter(message__application=application, message_id=message_pk),
        pk=attachment_pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    security_log(
        kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD, user=request.user, request=request, obj=attachment
    )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
