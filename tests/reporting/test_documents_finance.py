"""Finance documents: payment order, settlement memo, reclaim decision and budget report.

Each is checked as a reader sees it (text extracted from the PDF: amounts, names, umlauts,
dates), for embedded fonts (charts included), for idempotent generation, for the workflow
step that issues it, and for who may download it.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from budgets.services.commitments import commit_instalments
from grants.calculations import final_grant, recognised_lines
from grants.models import BaseRate, Drawdown, Grant, ProofOfUse, Reclaim, Settlement
from grants.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from reporting.documents.budget_report import render_budget_report
from reporting.documents.payment_order import render_payment_order
from reporting.documents.reclaim_decision import render_reclaim_decision
from reporting.documents.settlement_memo import render_settlement_memo
from reporting.models import BudgetReport, Document
from reporting.selectors import documents_for, documents_visible_to
from reporting.tasks import (
    generate_budget_report,
    generate_missing_notices,
    generate_payment_order,
    generate_reclaim_decision,
    generate_settlement_memo,
)
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import approved, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def _read(document: Document) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


# --- builders ----------------------------------------------------------------------------------


@pytest.fixture
def finance(world):
    user = UserFactory(first_name="Annegret", last_name="Kühn")
    membership(user, world["sn"], "finance")
    return user


def ordered_drawdown(world, finance, grant=None) -> Drawdown:
    """4.321,09 € requested by the carrier, certified by Jürgen Weiß, ordered by Annegret Kühn."""
    grant = grant or approved(world).grant
    drawdown = drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=D("4321.09"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare für die Workshopleitungen im März und Moderationsmaterial",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    return drawdown_order(drawdown=drawdown, by=finance)


def dated_drawdown(drawdown: Drawdown) -> Drawdown:
    """The drawdown with the timestamps of a request on 02.03., certified 03.03., ordered 04.03.2026."""
    Drawdown.objects.filter(pk=drawdown.pk).update(
        requested_at=_at(date(2026, 3, 2)),
        certified_at=_at(date(2026, 3, 3), 9),
        ordered_at=_at(date(2026, 3, 4), 11, 30),
    )
    return Drawdown.objects.select_related("grant__office", "grant__organisation", "grant__application").get(
        pk=drawdown.pk
    )


def grant_2025(world) -> Grant:
    """A one-year grant for 2025 (12.345,67 €), notified on 20.01.2025."""
    envelope(office=world["sn"], programme=world["programme"], budget_year=2025, allocated=D("500000"))
    grant = approved(world, years=(2025,)).grant
    Grant.objects.filter(pk=grant.pk).update(approved_at=_at(date(2025, 1, 20)))
    return Grant.objects.get(pk=grant.pk)


# Actual expenditure per plan line: fees (2.000,00) and material (1.100,00) run over 20 %.
ACTUAL = [D("8200.00"), D("2500.00"), D("700.00"), D("1400.00"), D("450.00")]


def settlement_for(world, grant: Grant, **overrides) -> Settlement:
    """The stored settlement of the final proof, with the line-by-line figures the service stores."""
    plan = grant.plan_versions.get(version=1)
    lines = list(plan.lines.filter(side="expenditure").order_by("budget_year", "position", "pk"))
    planned = {str(line.pk): line.amount for line in lines}
    actual = {str(line.pk): amount for line, amount in zip(lines, ACTUAL, strict=True)}
    recognised = recognised_lines(planned, actual, tolerance=grant.overrun_tolerance)
    rows = []
    for number, line in enumerate(lines, start=1):
        cap = line.amount * (1 + grant.overrun_tolerance)
        rows.append(
            {
                "plan_line": line.pk,
                "number": str(number),
                "category": line.category,
                "text": line.text,
                "budget_year": line.budget_year,
                "planned": str(line.amount),
                "actual": str(actual[str(line.pk)]),
                "cap": str(cap.quantize(D("0.01"))),
                "recognised": str(recognised[str(line.pk)].quantize(D("0.01"))),
                "capped": actual[str(line.pk)] > cap,
            }
        )
    figures = {
        "planned_expenditure": D("13680.00"),
        "actual_expenditure": D("13250.00"),
        "recognised_expenditure": D("13070.00"),
        "planned_own": D("684.33"),
        "planned_third": D("650.00"),
        "actual_own": D("684.33"),
        "actual_third": D("820.00"),
        "granted": D("12345.67"),
        "final_grant": D("11565.67"),
        "paid": D("12345.67"),
        "reclaim_amount": D("780.00"),
        "last_payment": D("0.00"),
    } | overrides
    accepted = {
        "plan": plan,
        "state": "accepted",
        "submitted_at": _at(date(2026, 1, 28)),
        "submitted_by": world["carrier"],
        "reviewed_by": world["officer"],
        "accepted_at": _at(date(2026, 2, 12)),
    }
    # The approval schedules the final proof; it is shown here as accepted.
    proof = ProofOfUse.objects.filter(grant=grant, kind="final").first()
    if proof is None:
        proof = ProofOfUse.objects.create(grant=grant, kind="final", due_on=date(2026, 6, 30), **accepted)
    else:
        ProofOfUse.objects.filter(pk=proof.pk).update(**accepted)
        proof = ProofOfUse.objects.get(pk=proof.pk)
    return Settlement.objects.create(
        proof=proof,
        grant=grant,
        lines=rows,
        computed_by=world["officer"],
        computed_at=_at(date(2026, 2, 16)),
        **figures,
    )


def reclaim_for(world, grant: Grant, **overrides) -> Reclaim:
    """780,00 € reclaimed on 16.02.2026, interest from the payout on 02.06.2025."""
    fields = {
        "grant": grant,
        "kind": "settlement",
        "principal": D("780.00"),
        "interest_basis": D("780.00"),
        "decided_on": date(2026, 2, 16),
        "interest_from": date(2025, 6, 2),
        "reasons": (
            "Die Prüfung des Verwendungsnachweises hat ergeben, dass die zuwendungsfähigen Ausgaben "
            "geringer ausgefallen sind als geplant.\n\nDie Drittmittel der Stadt Görlitz sind höher ausgefallen."
        ),
        "decided_by": world["approver"],
    } | overrides
    return Reclaim.objects.create(**fields)


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


# --- who may download --------------------------------------------------------------------------


def _download(client, user, document):
    client.force_login(user)
    return client.get(reverse("document_download", args=[document.pk]))


@pytest.fixture
def strangers(world):
    other_carrier = carrier_user(OrganisationFactory(name="Kulturverein Zittau e.V."))
    unrelated = UserFactory()
    membership(unrelated, world["other"], "finance")
    return [other_carrier, unrelated, UserFactory()]


def test_payment_order_downloads_follow_the_application(
    client, world, finance, strangers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ordered_drawdown(world, finance)
    document = Document.objects.get(kind="payment_order")
    for user in (world["officer"], finance):
        assert _download(client, user, document).status_code == 200
    # An internal paper of the authority: the carrier does not get it.
    for user in (*strangers, world["carrier"]):
        assert _download(client, user, document).status_code == 404


def test_settlement_and_reclaim_documents_are_hidden_from_strangers(
    client, world, strangers, django_capture_on_commit_callbacks
):
    grant = grant_2025(world)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_for(world, grant)
        reclaim_for(world, grant)
    memo = Document.objects.get(kind="settlement_memo")
    decision = Document.objects.get(kind="reclaim_decision")
    # The decision is addressed to the carrier; the memo stays in the office's files.
    assert _download(client, world["carrier"], decision).status_code == 200
    assert _download(client, world["carrier"], memo).status_code == 404
    assert _download(client, world["officer"], memo).status_code == 200
    for document in (memo, decision):
        for user in strangers:
            assert _download(client, user, document).status_code == 404


def test_budget_report_downloads_follow_the_budget_subtree(
    client, world, finance, strangers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = BudgetReport.objects.create(office=world["sn"], budget_year=2026, requested_by=finance)
        generate_budget_report.delay(report.pk)
    document = Document.objects.get(kind="budget_report")
    auditor = UserFactory()
    membership(auditor, world["root"], "auditor")
    for user in (finance, auditor):
        assert _download(client, user, document).status_code == 200
    # Carriers, staff of another office and case officers without a budget role see nothing.
    for user in (*strangers, world["carrier"], world["officer"]):
        assert _download(client, user, document).status_code == 404
    assert ContentType.objects.get_for_model(BudgetReport) == document.content_type
