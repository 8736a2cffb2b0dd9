"""The daily retention run (Celery beat, ``config/settings.py``): a thin wrapper with today's date."""

from celery import shared_task

# A run over many cases may take minutes: the long tasks' limits, set on the task itself.


@shared_task(name="grants.tasks.retention_run", acks_late=True, soft_time_limit=540, time_limit=600)
def retention_run() -> int:
    """Anonymise or delete what is due today, skip held cases; returns the number of log entries."""
    from django.utils import timezone

    from grants.records.services import retention_run as run

    return len(run(today=timezone.localdate()))
