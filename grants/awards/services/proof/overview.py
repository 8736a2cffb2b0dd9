"""What a proof's page shows: its statement next to the plan and the receipt totals (reads only).

The sums live here, not in the view or the template; a final proof's line whose receipts do
not add up to its actual amount is marked as :func:`submission_errors` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from grants.applications.models import CoverKind
from grants.applications.models.plan import PlanLineSide
from grants.awards.models import PlanVersionLine, ProofLine, ProofOfUse, Receipt
from grants.awards.services.proof._common import plan_line_labels, relevant_lines
from grants.awards.services.proof.flat_rate import is_flat_rate

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StatementRow:
    """One plan line of the proof: planned, stated actual, and (expenditure) its receipts."""

    line: PlanVersionLine
    label: str
    actual: Decimal | None
    receipts: Decimal
    is_expenditure: bool
    mismatch: bool  # final proof with a receipt list: the receipts do not add up to the stated actual


@dataclass(frozen=True)
class ProofOverview:
    labels: dict[int, str]
    rows: list[StatementRow]
    unplanned: list[ProofLine]
    receipts: list[Receipt]
    receipts_total: Decimal
    actual_by_line: dict[int, Decimal]
    # The lines the carrier states (the grant's own cover line is known from the drawdowns).
    stated_lines: list[PlanVersionLine]
    # The lines a receipt may be booked on: the proof's expenditure lines.
    expenditure_labels: dict[int, str]
    flat_rate_lines: set[int]


def proof_overview(proof: ProofOfUse) -> ProofOverview:
    """The statement next to the plan, the receipts and their totals (three queries)."""
    plan_lines = list(proof.plan.lines.all())
    labels = plan_line_labels(plan_lines)
    relevant = relevant_lines(proof, plan_lines)
    statement = list(proof.lines.select_related("plan_line").all())
    actual_by_line = {s.plan_line_id: s.actual for s in statement if s.plan_line_id}
    receipts = list(proof.receipts.select_related("plan_line").all())
    totals: dict[int, Decimal] = {}
    for receipt in receipts:
        totals[receipt.plan_line_id] = totals.get(receipt.plan_line_id, ZERO) + receipt.amount
    rows = []
    for line in relevant:
        expenditure = line.side == PlanLineSide.EXPENDITURE
        received = totals.get(line.pk, ZERO)
        rows.append(
            StatementRow(
                line=line,
                label=labels[line.pk],
                actual=actual_by_line.get(line.pk),
                receipts=received,
                is_expenditure=expenditure,
                mismatch=expenditure
                and proof.needs_receipt_list
                and not is_flat_rate(line, proof.grant)
                and received != actual_by_line.get(line.pk, ZERO),
            )
        )
    return ProofOverview(
        labels=labels,
        rows=rows,
        unplanned=[s for s in statement if not s.plan_line_id],
        receipts=receipts,
        receipts_total=sum((r.amount for r in receipts), ZERO),
        actual_by_line=actual_by_line,
        stated_lines=[line for line in relevant if line.cover_kind != CoverKind.GRANT],
        expenditure_labels={
            line.pk: labels[line.pk]
            for line in relevant
            if line.side == PlanLineSide.EXPENDITURE and not is_flat_rate(line, proof.grant)
        },
        flat_rate_lines={line.pk for line in relevant if is_flat_rate(line, proof.grant)},
    )
