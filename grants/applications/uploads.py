"""The checks every uploaded file of a case passes: type, content, size (attachments and messages)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.formatting import format_number

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


def stored_content_type(name: str) -> str:
    """The content type a checked file is stored and served with, from its extension."""
    return sorted(ALLOWED_TYPES[Path(name).suffix.lower()])[0]
