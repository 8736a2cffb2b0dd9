"""Documents follow the application workflow (connected in ``ReportingConfig.ready``).

grants must not import reporting, so reporting listens to django-fsm's ``post_transition``.
The signal fires inside the transition, before the approval service has created the grant,
so the job is scheduled on commit and finds the grant by its application then. The callbacks
are robust: a broker outage must not make a committed decision look failed to the approver;
``generate_missing_notices`` (daily) catches up on anything that was not issued.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from grants.models import ApplicationState, Grant

logger = logging.getLogger(__name__)


def _enqueue_grant_notice(application_id: int) -> None:
    from .tasks import generate_grant_notice

    grant_id = Grant.objects.filter(application_id=application_id).values_list("pk", flat=True).first()
    if grant_id is None:
        logger.error("Application %s was approved but has no grant: no grant notice issued.", application_id)
        return
    generate_grant_notice.delay(grant_id)


def _enqueue_rejection_notice(application_id: int) -> None:
    from .tasks import generate_rejection_notice

    generate_rejection_notice.delay(application_id)


def application_transitioned(
    sender: Any, instance: Any, name: str, source: Any, target: Any, **kwargs: Any
) -> None:
    if kwargs.get("exception") is not None:
        return
    application_id = instance.pk
    if target == ApplicationState.APPROVED:
        transaction.on_commit(lambda: _enqueue_grant_notice(application_id), robust=True)
    elif target == ApplicationState.REJECTED:
        transaction.on_commit(lambda: _enqueue_rejection_notice(application_id), robust=True)
