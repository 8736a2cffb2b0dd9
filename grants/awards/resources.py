"""django-import-export resources of the grants app: the receipt list (Belegliste).

File layout (XLSX or CSV, German as carriers keep it; the first non-empty row is the header):

    Belegnummer | Datum | Zahlungsempfänger/Einzahler | Zahlungsgrund | Betrag | Planposition

- *Datum*: ``31.12.2026`` (also ``31.12.26``, ``2026-12-31`` or a date cell).
- *Betrag*: ``1.234,56`` (German; ``1234.56`` and number cells work too; ``1.234`` is 1234).
- *Planposition*: the position number of the plan line as the financing plan of the proof shows
  it (``1``, ``2``, … for expenditure, ``E1`` own funds, ``D1`` third-party funds and income, see
  ``grants.awards.services.proof.plan_line_numbers``), or the full label ``3 · Projektleitung (2026)``,
  or the line's text where only one line has it.

Resources only parse: ``ReceiptResource.parse`` turns one row of the file into values and the
reasons a cell could not be read. Checking the receipt against the proof's rules and writing it
(or replacing the list) is the work of ``receipts_import``; the rows come from ``core.tabular``.

Amounts and dates follow the one rule of ``core.money`` and ``core.dates``: the file is read as
German whatever language the carrier reads the site in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from core.dates import parse_date
from core.money import GERMAN, parse_amount
from grants.awards.models import PlanVersionLine, Receipt

FIELDS = ("number", "paid_on", "counterparty", "reason", "amount", "plan_line")

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


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)  # rendered in the user's language


class TextWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return _text(value)


class GermanDateWidget(widgets.Widget):
    """``31.12.2026``, ``31.12.26``, ``2026-12-31`` or a date cell (``core.dates.parse_date``)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date | None:
        if not isinstance(value, date) and not _text(value):
            return None
        try:
            return parse_date(value if isinstance(value, date) else _text(value))
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None


class GermanAmountWidget(widgets.Widget):
    """``1.234,56`` (German, also in an English session), ``1234.56`` or a number cell."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        if not isinstance(value, int | float) and not _text(value):
            return None
        try:
            return parse_amount(value if isinstance(value, int | float) else _text(value), locale=GERMAN)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None


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


class ReceiptResource(resources.ModelResource):
    """Parses the rows of a receipt list for one proof; see the module docstring for the columns."""

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

    def __init__(self, *, plan_lines: dict[str, PlanVersionLine | None]) -> None:
        """``plan_lines``: every way the file may name a plan line → the line (``None``: ambiguous)."""
        super().__init__()
        self.fields["plan_line"].widget = PlanLineWidget(plan_lines)
        self._widgets = [(name, self.fields[name].widget) for name in FIELDS]

    def parse(self, cells: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """One row's values by field (``None`` where empty or unreadable), and per field the
        reason its cell could not be read."""
        parsed: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, widget in self._widgets:
            try:
                parsed[name] = widget.clean(cells.get(name))
            except ValueError as exc:
                parsed[name] = None
                errors[name] = [str(exc)]
        return parsed, errors
