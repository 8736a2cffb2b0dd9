"""Uploads are bounded before and while they are parsed (issue 12: row bombs and zip bombs).

What was found by trying: a 1.1 MB XLSX holding a million rows pushed a web worker past 8 GB.
Now the declared unpacked size and the sheet's declared rows are checked before a row is read,
and reading stops at the row, line and time limits, each with a sentence that names the limit.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from core.errors import DomainError
from core.tabular import Limits, TableTooLarge, read_table


def lower(header):
    return str(header or "").strip().lower()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, member: str, change) -> bytes:
    """The XLSX with one member's text changed (as an attacker edits the XML inside)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def million_row_sheet() -> bytes:
    """A real XLSX whose first sheet holds a million rows: well under 1 MB packed, 47 MB unpacked.

    The rows carry no numbers (Excel may leave them out), so they pack as well as they did in
    the file that was found; the sheet declares no dimension.
    """
    rows = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_000_000
    return rewritten(
        xlsx([["Name"]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.split("<dimension")[0] + f"<sheetData>{rows}</sheetData></worksheet>",
    )


def test_a_million_row_xlsx_is_refused_by_its_unpacked_size_before_a_row_is_read():
    content = million_row_sheet()
    assert len(content) < 2 * 1024 * 1024
    started = time.monotonic()
    with translation.override("de"), pytest.raises(TableTooLarge) as refused:
        read_table(content, "belege.xlsx", normalise_header=lower)
    assert time.monotonic() - started < 5
    assert refused.value.messages[0].startswith("Entpackt wäre die XLSX-Datei ")
    assert "höchstens 40,0 MB werden gelesen" in refused.value.messages[0]


def test_a_sheet_that_declares_a_million_rows_is_refused_before_reading_them():
    content = rewritten(
        xlsx([["Name", "Betrag"], ["A", 1]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace('<dimension ref="A1:B2" />', '<dimension ref="A1:B1048576" />'),
    )
    with translation.override("de"), pytest.raises(TableTooLarge) as refused:
        read_table(content, "belege.xlsx", normalise_header=lower)
    assert refused.value.too_many_rows
    assert refused.value.messages == [
        "Die Tabelle gibt 1.048.576 Zeilen an; höchstens 20.000 Zeilen können auf einmal eingelesen werden. "
        "Wenn die Zeilen unter Ihrer Liste leer sind, löschen Sie sie in Excel und speichern Sie die Datei neu."
    ]


def test_rows_beyond_the_limit_are_refused_while_reading():
    content = xlsx([["Name"], *[[f"Zeile {i}"] for i in range(120)]])
    with translation.override("de"), pytest.raises(TableTooLarge) as refused:
        read_table(content, "belege.xlsx", normalise_header=lower, limits=Limits(max_rows=100))
    assert refused.value.too_many_rows
    assert refused.value.messages == [
        "Die Datei hat mehr als 100 Zeilen; höchstens 100 Zeilen können auf einmal eingelesen werden."
    ]
    assert (
        len(read_table(content, "belege.xlsx", normalise_header=lower, limits=Limits(max_rows=120)).rows)
        == 120
    )


def test_a_csv_with_too_many_rows_too_many_blank_lines_or_too_many_bytes_is_refused():
    rows = b"Name\n" + b"x\n" * 101
    with pytest.raises(TableTooLarge) as refused:
        read_table(rows, "a.csv", normalise_header=lower, limits=Limits(max_rows=100))
    assert refused.value.too_many_rows
    blank = b"Name\n" + b";\n" * 5_000 + b"x\n"
    with pytest.raises(TableTooLarge):
        read_table(blank, "a.csv", normalise_header=lower, limits=Limits(max_rows=100))
    with translation.override("de"), pytest.raises(TableTooLarge) as refused:
        read_table(
            b"Name\n" + b"x" * 2_000_000,
            "a.csv",
            normalise_header=lower,
            limits=Limits(max_bytes=1024 * 1024),
        )
    assert refused.value.messages == ["Die Datei hat 1,9 MB; höchstens 1,0 MB können eingelesen werden."]
    assert not refused.value.too_many_rows


def test_reading_stops_when_the_time_is_up():
    content = b"Name\n" + b"x\n" * 1_000
    with translation.override("de"), pytest.raises(TableTooLarge) as refused:
        read_table(content, "a.csv", normalise_header=lower, limits=Limits(seconds=0))
    assert refused.value.messages == [
        "Das Einlesen der Datei hat länger als 0 Sekunden gedauert. Bitte teilen Sie sie in kleinere Dateien auf."
    ]


def test_only_the_first_columns_are_kept():
    content = ("A;" * 80 + "B\n" + "1;" * 80 + "2\n").encode()
    table = read_table(content, "a.csv", normalise_header=lower, limits=Limits(max_columns=3))
    assert len(table.headers) == 3 and len(table.rows[0].values) == 1  # the three headers are all "a"


def test_a_zip_with_thousands_of_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(600):
            archive.writestr(f"xl/part{i}.xml", "")
    with pytest.raises(TableTooLarge):
        read_table(out.getvalue(), "a.xlsx", normalise_header=lower)


def test_a_damaged_file_is_still_a_domain_error_naming_the_format():
    with pytest.raises(DomainError) as refused:
        read_table(b"PK\x03\x04 broken", "a.xlsx", normalise_header=lower)
    assert not isinstance(refused.value, TableTooLarge)
