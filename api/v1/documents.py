"""Official documents (notices, payment orders, settlement memos, reclaim decisions, budget
reports): what the download links of the pages offer, to whoever the pages offer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from accounts.models import SecurityEventKind
from accounts.security import security_log
from api.pagination import cursor_page
from api.v1.common import PageQuery, responses, visible_or_404
from reporting.models import DocumentKind
from reporting.selectors import documents_visible_to

router = Router(tags=["Documents"])


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    kind_label: str
    file_name: str
    size: int
    sha256: str
    created_at: datetime
    application_id: int | None
    download_url: str = Field(description="The document's download on the site (browser session)")
    content_url: str = Field(description="The PDF through the API (token or session)")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_download_url(obj: Any, context: Any) -> str:
        return context["request"].build_absolute_uri(reverse("document_download", args=[obj.pk]))

    @staticmethod
    def resolve_content_url(obj: Any, context: Any) -> str:
        return context["request"].build_absolute_uri(reverse("api-v1:document_content", args=[obj.pk]))


class DocumentPage(Schema):
    items: list[DocumentOut]
    next_cursor: str | None


class DocumentFilters(Schema):
    application: int | None = Field(None, description="Documents of one application and its grant")
    kind: DocumentKind | None = None


@router.get("/documents", response=responses(DocumentPage), summary="Documents you may download")
def document_list(request: HttpRequest, filters: Query[DocumentFilters], page: Query[PageQuery]) -> Any:
    qs = documents_visible_to(request.user)
    if filters.application is not None:
        qs = qs.filter(application_id=filters.application)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return cursor_page(qs, cursor=page.cursor, limit=page.limit)


@router.get("/documents/{document_id}", response=responses(DocumentOut), summary="One document")
def document_detail(request: HttpRequest, document_id: int) -> Any:
    return visible_or_404(documents_visible_to(request.user), document_id)


@router.get(
    "/documents/{document_id}/content",
    response=responses(None),
    url_name="document_content",
    summary="The document's PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_content(request: HttpRequest, document_id: int) -> Any:
    document = visible_or_404(documents_visible_to(request.user), document_id)
    # Logged as the site's download is: who took which official paper, also through the API.
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
