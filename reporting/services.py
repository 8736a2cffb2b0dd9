"""Issuing documents: render once, store the file, record it; a repeat call changes nothing."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.errors import DomainError
from grants.models import Application, ApplicationState, Grant

from .documents.grant_notice import render_grant_notice
from .documents.rejection_notice import render_rejection_notice
from .models import Document, DocumentKind

logger = logging.getLogger(__name__)


def document_issue(
    *, subject: Any, application: Application, kind: str, file_name: str, render: Callable[[], bytes]
) -> Document:
    """The document of ``kind`` for ``subject``: the stored one, or a newly rendered one.

    Idempotent, so a retried job (``acks_late``) cannot issue a second notice: the unique
    constraint on (object, kind) settles a race between two workers, and the loser removes
    the file it wrote.
    """
    content_type = ContentType.objects.get_for_model(subject)
    key = {"content_type": content_type, "object_id": subject.pk, "kind": kind}
    existing = Document.objects.filter(**key).first()
    if existing:
        return existing
    content = render()
    document = Document(
        application=application,
        file_name=file_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        **key,
    )
    document.file.save(file_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        return Document.objects.get(**key)
    except BaseException:
        document.file.delete(save=False)
        raise
    logger.info("Issued %s %s for %s", kind, document.file_name, application.reference)
    return document


def grant_notice_issue(*, grant: Grant) -> Document:
    grant = Grant.objects.select_related(
        "application", "organisation", "programme", "office", "approved_by"
    ).get(pk=grant.pk)
    return document_issue(
        subject=grant,
        application=grant.application,
        kind=DocumentKind.GRANT_NOTICE,
        file_name=f"Zuwendungsbescheid_{grant.file_number}.pdf",
        render=lambda: render_grant_notice(grant=grant),
    )


def rejection_notice_issue(*, application: Application) -> Document:
    application = Application.objects.select_related("organisation", "programme", "office", "decided_by").get(
        pk=application.pk
    )
    if application.state != ApplicationState.REJECTED:
        raise DomainError(_("A rejection notice can only be issued for a rejected application."))
    return document_issue(
        subject=application,
        application=application,
        kind=DocumentKind.REJECTION_NOTICE,
        file_name=f"Ablehnungsbescheid_{application.reference}.pdf",
        render=lambda: render_rejection_notice(application=application),
    )
