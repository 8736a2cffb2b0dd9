"""Issuing documents: render once, store the file, record it; a repeat call changes nothing."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.models import CoordinatingOffice
from budgets.rules import allowed
from core.errors import AccessDenied, DomainError
from grants.applications.models import Application, ApplicationState
from grants.awards.models import Grant, Reclaim, ReviewNote, Settlement
from grants.awards.payments.models import Drawdown, DrawdownState
from reporting.documents.budget_report import render_budget_report
from reporting.documents.forwarding import NOTICE_TITLE, forwarding_title, render_forwarding_document
from reporting.documents.grant_notice import render_grant_notice
from reporting.documents.payment_order import render_payment_order
from reporting.documents.reclaim_decision import render_reclaim_decision
from reporting.documents.rejection_notice import render_rejection_notice
from reporting.documents.review_note import render_review_note
from reporting.documents.settlement_memo import render_settlement_memo
from reporting.models import GRANT_DOCUMENT_KINDS, BudgetReport, Document, DocumentKind
from reporting.selectors import first_recipient_grant
from webhooks.events import EventType
from webhooks.outbox import emit, subject_of

logger = logging.getLogger(__name__)

# Documents addressed to the carrier that webhooks announce as "notice issued" (issue 13).
NOTICE_KINDS = (*GRANT_DOCUMENT_KINDS, DocumentKind.REJECTION_NOTICE, DocumentKind.RECLAIM_DECISION)


def document_issue(
    *,
    subject: Any,
    application: Application | None,
    kind: str,
    file_name: str,
    render: Callable[[], bytes],
) -> Document:
    """The document of ``kind`` for ``subject``: the stored one, or a newly rendered one.

    Idempotent, so a retried job (``acks_late``) cannot issue a second notice: the unique
    constraint on (object, kind) settles a race between two workers, and the loser removes
    the file it wrote.
    """
    content_type = ContentType.objects.get_for_model(subject)
    key = {"content_type": content_type, "object_id": subject.pk, "kind": kind}
    existing = Document.objects.filter(**key).first()
    if existing:
        return existing
    content = render()
    document = Document(
        application=application,
        file_name=file_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        **key,
    )
    document.file.save(file_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
            if application is not None and kind in NOTICE_KINDS:
                _announce_notice(document, subject=subject, application=application)
    except IntegrityError:
        document.file.delete(save=False)
        return Document.objects.get(**key)
    except BaseException:
        document.file.delete(save=False)
        raise
    logger.info(
        "Issued %s %s for %s", kind, document.file_name, application.reference if application else subject
    )
    return document


def _announce_notice(document: Document, *, subject: Any, application: Application) -> None:
    """Webhooks (issue 13): the event is written in the transaction that records the document."""
    office = getattr(subject, "office", None) or application.office
    grant = subject if isinstance(subject, Grant) else getattr(subject, "grant", None)
    emit(
        EventType.NOTICE_ISSUED,
        subject=document,
        payload={
            "document_id": document.pk,
            "kind": document.kind,
            "file_name": document.file_name,
            "sha256": document.sha256,
            "subject": subject_of(subject),
            "application_id": application.pk,
            "reference": application.reference,
            "file_number": grant.file_number if grant is not None else None,
        },
        organisation_id=application.organisation_id,
        office_path=office.path,
    )


def grant_notice_issue(*, grant: Grant) -> Document:
    """The document issued at a grant's approval: its grant notice (Zuwendungsbescheid), or
    for a micro-project its first recipient's forwarding notice or contract (DOMAIN §7)."""
    grant = Grant.objects.select_related(
        "application", "organisation", "programme", "office", "approved_by", "fund__envelope"
    ).get(pk=grant.pk)
    if grant.fund_id is not None:
        return forwarding_document_issue(grant=grant)
    return document_issue(
        subject=grant,
        application=grant.application,
        kind=DocumentKind.GRANT_NOTICE,
        file_name=f"Zuwendungsbescheid_{grant.file_number}.pdf",
        render=lambda: render_grant_notice(grant=grant),
    )


def forwarding_document_issue(*, grant: Grant) -> Document:
    """A micro-project's forwarding notice (public first recipient) or contract (private one).

    Whichever of the grant's documents was issued first stays: a retried job finds it even if
    the first recipient's legal form changed in between.
    """
    issued = Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Grant),
        object_id=grant.pk,
        kind__in=GRANT_DOCUMENT_KINDS,
    ).first()
    if issued:
        return issued
    fund = grant.fund
    first = first_recipient_grant(grant)
    if fund is None or first is None:
        raise DomainError(
            _("The fund %(fund)s names %(reference)s as its financing grant, but there is no such grant.")
            % {"fund": fund.name if fund else "–", "reference": fund.source_reference if fund else "–"}
        )
    title = forwarding_title(first.organisation)
    kind = DocumentKind.FORWARDING_NOTICE if title == NOTICE_TITLE else DocumentKind.FORWARDING_CONTRACT
    return document_issue(
        subject=grant,
        application=grant.application,
        kind=kind,
        file_name=f"{title}_{_safe(grant.file_number)}.pdf",
        render=lambda: render_forwarding_document(grant=grant),
    )


