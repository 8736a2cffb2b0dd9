"""Reads of stored documents."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from budgets.choices import LedgerKind
from budgets.models import BudgetEnvelope, LedgerEntry
from budgets.rules import DASHBOARD_ROLES, allowed, role_paths
from budgets.selectors import subtree_q
from grants.applications.models import Application, ApplicationState
from grants.applications.selectors import applications_visible_to, visibility_q
from grants.awards.models import Grant, Reclaim, ReviewNote, Settlement
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.records.models import RetentionLog
from grants.rules import carrier_organisation_ids
from reporting.models import GRANT_DOCUMENT_KINDS, INTERNAL_KINDS, BudgetReport, Document, DocumentKind


def documents_for(application: Application, *, user: Any) -> QuerySet[Document]:
    """The application's documents that ``user`` may see, oldest first.

    Every document of the application's grant (the grant notice, the payment orders of its
    drawdowns, the settlement memo, the reclaim decisions) is stored with the application, so
    one indexed filter lists them all. Internal papers are left out for anyone who is not
    staff of the application's office subtree (the carrier).
    """
    documents = Document.objects.filter(application=application).order_by("created_at", "pk")
    if not allowed(user, "reporting.view_internal_documents", application):
        documents = documents.exclude(kind__in=INTERNAL_KINDS)
    return documents


def issued_document(subject: Any, kind: str, *, user: Any) -> Document | None:
    """The document of ``kind`` issued for ``subject``, if ``user`` may download it."""
    if subject is None or subject.pk is None:
        return None
    return (
        documents_visible_to(user)
        .filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, kind=kind)
        .first()
    )


def budget_reports_visible_to(user: Any) -> QuerySet[BudgetReport]:
    """Budget reports of offices whose budget the user may see (budgets.rules, subtree rule)."""
    paths = role_paths(user, DASHBOARD_ROLES)
    reports = BudgetReport.objects.select_related("office", "requested_by")
    return reports if paths is None else reports.filter(subtree_q(paths, prefix="office__"))


def documents_visible_to(user: Any) -> QuerySet[Document]:
    """Documents the user may download.

    Documents of an application follow the application (carriers: their own organisations';
    staff: their offices' subtrees). Budget reports belong to an office instead: they follow
    the budget dashboard's rule, a dashboard role in that office or any office above it.
    """
    if not getattr(user, "is_authenticated", False):
        return Document.objects.none()
    staff_applications = Application.objects.filter(visibility_q(user)).exclude(
        organisation_id__in=carrier_organisation_ids(user)
    )
    of_applications = Q(application__in=applications_visible_to(user).values("pk")) & (
        ~Q(kind__in=INTERNAL_KINDS) | Q(application__in=staff_applications.values("pk"))
    )
    if getattr(user, "is_superuser", False):
        of_applications = Q(application__isnull=False)
    of_offices = Q(
        kind=DocumentKind.BUDGET_REPORT,
        content_type=ContentType.objects.get_for_model(BudgetReport),
        object_id__in=budget_reports_visible_to(user).values("pk"),
    )
    return Document.objects.filter(of_applications | of_offices)


def budget_report_documents(reports: list[BudgetReport]) -> dict[int, Document]:
    """The issued document of each report, by report id (reports still in the queue have none)."""
    content_type = ContentType.objects.get_for_model(BudgetReport)
    documents = Document.objects.filter(
        content_type=content_type, kind=DocumentKind.BUDGET_REPORT, object_id__in=[r.pk for r in reports]
    )
    return {d.object_id: d for d in documents}


# --- figures the documents print --------------------------------------------------------------


def charged_envelope(*, reference: str, budget_year: int) -> BudgetEnvelope | None:
    """The envelope (budget title) a grant's instalment for ``budget_year`` is committed against.

    Read from the ledger, where the approval committed it under the file number; the latest
    commitment wins, so a moved commitment (amendment) points to its new envelope.
    """
    entry = (
        LedgerEntry.objects.filter(reference=reference, budget_year=budget_year, kind=LedgerKind.COMMITMENT)
        .select_related("envelope__office", "envelope__programme")
        .order_by("-created_at", "-pk")
        .first()
    )
    return entry.envelope if entry else None


def drawdowns_of_year(drawdown: Drawdown) -> QuerySet[Drawdown]:
    """Payments of the same grant and year ordered before ``drawdown`` (or paid already)."""
    qs = Drawdown.objects.filter(
        grant_id=drawdown.grant_id,
        budget_year=drawdown.budget_year,
        state__in=(DrawdownState.ORDERED, DrawdownState.PAID),
    )
    if drawdown.ordered_at:
        qs = qs.filter(ordered_at__lt=drawdown.ordered_at)
    return qs.order_by("ordered_at", "pk")


def _anonymised() -> QuerySet[Any, Any]:
    """Cases the retention run anonymised: their documents were deleted on purpose."""
    return RetentionLog.objects.anonymised_cases().values("application_id")


def _issued(model: type, *kinds: str) -> QuerySet[Document, Any]:
    content_type = ContentType.objects.get_for_model(model)
    return Document.objects.filter(content_type=content_type, kind__in=kinds).values("object_id")


def notices_missing() -> tuple[list[int], list[int]]:
    """Grants without their notice (a micro-project's: its forwarding notice or contract) and
    rejected applications without a rejection notice (ids)."""
    grants = Grant.objects.exclude(pk__in=_issued(Grant, *GRANT_DOCUMENT_KINDS)).exclude(
        application_id__in=_anonymised()
    )
    rejected = (
        Application.objects.filter(state=ApplicationState.REJECTED)
        .exclude(pk__in=_issued(Application, DocumentKind.REJECTION_NOTICE))
        .exclude(pk__in=_anonymised())
    )
    return (
        list(grants.order_by("pk").values_list("pk", flat=True)),
        list(rejected.order_by("pk").values_list("pk", flat=True)),
    )


def documents_missing() -> dict[str, list[int]]:
    """Per document kind, the ids of subjects whose document a lost job never issued.

    Ordered (or since paid) drawdowns without a payment order, settlements without a memo,
    reclaims without a decision, requested budget reports without their file.
    """
    subjects: dict[str, QuerySet[Any]] = {
        DocumentKind.PAYMENT_ORDER: Drawdown.objects.filter(
            state__in=(DrawdownState.ORDERED, DrawdownState.PAID), ordered_at__isnull=False
        ).exclude(grant__application_id__in=_anonymised()),
        DocumentKind.SETTLEMENT_MEMO: Settlement.objects.exclude(grant__application_id__in=_anonymised()),
        DocumentKind.RECLAIM_DECISION: Reclaim.objects.exclude(grant__application_id__in=_anonymised()),
        DocumentKind.BUDGET_REPORT: BudgetReport.objects.all(),
        DocumentKind.REVIEW_NOTE: ReviewNote.objects.exclude(proof__grant__application_id__in=_anonymised()),
    }
    return {
        str(kind): list(
            qs.exclude(pk__in=_issued(qs.model, kind)).order_by("pk").values_list("pk", flat=True)
        )
        for kind, qs in subjects.items()
    }


# --- documents and open data: passing money on (DOMAIN §7) -------------------------------------


def first_recipient_grant(grant: Grant) -> Grant | None:
    """The grant that finances a micro-project's fund (its file number is the fund's
    ``source_reference``); its organisation is the first recipient. None outside a fund."""
    fund = grant.fund
    if fund is None:
        return None
    return (
        Grant.objects.select_related("organisation", "office", "programme")
        .filter(file_number=fund.source_reference)
        .first()
    )
