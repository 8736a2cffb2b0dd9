"""Reads of stored documents."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from grants.models import Application, ApplicationState, Grant
from grants.selectors import applications_visible_to

from .models import Document, DocumentKind


def documents_for(application: Application) -> QuerySet[Document]:
    """The application's own documents and those of its grant, oldest first."""
    return Document.objects.filter(application=application).order_by("created_at", "pk")


def documents_visible_to(user: Any) -> QuerySet[Document]:
    """Documents of applications the user may see (carriers: their own; staff: their subtree)."""
    return Document.objects.filter(application__in=applications_visible_to(user).values("pk"))


def _issued(model: type, kind: str) -> QuerySet[Document, Any]:
    content_type = ContentType.objects.get_for_model(model)
    return Document.objects.filter(content_type=content_type, kind=kind).values("object_id")


def notices_missing() -> tuple[list[int], list[int]]:
    """Grants without a grant notice and rejected applications without a rejection notice (ids)."""
    grants = Grant.objects.exclude(pk__in=_issued(Grant, DocumentKind.GRANT_NOTICE))
    rejected = Application.objects.filter(state=ApplicationState.REJECTED).exclude(
        pk__in=_issued(Application, DocumentKind.REJECTION_NOTICE)
    )
    return (
        list(grants.order_by("pk").values_list("pk", flat=True)),
        list(rejected.order_by("pk").values_list("pk", flat=True)),
    )
