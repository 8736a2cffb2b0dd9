"""The grants app's Celery tasks, gathered for Celery's autodiscovery (``<app>.tasks``).

Each task lives with its package; their names stay ``grants.tasks.<name>``.
"""

from grants.applications.tasks import send_application_state_email, send_message_email
from grants.awards.tasks import (
    make_notices_final,
    mark_proofs_due,
    run_receipt_import,
    send_deadline_reminders,
    send_first_check_reminders,
)
from grants.carriers.tasks import send_bank_details_change_email
from grants.records.tasks import retention_run

__all__ = [
    "make_notices_final",
    "mark_proofs_due",
    "retention_run",
    "run_receipt_import",
    "send_application_state_email",
    "send_bank_details_change_email",
    "send_deadline_reminders",
    "send_first_check_reminders",
    "send_message_email",
]
