"""Proof-of-use pages: statement, receipts, import with dry run, review and the settlement page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.awards.models import ProofOfUse, Receipt
from grants.awards.services.proof import plan_line_labels
from tests.budgets.factories import UserFactory
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_proof import approve_plan, fill_final_proof, make_world, pay

pytestmark = pytest.mark.django_db

HEADER = "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def example(world):
    """DOMAIN.md §4.1: plan 40,000 / 10,000 / 8,000 / 2,000; deficit financing, 54,000 paid."""
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("staff", "Personal", 2026, "40000"),
            ("fees", "Honorare", 2026, "10000"),
            ("material", "Sachkosten", 2026, "8000"),
            ("travel", "Reisen", 2026, "2000"),
        ],
        own="6000",
        instalments={2026: "54000"},
    )
    world["carrier"] = carrier
    pay(world, grant, carrier, "54000")
    return grant, grant.proofs.get(kind="final")


def _url(name, grant, proof, *extra):
    return reverse(name, args=[grant.pk, proof.pk, *extra])


def test_proof_pages_are_hidden_from_other_organisations_and_unrelated_offices(client, world, example):
    grant, proof = example
    receipt = fill_final_proof(
        proof, world["carrier"], actual={"Personal": "1", "Honorare": "1", "Sachkosten": "1", "Reisen": "1"}
    ).receipts.first()
    other_carrier = carrier_user(OrganisationFactory())
    urls = [
        ("get", reverse("grant_proofs", args=[grant.pk])),
        ("get", _url("proof_detail", grant, proof)),
        ("get", reverse("settlement_detail", args=[grant.pk])),
        *[
            ("post", _url("proof_step", grant, proof, s))
            for s in ("submit", "start_review", "request_changes", "accept")
        ],
        ("post", _url("proof_narrative", grant, proof)),
        ("post", _url("proof_statement", grant, proof)),
        ("post", _url("receipt_add", grant, proof)),
        ("post", _url("receipt_delete", grant, proof, receipt.pk)),
        ("post", _url("receipt_import", grant, proof)),
        ("post", _url("receipt_import_confirm", grant, proof)),
    ]
    for user in (other_carrier, world["unrelated_officer"], UserFactory()):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)


def test_carrier_steps_are_refused_to_officials_and_review_steps_to_the_carrier(client, world, example):
    grant, proof = example
    client.force_login(world["officer"])
    for name in (
        "proof_narrative",
        "proof_statement",
        "receipt_add",
        "receipt_import",
        "receipt_import_confirm",
    ):
        assert client.post(_url(name, grant, proof), {}).status_code == 403, name
    assert client.post(_url("proof_step", grant, proof, "submit"), {}).status_code == 403
    client.force_login(world["carrier"])
    for step in ("start_review", "request_changes", "accept"):
        assert client.post(_url("proof_step", grant, proof, step), {"comment": "x"}).status_code == 403
    client.force_login(world["finance"])
    assert client.post(_url("proof_step", grant, proof, "accept"), {}).status_code == 403


def test_statement_and_receipts_are_entered_on_the_page(client, world, example):
    grant, proof = example
    carrier = world["carrier"]
    lines = {line.text: line for line in proof.plan.lines.all()}
    client.force_login(carrier)
    page = html(client.get(_url("proof_detail", grant, proof)))
    assert "Personal" in page and "40.000,00 €" in page
    data = {
        f"line_{lines[t].pk}": v
        for t, v in [
            ("Personal", "38.000"),
            ("Honorare", "11.500"),
            ("Sachkosten", "10.000"),
            ("Reisen", "500"),
        ]
    }
    own = proof.plan.lines.get(cover_kind="own")
    data[f"line_{own.pk}"] = "6.000,00"
    client.post(_url("proof_statement", grant, proof), data)
    assert sorted(proof.lines.values_list("actual", flat=True)) == [
        Decimal(x) for x in ("500.00", "6000.00", "10000.00", "11500.00", "38000.00")
    ]
    client.post(
        _url("receipt_add", grant, proof),
        {
            "number": "R-1",
            "paid_on": "2026-05-04",
            "counterparty": "Reisebüro",
            "reason": "Bahn",
            "amount": "500",
            "plan_line": lines["Reisen"].pk,
        },
    )
    assert Receipt.objects.get(proof=proof).amount == Decimal("500.00")
    response = client.post(
        _url("receipt_add", grant, proof),
        {
            "number": "R-1",
            "paid_on": "2025-05-04",
            "counterparty": "X",
            "reason": "Y",
            "amount": "5",
            "plan_line": lines["Reisen"].pk,
        },
    )
    assert response.status_code == 200 and Receipt.objects.filter(proof=proof).count() == 1


def test_an_import_with_a_bad_row_lists_it_with_its_line_number_and_writes_nothing(client, world, example):
    grant, proof = example
    client.force_login(world["carrier"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = "\n".join(
        [HEADER, "R-1;15.03.2026;Druckerei;Flyer;1.234,56;1", "R-2;;Hotel;Übernachtung;100,00;4"]
    ).encode()
    response = client.post(
        _url("receipt_import", grant, proof),
        {"file": SimpleUploadedFile("belege.csv", content, content_type="text/csv")},
    )
    page = html(response)
    assert "The date is missing." in page
    assert '<td class="num">3</td>' in page and '<td class="num">2</td>' in page
    assert "1 of 2 rows have errors; nothing was imported." in page
    assert _url("receipt_import_confirm", grant, proof) not in page
    assert not Receipt.objects.exists()


def test_a_clean_import_is_confirmed_after_the_dry_run(client, world, example):
    grant, proof = example
    client.force_login(world["carrier"])
    content = "\n".join(
        [HEADER, "R-1;15.03.2026;Druckerei;Flyer;1.234,56;1", "R-2;16.03.2026;Hotel;Übernachtung;100,00;4"]
    ).encode()
    response = client.post(
        _url("receipt_import", grant, proof),
        {"file": SimpleUploadedFile("belege.csv", content, content_type="text/csv")},
    )
    assert _url("receipt_import_confirm", grant, proof) in html(response)
    assert not Receipt.objects.exists()  # the dry run wrote nothing
    client.post(_url("receipt_import_confirm", grant, proof))
    assert sorted(Receipt.objects.values_list("number", "amount")) == [
        ("R-1", Decimal("1234.56")),
        ("R-2", Decimal("100.00")),
    ]
    # The checked file is used once only.
    client.post(_url("receipt_import_confirm", grant, proof))
    assert Receipt.objects.count() == 2


def test_review_through_the_pages_ends_on_the_settlement_with_the_capped_line(client, world, example, clock):
    clock.set(2027, 2, 15)  # after the settlement's day: a decision never lies in the future
    grant, proof = example
    proof = fill_final_proof(
        proof,
        world["carrier"],
        actual={"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisen": "500"},
        own="6000",
    )
    client.force_login(world["carrier"])
    client.post(_url("proof_step", grant, proof, "submit"), {"comment": ""})
    assert ProofOfUse.objects.get(pk=proof.pk).state == "submitted"
    client.force_login(world["officer"])
    client.post(_url("proof_step", grant, proof, "start_review"), {})
    response = client.post(
        _url("proof_step", grant, proof, "accept"), {"decided_on": "2027-02-01"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("settlement_detail", args=[grant.pk])
    page = html(response)
    # Materials: actual 10,000 above the cap 9,600 → recognised 9,600, the line highlighted.
    assert page.count('class="is-capped"') == 1
    capped_row = page.split('class="is-capped"')[1].split("</tr>")[0]
    assert "9.600,00 €" in capped_row and "10.000,00 €" in capped_row
    assert "59.600,00 €" in page  # A
    # deficit: Z = 59,600 − max(6,000, 6,000) − 0 = 53,600; paid 54,000 → reclaim 400
    assert "53.600,00 €" in page and "400,00 €" in page


def test_changes_requested_need_a_comment(client, world, example):
    grant, proof = example
    proof = fill_final_proof(
        proof, world["carrier"], actual={"Personal": "1", "Honorare": "1", "Sachkosten": "1", "Reisen": "1"}
    )
    client.force_login(world["carrier"])
    client.post(_url("proof_step", grant, proof, "submit"), {})
    client.force_login(world["officer"])
    client.post(_url("proof_step", grant, proof, "start_review"), {})
    response = client.post(_url("proof_step", grant, proof, "request_changes"), {"comment": ""})
    assert response.status_code == 200 and 'aria-invalid="true"' in html(response)
    client.post(_url("proof_step", grant, proof, "request_changes"), {"comment": "Belege fehlen"})
    assert ProofOfUse.objects.get(pk=proof.pk).state == "changes_requested"


@pytest.mark.parametrize("n", [1, 15])
def test_proof_page_costs_the_same_queries_for_1_and_15_receipts(
    client, world, example, django_assert_num_queries, n
):
    grant, proof = example
    line = proof.plan.lines.get(text="Personal")
    for i in range(n):
        Receipt.objects.create(
            proof=proof,
            number=f"R-{i}",
            paid_on="2026-04-01",
            counterparty="A",
            reason="B",
            amount=1,
            plan_line=line,
        )
    labels = plan_line_labels(proof.plan.lines.all())
    assert labels
    client.force_login(world["carrier"])
    url = _url("proof_detail", grant, proof)
    client.get(url)
    with django_assert_num_queries(14):
        response = client.get(url)
    assert html(response).count('<td class="nowrap">R-') == n


def test_deleting_a_receipt_shows_the_receipt_and_its_amount_and_asks_once(client, world, example):
    grant, proof = example
    receipt = fill_final_proof(
        proof, world["carrier"], actual={"Personal": "1", "Honorare": "1", "Sachkosten": "1", "Reisen": "1"}
    ).receipts.first()
    client.force_login(world["carrier"])
    url = _url("receipt_delete", grant, proof, receipt.pk)
    preview = client.post(url)
    page = html(preview)
    assert preview.status_code == 200
    assert receipt.number in page and receipt.counterparty in page
    assert 'name="confirmed" value="1"' in page and "nicht rückgängig" in page
    assert Receipt.objects.filter(pk=receipt.pk).exists()  # the first POST wrote nothing
    done = client.post(url, {"confirmed": "1"})
    assert done.status_code == 302 and not Receipt.objects.filter(pk=receipt.pk).exists()
