"""Documents follow the workflow (imported, and so connected, in ``ReportingConfig.ready``).

grants must not import reporting, so reporting listens to django-fsm's ``post_transition``.
The signal fires inside the transition, before the approval service has created the grant,
so the job is scheduled on commit and finds the grant by its application then. The callbacks
are robust: a broker outage must not make a committed decision look failed to the approver;
``generate_missing_notices`` (daily) catches up on anything that was not issued.

After the award: a drawdown whose payment is ordered gets its payment order; a stored
settlement its memo; a decided reclaim its decision; a review note of an in-depth check its PDF. Settlements and reclaims are rows created
by the grants services (no transition of their own), so those two listen to ``post_save``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_fsm.signals import post_transition

from grants.applications.models import ApplicationState
from grants.awards.models import Grant, Reclaim, ReviewNote, Settlement
from grants.awards.payments.models import Drawdown, DrawdownState

logger = logging.getLogger(__name__)


def _enqueue_grant_notice(application_id: int) -> None:
    from reporting.tasks import generate_grant_notice

    grant_id = Grant.objects.filter(application_id=application_id).values_list("pk", flat=True).first()
    if grant_id is None:
        logger.error("Application %s was approved but has no grant: no grant notice issued.", application_id)
        return
    generate_grant_notice.delay(grant_id)


def _enqueue_rejection_notice(application_id: int) -> None:
    from reporting.tasks import generate_rejection_notice

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


def _enqueue(task_name: str, pk: int) -> None:
    from reporting import tasks

    getattr(tasks, task_name).delay(pk)


def _on_commit(task_name: str, pk: int) -> None:
    transaction.on_commit(lambda: _enqueue(task_name, pk), robust=True)


@receiver(post_transition, sender=Drawdown, dispatch_uid="reporting.drawdown_transitioned")
def drawdown_transitioned(
    sender: Any, instance: Any, name: str, source: Any, target: Any, **kwargs: Any
) -> None:
    if kwargs.get("exception") is None and target == DrawdownState.ORDERED:
        _on_commit("generate_payment_order", instance.pk)


@receiver(post_save, sender=Settlement, dispatch_uid="reporting.settlement_saved")
def settlement_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        _on_commit("generate_settlement_memo", instance.pk)


@receiver(post_save, sender=ReviewNote, dispatch_uid="reporting.review_note_saved")
def review_note_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        _on_commit("generate_review_note", instance.pk)


@receiver(post_save, sender=Reclaim, dispatch_uid="reporting.reclaim_saved")
def reclaim_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        _on_commit("generate_reclaim_decision", instance.pk)
