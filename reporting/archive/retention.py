"""The stored documents of a case go when the retention run anonymises it.

grants may not import reporting, so the run sends ``case_file_erasing`` and this receiver
deletes the case's documents (rows now, files when the transaction commits), logging each by
kind, file name and checksum. The daily catch-up of missing documents leaves anonymised cases
alone (``reporting.selectors.notices_missing`` and ``documents_missing``), so nothing is issued
again from anonymised data.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from core.formatting import format_number
from grants.applications.models import Application
from grants.records.models import RecordType, RetentionAction, RetentionLog
from grants.records.signals import case_file_erasing
from reporting.models import Document


def _delete_file_on_commit(storage: Storage, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _sentence(document: Document) -> str:
    return _("delete document %(kind)s “%(name)s”") % {
        "kind": document.get_kind_display(),
        "name": document.file_name,
    }


@receiver(case_file_erasing, dispatch_uid="reporting.archive.case_documents_erase")
def case_documents_erase(
    sender: Any,
    *,
    application: Application,
    grant: Any,
    rule: str,
    due_on: Any,
    run_on: Any,
    by: Any,
    dry_run: bool,
    **kwargs: Any,
) -> list[Any]:
    documents = list(Document.objects.filter(application=application).order_by("pk"))
    if dry_run:
        return [_sentence(d) for d in documents]
    entries = []
    reference = grant.file_number if grant is not None else application.reference
    for document in (
        Document.objects.select_for_update().filter(pk__in=[d.pk for d in documents]).order_by("pk")
    ):
        entries.append(
            RetentionLog.objects.create(
                run_on=run_on,
                action=RetentionAction.DELETED,
                record_type=RecordType.DOCUMENT,
                rule=rule,
                due_on=due_on,
                application=application,
                reference=reference,
                object_id=document.pk,
                detail=_("%(kind)s · %(name)s · %(size)s bytes · SHA-256 %(sha)s")
                % {
                    "kind": document.get_kind_display(),
                    "name": document.file_name,
                    "size": format_number(document.size, 0),
                    "sha": document.sha256,
                },
                by=by,
            )
        )
        _delete_file_on_commit(document.file.storage, document.file.name)
        document.delete()
    return entries
