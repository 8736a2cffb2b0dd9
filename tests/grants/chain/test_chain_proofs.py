"""Payments and proofs down the chain (DOMAIN.md §7, §9).

Last recipients are paid from the fund and prove their use to the first recipient's office
(first check), a simple proof below the fund's threshold; reclaims go back into the fund. The
first recipient's final proof lists every measure, and its settlement counts money passed on
only as far as the last recipients' proofs recognise it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import FundingProgramme, LedgerEntry
from budgets.selectors import envelope_figures, passed_on_figures
from core.errors import AccessDenied, DomainError
from grants.applications.models import CoverLine, ExpenditureLine
from grants.applications.services.application import application_submit
from grants.awards.models import BaseRate, ProofOfUse, Reclaim, Settlement
from grants.awards.services.proof import (
    passed_on_measures,
    proof_accept,
    proof_start_review,
    proof_submit,
    settlement_preview,
)
from grants.awards.services.reclaim import repayment_book
from tests.budgets.factories import FundingProgrammeFactory
from tests.grants.chain.proofs_world import (
    DECIDED,
    approve_micro,
    chain_world,
    fill,
    pay_first,
    pay_micro,
    settle_micro,
    submit_first,
    submit_micro,
)
from tests.grants.factories import ApplicationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PASSED_ON_SENTENCE = (
    "Weitergeleitete Mittel werden nur anerkannt, soweit die Verwendungsnachweise der Letztempfänger "
    "sie anerkennen:"
)


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return chain_world()


@pytest.fixture
def fund(world):
    return world.open_fund(world.action_kind, "50000")  # simple proof up to 1,000 EUR


def html(response) -> str:
    return response.content.decode()


def proof_url(proof: ProofOfUse, name: str = "proof_detail", *extra: str) -> str:
    return reverse(name, args=[proof.grant_id, proof.pk, *extra])


def german(call):
    with translation.override("de"), pytest.raises(DomainError) as error:
        call()
    return " ".join(error.value.messages)


# --- simple proof ---------------------------------------------------------------------------


def test_a_micro_project_within_the_funds_threshold_proves_its_use_without_receipts(world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    pay_micro(world, micro, "800")
    proof = submit_micro(world, micro, "700")
    assert proof.is_simple and not proof.needs_receipt_list
    assert (proof.state, proof.receipts.count()) == ("submitted", 0)
    micro.refresh_from_db()
    assert micro.state == "proof_under_review"


def test_the_threshold_itself_still_allows_a_simple_proof(world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="1000")
    assert micro.proofs.get(kind="final").is_simple


def test_above_the_funds_threshold_the_final_proof_needs_its_receipt_list(world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="1200")
    carrier = world.carrier_of(micro.organisation)
    proof = fill(micro.proofs.get(kind="final"), carrier, {"Honorare": "1100"}, receipts=False)
    assert not proof.is_simple
    text = german(lambda: proof_submit(proof=proof, by=carrier))
    assert (
        "Die Belege ergeben zusammen 0,00 €, der zahlenmäßige Nachweis weist jedoch 1.100,00 € aus." in text
    )
    assert ProofOfUse.objects.get(pk=proof.pk).state == "draft"


def test_a_fund_without_threshold_has_no_simple_proofs(world):
    fund = world.open_fund(world.youth_kind, "10000", max_per_measure="1000", simple_proof_threshold=D("0"))
    micro = approve_micro(world, fund, OrganisationFactory(), grant="300")
    assert not micro.proofs.get(kind="final").is_simple


def test_an_ordinary_grants_final_proof_is_never_simple(world):
    proof = world.grant.proofs.get(kind="final")
    assert (proof.is_simple, proof.needs_receipt_list) == (False, True)


def test_the_carrier_sees_a_simple_proof_and_submits_it_without_receipts(client, world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    pay_micro(world, micro, "800")
    carrier = world.carrier_of(micro.organisation)
    proof = fill(micro.proofs.get(kind="final"), carrier, {"Honorare": "700"}, receipts=False)
    client.force_login(carrier)
    page = html(client.get(proof_url(proof)))
    assert "Einfacher Verwendungsnachweis" in page
    assert (
        "Einfacher Verwendungsnachweis: Das Kleinprojekt wurde mit 800,00 € bewilligt, nicht mehr als "
        "die 1.000,00 €, bis zu denen der Fonds „Aktions- und Initiativfonds 2026“ einen einfachen "
        "Nachweis zulässt."
    ) in page
    assert "Ein einfacher Verwendungsnachweis hat keine Belegliste." in page
    assert proof_url(proof, "receipt_add") not in page
    assert proof_url(proof, "receipt_import") not in page
    assert "Alles Erforderliche liegt vor." in page
    response = client.post(proof_url(proof, "proof_step", "submit"), {"comment": ""})
    assert response.status_code == 302
    assert ProofOfUse.objects.get(pk=proof.pk).state == "submitted"


def test_a_full_proof_page_keeps_the_receipt_list(client, world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="1200")
    carrier = world.carrier_of(micro.organisation)
    proof = micro.proofs.get(kind="final")
    client.force_login(carrier)
    page = html(client.get(proof_url(proof)))
    assert "Einfacher Verwendungsnachweis" not in page
    assert proof_url(proof, "receipt_add") in page


# --- first check by the lead office ---------------------------------------------------------


def test_the_micro_projects_proof_is_reviewed_by_the_funds_office(world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    assert micro.office == world.pfd
    pay_micro(world, micro, "800")
    proof = submit_micro(world, micro, "800")
    with translation.override("de"), pytest.raises(AccessDenied) as refused:
        proof_start_review(proof=proof, by=world.other_pfd_officer)
    assert refused.value.messages == [
        "Nur die Sachbearbeitung der bewilligenden Stelle kann einen Verwendungsnachweis prüfen."
    ]
    proof = proof_start_review(proof=proof, by=world.pfd_officer)
    proof = proof_accept(proof=proof, by=world.pfd_officer, decided_on=DECIDED)
    assert proof.settlement.final_grant == D("800.00")
    assert proof.settlement.computed_by == world.pfd_officer


def test_the_federal_office_above_may_review_a_micro_projects_proof(world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    pay_micro(world, micro, "800")
    proof = proof_start_review(proof=submit_micro(world, micro, "800"), by=world.federal_officer)
    assert (proof.state, proof.reviewed_by) == ("in_review", world.federal_officer)


def test_review_pages_for_the_funds_office_and_not_for_another_pfd(client, world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    pay_micro(world, micro, "800")
    proof = submit_micro(world, micro, "700")
    client.force_login(world.other_pfd_officer)
    assert client.get(proof_url(proof)).status_code == 404
    assert client.post(proof_url(proof, "proof_step", "start_review"), {"comment": ""}).status_code == 404
    client.force_login(world.pfd_officer)
    page = html(client.get(proof_url(proof)))
    assert "Prüfung beginnen" in page and "Einfacher Verwendungsnachweis" in page
    client.post(proof_url(proof, "proof_step", "start_review"), {"comment": ""})
    page = html(client.get(proof_url(proof)))
    assert "Abrechnung bei Anerkennung" in page
    response = client.post(
        proof_url(proof, "proof_step", "accept"),
        {"decided_on": "20.11.2026", "comment": "Sachbericht schlüssig"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("settlement_detail", args=[micro.pk])
    assert Settlement.objects.get(grant=micro).final_grant == D("700.00")


# --- reclaims go back into the fund ---------------------------------------------------------


def test_a_micro_projects_reclaim_and_repayment_are_booked_on_the_fund(world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    pay_micro(world, micro, "800")
    assert envelope_figures([fund.envelope_id])[fund.envelope_id].available == D("49200.00")
    settle_micro(world, micro, "700")
    entries = list(LedgerEntry.objects.filter(reference=micro.file_number).order_by("pk"))
    assert [(e.kind, e.amount) for e in entries] == [
        ("commitment", D("800.00")),
        ("disbursement", D("800.00")),
        ("proven", D("700.00")),
        ("decommitment", D("-100.00")),
        ("reclaim", D("100.00")),
    ]
    assert {e.envelope_id for e in entries} == {fund.envelope_id}
    figures = envelope_figures([fund.envelope_id])[fund.envelope_id]
    # What the settlement did not recognise is free in the fund again: allocation − final grants.
    assert (figures.allocated, figures.committed, figures.available) == (
        D("50000.00"),
        D("700.00"),
        D("49300.00"),
    )
    reclaim = Reclaim.objects.get(grant=micro)
    BaseRate.objects.create(valid_from=date(2026, 7, 1), rate=D("1.27"))
    repayment_book(reclaim=reclaim, amount=D("100"), received_on=date(2026, 11, 27), by=world.pfd_finance)
    repaid = LedgerEntry.objects.get(reference=micro.file_number, kind="repayment")
    assert (repaid.envelope_id, repaid.amount) == (fund.envelope_id, D("100.00"))
    figures = envelope_figures([fund.envelope_id])[fund.envelope_id]
    assert (figures.reclaimed, figures.repaid, figures.disbursed - figures.repaid) == (
        D("100.00"),
        D("100.00"),
        D("700.00"),
    )
    assert figures.available == D("49300.00")


def test_passed_on_figures_sum_the_funds_of_the_first_grant(world, fund):
    first = approve_micro(world, fund, OrganisationFactory(), grant="800")
    second = approve_micro(world, fund, OrganisationFactory(), grant="2000")
    pay_micro(world, first, "800")
    pay_micro(world, second, "1500")
    settle_micro(world, first, "700")
    year = passed_on_figures(world.grant.file_number)[2026]
    assert (year.allocated, year.committed, year.disbursed, year.proven, year.reclaimed) == (
        D("50000.00"),
        D("2700.00"),
        D("2300.00"),
        D("700.00"),
        D("100.00"),
    )
    by_reference = passed_on_figures(world.grant.file_number, by="reference")
    assert set(by_reference) == {world.grant.file_number, first.file_number, second.file_number}
    assert passed_on_figures(first.file_number) == {}


# --- the annex: every measure ---------------------------------------------------------------


def test_the_annex_lists_every_measure_with_a_pseudonym_for_a_confidential_carrier(world, fund):
    youth = world.open_fund(world.youth_kind, "5000", max_per_measure="1000")
    open_one = approve_micro(world, fund, OrganisationFactory(name="Kulturverein Zittau e.V."), grant="2000")
    settled = approve_micro(world, fund, OrganisationFactory(name="Bürgerbündnis Görlitz"), grant="800")
    secret = approve_micro(
        world, youth, OrganisationFactory(name="Ausstiegshilfe Sachsen", confidential=True), grant="600"
    )
    pay_micro(world, open_one, "1500")
    pay_micro(world, settled, "800")
    settle_micro(world, settled, "700")
    with translation.override("de"):
        annex = passed_on_measures(world.grant)
    assert annex is not None
    rows = [
        (m.fund, m.last_recipient, m.file_number, m.granted, m.paid, m.checked_on, m.recognised, m.reclaimed)
        for m in annex.measures
    ]
    assert rows == [
        (
            "Aktions- und Initiativfonds 2026",
            "Kulturverein Zittau e.V.",
            open_one.file_number,
            D("2000.00"),
            D("1500.00"),
            None,
            None,
            D("0.00"),
        ),
        (
            "Aktions- und Initiativfonds 2026",
            "Bürgerbündnis Görlitz",
            settled.file_number,
            D("800.00"),
            D("800.00"),
            timezone.localdate(),
            D("700.00"),
            D("100.00"),
        ),
        (
            "Jugendfonds 2026",
            f"Vertraulicher Letztempfänger Nr. {secret.organisation_id}",
            secret.file_number,
            D("600.00"),
            D("0.00"),
            None,
            None,
            D("0.00"),
        ),
    ]
    assert (annex.allocated, annex.granted, annex.paid, annex.recognised, annex.reclaimed) == (
        D("55000.00"),
        D("3400.00"),
        D("2300.00"),
        D("700.00"),
        D("100.00"),
    )
    assert [m.file_number for m in annex.open_measures] == [open_one.file_number, secret.file_number]


def test_a_grant_without_funds_has_no_annex(world):
    assert passed_on_measures(world.grant) is None


def test_the_first_recipients_proof_page_shows_the_annex(client, world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(name="Bürgerbündnis Görlitz"), grant="800")
    approve_micro(world, fund, OrganisationFactory(name="Geheim e.V.", confidential=True), grant="600")
    pay_micro(world, micro, "800")
    settle_micro(world, micro, "700")
    proof = world.grant.proofs.get(kind="final")
    client.force_login(world.municipal_carrier)
    page = html(client.get(proof_url(proof)))
    assert "Anlage: Weitergeleitete Mittel" in page
    assert "Bürgerbündnis Görlitz" in page and micro.file_number in page
    assert "Geheim e.V." not in page and "Vertraulicher Letztempfänger Nr." in page
    assert "Kleinprojekte ohne abgerechneten Verwendungsnachweis: 1." in page
    assert reverse("proof_annex_download", args=[world.grant.pk]) in page


def test_a_micro_projects_own_proof_page_has_no_annex(client, world, fund):
    micro = approve_micro(world, fund, OrganisationFactory(), grant="800")
    client.force_login(world.pfd_officer)
    page = html(client.get(proof_url(micro.proofs.get(kind="final"))))
    assert "Anlage: Weitergeleitete Mittel" not in page


# --- the first recipient's settlement -------------------------------------------------------


def test_the_first_recipients_proof_waits_for_every_micro_projects_settlement(client, world, fund):
    settled = approve_micro(world, fund, OrganisationFactory(), grant="800")
    waiting = approve_micro(world, fund, OrganisationFactory(), grant="2000")
    pay_micro(world, settled, "800")
    pay_micro(world, waiting, "2000")
    settle_micro(world, settled, "800")
    submit_micro(world, waiting, "2000", receipts=True)
    pay_first(world, "100000")
    proof = submit_first(world, {"Koordinierungs- und Fachstelle": "50000", "Fonds": "50000"})
    with translation.override("de"):
        problems = settlement_preview(proof).problems
    assert problems == [
        f"Noch nicht abgerechnet: 1 Kleinprojekt(e) aus den Fonds dieser Zuwendung ({waiting.file_number}). "
        "Weitergeleitete Mittel gelten nur als verwendet, soweit die Verwendungsnachweise der Letztempfänger "
        "sie anerkennen; dieser Nachweis kann daher erst anerkannt werden, wenn deren Verwendungsnachweise "
        "abgerechnet sind."
    ]
    text = german(lambda: proof_accept(proof=proof, by=world.federal_officer, decided_on=DECIDED))
    assert waiting.file_number in text
    assert not Settlement.objects.filter(grant=world.grant).exists()
    assert ProofOfUse.objects.get(pk=proof.pk).state == "in_review"
    client.force_login(world.federal_officer)
    page = html(client.get(proof_url(proof)))
    assert (
        f"Noch nicht abgerechnet: 1 Kleinprojekt(e) aus den Fonds dieser Zuwendung ({waiting.file_number})"
        in page
    )


def test_money_passed_on_counts_only_as_far_as_the_last_recipients_proofs_recognise_it(client, world, fund):
    first = approve_micro(world, fund, OrganisationFactory(), grant="800")
    second = approve_micro(world, fund, OrganisationFactory(), grant="2000")
    pay_micro(world, first, "800")
    pay_micro(world, second, "2000")
    settle_micro(world, first, "700")  # 100 reclaimed into the fund
    carrier = world.carrier_of(second.organisation)
    proof = fill(second.proofs.get(kind="final"), carrier, {"Honorare": "2000"}, receipts=True)
    proof = proof_start_review(proof=proof_submit(proof=proof, by=carrier), by=world.pfd_officer)
    proof_accept(proof=proof, by=world.pfd_officer, decided_on=DECIDED)
    pay_first(world, "100000")
    proof = submit_first(world, {"Koordinierungs- und Fachstelle": "50000", "Fonds": "50000"})

    with translation.override("de"):
        preview = settlement_preview(proof)
        notes = preview.notes
    assert preview.problems == []
    passed_on = [line for line in preview.lines if line.category == "forwarded"]
    assert [(line.stated, line.actual, line.recognised) for line in passed_on] == [
        (D("50000.00"), D("2700.00"), D("2700.00"))
    ]
    # Full financing: Z = A − Dₐ = 50,000 + 2,700.
    assert (preview.actual_expenditure, preview.recognised_expenditure, preview.final_grant) == (
        D("52700.00"),
        D("52700.00"),
        D("52700.00"),
    )
    assert (preview.paid, preview.reclaim_amount) == (D("100000.00"), D("47300.00"))
    assert notes == [
        f"{PASSED_ON_SENTENCE} Anerkannt sind 2.700,00 €; im zahlenmäßigen Nachweis angegeben waren "
        "50.000,00 €."
    ]

    client.force_login(world.federal_officer)
    page = html(client.get(proof_url(proof)))
    assert PASSED_ON_SENTENCE in page and "angegeben: 50.000,00 €" in page
    response = client.post(
        proof_url(proof, "proof_step", "accept"), {"decided_on": "01.12.2026", "comment": ""}
    )
    assert response.status_code == 302
    settlement = Settlement.objects.get(grant=world.grant)
    assert (settlement.final_grant, settlement.reclaim_amount) == (D("52700.00"), D("47300.00"))
    (line,) = [line for line in settlement.lines if line["category"] == "forwarded"]
    assert (line["stated"], line["actual"], line["recognised"]) == ("50000.00", "2700.00", "2700.00")
    page = html(client.get(reverse("settlement_detail", args=[world.grant.pk])))
    assert PASSED_ON_SENTENCE in page


def test_passed_on_lines_of_one_year_are_filled_in_plan_order():
    world = chain_world(passed_on=(("Aktionsfonds", "1000"), ("Jugendfonds", "2000")))
    fund = world.open_fund(world.action_kind, "3000")
    first = approve_micro(world, fund, OrganisationFactory(), grant="800")
    second = approve_micro(world, fund, OrganisationFactory(), grant="2000")
    for micro, actual in ((first, "700"), (second, "2000")):
        pay_micro(world, micro, actual)
        carrier = world.carrier_of(micro.organisation)
        proof = fill(micro.proofs.get(kind="final"), carrier, {"Honorare": actual}, receipts=True)
        proof = proof_start_review(proof=proof_submit(proof=proof, by=carrier), by=world.pfd_officer)
        proof_accept(proof=proof, by=world.pfd_officer, decided_on=DECIDED)
    proof = submit_first(
        world, {"Koordinierungs- und Fachstelle": "50000", "Aktionsfonds": "1000", "Jugendfonds": "2000"}
    )
    preview = settlement_preview(proof)
    assert [(line.text, line.actual) for line in preview.lines if line.category == "forwarded"] == [
        ("Aktionsfonds", D("1000.00")),
        ("Jugendfonds", D("1700.00")),
    ]


def test_a_passed_on_line_without_any_fund_recognises_nothing():
    world = chain_world()
    proof = submit_first(world, {"Koordinierungs- und Fachstelle": "50000", "Fonds": "50000"})
    preview = settlement_preview(proof)
    (line,) = [line for line in preview.lines if line.category == "forwarded"]
    assert (line.stated, line.actual, line.recognised) == (D("50000.00"), D("0.00"), D("0.00"))
    assert preview.problems == []


def test_a_programme_allows_passing_on_only_when_it_says_so(world):
    programme = FundingProgrammeFactory(name="Ohne Weiterleitung", code="OW")
    assert "forwarded" not in programme.allowed_cost_categories
    app = ApplicationFactory(
        office=world.federal, programme=programme, organisation=world.municipality, reference="OW-2026"
    )
    ExpenditureLine.objects.create(
        application=app,
        position=0,
        category="forwarded",
        description="Fonds",
        budget_year=2026,
        amount=D("1000"),
    )
    CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=D("1000"))
    text = german(
        lambda: application_submit(application=app, by=world.municipal_carrier, today=date(2026, 1, 5))
    )
    assert "Die Kostenart „Weitergeleitete Mittel (Fonds)“ ist in diesem Programm nicht förderfähig." in text
    assert (
        FundingProgramme.objects.get(pk=programme.pk).allowed_cost_categories
        == programme.allowed_cost_categories
    )
