"""The budgets app's Celery tasks: envelope imports too large for a web request."""

from celery import shared_task

from budgets.services.envelope_import import run_envelope_import_job
from core.imports import import_job_run

# Soft limit: the job is recorded as failed ("took too long") and writes nothing; the hard
# limit ends the worker child. Both shorter than the broker's visibility timeout. A job that
# failed is not run again by a redelivered message (``import_job_run``): its page says why.
SOFT_LIMIT, HARD_LIMIT = 540, 600


@shared_task(acks_late=True, soft_time_limit=SOFT_LIMIT, time_limit=HARD_LIMIT)
def run_envelope_import(job_id: int) -> str:
    """Check or import the job's file; returns the job's final state."""
    return import_job_run(job_id=job_id, run=run_envelope_import_job).state


def enqueue_envelope_import(job_id: int) -> None:
    run_envelope_import.delay(job_id)
