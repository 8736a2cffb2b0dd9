"""Daily deadline work: reminder e-mails to carriers and the end of approval periods.

When a reminder is sent (no model remembers sent reminders, so the day itself decides):

- a proof of use due soon: 30 and 7 days before its due date;
- an overdue proof (``ProofOfUse.is_overdue``, read through ``grants.awards.deadlines``): the day
  after the due date, then every 7 days while it stays outstanding;
- a drawdown not used within its window (only while no use date is recorded): the day after
  the window's last day, then every 7 days;
- an objection period ending: 7 days and 1 day before its last day.

The office's own deadline, the first check of a proof within three months of its receipt
(VV Nr. 11.1), goes to the office's case officers instead (:func:`send_first_check_reminders`):
14 and 3 days before its last day, the day after it, then every 7 days; one digest per office
and day (``OfficeReminder``).

On any other day an item is not mentioned, so running the task once a day never repeats a
reminder. Each carrier receives at most one digest per day with all items due that day: the
digest is sent inside the transaction that inserts the carrier's ``DeadlineReminder`` row for
the day (unique per carrier and day), so a second run on the same day (a retry, a duplicate
beat, a redelivered message, on any worker) skips carriers already reminded, and a run that
meets a row being written by another waits for it. A failed e-mail rolls its row back, so a
retry sends what is missing. (Should the database fail after the mail server accepted the
e-mail, a retry sends it again: at least once, never silently lost.) A day on which the task
does not run at all is not caught up; the weekly repetition of overdue items covers the ones
that matter most.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from budgets.models import CoordinatingOffice, OfficeMembership
from grants.awards.deadlines import DeadlineItem, DeadlineKind, deadlines, first_checks_due
from grants.awards.models import Amendment, DeadlineReminder, Grant, OfficeReminder
from grants.carriers.models import Organisation
from webhooks.events import EventType
from webhooks.outbox import emit

logger = logging.getLogger(__name__)

PROOF_DUE_REMINDER_DAYS = (30, 7)
OBJECTION_REMINDER_DAYS = (7, 1)
REPEAT_EVERY_DAYS = 7

KIND_ORDER = (
    DeadlineKind.PROOF_OVERDUE,
    DeadlineKind.PROOF_DUE,
    DeadlineKind.DRAWDOWN_NOT_USED,
    DeadlineKind.OBJECTION_ENDING,
)


def reminder_due_today(item: DeadlineItem) -> bool:
    """Whether ``item`` is mentioned in today's reminder (see the module docstring)."""
    if item.kind == DeadlineKind.PROOF_DUE:
        return item.days in PROOF_DUE_REMINDER_DAYS
    if item.kind == DeadlineKind.OBJECTION_ENDING:
        return item.days in OBJECTION_REMINDER_DAYS
    if item.kind == DeadlineKind.DRAWDOWN_NOT_USED and item.used_on is not None:
        # Used, but late: nothing the carrier can still do; the office settles the interest.
        return False
    if item.kind in (DeadlineKind.PROOF_OVERDUE, DeadlineKind.DRAWDOWN_NOT_USED):
        return item.overdue_days >= 1 and (item.overdue_days - 1) % REPEAT_EVERY_DAYS == 0
    return False


def reminders_for(today: date) -> dict[int, list[DeadlineItem]]:
    """Today's reminder items per organisation id, in the order the digest lists them."""
    found = deadlines(today=today)
    by_organisation: dict[int, list[DeadlineItem]] = defaultdict(list)
    for items in found.lists():
        for item in items:
            if reminder_due_today(item):
                by_organisation[item.organisation_id].append(item)
    for items in by_organisation.values():
        items.sort(key=lambda i: (KIND_ORDER.index(i.kind), i.due_on, i.file_number, i.object_id))
    return dict(by_organisation)


def _recipients(organisation: Organisation) -> list[str]:
    return sorted({organisation.email, *(m.email for m in organisation.members.all())} - {""})


