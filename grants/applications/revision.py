"""The revision request's due date (Nachforderung): its default, its check, the open request.

Read by the form, the services and the e-mail task alike, so they cannot disagree.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import format_date
from grants.applications.models import Application, Message, MessageKind

# A revision request without a date of its own gives the carrier this long to answer.
DEFAULT_REVISION_DAYS = 14


def revision_due_default(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=DEFAULT_REVISION_DAYS)


def revision_due_problems(due_on: date | None, *, today: date | None = None) -> list[str]:
    day = today or timezone.localdate()
    if due_on is not None and due_on <= day:
        return [
            _("The answer cannot be due on %(date)s; choose a day after today (%(today)s).")
            % {"date": format_date(due_on), "today": format_date(day)}
        ]
    return []


def open_revision_request(application: Application) -> Message | None:
    return (
        Message.objects.filter(
            application=application, kind=MessageKind.REVISION_REQUEST, answered_by__isnull=True
        )
        .order_by("-created_at", "-pk")
        .first()
    )
