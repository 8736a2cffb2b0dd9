"""Finance documents: payment order, settlement memo and reclaim decision as a reader sees
them (text extracted from the PDF: amounts, names, umlauts, dates), idempotent generation and
the workflow step that issues each."""

from datetime import date

import pytest

from grants.awards.models import BaseRate
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.calculations import final_grant
from reporting.documents.payment_order import render_payment_order
from reporting.documents.reclaim_decision import render_reclaim_decision
from reporting.documents.settlement_memo import render_settlement_memo
from reporting.models import Document
from reporting.selectors import documents_for, documents_visible_to
from reporting.tasks import (
    generate_missing_notices,
    generate_payment_order,
    generate_reclaim_decision,
    generate_settlement_memo,
)
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
from tests.reporting.helpers import approved, pdf_text

pytestmark = pytest.mark.django_db


# --- payment order -----------------------------------------------------------------------------


def test_payment_order_names_payee_account_amount_budget_title_and_both_persons(world, finance):
    drawdown = dated_drawdown(ordered_drawdown(world, finance))
    grant = drawdown.grant
    text = pdf_text(render_payment_order(drawdown=drawdown))
    flat = _flat(text)

    assert "Auszahlungsanordnung" in text
    assert "Demokratie-Zentrum Sachsen" in text
    assert grant.file_number in text and grant.application.reference in text
    assert "Jugendförderverein Görlitz e.V." in text
    assert "Straße der Jugend 12, 02826 Görlitz" in flat
    assert "IBAN DE89 3704 0044 0532 0130 00" in flat
    assert "BIC COBADEFFXXX" in flat
    assert "Kreditinstitut Commerzbank" in flat
    assert (
        "Es wird angeordnet, den Betrag von 4.321,09 € zu Lasten des unten genannten Haushaltstitels bis zum 20.03.2026"
        in flat
    )
    assert "Betrag 4.321,09 €" in flat
    assert "Fällig am 20.03.2026" in flat
    assert f"Verwendungszweck {grant.file_number} Mittelabruf 02.03.2026" in flat
    assert "Honorare für die Workshopleitungen im März und Moderationsmaterial" in flat
    assert "Haushaltstitel 0601 684 21" in flat
    assert "Weltoffenes Sachsen für Demokratie und Toleranz" in flat and "Landesmittel 2026" in flat
    assert "Förderverwaltung Demo" in flat and "IBAN DE02 1203 0000 0000 2020 51" in flat
    assert "Jahresrate 2026 12.345,67 €" in flat
    assert "bereits angeordnet oder ausgezahlt 0,00 €" in flat
    assert "verbleibende Jahresrate 8.024,58 €" in flat
    assert "Sachlich und rechnerisch richtig" in text and "Jürgen Weiß" in text and "am 03.03.2026" in text
    assert "Anordnungsbefugte:r" in text and "Annegret Kühn" in text and "am 04.03.2026" in text
    assert "Datum 04.03.2026" in flat


def test_a_second_payment_order_counts_the_first_against_the_instalment(world, finance):
    first = dated_drawdown(ordered_drawdown(world, finance))
    second = ordered_drawdown(world, finance, grant=first.grant)
    flat = _flat(pdf_text(render_payment_order(drawdown=second)))
    assert "bereits angeordnet oder ausgezahlt 4.321,09 €" in flat
    assert "verbleibende Jahresrate 3.703,49 €" in flat


