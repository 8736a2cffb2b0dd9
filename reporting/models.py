from __future__ import annotations

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import Application


class DocumentKind(models.TextChoices):
    GRANT_NOTICE = "grant_notice", _("Grant notice")  # Zuwendungsbescheid
    REJECTION_NOTICE = "rejection_notice", _("Rejection notice")  # Ablehnungsbescheid


def document_path(instance: Document, filename: str) -> str:
    # Non-guessable names; the file is served only through the permission-checking view.
    return f"documents/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A generated official document (a PDF), stored once per object and kind.

    ``subject`` is the object the document was issued for (a grant, an application, later an
    amendment or a reclaim); ``application`` is the application it belongs to, which decides
    who may see the document.
    """

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="+", verbose_name=_("application")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    # Big, because every model's primary key is a BigAutoField.
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "pk"]
        constraints = [
            # A retried generation job must not issue a second notice.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"], name="unique_document_per_object"
            ),
        ]
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return self.file_name
