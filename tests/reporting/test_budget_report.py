"""The budget report PDF: rollup tables, charts with embedded fonts, requests and polling."""

from datetime import date

import pytest
from django.urls import reverse

from budgets.services.commitments import commit_instalments
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
)
from reporting.documents.budget_report import render_budget_report
from reporting.documents.payment_order import render_payment_order
from reporting.documents.reclaim_decision import render_reclaim_decision
from reporting.documents.settlement_memo import render_settlement_memo
from reporting.models import BudgetReport, Document
from reporting.tasks import (
    generate_budget_report,
)
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.reporting.finance_builders import (  # noqa: F401
    BERLIN,
    D,
    _at,
    _flat,
    _read,
    dated_drawdown,
    grant_2025,
    ordered_drawdown,
    reclaim_for,
    settlement_for,
)
from tests.reporting.helpers import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


# --- budget report -----------------------------------------------------------------------------


@pytest.fixture
def budget_world(world, finance):
    """2026: Saxony's own envelopes (state and federal programme) and a local office below it."""
    sn = world["sn"]
    goerlitz = office(
        parent=sn, name="Partnerschaft für Demokratie Görlitz", short_name="PfD Görlitz", code="SN-GR"
    )
    envelope(
        office=goerlitz,
        programme=world["programme"],
        budget_year=2026,
        allocated=D("80000"),
        carry_over=D("5000"),
        by=finance,
    )
    federal = FundingProgrammeFactory(
        name="Demokratie leben!", code="DL", family="demokratie_leben", funding_level="federal"
    )
    envelope(
        office=sn,
        programme=federal,
        budget_year=2026,
        allocated=D("250000"),
        blocked=D("10000"),
        budget_title="1702 684 04",
    )
    commit_instalments(
        office=goerlitz,
        programme=world["programme"],
        instalments={2026: D("25000.00")},
        reference="SN-GR-2026-0001",
        by=finance,
    )
    drawdown = ordered_drawdown(world, finance)  # commits 12.345,67 € at Saxony
    drawdown_book_payment(drawdown=drawdown, by=finance, paid_on=date(2026, 3, 5))
    world["goerlitz"] = goerlitz
    return world


def test_budget_report_rolls_up_the_subtree_by_programme_and_office(budget_world, finance):
    world = budget_world
    sn = world["sn"]
    sn.refresh_from_db()
    text = pdf_text(render_budget_report(office=sn, year=2026, by=finance))
    flat = _flat(text)

    assert "Haushaltsbericht 2026" in text
    assert "Demokratie-Zentrum Sachsen einschließlich aller nachgeordneten Stellen" in flat
    assert "Annegret Kühn" in text
    # Overview: 830.000 allocated + 5.000 carry-over − 10.000 blocked = 825.000; 37.345,67 committed.
    for expected in (
        "Ansatz 830.000,00 €",
        "+ Ausgabereste 5.000,00 €",
        "− Gesperrt 10.000,00 €",
        "= Bewirtschaftbare Mittel 825.000,00 €",
        "− Gebunden 37.345,67 €",
        "Verfügbar 787.654,33 €",
        "− Ausgezahlt 4.321,09 €",
        "= Offen 33.024,58 €",
        "Mittelauslastung 4,53 %",
    ):
        assert expected in flat
    # By programme and source, then by office (each child covers its subtree).
    assert "Demokratie leben! Bundesmittel 250.000,00 € 0,00 € 0,00 € 10.000,00 € 0,00 € 240.000,00 €" in flat
    assert "Weltoffenes Sachsen für Demokratie und Toleranz Landesmittel 580.000,00 € 5.000,00 €" in flat
    assert (
        "Partnerschaft für Demokratie Görlitz 80.000,00 € 5.000,00 € 0,00 € 0,00 € 25.000,00 € 60.000,00 €"
        in flat
    )
    assert "Summe 830.000,00 € 5.000,00 € 0,00 € 10.000,00 € 37.345,67 € 787.654,33 €" in flat
    assert "Summe 4.321,09 € 33.024,58 € 0,00 € 0,00 € 0,00 € 4,53 %" in flat
    # The charts, in German, with their text in the PDF.
    assert "Mittelauslastung nach Stellen" in text
    assert "Mittelauslastung nach Programm und Mittelherkunft" in text
    assert "Gebunden" in text and "Ausgezahlt" in text and "T€" in text


