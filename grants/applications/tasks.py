"""Celery tasks of the application workflow: thin wrappers that take ids, load, and call one function."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog

from grants.applications.models import Application

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
    recipients = sorted(
        {
            application.organisation.email,
            *application.organisation.members.exclude(email="").values_list("email", flat=True),
        }
        - {""}
    )
    if not recipients:
        return 0
    log = StateLog.objects.for_(application).filter(state=state).order_by("-timestamp").first()
    with translation.override("de"):
        context = {
            "application": application,
            "state_label": dict(application._meta.get_field("state").flatchoices).get(state, state),
            "comment": log.description if log else "",
            "url": settings.SITE_URL.rstrip("/") + reverse("application_detail", args=[application.pk]),
        }
        subject = render_to_string("grants/email/state_changed_subject.txt", context).strip()
        body = render_to_string("grants/email/state_changed.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
