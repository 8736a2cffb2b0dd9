"""Celery tasks: thin wrappers that take ids, load, and call one function."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog

from grants.applications.models import Application


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
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


@shared_task(acks_late=True)
def make_notices_final() -> list[str]:
    """Daily (Celery beat): notices whose objection period has passed become final."""
    from django.utils import timezone

    from grants.awards.services.grant import grants_make_final

    return grants_make_final(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_deadline_reminders() -> int:
    """Daily (Celery beat): one reminder digest per carrier; safe to retry on the same day."""
    from django.utils import timezone

    from grants.awards.services.reminders import send_deadline_reminders as send

    return send(today=timezone.localdate())


@shared_task(acks_late=True)
def mark_proofs_due() -> list[str]:
    """Daily (Celery beat): grants whose approval period has ended now owe the proof of use."""
    from django.utils import timezone

    from grants.awards.services.reminders import grants_mark_proof_due

    return grants_mark_proof_due(today=timezone.localdate())
