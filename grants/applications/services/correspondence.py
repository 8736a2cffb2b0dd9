"""Correspondence of a case: messages between carrier and office, revision requests, submissions.

Every write of the thread is here: :func:`message_send` (either side, with attachments), the
revision request's message with its due date and the resubmission that answers it (both called
by the workflow steps in ``services.application`` inside their transaction), and the frozen copy
of what the carrier handed in with each submission.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.rules import require
from core.errors import DomainError
from grants.applications.models import (
    Application,
    Message,
    MessageAttachment,
    MessageKind,
    MessageSide,
    SubmittedVersion,
)
from grants.applications.revision import open_revision_request, revision_due_default, revision_due_problems
from grants.applications.uploads import attachment_errors, stored_content_type
from grants.rules import carrier_organisation_ids

if TYPE_CHECKING:
    from accounts.models import User

SEND_MESSAGE = "grants.send_message"
MAX_BODY = 10_000


def message_attachment_limit() -> int:
    return int(getattr(settings, "MESSAGE_MAX_ATTACHMENTS", 5))


def side_of(user: User, application: Application) -> str:
    """Members of the carrier write as the carrier; everyone else as the office."""
    if application.organisation_id in carrier_organisation_ids(user):
        return MessageSide.CARRIER
    return MessageSide.OFFICE


def message_problems(*, body: str, uploads: Sequence[UploadedFile]) -> list[str]:
    """What is wrong with a message before anything is written (the form shows the same)."""
    problems: list[str] = []
    if not body.strip():
        problems.append(_("Please write a message; an empty message is not sent."))
    elif len(body) > MAX_BODY:
        problems.append(
            _("The message has %(length)s characters; at most %(max)s are allowed.")
            % {"length": len(body), "max": MAX_BODY}
        )
    limit = message_attachment_limit()
    if len(uploads) > limit:
        problems.append(
            _("%(count)s files were attached; at most %(max)s files can be sent with one message.")
            % {"count": len(uploads), "max": limit}
        )
    for upload in uploads:
        problems.extend(attachment_errors(upload))
    return problems


def _store(message: Message, uploads: Sequence[UploadedFile]) -> None:
    stored: list[str] = []
    try:
        for upload in uploads:
            name = Path(upload.name or "datei").name[:255]
            attachment = MessageAttachment(
                message=message,
                original_name=name,
                content_type=stored_content_type(name),
                size=upload.size or 0,
            )
            attachment.file.save(name, upload, save=False)
            stored.append(attachment.file.name)
            attachment.save()
    except Exception:
        # No row, no file: a failed write must not leave orphans on disk.
        storage = MessageAttachment._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise


def _post(
    *,
    application: Application,
    by: User | None,
    side: str,
    body: str,
    kind: str = MessageKind.MESSAGE,
    due_on: date | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> Message:
    message = Message.objects.create(
        application=application, side=side, kind=kind, author=by, body=body.strip(), due_on=due_on
    )
    _store(message, uploads)
    _notify_on_commit(message)
    return message


def _notify_on_commit(message: Message) -> None:
    from grants.applications.tasks import send_message_email

    message_id = message.pk
    transaction.on_commit(lambda: send_message_email.delay(message_id))


@transaction.atomic
def message_send(
    *, application: Application, by: User, body: str, uploads: Sequence[UploadedFile] = ()
) -> Message:
    """A message on the case from ``by``'s side; the other side is told by e-mail."""
    locked = (
        Application.objects.select_for_update(of=("self",)).select_related("office").get(pk=application.pk)
    )
    require(by, SEND_MESSAGE, locked)
    problems = message_problems(body=body, uploads=uploads)
    if problems:
        raise DomainError(problems)
    return _post(application=locked, by=by, side=side_of(by, locked), body=body, uploads=uploads)


def record_revision_request(
    *, application: Application, by: User, comment: str, due_on: date | None
) -> Message:
    """The revision request in the thread: the office's comment and the day the answer is due.

    Called by ``application_request_revision`` inside its transaction, after the step.
    """
    problems = revision_due_problems(due_on)
    if problems:
        raise DomainError(problems)
    return _post(
        application=application,
        by=by,
        side=MessageSide.OFFICE,
        body=comment,
        kind=MessageKind.REVISION_REQUEST,
        due_on=due_on or revision_due_default(),
    )


def record_submission(*, application: Application, by: User, comment: str) -> SubmittedVersion:
    """Freeze what was handed in; a resubmission answers the open revision request in the thread.

    Called by ``application_submit`` inside its transaction, after the step.
    """
    version = SubmittedVersion.objects.create(
        application=application,
        number=application.submitted_versions.count() + 1,
        submitted_at=timezone.now(),
        submitted_by=by,
        content=submitted_content(application),
    )
    request = open_revision_request(application)
    if request is not None:
        answer = Message.objects.create(
            application=application,
            side=MessageSide.CARRIER,
            kind=MessageKind.RESUBMISSION,
            author=by,
            body=comment.strip() or _("The revised application was submitted again."),
        )
        request.answered_by = answer
        request.save(update_fields=["answered_by"])
        _notify_on_commit(answer)
    return version


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def submitted_content(application: Application) -> dict[str, Any]:
    """The application's fields and financing plan as plain data (what the PDF prints)."""
    return {
        "reference": application.reference,
        "title": application.title,
        "organisation": application.organisation.name,
        "programme": application.programme.name,
        "office": application.office.name,
        "fund": str(application.fund) if application.fund_id else "",
        "summary": application.summary,
        "goals": application.goals,
        "target_groups": application.target_groups,
        "region": application.region,
        "start_date": application.start_date.isoformat() if application.start_date else None,
        "end_date": application.end_date.isoformat() if application.end_date else None,
        "financing_type": str(application.get_financing_type_display()),
        "expenditure": [
            {
                "year": line.budget_year,
                "category": str(line.get_category_display()),
                "description": line.description,
                "amount": _money(line.amount),
            }
            for line in application.expenditure_lines.all()
        ],
        "cover": [
            {
                "year": line.budget_year,
                "kind": str(line.get_kind_display()),
                "source": line.source,
                "amount": _money(line.amount),
            }
            for line in application.cover_lines.all()
        ],
        "instalments": [
            {"year": i.budget_year, "amount": _money(i.amount)}
            for i in application.instalments.order_by("budget_year")
        ],
    }
