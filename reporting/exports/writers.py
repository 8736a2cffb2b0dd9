"""Streaming writers: rows go from the database cursor to the file in chunks.

Memory does not grow with the number of rows: CSV and JSON are written as they come, XLSX
with openpyxl's write-only workbook (rows are streamed to a temporary sheet file and zipped
at the end; strings are written inline, so there is no shared-string table in memory).

``on_progress(rows_written)`` is called after every chunk.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, BinaryIO

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
    """One function per row that converts only the columns that need it."""
    pairs = [(i, f) for i, f in enumerate(converters) if f is not None]
    if not pairs:
        return lambda row: row

    def convert(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for i, f in pairs:
            value = values[i]
            if value is not None:
                values[i] = f(value)
        return values

    return convert


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
    """One sheet; amounts and dates are numbers with a number format, the header row is bold."""
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
