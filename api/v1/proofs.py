"""Proofs of use with their receipt lists; a carrier hands in a whole receipt list as JSON."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.pagination import cursor_page
from api.problems import RuleRefused
from api.v1.common import Money, MoneyIn, PageQuery, responses, visible_or_404
from grants.applications.selectors import visibility_q
from grants.awards.models import ProofOfUse, Receipt
from grants.awards.models.proof import ProofKind, ProofState
from grants.awards.services.proof import plan_line_labels, plan_line_numbers, receipts_import_rows

router = Router(tags=["Proofs of use"])

MAX_RECEIPTS = 5000


def proofs_visible_to(user: Any) -> QuerySet[ProofOfUse]:
    """The proofs of every grant the user may see (the grant pages' rule)."""
    return ProofOfUse.objects.filter(visibility_q(user, prefix="grant__")).select_related(
        "grant", "grant__organisation", "grant__office"
    )


class ProofOut(Schema):
    id: int
    grant_id: int
    file_number: str
    kind: ProofKind
    budget_year: int | None
    due_on: date
    state: ProofState
    state_label: str
    submitted_at: datetime | None
    accepted_at: datetime | None
    receipt_count: int
    receipts_total: Money

    @staticmethod
    def resolve_file_number(obj: ProofOfUse) -> str:
        return obj.grant.file_number

    @staticmethod
    def resolve_state_label(obj: ProofOfUse) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_receipts_total(obj: Any) -> Decimal:
        # SQLite sums decimals as floats: back to the cent.
        return Decimal(obj.receipts_total or 0).quantize(Decimal("0.01"))


class PlanLineRef(Schema):
    id: int
    number: str = Field(
        description="The position number a receipt names (1, 2 … expenditure; E1, D1, Z1 cover)"
    )
    label: str
    side: str
    budget_year: int
    amount: Money


class ProofDetail(ProofOut):
    narrative: str
    plan_version: int
    plan_lines: list[PlanLineRef] = Field(
        description="The lines of the plan version the proof is measured against"
    )

    @staticmethod
    def resolve_plan_version(obj: ProofOfUse) -> int:
        return obj.plan.version

    @staticmethod
    def resolve_plan_lines(obj: ProofOfUse) -> list[dict[str, Any]]:
        # In the order the financing plan shows them: expenditure, then cover; by year and position.
        lines = sorted(
            obj.plan.lines.all(),
            key=lambda ln: (ln.side != "expenditure", ln.budget_year, ln.position, ln.pk),
        )
        numbers, labels = plan_line_numbers(lines), plan_line_labels(lines)
        return [
            {
                "id": line.pk,
                "number": numbers[line.pk],
                "label": labels[line.pk],
                "side": line.side,
                "budget_year": line.budget_year,
                "amount": line.amount,
            }
            for line in lines
        ]


class ProofPage(Schema):
    items: list[ProofOut]
    next_cursor: str | None


class ProofFilters(Schema):
    grant: int | None = None
    state: ProofState | None = None
    kind: ProofKind | None = None


def _with_totals(qs: QuerySet[ProofOfUse]) -> QuerySet[ProofOfUse]:
    return qs.annotate(receipt_count=Count("receipts"), receipts_total=Sum("receipts__amount"))


@router.get("/proofs", response=responses(ProofPage), summary="Proofs of use of the grants you may see")
def proof_list(request: HttpRequest, filters: Query[ProofFilters], page: Query[PageQuery]) -> Any:
    qs = proofs_visible_to(request.user)
    if filters.grant is not None:
        qs = qs.filter(grant_id=filters.grant)
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    return cursor_page(_with_totals(qs), cursor=page.cursor, limit=page.limit)


@router.get("/proofs/{proof_id}", response=responses(ProofDetail), summary="One proof of use")
def proof_detail(request: HttpRequest, proof_id: int) -> Any:
    return visible_or_404(_with_totals(proofs_visible_to(request.user)).select_related("plan"), proof_id)


class ReceiptOut(Schema):
    id: int
    number: str
    paid_on: date
    counterparty: str
    reason: str
    amount: Money
    plan_line_id: int


class ReceiptPage(Schema):
    items: list[ReceiptOut]
    next_cursor: str | None


@router.get("/proofs/{proof_id}/receipts", response=responses(ReceiptPage), summary="A proof's receipt list")
def receipt_list(request: HttpRequest, proof_id: int, page: Query[PageQuery]) -> Any:
    proof = visible_or_404(proofs_visible_to(request.user), proof_id)
    return cursor_page(Receipt.objects.filter(proof=proof), cursor=page.cursor, limit=page.limit)


class ReceiptIn(Schema):
    number: str = Field(max_length=40, description="Receipt number, unique in the proof")
    paid_on: date
    counterparty: str = Field(
        max_length=200, description="Payee or payer (a case pseudonym Fall-<n> where confidential)"
    )
    reason: str = Field(max_length=300)
    amount: MoneyIn
    plan_line: str = Field(
        max_length=200, description="The plan line's position number (see plan_lines), e.g. 1 or D1"
    )


class ReceiptListIn(Schema):
    receipts: list[ReceiptIn] = Field(min_length=1, max_length=MAX_RECEIPTS)
    dry_run: bool = Field(False, description="Only check; write nothing")
    replace: bool = Field(False, description="Replace the whole receipt list instead of adding to it")


class ReceiptImportOut(Schema):
    dry_run: bool
    created: int
    checked: int


@router.post(
    "/proofs/{proof_id}/receipts",
    response={
        200: ReceiptImportOut,
        201: ReceiptImportOut,
        **{k: v for k, v in responses(None).items() if k != 200},
    },
    summary="Hand in a receipt list (carrier): all receipts or none",
)
def receipt_upload(request: HttpRequest, proof_id: int, body: ReceiptListIn) -> Any:
    """The rules of the receipt list import (dates within the approval period and the proof's
    year, unique numbers, plan lines of the proof, case pseudonyms where confidential). One bad
    row refuses the whole list: 422 with every bad row in ``errors`` (pointer to the row)."""
    proof = visible_or_404(proofs_visible_to(request.user), proof_id)
    rows = [
        {
            "number": r.number,
            "paid_on": r.paid_on,
            "counterparty": r.counterparty,
            "reason": r.reason,
            "amount": str(r.amount),
            "plan_line": r.plan_line,
        }
        for r in body.receipts
    ]
    report = receipts_import_rows(
        proof=proof,
        by=request.user,  # type: ignore[arg-type]
        rows=rows,
        dry_run=body.dry_run,
        replace=body.replace,
    )
    if report.bad_rows:
        raise RuleRefused(
            _("%(count)s of %(total)s receipts break a rule; nothing was written.")
            % {"count": len(report.bad_rows), "total": len(report.rows)},
            errors=[
                {"pointer": f"/body/receipts/{row.line - 1}", "detail": message}
                for row in report.bad_rows
                for message in row.messages
            ],
        )
    result = {"dry_run": report.dry_run, "created": report.created, "checked": len(report.rows)}
    return Status(200 if report.dry_run else 201, result)
