"""Receipt lists imported from CSV and XLSX: every bad row reported with its line, all or nothing."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from core.errors import AccessDenied, DomainError
from grants.awards.models import Receipt
from grants.awards.services.proof import receipt_add, receipts_import
from tests.grants.factories import ApplicationFactory, carrier_user
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db

D = Decimal
HEADER = "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition"


@pytest.fixture
def setup():
    world = make_world()
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Projektleitung", 2026, "8000"), ("fees", "Workshops", 2026, "2000")],
        own="1000",
        instalments={2026: "9000"},
    )
    return grant.proofs.get(), carrier


def csv_file(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


def run(proof, carrier, content: bytes, *, dry_run: bool = False, name: str = "belege.csv", **kwargs):
    with translation.override("en"):
        report = receipts_import(
            proof=proof, by=carrier, content=content, file_name=name, dry_run=dry_run, **kwargs
        )
        return (
            report,
            [(r.line, r.messages) for r in report.bad_rows],
            [(r.line, r.summary) for r in report.rows if r.ok],
        )


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_written(setup):
    proof, carrier = setup
    line = proof.plan.lines.get(text="Workshops")
    receipt_add(
        proof=proof,
        by=carrier,
        number="R-0",
        paid_on=date(2026, 2, 1),
        counterparty="A",
        reason="B",
        amount=D("1"),
        plan_line=line,
    )
    content = csv_file(
        "R-1;15.03.2026;Druckerei Müller;Flyer;1.234,56;1",
        "R-2;;Hotel;Übernachtung;100,00;1",
        "R-3;15.03.2025;Hotel;Übernachtung;10;1",
        "R-4;01.04.2026;Hotel;Übernachtung;10;9",
        "R-5;01.04.2026;Hotel;Übernachtung;zehn Euro;1",
        "R-1;01.04.2026;Hotel;Übernachtung;5;2",
        "R-0;01.04.2026;Hotel;Übernachtung;5;2",
        "",
        "R-6;02.04.2026;Café;Verpflegung;7,5;Workshops",
        ";;;;;",
        "R-7;30.11.2026;;;-3;",
    )
    report, bad, _ok = run(proof, carrier, content)
    assert bad == [
        (3, ["The date is missing."]),
        (4, ["The date 03/15/2025 lies outside the approval period 01/01/2026–12/31/2026."]),
        (5, ["Unknown plan position “9”: use the number of a line of the financing plan (e.g. 1, 2 or D1)."]),
        (6, ["“zehn Euro” is not a valid amount. Please enter it like 1.234,56."]),
        (7, ["Receipt number “R-1” appears more than once in the file (first in line 2)."]),
        (8, ["Receipt number “R-0” is already in the receipt list."]),
        (
            12,
            [
                "The payee or payer is missing.",
                "The reason for payment is missing.",
                "The amount must be greater than zero.",
                "The plan line is missing.",
            ],
        ),
    ]
    assert [r.line for r in report.rows] == [2, 3, 4, 5, 6, 7, 8, 10, 12]
    assert (report.ok, report.dry_run, report.created) == (False, True, 0)
    assert list(Receipt.objects.values_list("number", flat=True)) == ["R-0"]


def test_a_dry_run_shows_each_row_and_writes_nothing_then_the_import_writes_all(setup):
    proof, carrier = setup
    content = csv_file(
        "R-1;15.03.2026;Druckerei Müller;Flyer;1.234,56;1",
        "R-2;16.03.2026;Verein X;Raummiete;1.234;2 · Workshops (2026)",
        "R-3;2026-03-17;Café;Verpflegung;7,5;workshops",
        "R-4;18.03.26;Bahn;Fahrkarte;12.50;1",
    )
    report, bad, ok = run(proof, carrier, content, dry_run=True)
    assert bad == []
    assert ok == [
        (2, "R-1 · 03/15/2026 · Druckerei Müller · €1,234.56 → 1 · Projektleitung (2026)"),
        (3, "R-2 · 03/16/2026 · Verein X · €1,234.00 → 2 · Workshops (2026)"),
        (4, "R-3 · 03/17/2026 · Café · €7.50 → 2 · Workshops (2026)"),
        (5, "R-4 · 03/18/2026 · Bahn · €12.50 → 1 · Projektleitung (2026)"),
    ]
    assert (report.ok, report.dry_run, report.created) == (True, True, 0)
    assert not Receipt.objects.exists()

    report, bad, _ok = run(proof, carrier, content)
    assert (report.ok, report.dry_run, report.created) == (True, False, 4)
    assert list(
        Receipt.objects.order_by("number").values_list("number", "paid_on", "amount", "plan_line__text")
    ) == [
        ("R-1", date(2026, 3, 15), D("1234.56"), "Projektleitung"),
        ("R-2", date(2026, 3, 16), D("1234.00"), "Workshops"),
        ("R-3", date(2026, 3, 17), D("7.50"), "Workshops"),
        ("R-4", date(2026, 3, 18), D("12.50"), "Projektleitung"),
    ]
    # Imported again: every number is now taken.
    _report, bad, _ok = run(proof, carrier, content)
    assert [line for line, _m in bad] == [2, 3, 4, 5]
    # ... unless the list is replaced.
    report, bad, _ok = run(proof, carrier, content, replace=True)
    assert (bad, report.created, Receipt.objects.count()) == ([], 4, 4)


def test_xlsx_with_date_and_number_cells_is_read(setup):
    proof, carrier = setup
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Belegnummer", "Datum", "Zahlungsempfänger / Einzahler", "Zahlungsgrund", "Betrag", "Planposition"]
    )
    sheet.append([1001, datetime(2026, 5, 4), "Druckerei", "Plakate", 1234.56, 1])
    sheet.append([1002, "05.05.2026", "Druckerei", "Plakate", "99,90", 2])
    sheet.append([1003, "gestern", "Druckerei", "Plakate", 5, 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report, bad, _ok = run(proof, carrier, buffer.getvalue(), name="Belegliste.xlsx")
    assert bad == [(4, ["“gestern” is not a date; write dates like 31.12.2026."])]
    sheet.delete_rows(4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report, bad, _ok = run(proof, carrier, buffer.getvalue(), name="Belegliste.xlsx")
    assert (bad, report.created) == ([], 2)
    assert list(Receipt.objects.order_by("number").values_list("number", "paid_on", "amount")) == [
        ("1001", date(2026, 5, 4), D("1234.56")),
        ("1002", date(2026, 5, 5), D("99.90")),
    ]


def test_a_file_without_the_required_columns_is_refused(setup):
    proof, carrier = setup
    with translation.override("en"), pytest.raises(DomainError) as exc:
        receipts_import(
            proof=proof,
            by=carrier,
            content=b"Belegnummer;Datum;Betrag\n1;01.02.2026;5",
            file_name="x.csv",
            dry_run=True,
        )
    with translation.override("en"):
        assert exc.value.messages == [
            "Missing columns: Zahlungsempfänger/Einzahler, Zahlungsgrund, Planposition."
        ]
    with pytest.raises(DomainError):
        receipts_import(proof=proof, by=carrier, content=b"%PDF", file_name="x.pdf", dry_run=True)
    with pytest.raises(DomainError):
        receipts_import(proof=proof, by=carrier, content=b"not a zip", file_name="x.xlsx", dry_run=True)


def test_the_import_obeys_the_pseudonym_and_cap_rules_of_the_form():
    """Individual help names a case, other lines a payee; the cap per case and year counts the
    rows of the file as well as the receipts already in the list."""
    world = make_world()
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("individual_help", "Einzelfallhilfe", 2026, "6000"),
            ("staff", "Beratung", 2026, "4000"),
        ],
        own="1000",
        instalments={2026: "9000"},
        confidential_individual_support=True,
        individual_help_cap=D("1000"),
    )
    proof = grant.proofs.get()
    receipt_add(
        proof=proof,
        by=carrier,
        number="0",
        paid_on=date(2026, 3, 1),
        counterparty="Fall-0042",
        reason="Umzug",
        amount=D("600"),
        plan_line=proof.plan.lines.get(text="Einzelfallhilfe"),
    )
    content = csv_file(
        "1;01.05.2026;Fall-0042;Schulden;300;1",
        "2;02.05.2026;Erika Muster;Tattooentfernung;50;1",
        "3;03.05.2026;Fall-0042;Ausbildung;200;1",
        "4;04.05.2026;Fall-0043;Miete;500;2",
        "5;05.05.2026;Fall-0042;Ausbildung;100;1",
    )
    _report, bad, _ok = run(proof, carrier, content)
    assert bad == [
        (
            3,
            [
                "Plan line “1 · Einzelfallhilfe (2026)” is individual help: instead of the person's name, give the case pseudonym in the form “Fall-<number>” (e.g. Fall-0042); “Erika Muster” is not one."
            ],
        ),
        (
            4,
            [
                "Individual help for Fall-0042 in 2026 would come to €1,100.00 (€900.00 so far in the receipt list), more than the cap of €1,000.00 per case and year."
            ],
        ),
        (
            5,
            [
                "Plan line “2 · Beratung (2026)” is not individual help: name the payee or payer (e.g. the landlord or the employee), not a case pseudonym like “Fall-0043”."
            ],
        ),
    ]
    assert Receipt.objects.filter(proof=proof).count() == 1  # nothing written


def test_an_import_replacing_the_list_counts_the_cap_from_the_file_alone():
    world = make_world()
    grant, carrier = approve_plan(
        world,
        expenditure=[("individual_help", "Einzelfallhilfe", 2026, "6000")],
        own="1000",
        instalments={2026: "5000"},
        individual_help_cap=D("1000"),
    )
    proof = grant.proofs.get()
    first = csv_file("1;01.05.2026;Fall-1;Umzug;1000;1")
    report, bad, _ok = run(proof, carrier, first)
    assert (bad, report.created) == ([], 1)
    report, bad, _ok = run(proof, carrier, csv_file("1;01.05.2026;Fall-1;Umzug;900;1"), replace=True)
    assert (bad, report.created) == ([], 1)
    assert [r.amount for r in Receipt.objects.filter(proof=proof)] == [D("900.00")]


def test_only_the_recipient_may_import(setup):
    proof, _carrier = setup
    stranger = carrier_user(ApplicationFactory(office=proof.grant.office).organisation)
    with pytest.raises(AccessDenied):
        receipts_import(proof=proof, by=stranger, content=csv_file(), file_name="x.csv", dry_run=True)


def test_the_import_costs_the_same_number_of_queries_for_10_and_300_rows(setup):
    # Only the bulk INSERT grows (SQLite splits it into batches of its parameter limit).
    proof, carrier = setup

    def queries(count: int, start: int) -> int:
        rows = [f"N{start + i};01.06.2026;Firma {i};Material;{i + 1},00;{1 + i % 2}" for i in range(count)]
        with CaptureQueriesContext(connection) as ctx:
            report, bad, _ok = run(proof, carrier, csv_file(*rows))
        assert bad == [] and report.created == count
        return len(
            [q for q in ctx.captured_queries if not q["sql"].startswith('INSERT INTO "grants_receipt"')]
        )

    small = queries(10, 0)
    assert queries(300, 1000) == small


def test_a_malformed_amount_gets_the_same_german_message_as_in_the_envelope_import(setup):
    proof, carrier = setup
    content = csv_file("R-1;15.03.2026;Druckerei;Flyer;1.234,5x;1", "R-2;16.03.2026;Bahn;Fahrkarte;1234.56;1")
    with translation.override("de"):
        report = receipts_import(proof=proof, by=carrier, content=content, file_name="b.csv", dry_run=True)
    assert [(r.line, r.messages) for r in report.bad_rows] == [
        (2, ["„1.234,5x“ ist kein gültiger Betrag. Bitte geben Sie ihn im Format 1.234,56 ein."])
    ]
    assert report.rows[1].values.amount == D("1234.56")


def test_replacing_the_list_deletes_the_old_receipts_only_when_every_row_is_valid(setup):
    proof, carrier = setup
    good = csv_file("R-1;15.03.2026;Druckerei;Flyer;10,00;1")
    run(proof, carrier, good)
    bad = csv_file("R-9;15.03.2026;Druckerei;Flyer;10,00;1", "R-10;kein Datum;Hotel;Zimmer;5;1")
    for dry_run in (True, False):
        report, errors, _ok = run(proof, carrier, bad, replace=True, dry_run=dry_run)
        assert (report.created, [line for line, _m in errors]) == (0, [3])
        assert list(Receipt.objects.values_list("number", flat=True)) == ["R-1"]
    report, _bad, _ok = run(
        proof, carrier, csv_file("R-9;15.03.2026;Druckerei;Flyer;10,00;1"), replace=True, dry_run=True
    )
    assert list(Receipt.objects.values_list("number", flat=True)) == ["R-1"]
    report, _bad, _ok = run(proof, carrier, csv_file("R-9;15.03.2026;Druckerei;Flyer;10,00;1"), replace=True)
    assert (report.created, list(Receipt.objects.values_list("number", flat=True))) == (1, ["R-9"])
