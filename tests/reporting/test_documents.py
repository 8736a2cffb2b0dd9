"""The notices as a carrier reads them: text extracted from the PDF, fonts embedded."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.documents.grant_notice import render_grant_notice
from reporting.documents.rejection_notice import render_rejection_notice
from tests.reporting.helpers import approved, pdf_fonts, pdf_text, rejected

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    """The extracted text with line breaks as spaces, for sentences that wrap."""
    return re.sub(r"\s+", " ", text)


def test_grant_notice_names_recipient_office_amounts_period_and_legal_remedies(world):
    grant = approved(world).grant
    text = pdf_text(render_grant_notice(grant=grant))
    flat = _flat(text)

    assert "Zuwendungsbescheid" in text
    assert "Demokratie-Zentrum Sachsen" in text
    assert "Königsbrücker Straße 4" in text
    assert "Jugendförderverein Görlitz e.V." in text
    assert "Straße der Jugend 12" in text
    assert "02826 Görlitz" in text
    assert grant.file_number in text
    assert grant.application.reference in text
    assert f"{timezone.localdate(grant.approved_at):%d.%m.%Y}" in text  # the date of the notice
    assert "01.01.2026 – 31.12.2026" in text
    assert "Fehlbedarfsfinanzierung" in text
    assert "90,25 % der zuwendungsfähigen Ausgaben" in text
    assert "12.345,67 €" in text
    assert (
        "bewillige ich Ihnen für die Durchführung des Projekts „Demokratie-Werkstätten für Jugendliche in "
        "Görlitz“ eine Zuwendung in Höhe von bis zu 12.345,67 €"
    ) in flat
    assert "Workshops zu Beteiligung, Streitkultur und Medienkompetenz für Jugendliche." in flat
    assert "IBAN DE89 3704 0044 0532 0130 00" in text
    assert "Rechtsbehelfsbelehrung" in text
    assert "innerhalb eines Monats nach Bekanntgabe Widerspruch" in flat
    assert "schriftlich oder zur Niederschrift" in flat
    assert "Demokratie-Zentrum Sachsen, Königsbrücker Straße 4, 01099 Dresden" in flat
    assert "Dörte Müller-Lüdenscheidt" in text
    assert "Seite 1 von" in text


def test_grant_notice_shows_the_approved_plan_with_sums_and_the_instalments(world):
    grant = approved(world).grant
    text = _flat(pdf_text(render_grant_notice(grant=grant)))  # one cell per line: rows as sentences

    for expected in (
        "Personalausgaben Projektkoordination (0,25 VZÄ) 2026 9.000,00 €",
        "Honorare Honorare für Workshopleitungen 2026 2.000,00 €",
        "Honorar Abschlussveranstaltung 2026 880,00 €",
        "Summe Honorare 2.880,00 €",
        "Öffentlichkeitsarbeit Flyer, Plakate und Übersetzungen 2026 700,00 €",
        "Summe der Ausgaben 13.680,00 €",
        "Eigenmittel Mitgliedsbeiträge 2026 684,33 €",
        "Drittmittel Stadt Görlitz 2026 650,00 €",
        "Zuwendung – 2026 12.345,67 €",
        "Summe der Finanzierung 13.680,00 €",
        "Summe 12.345,67 €",
    ):
        assert expected in text
    assert "2026 12.345,67 €" in text  # the annual instalment


def test_grant_notice_conditions_use_the_parameters_copied_onto_the_grant(world):
    grant = approved(world).grant
    flat = _flat(pdf_text(render_grant_notice(grant=grant)))

    assert (
        "Allgemeinen Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P) sind Bestandteil"
        in flat
    )
    assert "innerhalb von 6 Wochen nach der Auszahlung für fällige Zahlungen" in flat
    # Final proof: end of the 6th month after the month in which the period ends.
    assert "bis zum 30.06.2027 nachzuweisen" in flat
    assert "Zwischennachweis" not in flat  # a one-year project needs no interim proof
    assert "um bis zu 20 % überschritten werden" in flat
    assert "5 Prozentpunkten über dem Basiszinssatz" in flat


def test_multi_year_notice_asks_for_an_interim_proof_for_each_year_the_project_runs_on(world):
    grant = approved(world, years=(2026, 2027)).grant
    grant.drawdown_window_value, grant.drawdown_window_unit = 2, "months"
    flat = _flat(pdf_text(render_grant_notice(grant=grant)))

    assert "01.01.2026 – 31.12.2027" in flat
    assert "Für das Haushaltsjahr 2026 ist bis zum 30.04.2027 ein Zwischennachweis vorzulegen" in flat
    assert "Haushaltsjahr 2027 ist" not in flat
    assert "bis zum 30.06.2028 nachzuweisen" in flat
    assert "innerhalb von 2 Monaten nach der Auszahlung" in flat
    assert "2027 12.345,67 €" in flat
    assert "Summe 24.691,34 €" in flat


def test_rejection_notice_gives_the_reasons_and_the_legal_remedies(world):
    application = rejected(world)
    text = pdf_text(render_rejection_notice(application=application))
    flat = _flat(text)

    assert "Ablehnungsbescheid" in text
    assert "Jugendförderverein Görlitz e.V." in text
    assert application.reference in text
    assert "auf Gewährung einer Zuwendung in Höhe von 12.345,67 €" in flat
    assert "01.01.2026 – 31.12.2026 lehne ich ab." in flat
    assert "Das Vorhaben fällt nicht unter die Förderziele des Programms." in flat
    assert "Die beantragten Mittel für Öffentlichkeitsarbeit übersteigen den üblichen Umfang." in flat
    assert "Rechtsbehelfsbelehrung" in text
    assert "innerhalb eines Monats nach Bekanntgabe Widerspruch" in flat


def test_every_font_in_both_notices_is_embedded(world):
    pdfs = [render_grant_notice(grant=approved(world, years=(2026, 2027)).grant)]
    pdfs.append(render_rejection_notice(application=rejected(world)))
    for pdf in pdfs:
        fonts = list(pdf_fonts(pdf))
        assert fonts
        for page, font in fonts:
            if font["/Subtype"] == "/Type0":
                continue  # checked through its descendant fonts, which pdf_fonts yields too
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, f"page {page}: {font['/BaseFont']} is not embedded (base-14?)"
            descriptor = descriptor.get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (
                f"page {page}: {font['/BaseFont']} has no embedded font file"
            )
            assert "DejaVuSans" in font["/BaseFont"]
        assert b"Helvetica" not in pdf


def test_rendering_a_notice_writes_nothing(world):
    grant = approved(world).grant
    with CaptureQueriesContext(connection) as queries:
        render_grant_notice(grant=grant)
    writes = [
        q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []


def test_user_text_with_markup_characters_is_printed_literally(world):
    app = approved(world, years=(2026,))
    grant = app.grant
    grant.title = "Wir & ihr <gemeinsam> für Görlitz"
    flat = _flat(pdf_text(render_grant_notice(grant=grant)))
    assert "des Projekts „Wir & ihr <gemeinsam> für Görlitz“ eine Zuwendung" in flat


def test_a_purpose_longer_than_a_page_continues_on_the_next_page(world):
    grant = approved(world).grant
    grant.purpose = "\n\n".join(
        f"Absatz {i}: " + "Demokratiebildung für Jugendliche in Görlitz. " * 12 for i in range(40)
    )
    text = _flat(pdf_text(render_grant_notice(grant=grant)))
    assert "Absatz 0:" in text and "Absatz 39:" in text
    assert "Rechtsbehelfsbelehrung" in text


def test_share_financing_notice_states_the_binding_share(world):
    grant = approved(world).grant
    grant.financing_type = "share"
    flat = _flat(pdf_text(render_grant_notice(grant=grant)))
    assert "im Wege der Anteilfinanzierung" in flat
    assert "in Höhe von 90,25 % der zuwendungsfähigen Ausgaben gewährt, höchstens 12.345,67 €" in flat
