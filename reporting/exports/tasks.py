"""The export job's Celery task: takes the job's id, runs it; safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from reporting.exports.services import export_job_run

# Storage and database hiccups are worth retrying; a rerun replaces the job's one file.
TRANSIENT = (OSError, OperationalError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def run_export_job(job_id: str) -> str:
    """Write the export file of the job; returns the job's final state."""
    return export_job_run(job_id=job_id).state
