"""Export formats: German CSV, XLSX with numbers and dates, JSON with exact decimal strings."""

from __future__ import annotations

import io
import json
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from grants.applications.models import Application
from grants.carriers.models import Organisation
from reporting.exports.resources import GrantExportResource
from reporting.exports.selectors import export_queryset
from tests.reporting.test_exports import FINANCE_SN_ROWS, HEADERS, build_world, csv_rows, export

pytestmark = pytest.mark.django_db


@pytest.fixture
def xw(db):
    return build_world()


def test_csv_amounts_have_a_decimal_comma_and_rows_are_semicolon_separated(xw):
    content = export("rollup", xw.finance_sn)
    assert content.decode("utf-8-sig").splitlines()[2] == (
        "PfD Leipzig;Demokratie leben!;2027;Land;100000,00;0,00;0,00;0,00;7000,50;0,00;7000,50;0,00;0,00;0,00;92999,50"
    )
    sachsen = csv_rows(content)[1]
    assert sachsen[:4] == ["Demokratie-Zentrum Sachsen", "Weltoffenes Sachsen", "2026", "Land"]
    assert (sachsen[8], sachsen[9], sachsen[10], sachsen[14]) == (
        "12345,67",
        "3000,00",
        "9345,67",
        "487654,33",
    )


def test_xlsx_holds_exact_numbers_with_a_number_format_and_real_dates(xw):
    book = openpyxl.load_workbook(io.BytesIO(export("grants", xw.finance_sn, fmt="xlsx")))
    sheet = book["Zuwendungen"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS["grants"]
    assert rows[1] == (
        "SN-DD-WOS-2026-0001", "A-2026-00002", "Demokratiewerkstatt im Stadtteil", "Bündnis Zivilcourage e.V.",
        "PfD Dresden", "Weltoffenes Sachsen", datetime(2026, 1, 1), datetime(2026, 12, 31),
        "Fehlbedarfsfinanzierung", 12345.67, "Laufend", datetime(2025, 12, 2),
    )  # fmt: skip
    assert Decimal(str(sheet["J2"].value)) == Decimal("12345.67")
    assert sheet["J2"].number_format == "#,##0.00"
    assert sheet["G2"].number_format == "DD.MM.YYYY"
    assert sheet["A1"].font.bold
    assert [row[0] for row in rows[1:]] == FINANCE_SN_ROWS["grants"]


def test_json_holds_amounts_as_exact_decimal_strings(xw):
    data = json.loads(export("drawdowns", xw.finance_sn, fmt="json"))
    assert data == [
        {
            "Aktenzeichen": "SN-DD-WOS-2026-0001", "Träger": "Bündnis Zivilcourage e.V.",
            "Koordinierungsstelle": "PfD Dresden", "Programm": "Weltoffenes Sachsen", "Haushaltsjahr": 2026,
            "Betrag (EUR)": "3000.00", "Zweck": "Honorare März", "Benötigt am": "2026-03-20",
            "Status": "Ausgezahlt", "Angeordnet am": None, "Wertstellung": "2026-03-05",
        },
        {
            "Aktenzeichen": "SN-L-DL-2027-0001", "Träger": "Bündnis Zivilcourage e.V.",
            "Koordinierungsstelle": "PfD Leipzig", "Programm": "Demokratie leben!", "Haushaltsjahr": 2027,
            "Betrag (EUR)": "2500.25", "Zweck": "Honorare März", "Benötigt am": "2027-03-20",
            "Status": "Auszahlung angeordnet", "Angeordnet am": "2027-03-01", "Wertstellung": None,
        },
    ]  # fmt: skip


def test_an_empty_export_is_a_valid_file_in_every_format(xw):
    empty = {"year": 2030}
    assert json.loads(export("receipts", xw.finance_leipzig, fmt="json", **empty)) == []
    assert csv_rows(export("receipts", xw.finance_leipzig, **empty)) == [HEADERS["receipts"]]
    book = openpyxl.load_workbook(io.BytesIO(export("receipts", xw.finance_leipzig, fmt="xlsx", **empty)))
    assert list(book.active.iter_rows(values_only=True)) == [tuple(HEADERS["receipts"])]


def test_texts_that_look_like_formulas_stay_text(xw):
    Application.objects.filter(reference="A-2026-00001").update(title='=HYPERLINK("http://x.example")')
    Organisation.objects.filter(pk=xw.org_a.pk).update(name="+49 Verein\x0b e.V.")
    rows = csv_rows(export("applications", xw.finance_sn))
    assert rows[1][1:3] == ['\'=HYPERLINK("http://x.example")', "'+49 Verein\x0b e.V."]
    sheet = openpyxl.load_workbook(io.BytesIO(export("applications", xw.finance_sn, fmt="xlsx"))).active
    assert (sheet["B2"].value, sheet["B2"].data_type) == ('=HYPERLINK("http://x.example")', "s")
    assert sheet["C2"].value == "+49 Verein e.V."  # XML cannot carry the control character
    data = json.loads(export("applications", xw.finance_sn, fmt="json"))
    assert data[0]["Projekttitel"] == '=HYPERLINK("http://x.example")'


def test_ledger_rows_name_who_booked_them(xw):
    rows = csv_rows(export("ledger", xw.finance_leipzig))
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert rows[1][2:9] == ["2027", "Land", "0601 684 21", "Ansatz", "100000,00", "", today]
    assert rows[1][9] == "Jürgen Weiß-finance_leipzig"
    assert rows[2][5:8] == ["Festlegung", "7000,50", "SN-L-DL-2027-0001"]


def test_the_resource_used_row_by_row_gives_the_same_values_as_the_stream(xw):
    queryset = export_queryset("grants", xw.finance_sn, {})
    dataset = GrantExportResource().export(queryset=queryset)
    streamed = csv_rows(export("grants", xw.finance_sn))
    assert [list(dataset.headers)] + [list(row) for row in dataset] == streamed
