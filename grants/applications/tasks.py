"""Celery tasks of the application workflow: thin wrappers that take ids, load, and call one function."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.choices import StaffRole
from budgets.models import CoordinatingOffice, OfficeMembership
from grants.applications.models import Application, ApplicationState, Message, MessageKind, MessageSide
from grants.applications.revision import open_revision_request

# Task names stay ``grants.tasks.*`` so messages already queued and the beat schedule keep working.


@shared_task(
    name="grants.tasks.send_application_state_email",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_application_state_email(self, application_id: int, state: str) -> int:
    """Tell the carrier that its application changed state (German, as the carrier reads it)."""
    application = Application.objects.select_related("organisation", "programme").get(pk=application_id)
    recipients = carrier_recipients(application)
    if not recipients:
        return 0
    log = StateLog.objects.for_(application).filter(state=state).order_by("-timestamp").first()
    request = open_revision_request(application) if state == ApplicationState.REVISION_REQUESTED else None
    with translation.override("de"):
        context = {
            "application": application,
            "state_label": dict(application._meta.get_field("state").flatchoices).get(state, state),
            "comment": log.description if log else "",
            "due_on": request.due_on if request else None,
            "url": settings.SITE_URL.rstrip("/") + reverse("application_detail", args=[application.pk]),
        }
        subject = render_to_string("grants/email/state_changed_subject.txt", context).strip()
        body = render_to_string("grants/email/state_changed.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def carrier_recipients(application: Application) -> list[str]:
    """The carrier's contact address and its members' addresses."""
    organisation = application.organisation
    return sorted(
        {organisation.email, *organisation.members.exclude(email="").values_list("email", flat=True)} - {""}
    )


def office_recipients(application: Application) -> list[str]:
    """The case officers of the handling office; where it has none, those of the nearest office above."""
    office = application.office
    offices = [office, *reversed(CoordinatingOffice.objects.get_ancestors(office))]
    memberships = (
        OfficeMembership.objects.filter(office__in=offices, role=StaffRole.CASE_OFFICER, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__organisations=application.organisation_id)
        .values_list("office_id", "user__email")
    )
    by_office: dict[int, set[str]] = {}
    for office_id, email in memberships:
        by_office.setdefault(office_id, set()).add(email)
    for candidate in offices:
        if by_office.get(candidate.pk):
            return sorted(by_office[candidate.pk])
    return []


@shared_task(
    name="grants.tasks.send_message_email",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_message_email(self, message_id: int) -> int:
    """Tell the other side of the case that a message arrived (the text stays on the site)."""
    message = Message.objects.select_related("application__organisation", "application__office").get(
        pk=message_id
    )
    if message.kind == MessageKind.REVISION_REQUEST:
        # The carrier hears of a revision request with its due date in the state e-mail.
        return 0
    application = message.application
    to_carrier = message.side == MessageSide.OFFICE
    recipients = carrier_recipients(application) if to_carrier else office_recipients(application)
    if not recipients:
        return 0
    with translation.override("de"):
        context = {
            "application": application,
            "message": message,
            "to_carrier": to_carrier,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("application_detail", args=[application.pk])
            + "#nachrichten",
        }
        subject = render_to_string("grants/email/message_subject.txt", context).strip()
        body = render_to_string("grants/email/message.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