def rejection_notice_issue(*, application: Application) -> Document:
    application = Application.objects.select_related("organisation", "programme", "office", "decided_by").get(
        pk=application.pk
    )
    if application.state != ApplicationState.REJECTED:
        raise DomainError(_("A rejection notice can only be issued for a rejected application."))
    return document_issue(
        subject=application,
        application=application,
        kind=DocumentKind.REJECTION_NOTICE,
        file_name=f"Ablehnungsbescheid_{application.reference}.pdf",
        render=lambda: render_rejection_notice(application=application),
    )


def _safe(text: str) -> str:
    """A file-name part without path separators or spaces."""
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def payment_order_issue(*, drawdown: Drawdown) -> Document:
    """The payment order (Auszahlungsanordnung) of an ordered (or since paid) drawdown."""
    drawdown = Drawdown.objects.select_related(
        "grant__application",
        "grant__organisation",
        "grant__programme",
        "grant__office",
        "requested_by",
        "certified_by",
        "ordered_by",
    ).get(pk=drawdown.pk)
    if drawdown.state not in (DrawdownState.ORDERED, DrawdownState.PAID):
        raise DomainError(_("A payment order can only be issued for a drawdown whose payment was ordered."))
    grant = drawdown.grant
    return document_issue(
        subject=drawdown,
        application=grant.application,
        kind=DocumentKind.PAYMENT_ORDER,
        file_name=f"Auszahlungsanordnung_{_safe(grant.file_number)}_{drawdown.pk}.pdf",
        render=lambda: render_payment_order(drawdown=drawdown),
    )


def settlement_memo_issue(*, settlement: Settlement) -> Document:
    """The settlement memo (Abrechnungsvermerk) with the line-by-line computation."""
    settlement = Settlement.objects.select_related(
        "grant__application",
        "grant__organisation",
        "grant__programme",
        "grant__office",
        "proof__plan",
        "computed_by",
    ).get(pk=settlement.pk)
    grant = settlement.grant
    return document_issue(
        subject=settlement,
        application=grant.application,
        kind=DocumentKind.SETTLEMENT_MEMO,
        file_name=f"Abrechnungsvermerk_{_safe(grant.file_number)}.pdf",
        render=lambda: render_settlement_memo(settlement=settlement),
    )


def review_note_issue(*, note: ReviewNote) -> Document:
    """The review note (Prüfvermerk) of an in-depth check, with the receipts not fully admitted."""
    note = ReviewNote.objects.select_related(
        "proof__grant__application", "proof__grant__organisation", "proof__grant__office", "checked_by"
    ).get(pk=note.pk)
    proof = note.proof
    grant = proof.grant
    entry = getattr(proof, "in_depth", None)
    receipts = list(proof.receipts.order_by("paid_on", "number"))
    return document_issue(
        subject=note,
        application=grant.application,
        kind=DocumentKind.REVIEW_NOTE,
        file_name=f"Pruefvermerk_{_safe(grant.file_number)}_{proof.pk}.pdf",
        render=lambda: render_review_note(note=note, receipts=receipts, entry=entry),
    )


def reclaim_decision_issue(*, reclaim: Reclaim) -> Document:
    """The reclaim decision (Rückforderungsbescheid) with its interest pieces."""
    reclaim = Reclaim.objects.select_related(
        "grant__application",
        "grant__organisation",
        "grant__programme",
        "grant__office",
        "drawdown",
        "decided_by",
    ).get(pk=reclaim.pk)
    grant = reclaim.grant
    return document_issue(
        subject=reclaim,
        application=grant.application,
        kind=DocumentKind.RECLAIM_DECISION,
        file_name=f"Rueckforderungsbescheid_{_safe(grant.file_number)}_{reclaim.pk}.pdf",
        render=lambda: render_reclaim_decision(reclaim=reclaim),
    )


@transaction.atomic
def budget_report_request(*, office: CoordinatingOffice, year: int, by: Any) -> BudgetReport:
    """Record the request and queue its job once the request is committed."""
    if not allowed(by, "budgets.view_office_budget", office):
        raise AccessDenied(
            _("Only staff with a budget role in this office or above it can request its report.")
        )
    if not 2000 <= year <= 2100:
        raise DomainError(_("Please choose a budget year between 2000 and 2100."))
    report = BudgetReport.objects.create(office=office, budget_year=year, requested_by=by)

    def enqueue() -> None:
        from reporting.tasks import generate_budget_report

        generate_budget_report.delay(report.pk)

    transaction.on_commit(enqueue, robust=True)
    return report


def budget_report_issue(*, report: BudgetReport) -> Document:
    """The budget report's document: rendered once with the ledger figures of that moment."""
    report = BudgetReport.objects.select_related("office", "requested_by").get(pk=report.pk)
    return document_issue(
        subject=report,
        application=None,
        kind=DocumentKind.BUDGET_REPORT,
        file_name=f"Haushaltsbericht_{_safe(report.office.code)}_{report.budget_year}_{report.pk}.pdf",
        render=lambda: render_budget_report(
            office=report.office, year=report.budget_year, by=report.requested_by
        ),
    )