def _grant_url(grant_id: int) -> str:
    base = settings.SITE_URL.rstrip("/")
    try:
        return base + reverse("grant_detail", args=[grant_id])
    except NoReverseMatch:  # the grant pages are not routed (yet): link to the start page
        return base + reverse("home")


def render_reminder(organisation: Organisation, items: list[DeadlineItem], *, today: date) -> tuple[str, str]:
    """(subject, body) of the digest, in German as the carrier reads it."""
    with translation.override("de"):
        urls = {i.grant_id: _grant_url(i.grant_id) for i in items}
        sections = [
            (kind, [(i, urls[i.grant_id]) for i in items if i.kind == kind])
            for kind in KIND_ORDER
            if any(i.kind == kind for i in items)
        ]
        context = {"organisation": organisation, "today": today, "count": len(items), "sections": sections}
        subject = render_to_string("grants/email/deadline_reminder_subject.txt", context).strip()
        body = render_to_string("grants/email/deadline_reminder.txt", context)
    return " ".join(subject.split()), body


def send_deadline_reminders(*, today: date) -> int:
    """E-mail each carrier one digest of today's reminders; returns the number of e-mails sent."""
    by_organisation = reminders_for(today)
    if not by_organisation:
        return 0
    members = get_user_model().objects.filter(is_active=True).exclude(email="").only("pk", "email")
    organisations = Organisation.objects.filter(pk__in=by_organisation).prefetch_related(
        Prefetch("members", queryset=members)
    )
    office_paths = dict(
        CoordinatingOffice.objects.filter(
            pk__in={i.office_id for items in by_organisation.values() for i in items}
        ).values_list("pk", "path")
    )
    sent = 0
    failure: Exception | None = None
    for organisation in organisations:
        recipients = _recipients(organisation)
        if not recipients:
            continue
        items = by_organisation[organisation.pk]
        try:
            with transaction.atomic():
                _row, created = DeadlineReminder.objects.get_or_create(
                    organisation=organisation, day=today, defaults={"items": len(items)}
                )
                if created:
                    _announce_proofs_due(items, office_paths)
                    subject, body = render_reminder(organisation, items, today=today)
                    sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception as exc:  # one carrier's failing address must not stop the others
            logger.exception("Deadline reminder to organisation %s failed", organisation.pk)
            failure = failure or exc
    if failure is not None:
        raise failure  # the task retries; carriers already reached are skipped then
    return sent


def _announce_proofs_due(items: list[DeadlineItem], office_paths: dict[int, str]) -> None:
    """Webhooks (issue 13): each proof in today's reminder, written in the reminder's transaction
    (so a second run on the same day announces nothing twice)."""
    for item in items:
        if item.kind not in (DeadlineKind.PROOF_DUE, DeadlineKind.PROOF_OVERDUE):
            continue
        emit(
            EventType.PROOF_DUE,
            subject=f"proofofuse:{item.object_id}",
            payload={
                "proof_id": item.object_id,
                "proof_kind": item.proof_kind,
                "grant_id": item.grant_id,
                "file_number": item.file_number,
                "due_on": item.due_on,
                "days_left": item.days,
                "overdue": item.kind == DeadlineKind.PROOF_OVERDUE,
            },
            organisation_id=item.organisation_id,
            office_path=office_paths.get(item.office_id),
        )


# --- first checks of proofs (the office's own deadline, VV Nr. 11.1) -------------------------

FIRST_CHECK_REMINDER_DAYS = (14, 3)


def first_check_reminder_due_today(item: DeadlineItem) -> bool:
    """14 and 3 days before the first check's last day; the day after it, then every 7 days."""
    if item.kind == DeadlineKind.FIRST_CHECK_DUE:
        return item.days in FIRST_CHECK_REMINDER_DAYS
    return item.overdue_days >= 1 and (item.overdue_days - 1) % REPEAT_EVERY_DAYS == 0


