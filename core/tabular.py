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

Bounded before and while parsing (``Limits``; an upload is the attacker's file): the size of
the upload; for XLSX, a zip, the declared unpacked size of its members (a 1 MB file can unpack
to gigabytes; zipfile stops reading a member at its declared size) and the rows its first sheet
declares; while reading, the number of rows (data and blank), the columns kept per row and the
time spent. The unpacked size also bounds what openpyxl does on opening the workbook: a sheet
that declares no dimension is read through once to find it, so opening costs time in
proportion to the unpacked size; a web request therefore gets small limits, a background job
larger ones. Each refusal is a ``TableTooLarge`` (a ``DomainError``) whose sentence names the
limit, so a caller may offer the same file to a job with larger limits instead of refusing it;
``check_size`` runs the checks that read no row.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import tablib
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import format_number

DELIMITERS = (";", ",", "\t")
LINE = "_line"  # the dataset column holding each row's line number in the file
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much of an upload is read at most (see the module docstring)."""

    max_bytes: int = 10 * MB
    max_rows: int = 20_000  # data rows, the header not counted
    max_columns: int = 50  # cells kept per row; columns further right are ignored
    max_unpacked: int = 40 * MB  # XLSX: declared uncompressed size of all zip members together
    max_members: int = 500  # XLSX: files inside the zip
    seconds: float = 60.0  # reading (not checking) the rows

    @property
    def max_lines(self) -> int:
        """Rows read at all, blank ones included: a file of empty rows is no list either."""
        return 2 * self.max_rows + 1000


class TableTooLarge(DomainError):
    """The upload exceeds a limit; ``too_many_rows``: only the row count (a job may take it)."""

    def __init__(self, message: str, *, too_many_rows: bool = False) -> None:
        super().__init__(message)
        self.too_many_rows = too_many_rows


def _count(value: int) -> str:
    return format_number(value, 0)


def _megabytes(size: int) -> str:
    return format_number(Decimal(size) / MB, 1)


def _too_many_rows(limits: Limits) -> TableTooLarge:
    return TableTooLarge(
        _("The file has more than %(limit)s rows; at most %(limit)s rows can be imported at once.")
        % {"limit": _count(limits.max_rows)},
        too_many_rows=True,
    )


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


def _first_line(text: str) -> str:
    for match in re.finditer(r"[^\r\n]+", text):
        if match.group().strip():
            return match.group()
    return ""


def _csv_rows(content: bytes, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(content)
    first = _first_line(text)
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for values in reader:
        yield start, values
        start = reader.line_num + 1


def _check_zip(content: bytes, limits: Limits) -> None:
    """The declared unpacked size of an XLSX, before anything is unpacked.

    A member that unpacks to more than it declares fails its CRC check when read (zipfile stops
    at the declared size), so the declaration bounds what is read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: openpyxl names it as unreadable
    if len(members) > limits.max_members:
        raise TableTooLarge(
            _("The XLSX file contains %(count)s parts; an Excel list has far fewer (at most %(limit)s).")
            % {"count": _count(len(members)), "limit": _count(limits.max_members)}
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked:
        raise TableTooLarge(
            _(
                "Unpacked, the XLSX file would take %(size)s MB; at most %(limit)s MB are read. "
                "Please split the list or save it as CSV."
            )
            % {"size": _megabytes(unpacked), "limit": _megabytes(limits.max_unpacked)}
        )


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        declared = sheet.max_row  # from the sheet's <dimension>, read without reading the rows
        if declared is not None and declared > limits.max_lines:
            raise TableTooLarge(
                _(
                    "The sheet declares %(rows)s rows; at most %(limit)s rows can be imported at once. "
                    "If the rows below your list are empty, delete them in Excel and save the file again."
                )
                % {"rows": _count(declared), "limit": _count(limits.max_rows)},
                too_many_rows=True,
            )
        # Only the rows the sheet holds: a declared dimension larger than them is not padded out.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        rows = sheet.iter_rows(values_only=True)
        for number, values in enumerate(rows, 1):
            yield number, list(values)
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def _bounded(rows: Iterator[tuple[int, list[Any]]], limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """The non-blank rows, refusing more rows, more lines or more time than ``limits`` allow."""
    deadline = time.monotonic() + limits.seconds
    kept = 0
    for read, (number, values) in enumerate(rows, 1):
        if read % 256 == 0 and time.monotonic() > deadline:
            raise TableTooLarge(
                _(
                    "Reading the file took longer than %(seconds)s seconds. Please split it into smaller files."
                )
                % {"seconds": _count(int(limits.seconds))}
            )
        if read > limits.max_lines:
            raise _too_many_rows(limits)
        if all(map(_blank, values)):
            continue
        kept += 1
        if kept > limits.max_rows + 1:  # the header and the data rows
            raise _too_many_rows(limits)
        yield number, values[: limits.max_columns]


def _reader(file_name: str) -> Callable[[bytes, Limits], Iterator[tuple[int, list[Any]]]]:
    name = file_name.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows
    if name.endswith(".csv"):
        return _csv_rows
    raise DomainError(_("Please upload an XLSX or CSV file."))


def check_size(content: bytes, file_name: str, limits: Limits) -> None:
    """The checks that read no row: the file's type, its size and (XLSX) its declared unpacked size.

    Cheap enough for a web request whatever the file holds; raises ``TableTooLarge`` (or a
    ``DomainError`` for a file that is neither XLSX nor CSV).
    """
    reader = _reader(file_name)
    if len(content) > limits.max_bytes:
        raise TableTooLarge(
            _("The file has %(size)s MB; at most %(limit)s MB can be imported.")
            % {"size": _megabytes(len(content)), "limit": _megabytes(limits.max_bytes)}
        )
    if reader is _xlsx_rows:
        _check_zip(content, limits)


def read_table(
    content: bytes,
    file_name: str,
    *,
    normalise_header: Callable[[Any], str],
    limits: Limits | None = None,
) -> Table:
    """Read an XLSX or CSV upload; raises ``DomainError`` with a sentence for the uploader.

    ``TableTooLarge`` (a ``DomainError``) when the file exceeds ``limits`` (default ``Limits()``).
    """
    limits = limits or Limits()
    reader = _reader(file_name)
    check_size(content, file_name, limits)
    try:
        raw = list(_bounded(reader(content, limits), limits))
    except TableTooLarge:
        raise
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


@dataclass(frozen=True)
class TableTemplate:
    """An empty upload with one example row, to download next to an import (issue 11 §4).

    ``headers`` come from the importer's own column definitions, so the template cannot drift
    from what the import accepts; ``example`` holds the cells as an XLSX keeps them (dates,
    numbers) and ``example_text`` as the CSV writes them (German, as the reader takes them).
    """

    name: str
    headers: tuple[str, ...]
    example: tuple[Any, ...]
    example_text: tuple[str, ...]

    def __post_init__(self) -> None:
        if not len(self.headers) == len(self.example) == len(self.example_text):
            raise ValueError("A template's example row needs one cell per column.")

    def csv(self) -> bytes:
        """CSV as German Excel opens it: ``;``, UTF-8 with the byte-order mark."""
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(self.headers)
        writer.writerow(self.example_text)
        return out.getvalue().encode("utf-8-sig")

    def xlsx(self) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(list(self.headers))
        sheet.append(list(self.example))
        for cell in sheet[2]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif hasattr(cell.value, "year"):
                cell.number_format = "DD.MM.YYYY"
        for column, header in zip(sheet.columns, self.headers, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = max(14, len(header) + 4)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
