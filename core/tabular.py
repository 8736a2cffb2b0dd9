"""One reader for uploaded tables (XLSX or CSV): rows with their line numbers in the file.

- CSV as German Excel writes it (``;``) or as other tools do (``,``, tab): the delimiter is the
  one the first non-empty line uses most. The text is UTF-8 (with or without the byte-order
  mark Excel writes for "CSV UTF-8") or, failing that, cp1252 (Excel's plain "CSV").
- XLSX: the first sheet; cells keep their types (numbers, dates), so ``core.money`` and
  ``core.dates`` read them as cells.
- The first non-empty row is the header; blank rows are skipped but keep their numbers, so a
  message names the line a person sees in Excel (the header of a file without blank lines is
  line 1). Headers are normalised by the caller's function (aliases differ per upload).

Reading only parses: nothing here knows what a row means.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import tablib
from django.utils.translation import gettext as _

from core.errors import DomainError

DELIMITERS = (";", ",", "\t")
LINE = "_line"  # the dataset column holding each row's line number in the file


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass(frozen=True)
class Table:
    """The header (normalised) and the data rows of an upload, each with its line number."""

    headers: list[str]
    rows: list[Row]

    @property
    def lines(self) -> list[int]:
        return [row.line for row in self.rows]

    def missing(self, required: Sequence[str]) -> list[str]:
        return [name for name in required if name not in self.headers]

    def doubled(self) -> list[str]:
        return sorted({h for h in self.headers if h and self.headers.count(h) > 1})

    def dataset(self, columns: Sequence[str]) -> tablib.Dataset:
        """The rows as a django-import-export dataset of ``columns`` plus the ``LINE`` column."""
        dataset = tablib.Dataset(headers=[*columns, LINE])
        for row in self.rows:
            dataset.append([row.values.get(name) for name in columns] + [row.line])
        return dataset


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")  # what German Excel writes for "CSV (Trennzeichen-getrennt)"


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for values in reader:
        yield start, values
        start = reader.line_num + 1


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(values)
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def read_table(content: bytes, file_name: str, *, normalise_header: Callable[[Any], str]) -> Table:
    """Read an XLSX or CSV upload; raises ``DomainError`` with a sentence for the uploader."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        reader = _xlsx_rows
    elif name.endswith(".csv"):
        reader = _csv_rows
    else:
        raise DomainError(_("Please upload an XLSX or CSV file."))
    try:
        raw = [(number, values) for number, values in reader(content) if not all(map(_blank, values))]
    except Exception as exc:  # csv, zipfile and openpyxl raise their own types for damaged files
        raise DomainError(
            _("The file could not be read as %(format)s.") % {"format": file_name.rsplit(".", 1)[-1].upper()}
        ) from exc
    if not raw:
        raise DomainError(_("The file is empty."))
    headers = [normalise_header(h) for h in raw[0][1]]
    rows = []
    for number, values in raw[1:]:
        cells: dict[str, Any] = {}
        for header, value in zip(headers, values, strict=False):
            if header and header not in cells:
                cells[header] = value
        rows.append(Row(line=number, values=cells))
    return Table(headers=headers, rows=rows)
