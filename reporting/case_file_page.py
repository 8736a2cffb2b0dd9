"""The case file (Akte) of an application or grant as one list: every document in and out.

In date order: each submitted version of the application, its attachments, the notices and other
issued documents (payment orders and other internal papers only for office staff), the messages
and their attachments, and the submitted proofs of use. Each row names its date, direction
(incoming from the carrier, outgoing to it, or internal), kind, title and a link. The ZIP for
archiving (``reporting.archive.case_file``) holds the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grants.applications.models import Application, MessageSide
from grants.awards.models import Grant, ProofOfUse
from reporting.models import INTERNAL_KINDS
from reporting.selectors import documents_visible_to

INCOMING = _("incoming")  # eingegangen
OUTGOING = _("outgoing")  # ausgegangen
INTERNAL = _("internal")  # Akteninterna


@dataclass(frozen=True)
class CaseFileItem:
    at: datetime
    direction: str | Promise
    kind: str | Promise
    title: str
    url: str
    order: int = 0


def case_file_items(*, application: Application, grant: Grant | None, user: Any) -> list[CaseFileItem]:
    """Every document of the case the user may see, oldest first."""
    items: list[CaseFileItem] = []
    for version in application.submitted_versions.order_by("number"):
        items.append(
            CaseFileItem(
                version.submitted_at,
                INCOMING,
                _("Application as submitted"),
                f"{application.reference} ({version.number})",
                reverse("submitted_application_pdf", args=[application.pk, version.number]),
            )
        )
    for attachment in application.attachments.all():
        items.append(
            CaseFileItem(
                attachment.uploaded_at,
                INCOMING,
                attachment.get_kind_display(),
                attachment.original_name,
                reverse("attachment_download", args=[application.pk, attachment.pk]),
            )
        )
    for document in documents_visible_to(user).filter(application=application):
        items.append(
            CaseFileItem(
                document.created_at,
                INTERNAL if document.kind in INTERNAL_KINDS else OUTGOING,
                document.get_kind_display(),
                document.file_name,
                reverse("document_download", args=[document.pk]),
            )
        )
    for message in application.messages.prefetch_related("attachments"):
        direction = INCOMING if message.side == MessageSide.CARRIER else OUTGOING
        items.append(
            CaseFileItem(
                message.created_at,
                direction,
                message.get_kind_display(),
                message.body[:80] + ("…" if len(message.body) > 80 else ""),
                reverse("application_detail", args=[application.pk]) + f"#nachricht-{message.pk}",
            )
        )
        for number, sent_file in enumerate(message.attachments.all(), start=1):
            items.append(
                CaseFileItem(
                    message.created_at,
                    direction,
                    _("Attachment to a message"),
                    sent_file.original_name,
                    reverse("message_attachment_download", args=[application.pk, message.pk, sent_file.pk]),
                    order=number,
                )
            )
    if grant is not None:
        for proof in ProofOfUse.objects.filter(grant=grant, submitted_at__isnull=False):
            items.append(
                CaseFileItem(
                    proof.submitted_at,  # type: ignore[arg-type]
                    INCOMING,
                    proof.get_kind_display(),
                    str(proof.budget_year or ""),
                    reverse("proof_pdf", args=[grant.pk, proof.pk]),
                )
            )
    return sorted(items, key=lambda item: (item.at, item.order))