def _assert_all_fonts_embedded_dejavu(pdf: bytes) -> None:
    fonts = list(pdf_fonts(pdf))
    assert fonts
    for page, font in fonts:
        if font["/Subtype"] == "/Type0":
            continue
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, f"page {page}: {font['/BaseFont']} is not embedded (base-14?)"
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()), (
            f"page {page}: {font['/BaseFont']} has no embedded font file"
        )
        assert "DejaVuSans" in font["/BaseFont"]
    assert b"Helvetica" not in pdf and b"Times-Roman" not in pdf and b"Courier" not in pdf


def test_every_font_of_every_finance_document_is_embedded(budget_world, finance):
    world = budget_world
    drawdown = Drawdown.objects.filter(state="paid").get()
    grant = grant_2025(world)
    world["sn"].refresh_from_db()
    for pdf in (
        render_payment_order(drawdown=drawdown),
        render_settlement_memo(settlement=settlement_for(world, grant)),
        render_reclaim_decision(reclaim=reclaim_for(world, grant)),
        render_budget_report(office=world["sn"], year=2026, by=finance),
    ):
        _assert_all_fonts_embedded_dejavu(pdf)


def test_chart_text_is_dejavu_even_where_the_chart_module_falls_back_to_helvetica(
    budget_world, finance, monkeypatch
):
    monkeypatch.setattr("budgets.charts.chart_fonts", lambda: ("Helvetica", "Helvetica-Bold"))
    budget_world["sn"].refresh_from_db()
    pdf = render_budget_report(office=budget_world["sn"], year=2026, by=finance)
    _assert_all_fonts_embedded_dejavu(pdf)
    assert "Mittelauslastung nach Stellen" in pdf_text(pdf)


def test_a_budget_report_without_bookings_says_so(world, finance):
    world["other"].refresh_from_db()
    flat = _flat(pdf_text(render_budget_report(office=world["other"], year=2031, by=finance)))
    assert "Für dieses Haushaltsjahr liegen keine Buchungen vor (Programm)." in flat
    assert "Verfügbar 0,00 €" in flat


def test_a_requested_budget_report_is_generated_once_and_listed(
    client, budget_world, finance, django_capture_on_commit_callbacks
):
    client.force_login(finance)
    sn = budget_world["sn"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget_report_create"), {"office": sn.pk, "year": "2026"})
    assert response.status_code == 302 and response["Location"] == reverse("budget_report_list")
    report = BudgetReport.objects.get()
    assert (report.office, report.budget_year, report.requested_by) == (sn, 2026, finance)
    document = Document.objects.get(kind="budget_report")
    assert document.subject == report and document.application is None
    assert document.file_name == f"Haushaltsbericht_SN_2026_{report.pk}.pdf"
    assert generate_budget_report.delay(report.pk).get() == document.pk  # a retried job
    assert Document.objects.filter(kind="budget_report").count() == 1

    page = client.get(reverse("budget_report_list")).content.decode()
    assert reverse("document_download", args=[document.pk]) in page
    assert "hx-trigger" not in page  # nothing in preparation: no polling
    dashboard = client.get(reverse("budget_dashboard"), {"office": sn.pk, "year": 2026}).content.decode()
    assert reverse("budget_report_create") in dashboard


def test_a_queued_budget_report_shows_as_in_preparation_and_polls(client, world, finance):
    client.force_login(finance)
    client.post(reverse("budget_report_create"), {"office": world["sn"].pk, "year": "2026"})  # not committed
    page = client.get(reverse("budget_report_list")).content.decode()
    assert 'hx-trigger="every 3s"' in page


def test_only_staff_with_a_budget_role_above_the_office_may_request_its_report(client, world):
    client.force_login(world["officer"])  # a case officer has no budget role
    assert client.post(reverse("budget_report_create"), {"office": world["sn"].pk}).status_code == 403
    mv = UserFactory()
    membership(mv, world["other"], "finance")
    client.force_login(mv)
    assert client.post(reverse("budget_report_create"), {"office": world["sn"].pk}).status_code == 404
    assert not BudgetReport.objects.exists()
