"""django-import-export resources of the grants app: the receipt list (Belegliste).

File layout (XLSX or CSV, German as carriers keep it; the first non-empty row is the header):

    Belegnummer | Datum | Zahlungsempfänger/Einzahler | Zahlungsgrund | Betrag | Planposition

- *Datum*: ``31.12.2026`` (also ``31.12.26``, ``2026-12-31`` or a date cell).
- *Betrag*: ``1.234,56`` (German; ``1234.56`` and number cells work too; ``1.234`` is 1234).
- *Planposition*: the position number of the plan line as the financing plan of the proof shows
  it (``1``, ``2``, … for expenditure, ``E1`` own funds, ``D1`` third-party funds and income, see
  ``grants.awards.services.proof.plan_line_numbers``), or the full label ``3 · Projektleitung (2026)``,
  or the line's text where only one line has it.

Rows are parsed by strict widgets and then checked by ``ReceiptRules``, the same rules the
receipt form uses; nothing is saved row by row: valid rows are collected and written with one
``bulk_create`` at the end, and only when no row failed (see ``receipts_import``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from grants.applications.forms import parse_amount
from grants.awards.models import PlanVersionLine, ProofOfUse, Receipt
from grants.awards.services.proof.receipts import FIELDS, ReceiptRules, ReceiptValues

LINE = "_line"  # the dataset column holding each row's line number in the file
COLUMNS = {
    "number": ("belegnummer", "beleg-nr.", "beleg-nr", "belegnr", "beleg", "receipt number", "number"),
    "paid_on": ("datum", "zahlungsdatum", "date"),
    "counterparty": (
        "zahlungsempfänger/einzahler",
        "zahlungsempfänger",
        "empfänger/einzahler",
        "einzahler",
        "payee or payer",
        "payee/payer",
        "counterparty",
    ),
    "reason": ("zahlungsgrund", "verwendungszweck", "grund", "reason for payment", "reason"),
    "amount": ("betrag", "betrag (eur)", "betrag in eur", "betrag €", "amount"),
    "plan_line": ("planposition", "position", "plan position", "plan line"),
}
# The header as the template shows it, per field (for messages about missing columns).
GERMAN_HEADERS = {
    "number": "Belegnummer",
    "paid_on": "Datum",
    "counterparty": "Zahlungsempfänger/Einzahler",
    "reason": "Zahlungsgrund",
    "amount": "Betrag",
    "plan_line": "Planposition",
}
GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
GERMAN_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+,\d{1,2}|\d+")
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}


def normalise_header(header: Any) -> str:
    text = re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", str(header or "").strip().lower()))
    return _ALIASES.get(text, text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return _text(value)


class GermanDateWidget(widgets.Widget):
    FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            return None
        match = GERMAN_DATE.fullmatch(text)
        if match:  # the usual case, without strptime's cost per row
            day, month, year = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                pass
        for fmt in self.FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date; write dates like 31.12.2026.") % {"value": text})


class GermanAmountWidget(widgets.Widget):
    """``1.234,56`` (German, also in an English session), ``1234.56`` or a number cell."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return Decimal(str(value))
            except InvalidOperation:
                raise ValueError(_("“%(value)s” is not an amount.") % {"value": value}) from None
        text = _text(value)
        if not text:
            return None
        if GERMAN_AMOUNT.fullmatch(text):  # the usual case: 1.234,56 read directly
            return Decimal(text.replace(".", "").replace(",", "."))
        error = None
        with translation.override("de"):
            try:
                return parse_amount(text)
            except ValidationError as exc:
                error = exc
        # Rendered outside the override, so the message is in the user's language.
        raise ValueError(" ".join(error.messages))


class PlanLineWidget(widgets.Widget):
    """A plan line named by its position number, its full label or its (unique) text."""

    def __init__(self, lookup: dict[str, PlanVersionLine | None]) -> None:
        super().__init__()
        self.lookup = lookup

    @staticmethod
    def key(value: Any) -> str:
        return re.sub(r"\s+", " ", _text(value)).casefold()

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> PlanVersionLine | None:
        key = self.key(value)
        if not key:
            return None
        if key not in self.lookup:
            token = re.match(r"([a-z]?\d+)\b", key)
            key = token.group(1) if token else key
        if key not in self.lookup:
            raise ValueError(
                _(
                    "Unknown plan position “%(value)s”: use the number of a line of the financing plan (e.g. 1, 2 or D1)."
                )
                % {"value": _text(value)}
            )
        line = self.lookup[key]
        if line is None:
            raise ValueError(
                _("“%(value)s” names several lines of the financing plan; use the position number.")
                % {"value": _text(value)}
            )
        return line


