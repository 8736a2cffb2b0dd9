"""The case file of a grant as a ZIP download, for archiving."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from accounts.models import SecurityEventKind
from accounts.security import security_log
from budgets.rules import allowed, refusal
from grants.awards.selectors import grants_visible_to
from reporting.archive.case_file import EXPORT_CASE_FILE, case_file_zip


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
