"""Celery tasks: take ids, load, call one service; safe to run twice."""

from typing import Any

from celery import shared_task
from django.db import OperationalError

from grants.applications.models import Application
from grants.awards.models import Grant, Reclaim, ReviewNote, Settlement
from grants.awards.payments.models import Drawdown
from reporting.exports.tasks import run_export_job  # noqa: F401  (Celery autodiscovery imports <app>.tasks only)
from reporting.models import BudgetReport
from reporting.selectors import documents_missing, notices_missing
from reporting.services import (
    budget_report_issue,
    grant_notice_issue,
    payment_order_issue,
    reclaim_decision_issue,
    rejection_notice_issue,
    review_note_issue,
    settlement_memo_issue,
)

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


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_payment_order(drawdown_id: int) -> int:
    """Render and store the payment order of an ordered drawdown; returns the document's id."""
    return payment_order_issue(drawdown=Drawdown.objects.get(pk=drawdown_id)).pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_settlement_memo(settlement_id: int) -> int:
    """Render and store the settlement memo; returns the document's id."""
    return settlement_memo_issue(settlement=Settlement.objects.get(pk=settlement_id)).pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_reclaim_decision(reclaim_id: int) -> int:
    """Render and store the reclaim decision; returns the document's id."""
    return reclaim_decision_issue(reclaim=Reclaim.objects.get(pk=reclaim_id)).pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_budget_report(report_id: int) -> int:
    """Render and store a requested budget report; returns the document's id."""
    return budget_report_issue(report=BudgetReport.objects.get(pk=report_id)).pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def generate_review_note(note_id: int) -> int:
    """Render and store the review note of an in-depth check; returns the document's id."""
    return review_note_issue(note=ReviewNote.objects.get(pk=note_id)).pk


MISSING_DOCUMENT_TASKS: dict[str, Any] = {
    "payment_order": generate_payment_order,
    "settlement_memo": generate_settlement_memo,
    "reclaim_decision": generate_reclaim_decision,
    "budget_report": generate_budget_report,
    "review_note": generate_review_note,
}


@shared_task(acks_late=True)
def generate_missing_notices() -> int:
    """Daily (Celery beat): queue every document that a lost job never issued; returns how many."""
    grant_ids, application_ids = notices_missing()
    for grant_id in grant_ids:
        generate_grant_notice.delay(grant_id)
    for application_id in application_ids:
        generate_rejection_notice.delay(application_id)
    queued = len(grant_ids) + len(application_ids)
    for kind, ids in documents_missing().items():
        for pk in ids:
            MISSING_DOCUMENT_TASKS[kind].delay(pk)
        queued += len(ids)
    return queued
