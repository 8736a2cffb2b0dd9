"""The receipt list (Belegliste): one set of rules for the form and the import.

``ReceiptRules`` holds everything a check needs, loaded once per proof (its plan lines, the
approval period, whether the programme is confidential), so the import checks 10,000 rows
without a query per row and the form checks one row with exactly the same code.

The rules that depend on the grant's time and on individual help (the eligible start after an
early start or the notice; case pseudonyms on individual help and names everywhere else; the cap
per case and year) live in ``eligibility``, which the settlement asks as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date, format_eur
from grants.awards.models import PlanVersionLine, ProofOfUse, Receipt
from grants.awards.models.proof import EDIT_PROOF
from grants.awards.services.dates import PAID_ON, date_problems
from grants.awards.services.proof._common import (
    locked_proof,
    plan_line_labels,
    relevant_lines,
    require_editable,
)
from grants.awards.services.proof.eligibility import (
    CaseTotals,
    counterparty_refusal,
    early_date_refusal,
    is_individual_help,
)
from grants.awards.services.proof.flat_rate import flat_rate_receipt_refusal, is_flat_rate

MAX_AMOUNT = Decimal("9999999999.99")
FIELDS = ("number", "paid_on", "counterparty", "reason", "amount", "plan_line")


@dataclass
class ReceiptValues:
    """One receipt as entered or read from a file; ``None`` where a value is missing."""

    number: str = ""
    paid_on: date | None = None
    counterparty: str = ""
    reason: str = ""
    amount: Decimal | None = None
    plan_line: PlanVersionLine | None = None


class ReceiptRules:
    """The rules of one proof's receipt list (see the module docstring)."""

    def __init__(
        self,
        proof: ProofOfUse,
        lines: list[PlanVersionLine] | None = None,
        *,
        exclude_pk: int | None = None,
        replace: bool = False,
    ) -> None:
        """``exclude_pk``: the receipt being changed; ``replace``: the list is about to be replaced
        (an import), so the receipts in it count for nothing."""
        self.proof = proof
        self.grant = proof.grant
        all_lines = list(proof.plan.lines.all()) if lines is None else lines
        self.labels = plan_line_labels(all_lines)
        self.lines = {line.pk: line for line in all_lines}
        self.allowed = {line.pk for line in relevant_lines(proof, all_lines)}
        self.today = timezone.localdate()  # a receipt records a payment made: never a later day
        self.cases = CaseTotals(proof.grant, []) if replace else CaseTotals.of(proof, exclude_pk=exclude_pk)

    def errors(self, values: ReceiptValues, *, number_taken: bool = False) -> dict[str, list[str]]:
        """Broken rules per field; ``number_taken``: the number is already used in this proof."""
        found: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            found.setdefault(name, []).append(message)

        number = values.number.strip()
        if not number:
            add("number", _("The receipt number is missing."))
        elif len(number) > 40:
            add("number", _("The receipt number may have at most 40 characters."))
        elif number_taken:
            add(
                "number",
                _("Receipt number “%(number)s” is already in the receipt list.") % {"number": number},
            )
        self._date_errors(values.paid_on, add)
        counterparty = values.counterparty.strip()
        if not counterparty:
            add("counterparty", _("The payee or payer is missing."))
        elif len(counterparty) > 200:
            add("counterparty", _("The payee or payer may have at most 200 characters."))
        reason = values.reason.strip()
        if not reason:
            add("reason", _("The reason for payment is missing."))
        elif len(reason) > 300:
            add("reason", _("The reason for payment may have at most 300 characters."))
        amount = values.amount
        if amount is None:
            add("amount", _("The amount is missing."))
        elif amount <= 0:
            add("amount", _("The amount must be greater than zero."))
        elif amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            add("amount", _("%(amount)s is not a valid amount in euros and cents.") % {"amount": amount})
        self._plan_line_errors(values.plan_line, add)
        if counterparty and "counterparty" not in found and "plan_line" not in found:
            assert values.plan_line is not None
            line = self.lines[values.plan_line.pk]
            refused = counterparty_refusal(counterparty, line, self.labels[line.pk])
            if refused:
                add("counterparty", refused)
            elif is_individual_help(line) and not {"paid_on", "amount"} & found.keys():
                assert values.paid_on is not None and amount is not None
                over = self.cases.refusal(counterparty, values.paid_on, amount)
                if over:
                    add("amount", over)
        return found

    def count(self, values: ReceiptValues) -> None:
        """Count a valid receipt towards its case's cap (an import checks row after row)."""
        if values.plan_line is not None and is_individual_help(self.lines[values.plan_line.pk]):
            assert values.paid_on is not None and values.amount is not None
            self.cases.add(values.counterparty.strip(), values.paid_on, values.amount)

    def _date_errors(self, paid_on: date | None, add: Any) -> None:
        grant = self.grant
        if paid_on is None:
            add("paid_on", _("The date is missing."))
        elif not grant.period_start <= paid_on <= grant.period_end:
            add(
                "paid_on",
                _("The date %(date)s lies outside the approval period %(from)s–%(until)s.")
                % {
                    "date": format_date(paid_on),
                    "from": format_date(grant.period_start),
                    "until": format_date(grant.period_end),
                },
            )
        elif refused := early_date_refusal(paid_on, grant):
            add("paid_on", refused)
        elif self.proof.budget_year is not None and paid_on.year != self.proof.budget_year:
            add(
                "paid_on",
                _("The date %(date)s does not lie in the budget year %(year)s of this interim proof.")
                % {"date": format_date(paid_on), "year": self.proof.budget_year},
            )
        elif paid_on > self.today:
            add("paid_on", date_problems(paid_on, what=PAID_ON, today=self.today)[0])

    def _plan_line_errors(self, line: PlanVersionLine | None, add: Any) -> None:
        if line is None:
            add("plan_line", _("The plan line is missing."))
        elif line.pk not in self.lines:
            add("plan_line", _("The plan line does not belong to the financing plan of this proof."))
        elif is_flat_rate(self.lines[line.pk], self.grant):
            add("plan_line", flat_rate_receipt_refusal(self.labels[line.pk], self.grant))
        elif line.pk not in self.allowed:
            add(
                "plan_line",
                _("Plan line “%(line)s” belongs to another budget year than this interim proof (%(year)s).")
                % {"line": self.labels[line.pk], "year": self.proof.budget_year},
            )