def first_check_reminders_for(today: date) -> dict[int, list[DeadlineItem]]:
    """Today's first-check items per office id (overdue first, then by due date)."""
    by_office: dict[int, list[DeadlineItem]] = defaultdict(list)
    for item in first_checks_due(today=today):
        if first_check_reminder_due_today(item):
            by_office[item.office_id].append(item)
    for items in by_office.values():
        items.sort(key=lambda i: (i.kind != DeadlineKind.FIRST_CHECK_OVERDUE, i.due_on, i.file_number))
    return dict(by_office)


def render_first_check_reminder(
    office: CoordinatingOffice, items: list[DeadlineItem], *, today: date
) -> tuple[str, str]:
    """(subject, body) of an office's first-check digest, in German."""
    with translation.override("de"):
        base = settings.SITE_URL.rstrip("/")
        entries = [(i, base + reverse("proof_detail", args=[i.grant_id, i.object_id])) for i in items]
        context = {"office": office, "today": today, "count": len(items), "entries": entries}
        subject = render_to_string("grants/email/first_check_reminder_subject.txt", context).strip()
        body = render_to_string("grants/email/first_check_reminder.txt", context)
    return " ".join(subject.split()), body


def send_first_check_reminders(*, today: date) -> int:
    """E-mail each office's case officers one digest of the first checks due or overdue today
    (one ``OfficeReminder`` row per office and day, as for the carriers); returns e-mails sent."""
    by_office = first_check_reminders_for(today)
    if not by_office:
        return 0
    officers: dict[int, set[str]] = defaultdict(set)
    for office_id, email in OfficeMembership.objects.filter(
        office_id__in=by_office, role=StaffRole.CASE_OFFICER, user__is_active=True
    ).values_list("office_id", "user__email"):
        if email:
            officers[office_id].add(email)
    sent = 0
    failure: Exception | None = None
    for office in CoordinatingOffice.objects.filter(pk__in=by_office).order_by("pk"):
        recipients = sorted(officers.get(office.pk, set()))
        if not recipients:
            logger.warning(
                "Office %s has first checks due but no case officer with an e-mail address", office.pk
            )
            continue
        items = by_office[office.pk]
        try:
            with transaction.atomic():
                _row, created = OfficeReminder.objects.get_or_create(
                    office=office, day=today, defaults={"items": len(items)}
                )
                if created:
                    subject, body = render_first_check_reminder(office, items, today=today)
                    sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception as exc:  # one office's failing address must not stop the others
            logger.exception("First-check reminder to office %s failed", office.pk)
            failure = failure or exc
    if failure is not None:
        raise failure
    return sent


# --- end of the approval period ---------------------------------------------------------------


def _pending_extension() -> Exists:
    """An open amendment that would extend the period keeps the grant running until decided."""
    return Exists(
        Amendment.objects.filter(
            grant=OuterRef("pk"),
            state__in=Amendment.REJECTABLE_STATES,  # submitted or proposed: still to be decided
            new_period_end__gt=OuterRef("period_end"),
        )
    )


def grants_mark_proof_due(*, today: date) -> list[str]:
    """Move grants whose approval period has ended to "proof of use due"; returns file numbers.

    Each grant is its own transaction, so one failure does not hold back the others. A grant
    with a pending amendment that extends its period waits for that decision.
    """
    done = []
    due: Iterable[int] = (
        Grant.objects.filter(state__in=Grant.PERIOD_OPEN_STATES, period_end__lt=today)
        .exclude(_pending_extension())
        .order_by("file_number")
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            grant = (
                Grant.objects.select_for_update()
                .filter(pk=pk, state__in=Grant.PERIOD_OPEN_STATES, period_end__lt=today)
                .exclude(_pending_extension())
                .first()
            )
            if grant is None:
                continue
            grant.period_ended(description=_("Approval period ended"))
            grant.save(update_fields=["state"])
            done.append(grant.file_number)
    return done


__all__ = [
    "first_check_reminder_due_today",
    "first_check_reminders_for",
    "grants_mark_proof_due",
    "reminder_due_today",
    "reminders_for",
    "render_first_check_reminder",
    "render_reminder",
    "send_deadline_reminders",
    "send_first_check_reminders",
]
