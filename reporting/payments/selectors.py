"""Who handles which payments and runs: finance staff, over their offices' subtrees.

A payment run is seen (and its file downloaded, and its execution booked) only by someone who
holds the finance role over *every* payment in it: the file carries account data of all its
payees, so a partial right is no right.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from budgets.choices import StaffRole
from budgets.rules import office_roles
from budgets.services.commitments import source_label
from grants.awards.payments.filters import PaymentRunFilter
from grants.awards.payments.models import (
    Drawdown,
    DrawdownState,
    PaymentRun,
    PaymentRunItem,
    PaymentRunTransfer,
)
from grants.awards.payments.services.run import RunPlan


def finance_paths(user: Any) -> list[str]:
    """Office paths in which the user holds the finance role (each covers its subtree)."""
    return sorted({path for path, role in office_roles(user) if role == StaffRole.FINANCE})


def _under(paths: list[str], prefix: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def drawdowns_for_finance(user: Any) -> QuerySet[Drawdown]:
    """Every drawdown of a grant in the user's finance subtrees, with what a list shows."""
    return Drawdown.objects.filter(_under(finance_paths(user), "grant__office__")).select_related(
        "grant", "grant__organisation", "grant__office"
    )


def payable_drawdowns(user: Any) -> QuerySet[Drawdown]:
    """Ordered payments the user may put into a run and that are in no run yet."""
    return (
        drawdowns_for_finance(user)
        .filter(state=DrawdownState.ORDERED, payment_run_item__isnull=True)
        .order_by("ordered_at", "pk")
    )


def payment_runs_visible_to(user: Any) -> QuerySet[PaymentRun]:
    paths = finance_paths(user)
    if not paths:
        return PaymentRun.objects.none()
    outside = PaymentRunItem.objects.exclude(_under(paths, "drawdown__grant__office__"))
    # A transfer returned by the bank has left its run (reporting.bankstatements) but still
    # belongs to it: whoever sees the run must handle that payment too.
    returned_outside = Drawdown.objects.filter(bank_returns__payment_run__isnull=False).exclude(
        _under(paths, "grant__office__")
    )
    # A cancelled run has released its payments (no items left): only its creator still sees it.
    released = PaymentRun.objects.filter(items__isnull=True, returned_transfers__isnull=True).exclude(
        created_by=user
    )
    return (
        PaymentRun.objects.exclude(pk__in=outside.values("run_id"))
        .exclude(returned_transfers__drawdown__in=returned_outside)
        .exclude(pk__in=released.values("pk"))
        .select_related("created_by", "executed_by")
    )


def may_handle_run(user: Any, run: PaymentRun) -> bool:
    return payment_runs_visible_to(user).filter(pk=run.pk).exists()


def run_items(run: PaymentRun) -> QuerySet[PaymentRunItem]:
    return run.items.select_related("drawdown", "drawdown__grant", "drawdown__grant__organisation").order_by(
        "drawdown__grant__file_number", "drawdown_id"
    )


def payment_run_filter(user: Any, data: Any) -> PaymentRunFilter:
    """The runs the user may see, narrowed by the person's search and status filter."""
    return PaymentRunFilter(data or None, queryset=payment_runs_visible_to(user))


@dataclass(frozen=True)
class TransferRow:
    end_to_end_id: str
    file_number: str
    payee: str
    funding_source: str
    amount: Decimal

    @property
    def source_label(self) -> str:
        return source_label(self.funding_source)


@dataclass(frozen=True)
class RunBlock:
    """One payment block (PmtInf) as the pages show it: a paying account and its transfers."""

    name: str
    iban: str
    bic: str
    transfers: list[TransferRow]

    @property
    def total(self) -> Decimal:
        return sum((t.amount for t in self.transfers), Decimal(0))

    @property
    def count(self) -> int:
        return len(self.transfers)


def run_blocks(run: PaymentRun) -> list[RunBlock]:
    """A stored run's payment blocks in file order: one per paying account; one query."""
    transfers = (
        PaymentRunTransfer.objects.filter(item__run=run)
        .select_related("item", "item__drawdown__grant")
        .order_by("debtor_name", "debtor_iban", "item__drawdown_id", "end_to_end_id")
    )
    blocks: dict[str, RunBlock] = {}
    for t in transfers:
        block = blocks.setdefault(
            t.debtor_iban, RunBlock(name=t.debtor_name, iban=t.debtor_iban, bic=t.debtor_bic, transfers=[])
        )
        block.transfers.append(
            TransferRow(
                end_to_end_id=t.end_to_end_id,
                file_number=t.item.drawdown.grant.file_number,
                payee=t.item.creditor_name,
                funding_source=t.funding_source,
                amount=t.amount,
            )
        )
    return list(blocks.values())


def plan_blocks(plan: RunPlan) -> list[RunBlock]:
    """The blocks of a planned run (the preview), in the shape of a stored run's."""
    return [
        RunBlock(
            name=block.debtor.name,
            iban=block.debtor.iban,
            bic=block.debtor.bic,
            transfers=[
                TransferRow(
                    end_to_end_id=p.transfer.end_to_end_id,
                    file_number=p.drawdown.grant.file_number,
                    payee=p.transfer.creditor.name,
                    funding_source=p.funding_source,
                    amount=p.transfer.amount,
                )
                for p in block.transfers
            ],
        )
        for block in plan.blocks
    ]
