"""Streaming writers: rows go from the database cursor to the file in chunks.

Memory does not grow with the number of rows: CSV and JSON are written as they come, XLSX
with XlsxWriter's constant-memory mode (each row is written to a temporary sheet file as soon
as the next one starts, strings inline, so there is no shared-string table in memory; the file
is zipped at the end). ``write_xlsx_openpyxl`` is the previous XLSX writer (openpyxl's
write-only workbook), kept as the reference the benchmark and the tests compare against.

Each row is converted by one function generated for the table's columns (``_row_converter``):
no per-row loop over the columns, which keeps a 1,000,000-row CSV within a few per cent of a
bare ``csv.writer``.

``on_progress(rows_written)`` is called after every chunk.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, BinaryIO

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reporting.exports.selectors import CHUNK_SIZE, ExportTable

Progress = Callable[[int], None]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _row_converter(converters: Sequence[Callable[[Any], Any] | None]) -> Callable[[Sequence[Any]], Any]:
    """One function per row that converts only the columns that need it.

    The function is generated for the columns (``lambda row: (row[0], f1(row[1]) if … , …)``):
    a tuple display without a loop is the cheapest way Python has to convert a row.
    """
    if all(f is None for f in converters):
        return lambda row: row
    names: dict[str, Any] = {}
    parts = []
    for i, f in enumerate(converters):
        if f is None:
            parts.append(f"row[{i}]")
        else:
            names[f"f{i}"] = f
            parts.append(f"(None if row[{i}] is None else f{i}(row[{i}]))")
    return eval(f"lambda row: ({', '.join(parts)},)", names)  # noqa: S307 - generated from indices only


def _noop(rows: int) -> None:
    return None


def write_csv(
    out: BinaryIO, table: ExportTable, *, on_progress: Progress = _noop, every: int = CHUNK_SIZE
) -> int:
    """Semicolon-separated, UTF-8 with BOM, CRLF: what German Excel opens without an import dialog."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    convert = _row_converter([w.csv_converter() for w in table.widgets])
    written = 0
    for chunk in _chunks(table.rows(), every):
        writer.writerows(map(convert, chunk))
        written += len(chunk)
        on_progress(written)
    text.flush()
    text.detach()
    return written


def write_xlsx(
    out: BinaryIO, table: ExportTable, *, on_progress: Progress = _noop, every: int = CHUNK_SIZE
) -> int:
    """One sheet; amounts and dates are numbers with a number format, the header row is bold.

    The cells are the same as ``write_xlsx_openpyxl`` writes (tested): texts are always text
    cells (never formulas), amounts numbers, dates dates, empty values no cell at all.
    """
    with tempfile.TemporaryDirectory(prefix="xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,  # one row in memory; rows go to a temporary file
                "tmpdir": scratch,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(table.sheet_title[:31])
        for index, header in enumerate(table.headers):
            sheet.set_column(index, index, max(12, min(40, len(header) + 4)))
        sheet.freeze_panes(1, 0)
        bold = workbook.add_format({"bold": True})
        for col, header in enumerate(table.headers):
            sheet.write_string(0, col, header, bold)
        cells = [_xlsx_cell_writer(sheet, workbook, widget) for widget in table.widgets]
        written = 0
        for chunk in _chunks(table.rows(), every):
            for row in chunk:
                written += 1
                for col, value in enumerate(row):
                    if value is not None:
                        cells[col](written, col, value)
            on_progress(written)
        workbook.close()
    return written


def _xlsx_cell_writer(sheet: Any, workbook: Any, widget: Any) -> Callable[[int, int, Any], Any]:
    """How one column's values become cells: the widget's value and number format, the cell
    type from the value's type (``str`` always a text cell)."""
    convert = widget.xlsx_value_converter()
    number_format = widget.xlsx_number_format
    fmt = workbook.add_format({"num_format": number_format}) if number_format else None
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime, write_boolean = sheet.write_datetime, sheet.write_boolean

    def write(row: int, col: int, value: Any) -> Any:
        if convert is not None:
            value = convert(value)
            if value is None or value == "":
                return None
        kind = type(value)
        if kind is str:
            return write_string(row, col, value, fmt)
        if kind is bool:
            return write_boolean(row, col, value, fmt)
        if kind is int or kind is float or kind is Decimal:
            return write_number(row, col, float(value), fmt)
        if kind is date or kind is datetime:
            return write_datetime(row, col, value, fmt)
        return write_string(row, col, str(value), fmt)

    return write


def write_xlsx_openpyxl(
    out: BinaryIO, table: ExportTable, *, on_progress: Progress = _noop, every: int = CHUNK_SIZE
) -> int:
    """The previous XLSX writer (openpyxl write-only): the reference for ``write_xlsx``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.sheet_title[:31])
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(header) + 4))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    convert = _row_converter([w.xlsx_converter(sheet) for w in table.widgets])
    written = 0
    for chunk in _chunks(table.rows(), every):
        for row in chunk:
            sheet.append(convert(row))
        written += len(chunk)
        on_progress(written)
    workbook.save(out)
    return written


def write_json(
    out: BinaryIO, table: ExportTable, *, on_progress: Progress = _noop, every: int = CHUNK_SIZE
) -> int:
    """An array of objects keyed by the German headers; amounts as decimal strings, dates ISO."""
    headers = table.headers
    convert = _row_converter([w.json_converter() for w in table.widgets])
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    out.write(b"[")
    written = 0
    for chunk in _chunks(table.rows(), every):
        lines = [dumps(dict(zip(headers, convert(row), strict=True))) for row in chunk]
        out.write(((",\n" if written else "\n") + ",\n".join(lines)).encode())
        written += len(chunk)
        on_progress(written)
    out.write(b"\n]\n" if written else b"]\n")
    return written


WRITERS: dict[str, Callable[..., int]] = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}