def plan_line_lookup(rules: ReceiptRules) -> dict[str, PlanVersionLine | None]:
    """Every way a carrier may name a plan line → the line (``None``: ambiguous text)."""
    from grants.awards.services.proof import plan_line_numbers

    numbers = plan_line_numbers(rules.lines.values())
    lookup: dict[str, PlanVersionLine | None] = {}
    for line in rules.lines.values():
        text = PlanLineWidget.key(line.text)
        if text:
            lookup[text] = None if text in lookup else line
    for line in rules.lines.values():
        lookup[PlanLineWidget.key(rules.labels[line.pk])] = line
        lookup[numbers[line.pk].casefold()] = line
    return lookup


class ReceiptResource(resources.ModelResource):
    """Imports receipts into one proof; see the module docstring for the columns."""

    number = fields.Field(attribute="number", column_name="number", widget=TextWidget())
    paid_on = fields.Field(attribute="paid_on", column_name="paid_on", widget=GermanDateWidget())
    counterparty = fields.Field(attribute="counterparty", column_name="counterparty", widget=TextWidget())
    reason = fields.Field(attribute="reason", column_name="reason", widget=TextWidget())
    amount = fields.Field(attribute="amount", column_name="amount", widget=GermanAmountWidget())
    plan_line = fields.Field(attribute="plan_line", column_name="plan_line", widget=widgets.Widget())

    class Meta:
        model = Receipt
        fields = FIELDS
        import_id_fields: tuple[str, ...] = ()
        force_init_instance = True  # every row is a new receipt: no lookup query per row
        skip_diff = True
        clean_model_instances = False  # ReceiptRules checks every row instead
        use_bulk = True
        batch_size = None  # one bulk_create at the end, and only when every row is valid

    def __init__(self, *, proof: ProofOfUse, rules: ReceiptRules, taken: set[str], replace: bool = False):
        super().__init__()
        self.proof, self.rules, self.taken, self.replace = proof, rules, taken, replace
        self.fields["plan_line"].widget = PlanLineWidget(plan_line_lookup(rules))
        self.first_line: dict[str, int] = {}
        self.accepted: dict[int, tuple[ReceiptValues, str]] = {}  # line → values, plan-line label
        self.failed = False
        self.written = 0

    def get_import_fields(self) -> list[fields.Field]:
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def init_instance(self, row: Any = None) -> Receipt:
        return Receipt(proof=self.proof)

    def import_instance(self, instance: Receipt, row: Any, **kwargs: Any) -> None:
        line = row[LINE]
        parse_errors: dict[str, list[str]] = {}
        for field in self.get_import_fields():
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValueError as exc:
                parse_errors[field.attribute] = [str(exc)]
        values = ReceiptValues(
            number=instance.number or "",
            paid_on=instance.paid_on,
            counterparty=instance.counterparty or "",
            reason=instance.reason or "",
            amount=instance.amount,
            plan_line=instance.plan_line if instance.plan_line_id else None,
        )
        number = values.number.strip()
        errors = self.rules.errors(values, number_taken=number in self.taken)
        errors = {name: messages for name, messages in errors.items() if name not in parse_errors}
        if number and number in self.first_line:
            errors.setdefault("number", []).append(
                _("Receipt number “%(number)s” appears more than once in the file (first in line %(line)s).")
                % {"number": number, "line": self.first_line[number]}
            )
        elif number:
            self.first_line[number] = line
        errors |= parse_errors
        if errors:
            self.failed = True
            raise ValidationError({name: errors[name] for name in FIELDS if name in errors})
        instance.number, instance.counterparty, instance.reason = (
            number,
            values.counterparty.strip(),
            values.reason.strip(),
        )
        self.accepted[line] = (values, self.rules.labels[values.plan_line.pk])  # type: ignore[union-attr]

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        # All or nothing: a dry run or a file with any bad row writes no receipt at all.
        if dry_run or self.failed or (result is not None and result.has_errors()):
            self.create_instances.clear()
            return
        if self.replace:
            Receipt.objects.filter(proof=self.proof).delete()
        self.written += len(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=2000, result=result)
