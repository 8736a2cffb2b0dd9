"""``manage.py select_in_depth_checks --office CODE --year YYYY --by USERNAME [--seed N]
[--share 10] [--high-amount 100000] [--dry-run]``: an office's yearly selection of proofs for
in-depth checks (DOMAIN.md §9), the same service as the page.

With ``--dry-run`` (and a ``--seed``) it prints which proofs the seed draws and writes nothing,
so a stored selection can be checked against its seed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from budgets.models import CoordinatingOffice
from core.errors import DomainError
from grants.awards.services.proof.in_depth import (
    DEFAULT_HIGH_AMOUNT,
    MIN_SHARE,
    in_depth_select,
    in_depth_selection_plan,
)


def _decimal(value: str, name: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"{name}: {value!r} is not a number") from exc


class Command(BaseCommand):
    help = "Select an office's proofs of a year for in-depth checks (once per office and year)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", required=True, help="The office's code, e.g. SN.")
        parser.add_argument("--year", required=True, type=int, help="The year the proofs were received.")
        parser.add_argument("--by", help="Username of the office's head who selects (not for --dry-run).")
        parser.add_argument("--seed", type=int, help="Random seed (default: a fresh one, stored).")
        parser.add_argument("--share", default=str(MIN_SHARE), help="Share in %% (at least 10).")
        parser.add_argument("--high-amount", default=str(DEFAULT_HIGH_AMOUNT), help="High amount in EUR.")
        parser.add_argument("--dry-run", action="store_true", help="Print the draw of --seed; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        office = CoordinatingOffice.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"No office with the code {options['office']!r}.")
        share = _decimal(options["share"], "--share")
        high_amount = _decimal(options["high_amount"], "--high-amount")
        with translation.override("de"):
            if options["dry_run"]:
                if options["seed"] is None:
                    raise CommandError("--dry-run needs --seed.")
                plan = in_depth_selection_plan(
                    office=office,
                    year=options["year"],
                    seed=options["seed"],
                    share_percent=share,
                    high_amount=high_amount,
                )
                self._print([(c.proof, ", ".join(c.reasons)) for c in plan.by_risk])
                self._print([(p, "random") for p in plan.at_random])
                return
            user = get_user_model().objects.filter(username=options["by"] or "").first()
            if user is None:
                raise CommandError("--by must name an existing user (the office's head).")
            try:
                selection = in_depth_select(
                    office=office,
                    year=options["year"],
                    by=user,
                    seed=options["seed"],
                    share_percent=share,
                    high_amount=high_amount,
                )
            except DomainError as error:
                raise CommandError(" ".join(error.messages)) from error
            for entry in selection.entries.select_related("proof__grant").order_by("basis", "proof_id"):
                self.stdout.write(
                    f"{entry.proof.grant.file_number} (proof {entry.proof_id}): {entry.basis}"
                    + (f" – {', '.join(entry.reasons)}" if entry.reasons else "")
                )
            self.stdout.write(
                f"{selection.entries.count()} of {selection.proofs_received} proofs; seed {selection.seed}"
            )

    def _print(self, rows: list[tuple[Any, str]]) -> None:
        for proof, why in rows:
            self.stdout.write(f"{proof.grant.file_number} (proof {proof.pk}): {why}")
