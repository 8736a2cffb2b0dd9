from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .selectors import documents_visible_to


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A stored document as a download; 404 for anyone who may not see its application."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
