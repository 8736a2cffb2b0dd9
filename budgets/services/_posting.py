"""Writing ledger rows: the only place that creates ``LedgerEntry`` objects.

The envelope totals (``EnvelopeTotal``) follow in the same INSERT: the database's ledger
trigger adds each entry to its (envelope, budget year) figures, so the callers' envelope locks
(``_locking.lock_envelopes``, pk order) also order the total rows, and a rolled-back booking
leaves no total behind. Nothing here writes the totals table.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils import timezone

from budgets.choices import LedgerKind
from budgets.models import BudgetEnvelope, LedgerEntry

__all__ = ["LedgerKind", "Posting", "envelope_label", "post_entries"]


class Posting(NamedTuple):
    envelope_id: int
    budget_year: int
    kind: str
    amount: Decimal


def post_entries(
    postings: Iterable[Posting], *, reference: str, by: Any, comment: str = ""
) -> list[LedgerEntry]:
    now = timezone.now()
    entries = [
        LedgerEntry(
            envelope_id=p.envelope_id,
            budget_year=p.budget_year,
            kind=p.kind,
            amount=Decimal(p.amount),
            reference=reference,
            actor=by,
            created_at=now,
            comment=comment,
        )
        for p in postings
    ]
    return LedgerEntry.objects.bulk_create(entries)


def envelope_label(envelope: BudgetEnvelope) -> str:
    """How a message names an envelope: budget title, office and programme."""
    return f"{envelope.budget_title} ({envelope.office.short_name}, {envelope.programme.code})"
