"""The grants app's Celery tasks, gathered for Celery's autodiscovery (``<app>.tasks``).

Each task lives with its package; their names stay ``grants.tasks.<name>``.
"""

from grants.applications.tasks import send_application_state_email
from grants.awards.tasks import make_notices_final, mark_proofs_due, send_deadline_reminders

__all__ = ["make_notices_final", "mark_proofs_due", "send_application_state_email", "send_deadline_reminders"]