def test_ordering_a_drawdown_issues_exactly_one_payment_order(
    world, finance, django_capture_on_commit_callbacks
):
    grant = approved(world).grant
    with django_capture_on_commit_callbacks(execute=True):
        drawdown = drawdown_request(
            grant=grant,
            by=world["carrier"],
            amount=D("4321.09"),
            needed_on=date(2026, 3, 20),
            purpose="Honorare März",
            today=date(2026, 3, 2),
        )
        drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    assert not Document.objects.filter(kind="payment_order").exists()  # certified is not ordered

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        drawdown = drawdown_order(drawdown=drawdown, by=finance)
    assert len(callbacks) == 1
    document = Document.objects.get(kind="payment_order")
    assert (document.subject, document.application) == (drawdown, grant.application)
    assert document.file_name == f"Auszahlungsanordnung_{grant.file_number}_{drawdown.pk}.pdf"
    assert "4.321,09 €" in pdf_text(_read(document))

    with django_capture_on_commit_callbacks(execute=True):
        drawdown_book_payment(drawdown=drawdown, by=finance, paid_on=date(2026, 3, 5))
    assert generate_payment_order.delay(drawdown.pk).get() == document.pk  # a retried job
    assert generate_payment_order.delay(drawdown.pk).get() == document.pk
    assert Document.objects.filter(kind="payment_order").count() == 1
    assert [d.kind for d in documents_for(grant.application, user=finance)] == ["payment_order"]
    # The payment order is an internal paper: the carrier neither sees it listed nor downloads it.
    carrier = grant.organisation.members.first()
    assert list(documents_for(grant.application, user=carrier)) == []
    assert not documents_visible_to(carrier).filter(pk=document.pk).exists()
    assert documents_visible_to(finance).filter(pk=document.pk).exists()


