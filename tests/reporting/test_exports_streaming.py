"""Issue 14: the faster writers give the same files as before, and memory stays flat.

The XLSX writer (XlsxWriter, constant memory) must write the same cells as the previous one
(openpyxl write-only, kept as ``write_xlsx_openpyxl``); the CSV row converter is generated per
table and must give what converting column by column gave; both writers pull rows from the
cursor chunk by chunk, never a list of all rows.
"""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import openpyxl
import pytest

from reporting.exports.selectors import SPECS, ExportTable, export_table
from reporting.exports.widgets import AmountWidget, DateWidget, LabelWidget, TextWidget
from reporting.exports.writers import _row_converter, write_csv, write_xlsx, write_xlsx_openpyxl
from tests.reporting.test_exports import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def xw(db):
    return build_world()


def _book(writer, table: ExportTable) -> openpyxl.Workbook:
    out = io.BytesIO()
    writer(out, table)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def _cells(book: openpyxl.Workbook) -> list[list[tuple]]:
    sheet = book.active
    return [
        [(c.value, c.data_type, c.number_format, bool(c.font.bold)) for c in row if c.value is not None]
        for row in sheet.iter_rows()
    ]


@pytest.mark.parametrize("kind", list(SPECS))
def test_every_xlsx_export_has_the_same_cells_as_with_the_previous_writer(xw, kind):
    new = _book(write_xlsx, export_table(kind, xw.finance_sn, {}))
    old = _book(write_xlsx_openpyxl, export_table(kind, xw.finance_sn, {}))
    assert len(_cells(new)) > 1 or kind == "receipts"  # the world has rows for the others
    assert _cells(new) == _cells(old)
    assert new.sheetnames == old.sheetnames
    new_sheet, old_sheet = new.active, old.active
    assert new_sheet.freeze_panes == old_sheet.freeze_panes == "A2"
    assert _widths(new_sheet) == pytest.approx(_widths(old_sheet), abs=1)  # XlsxWriter adds Excel's padding


def _widths(sheet) -> list[float]:
    """Column widths by column; a range of columns with one width counts for each of them."""
    widths = {}
    for dim in sheet.column_dimensions.values():
        for index in range(dim.min, dim.max + 1):
            widths[index] = dim.width
    return [widths.get(i, 0) for i in range(1, sheet.max_column + 1)]


def _table(rows, widgets) -> ExportTable:
    headers = [f"Spalte {i}" for i in range(len(widgets))]
    return ExportTable(headers=headers, widgets=widgets, sheet_title="Test", source=rows, attributes=[])


def _mixed_widgets():
    return [TextWidget(), AmountWidget(), DateWidget(), LabelWidget([("running", "Laufend")]), TextWidget()]


def _mixed_rows(n: int):
    stamp = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 1 April in Berlin
    for i in range(n):
        yield (
            ["=SUMME(A1)", "+49 Verein\x0b e.V.", f"Projekt {i}", "", None][i % 5],
            [Decimal("1234.56"), Decimal("-0.01"), None, Decimal("99999999999.99")][i % 4],
            [date(2026, 12, 31), stamp, None][i % 3],
            ["running", "unbekannt", None][i % 3],
            "Ä ö ü ß – „Anführung“",
        )


class _Rows(ExportTable):
    def __init__(self, n: int) -> None:
        super().__init__(
            headers=[f"Spalte {i}" for i in range(5)], widgets=_mixed_widgets(), sheet_title="Test",
            source=[], attributes=[],
        )  # fmt: skip
        self.n, self.pulled = n, 0

    def rows(self):
        for pulled, row in zip(count(1), _mixed_rows(self.n), strict=False):
            self.pulled = pulled
            yield row


def test_xlsx_values_of_every_kind_are_the_same_as_with_the_previous_writer():
    new, old = _book(write_xlsx, _Rows(60)), _book(write_xlsx_openpyxl, _Rows(60))
    assert _cells(new) == _cells(old)
    assert new.active["A2"].value == "=SUMME(A1)" and new.active["A2"].data_type == "s"
    assert new.active["A3"].value == "+49 Verein e.V."


def test_the_generated_row_converter_converts_as_column_by_column_did():
    converters = [w.csv_converter() for w in _mixed_widgets()]
    convert = _row_converter(converters)
    for row in _mixed_rows(30):
        expected = [v if f is None or v is None else f(v) for f, v in zip(converters, row, strict=True)]
        assert list(convert(row)) == expected
    assert _row_converter([None, None])(("a", 1)) == ("a", 1)


def test_csv_of_mixed_values_reads_as_before():
    out = io.BytesIO()
    write_csv(out, _Rows(6))
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1] == ["'=SUMME(A1)", "1234,56", "31.12.2026", "Laufend", "Ä ö ü ß – „Anführung“"]
    assert rows[2] == ["'+49 Verein\x0b e.V.", "-0,01", "01.04.2026", "unbekannt", "Ä ö ü ß – „Anführung“"]
    assert rows[3][1:4] == ["", "", ""]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_the_writers_pull_rows_chunk_by_chunk_not_all_at_once(writer):
    table = _Rows(5000)
    seen = []
    writer(io.BytesIO(), table, on_progress=lambda done: seen.append((done, table.pulled)), every=1000)
    assert [done for done, _ in seen] == [1000, 2000, 3000, 4000, 5000]
    # At each progress report at most one chunk (and the row that ended it) has been read ahead.
    assert all(pulled <= done + 1 for done, pulled in seen), seen


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_memory_does_not_grow_with_the_rows(writer):
    def peak(n: int) -> int:
        tracemalloc.start()
        writer(_Sink(), _Rows(n))  # the output itself is not what is measured
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak_bytes

    peak(500)  # first use: lazily built caches (Babel, XlsxWriter) are not what is measured
    small, large = peak(5_000), peak(50_000)
    assert large < small * 1.5, (small, large)  # ten times the rows, not ten times the memory


class _Sink(io.RawIOBase):
    """A seekable file that keeps nothing: the zip's size is not what is measured."""

    def __init__(self) -> None:
        self.position = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.position += len(b)
        return len(b)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset if whence == 0 else self.position + offset
        return self.position

    def tell(self) -> int:
        return self.position