def _flatten(errors: dict[str, list[str]]) -> list[str]:
    return [message for name in FIELDS for message in errors.get(name, [])]


def _checked(proof: ProofOfUse, values: ReceiptValues, *, exclude_pk: int | None = None) -> None:
    same_number = proof.receipts.filter(number=values.number.strip())
    if exclude_pk is not None:
        same_number = same_number.exclude(pk=exclude_pk)
    taken = same_number.exists()
    errors = ReceiptRules(proof, exclude_pk=exclude_pk).errors(values, number_taken=taken)
    if errors:
        raise DomainError(_flatten(errors))


@transaction.atomic
def receipt_add(
    *,
    proof: ProofOfUse,
    by: User,
    number: str,
    paid_on: date | None,
    counterparty: str,
    reason: str,
    amount: Decimal | None,
    plan_line: PlanVersionLine | None,
) -> Receipt:
    """Add one receipt to the list (carrier, while the proof is a draft or sent back)."""
    locked = locked_proof(proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    values = ReceiptValues(number, paid_on, counterparty, reason, amount, plan_line)
    _checked(locked, values)
    assert paid_on is not None and amount is not None and plan_line is not None
    return Receipt.objects.create(
        proof=locked,
        number=number.strip(),
        paid_on=paid_on,
        counterparty=counterparty.strip(),
        reason=reason.strip(),
        amount=amount,
        plan_line=plan_line,
    )


@transaction.atomic
def receipt_update(
    *,
    receipt: Receipt,
    by: User,
    number: str,
    paid_on: date | None,
    counterparty: str,
    reason: str,
    amount: Decimal | None,
    plan_line: PlanVersionLine | None,
) -> Receipt:
    """Change every field of one receipt; the same rules as :func:`receipt_add`."""
    locked = locked_proof(receipt.proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    current = Receipt.objects.select_for_update().get(pk=receipt.pk, proof=locked)
    values = ReceiptValues(number, paid_on, counterparty, reason, amount, plan_line)
    _checked(locked, values, exclude_pk=current.pk)
    assert paid_on is not None and amount is not None and plan_line is not None
    current.number, current.paid_on, current.amount = number.strip(), paid_on, amount
    current.counterparty, current.reason, current.plan_line = counterparty.strip(), reason.strip(), plan_line
    # A changed receipt is decided afresh in an in-depth check.
    current.admission, current.admitted_amount, current.admission_reason = "", None, ""
    current.admitted_by, current.admitted_at = None, None
    current.save()
    return current


@transaction.atomic
def receipt_delete(*, receipt: Receipt, by: User) -> None:
    locked = locked_proof(receipt.proof)
    require(by, EDIT_PROOF, locked)
    require_editable(locked)
    Receipt.objects.filter(pk=receipt.pk, proof=locked).delete()


def receipt_summary(values: ReceiptValues, label: str) -> str:
    """One line of a dry run: ``R-17 · 15.03.2026 · Druckerei Müller · 1.234,56 € → 2 · Flyer (2026)``."""
    return (
        " · ".join(
            [values.number, format_date(values.paid_on), values.counterparty, format_eur(values.amount)]
        )
        + f" → {label}"
    )