def test_no_payment_order_is_issued_before_the_order_is_committed(
    world, finance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ordered_drawdown(world, finance)
    assert callbacks
    assert not Document.objects.filter(kind="payment_order").exists()


# --- settlement memo ---------------------------------------------------------------------------


def test_settlement_memo_shows_each_line_with_cap_and_the_deficit_formula(world):
    grant = grant_2025(world)
    settlement = settlement_for(world, grant)
    text = pdf_text(render_settlement_memo(settlement=settlement))
    flat = _flat(text)

    assert "Abrechnungsvermerk" in text
    assert "Vermerk zur Akte" in text and grant.file_number in text
    assert "Jugendförderverein Görlitz e.V." in text
    assert "Der Verwendungsnachweis vom 28.01.2026 wurde geprüft und am 12.02.2026 anerkannt." in flat
    assert "Höchstbetrag der Zuwendung (H) 12.345,67 €" in flat
    assert "Toleranz je Ausgabenansatz 20 %" in flat
    for row in (
        "1 Personalausgaben Projektkoordination (0,25 VZÄ) 2025 9.000,00 € 8.200,00 € 10.800,00 € 8.200,00 €",
        "2 Honorare Honorare für Workshopleitungen 2025 2.000,00 € 2.500,00 € 2.400,00 € 2.400,00 € *",
        "3 Honorare Honorar Abschlussveranstaltung 2025 880,00 € 700,00 € 1.056,00 € 700,00 €",
        "4 Sachausgaben Moderations- und Bastelmaterial 2025 1.100,00 € 1.400,00 € 1.320,00 € 1.320,00 € *",
        "5 Öffentlichkeitsarbeit Flyer, Plakate und Übersetzungen 2025 700,00 € 450,00 € 840,00 € 450,00 €",
        "Summe 13.680,00 € 13.250,00 € 13.070,00 €",
    ):
        assert row in flat
    assert "min(13.070,00 €; 13.680,00 €) = 13.070,00 €" in flat
    assert "Eigenmittel (E) 684,33 € 684,33 €" in flat
    assert "Drittmittel und Einnahmen (D) 650,00 € 820,00 €" in flat
    assert "Endgültige Zuwendung (Fehlbedarfsfinanzierung)" in flat or "4. Endgültige Zuwendung" in flat
    assert "= 13.070,00 € − max(684,33 €; 684,33 €) − 820,00 € = 11.565,67 €" in flat
    assert "min(12.345,67 €; max(0; 11.565,67 €)) = 11.565,67 €" in flat
    assert "Endgültige Zuwendung 11.565,67 €" in flat
    assert "bereits ausgezahlt 12.345,67 €" in flat
    assert "Rückforderung 780,00 €" in flat
    assert "Jürgen Weiß" in text and "am 16.02.2026" in text


def test_settlement_memo_works_the_share_formula_of_the_domain_example(world):
    grant = grant_2025(world)
    grant.financing_type = "share"
    # DOMAIN.md §4.2: Ap 80,000, Ep 8,000, Dp 4,000, H 68,000; A 74,000, Ea 8,000, Da 5,000.
    figures = {
        "planned_expenditure": D("80000.00"),
        "planned_own": D("8000.00"),
        "planned_third": D("4000.00"),
        "granted": D("68000.00"),
        "recognised_expenditure": D("74000.00"),
        "actual_own": D("8000.00"),
        "actual_third": D("5000.00"),
    }
    final = final_grant(
        "share",
        granted=figures["granted"],
        planned_expenditure=figures["planned_expenditure"],
        planned_own=figures["planned_own"],
        planned_third=figures["planned_third"],
        eligible_expenditure=figures["recognised_expenditure"],
        actual_own=figures["actual_own"],
        actual_third=figures["actual_third"],
    )
    settlement = settlement_for(
        world, grant, **figures, final_grant=final, paid=D("68000.00"), reclaim_amount=D("5950.00")
    )
    settlement.grant = grant
    flat = _flat(pdf_text(render_settlement_memo(settlement=settlement)))
    assert "Anteilfinanzierung" in flat
    assert "max(0; (5.000,00 € + 8.000,00 €) − (4.000,00 € + 8.000,00 €)) = 1.000,00 €" in flat
    assert "= 68.000,00 € × (74.000,00 € − 1.000,00 €) / 80.000,00 € = 62.050,00 €" in flat
    assert "Rückforderung 5.950,00 €" in flat


def test_a_stored_settlement_issues_one_memo(world, django_capture_on_commit_callbacks):
    grant = grant_2025(world)
    with django_capture_on_commit_callbacks(execute=True):
        settlement = settlement_for(world, grant)
    document = Document.objects.get(kind="settlement_memo")
    assert (document.subject, document.application) == (settlement, grant.application)
    assert generate_settlement_memo.delay(settlement.pk).get() == document.pk
    assert Document.objects.filter(kind="settlement_memo").count() == 1


# --- reclaim decision --------------------------------------------------------------------------


def test_reclaim_decision_states_amount_reasons_interest_pieces_and_where_to_pay(world):
    grant = grant_2025(world)
    text = pdf_text(render_reclaim_decision(reclaim=reclaim_for(world, grant)))
    flat = _flat(text)

    assert "Rückforderungsbescheid" in text
    assert "Jugendförderverein Görlitz e.V." in text and "Björn Schäfer" in text
    assert "Zuwendungsbescheid vom 20.01.2025" in flat
    assert "Der zu erstattende Betrag wird auf 780,00 € festgesetzt (§ 49a Abs. 1 VwVfG)." in flat
    assert (
        "vom 02.06.2025 an bis zum Tag vor seinem Eingang mit 5 Prozentpunkten über dem Basiszinssatz" in flat
    )
    assert "Die Drittmittel der Stadt Görlitz sind höher ausgefallen." in flat
    assert "nach § 247 BGB" in flat
    for row in (
        "02.06.2025 30.06.2025 29 780,00 € 7,27 % 4,51 €",
        "01.07.2025 31.12.2025 184 780,00 € 6,27 % 24,65 €",
        "01.01.2026 15.02.2026 46 780,00 € 6,27 % 6,16 €",
        "Summe 259 35,32 €",
    ):
        assert row in flat
    assert "Erstattungsbetrag 780,00 €" in flat
    assert "Zinsen bis zum 16.02.2026 35,32 €" in flat
    assert "Forderung zum 16.02.2026 815,32 €" in flat
    assert "Empfänger Förderverwaltung Demo" in flat
    assert "IBAN DE02 1203 0000 0000 2020 51" in flat and "BIC BYLADEM1001" in flat
    assert f"Verwendungszweck {grant.file_number}" in flat
    assert "Rechtsbehelfsbelehrung" in text and "innerhalb eines Monats nach Bekanntgabe Widerspruch" in flat
    assert "Dörte Müller-Lüdenscheidt" in text


def test_a_waived_interest_is_stated_with_its_reason_and_no_pieces(world):
    grant = grant_2025(world)
    reclaim = reclaim_for(
        world,
        grant,
        interest_waived=True,
        interest_waiver_reason="Der Träger hat die Überzahlung selbst angezeigt.",
        interest_waived_by=world["approver"],
    )
    flat = _flat(pdf_text(render_reclaim_decision(reclaim=reclaim)))
    assert "Von der Erhebung von Zinsen wird abgesehen" in flat
    assert "Der Träger hat die Überzahlung selbst angezeigt." in flat
    assert "Zinsaufstellung" not in flat
    assert "Forderung zum 16.02.2026 780,00 €" in flat


def test_a_missing_base_rate_is_named_instead_of_guessed(world):
    grant = grant_2025(world)
    BaseRate.objects.filter(valid_from=date(2025, 7, 1)).delete()
    flat = _flat(pdf_text(render_reclaim_decision(reclaim=reclaim_for(world, grant))))
    assert "Eine Zinsaufstellung kann noch nicht erstellt werden" in flat
    assert "01.07.2025" in flat
    assert "Forderung zum 16.02.2026 780,00 €" in flat


def test_a_late_use_claim_is_an_interest_decision_over_the_fixed_period(world):
    grant = grant_2025(world)
    drawdown = Drawdown.objects.create(
        grant=grant,
        budget_year=2025,
        amount=D("12000.00"),
        needed_on=date(2025, 3, 3),
        purpose="Honorare",
        requested_by=world["carrier"],
        paid_on=date(2025, 3, 3),
        state="paid",
    )
    # DOMAIN.md §4.3: 12,000.00 paid 2025-03-03, used 2025-06-02 → 91 days at 7.27 % = 217.50.
    reclaim = reclaim_for(
        world,
        grant,
        kind="late_use",
        drawdown=drawdown,
        principal=D("0"),
        interest_basis=D("12000.00"),
        interest_from=date(2025, 3, 3),
        interest_until=date(2025, 6, 2),
        decided_on=date(2025, 7, 10),
    )
    text = pdf_text(render_reclaim_decision(reclaim=reclaim))
    flat = _flat(text)
    assert "Zinsbescheid" in text
    assert "§ 49a Abs. 4 VwVfG in Höhe von 217,50 € festgesetzt" in flat
    assert "03.03.2025 01.06.2025 91 12.000,00 € 7,27 % 217,50 €" in flat
    assert "Erstattungsbetrag" not in flat
    assert "Forderung zum 10.07.2025 217,50 €" in flat


def test_a_decided_reclaim_issues_one_decision(world, django_capture_on_commit_callbacks):
    grant = grant_2025(world)
    with django_capture_on_commit_callbacks(execute=True):
        reclaim = reclaim_for(world, grant)
    document = Document.objects.get(kind="reclaim_decision")
    assert (document.subject, document.application) == (reclaim, grant.application)
    assert generate_reclaim_decision.delay(reclaim.pk).get() == document.pk
    assert Document.objects.filter(kind="reclaim_decision").count() == 1
    assert "35,32 €" in pdf_text(_read(document))


def test_the_daily_catch_up_issues_finance_documents_a_lost_job_never_issued(world, finance):
    drawdown = ordered_drawdown(world, finance)  # callbacks not run: as if the broker had been down
    grant = grant_2025(world)
    settlement = settlement_for(world, grant)
    reclaim = reclaim_for(world, grant)
    Document.objects.all().delete()  # the grant notices are not the point here
    assert generate_missing_notices.delay().get() == 5  # 2 grant notices + 3 finance documents
    assert set(Document.objects.exclude(kind="grant_notice").values_list("kind", "object_id")) == {
        ("payment_order", drawdown.pk),
        ("settlement_memo", settlement.pk),
        ("reclaim_decision", reclaim.pk),
    }
    assert generate_missing_notices.delay().get() == 0
