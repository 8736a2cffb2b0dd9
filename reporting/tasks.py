"""Celery tasks: take ids, load, call one service; safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from grants.models import Application, Grant

from .selectors import notices_missing
from .services import grant_notice_issue, rejection_notice_issue

# Storage and database hiccups are worth retrying; the services make a repeat harmless.
TRANSIENT = (OSError, OperationalError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_grant_notice(grant_id: int) -> int:
    """Render and store the grant notice; returns the document's id."""
    return grant_notice_issue(grant=Grant.objects.get(pk=grant_id)).pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_rejection_notice(application_id: int) -> int:
    """Render and store the rejection notice; returns the document's id."""
    return rejection_notice_issue(application=Application.objects.get(pk=application_id)).pk


@shared_task(acks_late=True)
def generate_missing_notices() -> int:
    """Daily (Celery beat): queue every notice that a lost job never issued; returns how many."""
    grant_ids, application_ids = notices_missing()
    for grant_id in grant_ids:
        generate_grant_notice.delay(grant_id)
    for application_id in application_ids:
        generate_rejection_notice.delay(application_id)
    return len(grant_ids) + len(application_ids)
