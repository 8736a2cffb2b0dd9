"""Daily Celery tasks after the award: thin wrappers that call one service with today's date."""

from celery import shared_task

# Task names stay ``grants.tasks.*`` so the beat schedule and queued messages keep working.


@shared_task(name="grants.tasks.make_notices_final", acks_late=True)
def make_notices_final() -> list[str]:
    """Daily (Celery beat): notices whose objection period has passed become final."""
    from django.utils import timezone

    from grants.awards.services.grant import grants_make_final

    return grants_make_final(today=timezone.localdate())


@shared_task(
    name="grants.tasks.send_deadline_reminders",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_deadline_reminders() -> int:
    """Daily (Celery beat): one reminder digest per carrier; safe to retry on the same day."""
    from django.utils import timezone

    from grants.awards.services.reminders import send_deadline_reminders as send

    return send(today=timezone.localdate())


@shared_task(
    name="grants.tasks.send_first_check_reminders",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_first_check_reminders() -> int:
    """Daily (Celery beat): one first-check digest per office; safe to retry on the same day."""
    from django.utils import timezone

    from grants.awards.services.reminders import send_first_check_reminders as send

    return send(today=timezone.localdate())


@shared_task(name="grants.tasks.mark_proofs_due", acks_late=True)
def mark_proofs_due() -> list[str]:
    """Daily (Celery beat): grants whose approval period has ended now owe the proof of use."""
    from django.utils import timezone

    from grants.awards.services.reminders import grants_mark_proof_due

    return grants_mark_proof_due(today=timezone.localdate())


@shared_task(name="grants.tasks.run_receipt_import", acks_late=True, soft_time_limit=540, time_limit=600)
def run_receipt_import(job_id: int) -> str:
    """A receipt list too large for a web request, checked or imported (``core.imports``)."""
    from core.imports import import_job_run
    from grants.awards.services.proof.receipt_import import run_receipt_import_job

    return import_job_run(job_id=job_id, run=run_receipt_import_job).state


def enqueue_receipt_import(job_id: int) -> None:
    run_receipt_import.delay(job_id)
