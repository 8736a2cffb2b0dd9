"""Uploading and removing application attachments."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.errors import DomainError
from grants.applications.models import Application, Attachment
from grants.applications.services.application import lock_for_editing
from grants.applications.uploads import ALLOWED_TYPES, MAGIC, attachment_errors

if TYPE_CHECKING:
    from accounts.models import User

__all__ = ["ALLOWED_TYPES", "MAGIC", "attachment_add", "attachment_delete", "attachment_errors"]


@transaction.atomic
def attachment_add(*, application: Application, by: User, kind: str, upload: UploadedFile) -> Attachment:
    locked = lock_for_editing(application, by=by)
    errors = attachment_errors(upload)
    if errors:
        raise DomainError(errors)
    ext = Path(upload.name or "").suffix.lower()
    attachment = Attachment(
        application=locked,
        kind=kind,
        original_name=Path(upload.name or "file").name[:255],
        content_type=sorted(ALLOWED_TYPES[ext])[0],
        size=upload.size or 0,
        uploaded_by=by,
    )
    attachment.file.save(attachment.original_name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        # No row, no file: a failed insert must not leave an orphan on disk.
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    lock_for_editing(attachment.application, by=by)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
