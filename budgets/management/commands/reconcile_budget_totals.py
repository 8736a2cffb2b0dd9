"""``manage.py reconcile_budget_totals``: prove envelope totals = Σ ledger, or name where not.

Compares every (envelope, budget year, figure) of ``EnvelopeTotal`` with the sum of its ledger
entries (one ``GROUP BY`` over the ledger, one read of the totals). Exit status 0 when all
agree; otherwise it prints each differing envelope by name with both amounts and exits 1. It
repairs nothing: the totals are written only by the ledger trigger, so a difference means
someone wrote the totals table by hand or the trigger was missing; find out which first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from budgets.models import BudgetEnvelope
from budgets.selectors import BOOKED_FIGURES, Figures, total_differences


class Command(BaseCommand):
    help = "Check that every envelope total equals the sum of its ledger entries (exit 1 if not)."

    def handle(self, *args: Any, **options: Any) -> None:
        differences = total_differences()
        if not differences:
            self.stdout.write(self.style.SUCCESS("Envelope totals equal the ledger."))
            return
        envelopes = BudgetEnvelope.objects.select_related("office", "programme").in_bulk(
            {envelope_id for envelope_id, _year in differences}
        )
        lines = []
        for (envelope_id, year), (totals, ledger) in sorted(differences.items()):
            env = envelopes.get(envelope_id)
            name = (
                f"{env.budget_title} ({env.office.short_name}, {env.programme.code}, {env.budget_year})"
                if env
                else "(deleted envelope)"
            )
            for figure in BOOKED_FIGURES:
                kept, booked = _amount(totals, figure), _amount(ledger, figure)
                if kept != booked:
                    lines.append(
                        f"envelope {envelope_id} {name}, budget year {year}, {figure}: "
                        f"totals {kept}, ledger {booked}, difference {kept - booked}"
                    )
        for line in lines:
            self.stderr.write(line)
        raise CommandError(
            f"{len(lines)} envelope totals differ from the ledger "
            f"({len({key[0] for key in differences})} envelopes).",
            returncode=1,
        )


def _amount(figures: Figures | None, figure: str) -> Decimal:
    return getattr(figures or Figures(), figure)
