from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.utils import translation

from budgets.models import BudgetEnvelope, LedgerEntry
from budgets.selectors import envelope_figures
from budgets.services.envelope_import import import_envelopes
from core.errors import AccessDenied, DomainError
from tests.budgets.factories import (
    FundingProgrammeFactory,
    UserFactory,
    envelope,
    finance_user,
    membership,
    office,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal
HEADER = "Stelle;Programm;Haushaltsjahr;Mittelherkunft;Haushaltstitel;Ansatz;Ausgabereste;Verstärkungen;Gesperrt;Standardtitel"


@pytest.fixture
def world():
    root = office(kind="federal", code="BUND")
    sn = office(parent=root, kind="state", code="SN")
    le = office(parent=sn, kind="local", code="SN-LE")
    FundingProgrammeFactory(code="WOS", funding_level="state")
    FundingProgrammeFactory(code="DL", funding_level="federal")
    return root, sn, le, finance_user(root)


def _csv(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode("utf-8")


def test_dry_run_reports_every_row_and_writes_nothing(world):
    *_offices, by = world
    content = _csv(
        "SN;WOS;2026;Land;0601 684 21;1.234.567,89;1.000;;0;ja",
        "SN-LE;DL;2026;Bund;1702 684 01;125.000,00;;;;",
    )
    report = import_envelopes(content=content, file_name="ansatz.csv", by=by, dry_run=True)
    assert report.ok
    assert [(r.line, r.ok) for r in report.rows] == [(2, True), (3, True)]
    assert "€1,234,567.89" in report.rows[0].summary
    assert BudgetEnvelope.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_import_reads_german_numbers_and_books_the_ledger(world):
    _root, sn, _le, by = world
    content = _csv("SN;WOS;2026;Land;0601 684 21;1.234.567,89;1.000;500,5;0;ja")
    report = import_envelopes(content=content, file_name="ansatz.csv", by=by, dry_run=False)
    assert report.ok and report.created == 1
    env = BudgetEnvelope.objects.get()
    assert (env.office, env.budget_year, env.funding_source, env.budget_title, env.is_default) == (
        sn,
        2026,
        "state",
        "0601 684 21",
        True,
    )
    f = envelope_figures([env.pk])[env.pk]
    assert (f.allocated, f.carry_over, f.reinforcements, f.blocked) == (
        D("1234567.89"),
        D("1000"),
        D("500.50"),
        D("0"),
    )
    assert set(env.entries.values_list("comment", flat=True)) == {"Imported from ansatz.csv"}


def test_a_file_with_any_bad_row_writes_nothing_and_names_each_bad_line(world):
    _root, sn, _le, by = world
    envelope(office=sn, programme=FundingProgrammeFactory(code="OLD"), budget_title="T")
    before = (BudgetEnvelope.objects.count(), LedgerEntry.objects.count())
    content = _csv(
        "SN;WOS;2026;Land;T1;1.000,00;;;;",  # good
        "XX;WOS;2026;Land;T1;1.000,00;;;;",  # unknown office
        "SN;WOS;2026;Land;T2;-5,00;;;;",  # negative
        "SN;WOS;2026;Land;T1;2.000,00;;;;",  # duplicate of line 2
        "SN;NOPE;2026;Land;T1;1,00;;;;",  # unknown programme
        "SN;WOS;2026;Land;T3;1.234,5x;;;;",  # malformed number
        "SN;OLD;2026;Land;T;1,00;;;;",  # duplicate of an existing envelope
    )
    for dry_run in (True, False):
        report = import_envelopes(content=content, file_name="ansatz.csv", by=by, dry_run=dry_run)
        assert not report.ok
        assert {r.line: r.messages for r in report.rows if not r.ok} == {
            3: ["Unknown office “XX”."],
            4: ["Allocation must not be negative."],
            5: ["Duplicate of line 2."],
            6: ["Unknown programme “NOPE”."],
            7: ["“1.234,5x” is not a valid amount. Please enter it like 1.234,56."],
            8: [f"{sn.name} already has an envelope for OLD, 2026, State, budget title T."],
        }
        assert report.rows[0].ok
        assert (BudgetEnvelope.objects.count(), LedgerEntry.objects.count()) == before


def test_xlsx_import_with_number_cells(world):
    *_offices, by = world
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Stelle", "Programm", "Haushaltsjahr", "Mittelherkunft", "Haushaltstitel", "Ansatz", "Gesperrt"]
    )
    sheet.append(["SN", "WOS", 2026, "Land", "0601 684 21", 250000.5, "1.000,00"])
    sheet.append(["SN", "WOS", 2027, "Land", "0601 684 21", 125000, None])
    buffer = BytesIO()
    book.save(buffer)
    report = import_envelopes(content=buffer.getvalue(), file_name="ansatz.xlsx", by=by, dry_run=False)
    assert report.ok and report.created == 2
    figures = envelope_figures(BudgetEnvelope.objects.order_by("budget_year").values_list("pk", flat=True))
    assert [(f.allocated, f.blocked) for f in figures.values()] == [
        (D("250000.50"), D("1000")),
        (D("125000"), D("0")),
    ]


def test_rows_outside_the_importers_offices_are_refused(world):
    root, sn, _le, _by = world
    th = office(parent=root, kind="state", code="TH", state="TH")
    by = finance_user(th)
    report = import_envelopes(
        content=_csv("SN;WOS;2026;Land;T;1,00;;;;"), file_name="a.csv", by=by, dry_run=True
    )
    assert report.rows[0].messages == [
        f"Only finance staff of {sn.name} or an office above it may change its budget."
    ]


def test_only_finance_staff_may_import(world):
    _root, sn, _le, _by = world
    approver = UserFactory()
    membership(approver, sn, "approver")
    with pytest.raises(AccessDenied):
        import_envelopes(content=_csv(), file_name="a.csv", by=approver, dry_run=True)


def test_missing_columns_are_named(world):
    *_offices, by = world
    with pytest.raises(DomainError) as exc:
        import_envelopes(content=b"Stelle;Programm\nSN;WOS", file_name="a.csv", by=by, dry_run=True)
    assert exc.value.messages == ["Missing columns: budget_year, funding_source, budget_title, allocated."]


def test_amounts_follow_the_one_rule_of_core_money(world):
    # ``1234.56`` is the plain decimal way (as the receipt import and every amount field read it);
    # ``1.234`` is German thousands; a third decimal place is refused, not rounded.
    *_offices, by = world
    content = _csv("SN;WOS;2026;Land;T1;1234.56;1.234;;;", "SN;WOS;2026;Land;T2;1,234;;;;")
    report = import_envelopes(content=content, file_name="ansatz.csv", by=by, dry_run=True)
    assert "€1,234.56" in report.rows[0].summary
    assert report.rows[1].messages == ["Please enter at most two decimal places (cents)."]


def test_a_malformed_amount_gets_the_same_german_message_as_in_the_receipt_import(world):
    *_offices, by = world
    content = _csv("SN;WOS;2026;Land;T3;1.234,5x;;;;")
    with translation.override("de"):
        report = import_envelopes(content=content, file_name="ansatz.csv", by=by, dry_run=True)
    assert report.rows[0].messages == [
        "„1.234,5x“ ist kein gültiger Betrag. Bitte geben Sie ihn im Format 1.234,56 ein."
    ]


def test_blank_lines_keep_their_numbers_in_the_report(world):
    *_offices, by = world
    content = _csv("", "SN;WOS;2026;Land;T1;1,00;;;;", ";;;;;;;;;", "XX;WOS;2026;Land;T2;1,00;;;;")
    report = import_envelopes(content=content, file_name="ansatz.csv", by=by, dry_run=True)
    assert [(r.line, r.ok) for r in report.rows] == [(3, True), (5, False)]
