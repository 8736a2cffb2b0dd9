"""Uploading and removing application attachments."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import format_number
from grants.applications.models import Application, Attachment
from grants.applications.services.application import lock_for_editing

if TYPE_CHECKING:
    from accounts.models import User

# Extension → content types a browser may send for it. Anything else is refused.
ALLOWED_TYPES = {
    ".pdf": {"application/pdf"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".odt": {"application/vnd.oasis.opendocument.text"},
    ".ods": {"application/vnd.oasis.opendocument.spreadsheet"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
}
# The first bytes of each format, so a renamed executable is not accepted as a PDF.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def attachment_errors(upload: UploadedFile) -> list[str]:
    name = upload.name or ""
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED_TYPES:
        return [
            _("The file “%(name)s” has a type that is not accepted. Allowed: %(types)s.")
            % {"name": name, "types": ", ".join(sorted({e.lstrip(".").upper() for e in ALLOWED_TYPES}))}
        ]
    errors = []
    limit = settings.ATTACHMENT_MAX_BYTES
    limit_mb = Decimal(limit) / Decimal(1024 * 1024)
    if upload.size and upload.size > limit:
        errors.append(
            _("The file “%(name)s” is %(size)s MB; at most %(max)s MB are allowed.")
            % {
                "name": name,
                "size": format_number(Decimal(upload.size) / Decimal(1024 * 1024), 1),
                "max": format_number(limit_mb, 0 if limit_mb == limit_mb.to_integral_value() else 1),
            }
        )
    if not upload.size:
        errors.append(_("The file “%(name)s” is empty.") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if upload.size and not any(head.startswith(m) for m in MAGIC[ext]):
        errors.append(_("The content of “%(name)s” does not match its file type.") % {"name": name})
    return errors


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
