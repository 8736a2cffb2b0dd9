"""How one export column reads in each format.

Every widget is a django-import-export widget (``render`` is what ``Resource.export()`` writes),
and it also hands the streaming writers one converter per format, so both paths share the
formatting rules:

- CSV is for German Excel: amounts with a decimal comma and no thousands separator
  (``1234,56``), dates as ``31.12.2025``, texts that Excel would run as a formula
  (``=``, ``+``, ``-``, ``@``) prefixed with an apostrophe.
- XLSX cells hold real numbers and dates with a number format, so sums work; texts never
  become formulas and lose the control characters XML cannot carry.
- JSON amounts are decimal strings (``"1234.56"``, exact), dates ISO 8601.

A converter is ``None`` where the raw database value is already right, which keeps the
per-row work of a large export small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from import_export import widgets
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.dates import date_converter
from core.money import GERMAN, plain_amount_converter

Converter = Callable[[Any], Any] | None

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any) -> Any:
    # A carrier's project title "=HYPERLINK(…)" must stay text when finance opens the file.
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _local_date_converter() -> Callable[[date | datetime], date]:
    """Timestamps → their date in the current time zone (Europe/Berlin); dates stay as they are."""
    zone = timezone.get_current_timezone()

    def convert(value: date | datetime) -> date:
        if isinstance(value, datetime):
            return value.astimezone(zone).date() if value.tzinfo else value.date()
        return value

    return convert


def _german_date_converter() -> Callable[[Any], str]:
    local, german = _local_date_converter(), date_converter(GERMAN)

    def convert(value: date | datetime | None) -> str:
        return "" if value is None else german(local(value))

    return convert


_german_amount = plain_amount_converter(GERMAN)


def _styled_cell_factory(sheet: Any, number_format: str) -> Callable[[Any], Any]:
    """Cells of one number format, cheap to make: the style array is built once and copied."""
    prototype = WriteOnlyCell(sheet)
    prototype.number_format = number_format
    style = prototype._style

    def make(value: Any) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(sheet)
        cell._style = style.__copy__()
        cell.value = value
        return cell

    return make


class ExportWidget(widgets.Widget):
    """Base: ``render`` for ``Resource.export()``, and one converter per streaming format.

    For XLSX there are two: ``xlsx_converter`` (openpyxl cells, the previous writer) and
    ``xlsx_value_converter`` with ``xlsx_number_format`` (the value and the number format of the
    column's cells, for the XlsxWriter writer; the cell type follows the value's type).
    """

    xlsx_number_format: str | None = None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        converter = self.csv_converter()
        if value is None:
            return ""
        return converter(value) if converter else value

    def csv_converter(self) -> Converter:
        return None

    def xlsx_converter(self, sheet: Any) -> Converter:
        return None

    def xlsx_value_converter(self) -> Converter:
        return None

    def json_converter(self) -> Converter:
        return None


class TextWidget(ExportWidget):
    def csv_converter(self) -> Converter:
        return _csv_text

    def xlsx_converter(self, sheet: Any) -> Converter:
        def convert(value: Any) -> Any:
            if not value:
                return value
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):
                # openpyxl writes any string starting with "=" as a formula; force a text cell.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                return cell
            return value

        return convert

    def xlsx_value_converter(self) -> Converter:
        # XML cannot carry control characters; a text cell is never a formula in the writer.
        return lambda value: ILLEGAL_CHARACTERS_RE.sub("", value) if value else value


class IntegerWidget(ExportWidget):
    """Years and counts: the same in every format."""


class AmountWidget(ExportWidget):
    """Euro amounts: exact Decimals, never floats."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value
        return _german_amount(value)

    def csv_converter(self) -> Converter:
        return _german_amount

    xlsx_number_format = AMOUNT_FORMAT

    def xlsx_converter(self, sheet: Any) -> Converter:
        return _styled_cell_factory(sheet, AMOUNT_FORMAT)

    def json_converter(self) -> Converter:
        return lambda value: None if value is None else format(value, "f")


class DateWidget(ExportWidget):
    """Dates; a timestamp is exported as its date in the local time zone (Europe/Berlin)."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return _german_date_converter()(value)

    def csv_converter(self) -> Converter:
        return _german_date_converter()

    xlsx_number_format = DATE_FORMAT

    def xlsx_converter(self, sheet: Any) -> Converter:
        make, local = _styled_cell_factory(sheet, DATE_FORMAT), _local_date_converter()
        return lambda value: None if value is None else make(local(value))

    def xlsx_value_converter(self) -> Converter:
        return _local_date_converter()

    def json_converter(self) -> Converter:
        local = _local_date_converter()
        return lambda value: None if value is None else local(value).isoformat()


class LabelWidget(ExportWidget):
    """A choice shown by its German label (a state, a kind); unknown values stay as they are.

    Exports are German whatever language the person who started them reads the site in:
    finance passes them on to offices and auditors, and macros rely on the labels.
    """

    def __init__(self, choices: Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = list(choices)
        self._labels: dict[Any, str] | None = None

    def labels(self) -> dict[Any, str]:
        if self._labels is None:
            with translation.override("de"):
                self._labels = {str(value): str(label) for value, label in self.choices}
        return self._labels

    def _converter(self) -> Callable[[Any], Any]:
        labels = self.labels()
        return lambda value: labels.get(value, value)

    def csv_converter(self) -> Converter:
        return self._converter()

    def xlsx_converter(self, sheet: Any) -> Converter:
        return self._converter()

    def xlsx_value_converter(self) -> Converter:
        return self._converter()

    def json_converter(self) -> Converter:
        return self._converter()
