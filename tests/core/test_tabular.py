"""One reader for uploads: CSV in the encodings and delimiters Excel writes, XLSX, line numbers."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from core.errors import DomainError
from core.tabular import LINE, read_table


def lower(header):
    return str(header or "").strip().lower()


def read(content: bytes, name: str = "a.csv"):
    table = read_table(content, name, normalise_header=lower)
    return table.headers, [(row.line, row.values) for row in table.rows]


@pytest.mark.parametrize(
    "content",
    [
        "Name;Betrag\nMüller;1.234,56\n".encode(),
        "\ufeffName;Betrag\nMüller;1.234,56\n".encode(),  # Excel's "CSV UTF-8"
        "Name;Betrag\nMüller;1.234,56\n".encode("cp1252"),  # Excel's plain "CSV"
        b'Name,Betrag\nM\xc3\xbcller,"1.234,56"\n',
        "Name\tBetrag\nMüller\t1.234,56\n".encode(),
    ],
)
def test_csv_in_every_encoding_and_delimiter_excel_writes(content):
    assert read(content) == (["name", "betrag"], [(2, {"name": "Müller", "betrag": "1.234,56"})])


def test_blank_lines_are_skipped_but_keep_their_numbers():
    content = b"\n\nName;Betrag\nA;1\n\n;\nB;2\n"
    headers, rows = read(content)
    assert headers == ["name", "betrag"]
    assert rows == [(4, {"name": "A", "betrag": "1"}), (7, {"name": "B", "betrag": "2"})]


def test_a_quoted_line_break_counts_as_the_lines_it_spans():
    content = b'Name;Text\nA;"zwei\nZeilen"\nB;x\n'
    assert [line for line, _ in read(content)[1]] == [2, 4]


def test_xlsx_rows_keep_their_cell_types_and_sheet_row_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Datum", "Betrag"])
    sheet.append([None, None, None])
    sheet.append(["A", datetime(2026, 5, 4), 1234.5])
    buffer = io.BytesIO()
    book.save(buffer)
    headers, rows = read(buffer.getvalue(), "liste.xlsx")
    assert headers == ["name", "datum", "betrag"]
    assert rows == [(3, {"name": "A", "datum": datetime(2026, 5, 4), "betrag": 1234.5})]


def test_the_dataset_carries_each_rows_line():
    table = read_table(b"A;B\n1;2\n\n3;4\n", "x.csv", normalise_header=lower)
    dataset = table.dataset(["b", "a"])
    assert dataset.headers == ["b", "a", LINE]
    assert [tuple(r) for r in dataset] == [("2", "1", 2), ("4", "3", 4)]
    assert table.missing(["a", "c"]) == ["c"]


def test_headers_given_twice_are_named_and_the_first_column_counts():
    table = read_table(b"A;A;B\n1;2;3\n", "x.csv", normalise_header=lower)
    assert table.doubled() == ["a"]
    assert table.rows[0].values == {"a": "1", "b": "3"}


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF", "x.pdf", "Bitte laden Sie eine XLSX- oder CSV-Datei hoch."),
        (b"not a zip", "x.xlsx", "Die Datei konnte nicht als XLSX gelesen werden."),
        (b"\n ;\n", "x.csv", "Die Datei ist leer."),
    ],
)
def test_unreadable_uploads_are_refused_with_a_german_sentence(content, name, message):
    with translation.override("de"), pytest.raises(DomainError) as caught:
        read_table(content, name, normalise_header=lower)
    assert caught.value.messages == [message]
