"""Individual help in exit programmes (issue 10 part 4, DOMAIN.md §6): pseudonyms on the
individual-help line only and names everywhere else, the cap per case and year, sums per case and
purpose for the authority, and the auditors' random sample of case pseudonyms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import AccessDenied, DomainError
from grants.awards.models import CaseSample, Receipt
from grants.awards.services.proof import receipt_add, receipt_update
from grants.awards.services.proof.individual_help import (
    case_population,
    case_sample_draw,
    case_sample_replay,
    individual_help_sums,
)
from tests.budgets.factories import UserFactory, membership
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def world():
    world = make_world()
    world["auditor"] = UserFactory(username="auditor")
    membership(world["auditor"], world["sn"], "auditor")
    world["other_auditor"] = UserFactory(username="other_auditor")
    membership(world["other_auditor"], world["other_root"], "auditor")
    return world


@pytest.fixture
def exit_grant(world):
    """An exit programme: individual help capped at 1,500 € per case and year, and salaries."""
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("individual_help", "Einzelfallhilfe", 2026, "8000"),
            ("staff", "Ausstiegsberatung", 2026, "12000"),
        ],
        own="2000",
        instalments={2026: "18000"},
        confidential_individual_support=True,
        individual_help_cap=D("1500"),
    )
    world["carrier"] = carrier
    return grant


def lines(proof):
    return {line.text: line for line in proof.plan.lines.filter(side="expenditure")}


def add(world, proof, number, case, reason, amount, *, line="Einzelfallhilfe", paid_on=date(2026, 5, 4)):
    return receipt_add(
        proof=proof,
        by=world["carrier"],
        number=number,
        paid_on=paid_on,
        counterparty=case,
        reason=reason,
        amount=D(amount),
        plan_line=lines(proof)[line],
    )


def post_receipt(client, world, grant, proof, **changes):
    client.force_login(world["carrier"])
    data = {
        "number": "R-1",
        "paid_on": "2026-05-04",
        "counterparty": "Fall-0007",
        "reason": "Umzug",
        "amount": "400,00",
        "plan_line": lines(proof)["Einzelfallhilfe"].pk,
    } | changes
    return client.post(reverse("receipt_add", args=[grant.pk, proof.pk]), data).content.decode()


def test_the_programme_cap_is_copied_onto_the_grant(exit_grant):
    assert exit_grant.individual_help_cap == D("1500.00")


def test_a_pseudonym_on_a_salary_line_is_refused_on_the_page(client, world, exit_grant):
    proof = exit_grant.proofs.get()
    html = post_receipt(
        client,
        world,
        exit_grant,
        proof,
        counterparty="Fall-0007",
        plan_line=lines(proof)["Ausstiegsberatung"].pk,
    )
    assert (
        "Planposition „2 · Ausstiegsberatung (2026)“ ist keine Einzelfallhilfe: Nennen Sie den Zahlungsempfänger oder Einzahler (z. B. Vermieter oder Beschäftigte), kein Fallpseudonym wie „Fall-0007“."
        in html
    )
    assert not Receipt.objects.exists()


def test_a_name_on_an_individual_help_line_is_refused_on_the_page(client, world, exit_grant):
    proof = exit_grant.proofs.get()
    html = post_receipt(client, world, exit_grant, proof, counterparty="Kevin Schmidt")
    assert "ist Einzelfallhilfe: Geben Sie statt des Namens der Person das Fallpseudonym in der Form" in html
    assert "„Kevin Schmidt“ ist keines." in html
    assert not Receipt.objects.exists()
    post_receipt(client, world, exit_grant, proof, counterparty="Fall-0007")
    assert list(Receipt.objects.values_list("counterparty", flat=True)) == ["Fall-0007"]


def test_individual_help_above_the_cap_per_case_and_year_is_refused_on_the_page(client, world, exit_grant):
    proof = exit_grant.proofs.get()
    add(world, proof, "R-0", "Fall-0007", "Umzug", "1200")
    html = post_receipt(client, world, exit_grant, proof, amount="300,01")
    assert (
        "Die Einzelfallhilfe für Fall-0007 im Jahr 2026 käme auf 1.500,01 € (bisher 1.200,00 € in der Belegliste), mehr als die Obergrenze von 1.500,00 € je Fall und Jahr."
        in html
    )
    assert Receipt.objects.count() == 1
    # Exactly the cap is fine; another case has its own cap.
    post_receipt(client, world, exit_grant, proof, number="R-1", amount="300,00")
    post_receipt(client, world, exit_grant, proof, number="R-2", counterparty="Fall-0008", amount="1500,00")
    assert Receipt.objects.count() == 3


def test_changing_a_receipt_counts_the_cap_without_its_old_amount(world, exit_grant):
    proof = exit_grant.proofs.get()
    receipt = add(world, proof, "R-1", "Fall-0007", "Umzug", "1500")
    values = {
        "number": "R-1",
        "paid_on": date(2026, 5, 4),
        "counterparty": "Fall-0007",
        "reason": "Umzug",
        "plan_line": lines(proof)["Einzelfallhilfe"],
    }
    assert receipt_update(receipt=receipt, by=world["carrier"], amount=D("1400"), **values).amount == D(
        "1400"
    )
    with translation.override("en"), pytest.raises(DomainError) as exc:
        receipt_update(receipt=receipt, by=world["carrier"], amount=D("1600"), **values)
    assert exc.value.messages == [
        "Individual help for Fall-0007 in 2026 would come to €1,600.00 (€0.00 so far in the receipt list), more than the cap of €1,500.00 per case and year."
    ]


def test_the_authority_sees_sums_per_case_and_purpose_and_no_one_else_does(client, world, exit_grant):
    proof = exit_grant.proofs.get()
    add(world, proof, "R-1", "Fall-0007", "Umzug", "400")
    add(world, proof, "R-2", "Fall-0007", "Umzug", "350.50")
    add(world, proof, "R-3", "Fall-0007", "Tattooentfernung", "600")
    add(world, proof, "R-4", "Fall-0012", "Schulden", "900")
    add(world, proof, "R-5", "Mieter Wohnungsbau eG", "Gehalt Mai", "3000", line="Ausstiegsberatung")
    assert [(s.case, s.purpose, s.year, s.receipts, s.total) for s in individual_help_sums(proof)] == [
        ("Fall-0007", "Tattooentfernung", 2026, 1, D("600.00")),
        ("Fall-0007", "Umzug", 2026, 2, D("750.50")),
        ("Fall-0012", "Schulden", 2026, 1, D("900.00")),
    ]
    url = reverse("individual_help", args=[exit_grant.pk, proof.pk])
    client.force_login(world["officer"])
    html = client.get(url).content.decode()
    assert "Einzelfallhilfe je Fall und Zweck" in html
    assert "750,50 €" in html and "1.350,50 €" in html and "Tattooentfernung" in html
    assert "Gehalt Mai" not in html  # only individual help, never the other lines
    assert "Stichprobe ziehen" not in html  # officials read; auditors draw
    client.force_login(world["unrelated_officer"])
    assert client.get(url).status_code == 404


def test_an_auditor_draws_a_reproducible_sample_of_case_pseudonyms(client, world, exit_grant):
    proof = exit_grant.proofs.get()
    for i in range(1, 8):
        add(world, proof, f"R-{i}", f"Fall-{i:04d}", "Umzug", "100")
    url = reverse("case_sample", args=[exit_grant.pk, proof.pk])
    client.force_login(world["auditor"])
    response = client.post(url, {"size": "3"}, follow=True)
    sample = CaseSample.objects.get()
    assert (sample.size, sample.population, sample.drawn_by) == (3, 7, world["auditor"])
    assert len(sample.cases) == 3 and set(sample.cases) <= {f"Fall-{i:04d}" for i in range(1, 8)}
    assert sample.cases == case_sample_replay(case_population(proof), seed=sample.seed, size=3)
    html = response.content.decode()
    assert f"Für die Vor-Ort-Prüfung gezogen: {', '.join(sample.cases)}." in html
    assert str(sample.seed) in html and "7 Fälle" in html
    # The same seed draws the same cases again; the draw is a service anyone can repeat.
    again = case_sample_draw(proof=proof, by=world["auditor"], size=3, seed=sample.seed)
    assert again.cases == sample.cases


def test_a_sample_is_refused_to_non_auditors_and_beyond_the_cases(client, world, exit_grant):
    proof = exit_grant.proofs.get()
    url = reverse("case_sample", args=[exit_grant.pk, proof.pk])
    with translation.override("en"):
        with pytest.raises(DomainError) as exc:
            case_sample_draw(proof=proof, by=world["auditor"], size=1)
        assert exc.value.messages == [
            "This proof of use has no receipts of individual help: there are no cases to draw."
        ]
        add(world, proof, "R-1", "Fall-0001", "Umzug", "100")
        add(world, proof, "R-2", "Fall-0002", "Umzug", "100")
        with pytest.raises(DomainError) as exc:
            case_sample_draw(proof=proof, by=world["auditor"], size=3)
        assert exc.value.messages == [
            "The sample cannot have 3 cases: the receipt list names only 2 cases of individual help."
        ]
        for person in (world["officer"], world["carrier"], world["other_auditor"]):
            with pytest.raises(AccessDenied):
                case_sample_draw(proof=proof, by=person, size=1)
    client.force_login(world["officer"])
    assert client.post(url, {"size": "1"}).status_code == 403
    client.force_login(world["auditor"])
    html = client.post(url, {"size": "0"}, follow=True).content.decode()
    assert "Anzahl der zu ziehenden Fälle" in html
    assert not CaseSample.objects.exists()


def test_the_import_page_names_every_pseudonym_and_cap_refusal_and_writes_nothing(client, world, exit_grant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    proof = exit_grant.proofs.get()
    content = (
        "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition\n"
        "1;04.05.2026;Fall-0007;Umzug;1000,00;1\n"
        "2;05.05.2026;Fall-0007;Schulden;600,00;1\n"
        "3;06.05.2026;Fall-0008;Gehalt Mai;3000,00;2\n"
    ).encode()
    client.force_login(world["carrier"])
    response = client.post(
        reverse("receipt_import", args=[exit_grant.pk, proof.pk]),
        {"file": SimpleUploadedFile("belege.csv", content, content_type="text/csv")},
    )
    html = response.content.decode()
    assert (
        "käme auf 1.600,00 € (bisher 1.000,00 € in der Belegliste), mehr als die Obergrenze von 1.500,00 €"
        in html
    )
    assert "kein Fallpseudonym wie „Fall-0008“" in html
    assert not Receipt.objects.exists()
