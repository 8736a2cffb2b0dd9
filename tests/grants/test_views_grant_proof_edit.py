"""The carrier's proof pages beyond adding receipts: changing a receipt, cover lines not in the
plan, and the narrative report's file (served like attachments, only to those who see the grant)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.awards.models import ProofLine, Receipt
from grants.awards.services.proof import proof_narrative_upload, receipt_add
from tests.budgets.factories import UserFactory
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_proof import PDF, fill_final_proof
from tests.grants.test_views_grant_proofs import example as example
from tests.grants.test_views_grant_proofs import world as world

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _url(name, grant, proof, *extra):
    return reverse(name, args=[grant.pk, proof.pk, *extra])


@pytest.fixture
def receipt(world, example):
    _grant, proof = example
    line = proof.plan.lines.get(text="Reisen")
    return receipt_add(
        proof=proof,
        by=world["carrier"],
        number="R-1",
        paid_on=date(2026, 5, 4),
        counterparty="Reisebüro",
        reason="Bahn",
        amount=Decimal("500.00"),
        plan_line=line,
    )


def _receipt_data(proof, **changes):
    data = {
        "number": "R-1",
        "paid_on": "2026-05-04",
        "counterparty": "Reisebüro",
        "reason": "Bahn",
        "amount": "500,00",
        "plan_line": proof.plan.lines.get(text="Reisen").pk,
    }
    return data | changes


# --- changing a receipt ------------------------------------------------------------------------


def test_receipt_form_is_prefilled_and_saves_every_field(client, world, example, receipt):
    grant, proof = example
    url = _url("receipt_edit", grant, proof, receipt.pk)
    client.force_login(world["carrier"])
    page = html(client.get(url))
    assert 'value="R-1"' in page and 'value="Reisebüro"' in page and 'value="500,00"' in page
    assert url in html(client.get(_url("proof_detail", grant, proof)))
    staff = proof.plan.lines.get(text="Personal")
    response = client.post(
        url,
        _receipt_data(
            proof,
            number="R-7",
            paid_on="2026-06-30",
            amount="1.234,56",
            counterparty="Hotel",
            plan_line=staff.pk,
        ),
    )
    assert response["Location"] == _url("proof_detail", grant, proof) + "#receipts"
    changed = Receipt.objects.get(pk=receipt.pk)
    assert (changed.number, changed.paid_on, changed.amount, changed.counterparty, changed.plan_line_id) == (
        "R-7",
        date(2026, 6, 30),
        Decimal("1234.56"),
        "Hotel",
        staff.pk,
    )


def test_changed_receipt_keeps_the_rules_of_the_receipt_list(client, world, example, receipt):
    grant, proof = example
    client.force_login(world["carrier"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        _url("receipt_edit", grant, proof, receipt.pk), _receipt_data(proof, paid_on="2025-12-31")
    )
    assert response.status_code == 200
    assert "The date 12/31/2025 lies outside the approval period 01/01/2026–12/31/2026." in html(response)
    assert Receipt.objects.get(pk=receipt.pk).paid_on == date(2026, 5, 4)


def test_receipt_editing_is_refused_to_officials_and_hidden_from_others(client, world, example, receipt):
    grant, proof = example
    url = _url("receipt_edit", grant, proof, receipt.pk)
    client.force_login(world["officer"])
    assert client.get(url).status_code == 403
    assert client.post(url, _receipt_data(proof, number="X")).status_code == 403
    for user in (carrier_user(OrganisationFactory()), world["unrelated_officer"], UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, _receipt_data(proof, number="X")).status_code == 404
    assert Receipt.objects.get(pk=receipt.pk).number == "R-1"


def test_receipts_of_a_submitted_proof_cannot_be_changed(client, world, example):
    grant, proof = example
    proof = fill_final_proof(
        proof, world["carrier"], actual={"Personal": "1", "Honorare": "1", "Sachkosten": "1", "Reisen": "1"}
    )
    client.force_login(world["carrier"])
    client.post(_url("proof_step", grant, proof, "submit"), {})
    receipt = proof.receipts.first()
    url = _url("receipt_edit", grant, proof, receipt.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, _receipt_data(proof)).status_code == 403
    assert url not in html(client.get(_url("proof_detail", grant, proof)))


# --- cover not in the plan --------------------------------------------------------------------


def test_statement_takes_cover_lines_that_were_not_in_the_plan(client, world, example):
    grant, proof = example
    lines = {line.text or line.cover_kind: line for line in proof.plan.lines.all()}
    data = {f"line_{lines[t].pk}": "1.000" for t in ("Personal", "Honorare", "Sachkosten", "Reisen", "own")}
    data |= {"cover_0_kind": "income", "cover_0_text": "Spende der Sparkasse", "cover_0_actual": "2.000,00"}
    client.force_login(world["carrier"])
    client.post(_url("proof_statement", grant, proof), data)
    donation = ProofLine.objects.get(proof=proof, plan_line__isnull=True)
    assert (donation.side, donation.cover_kind, donation.text, donation.actual) == (
        "cover",
        "income",
        "Spende der Sparkasse",
        Decimal("2000.00"),
    )
    # The form shows it again (and a fresh row), so saving once more keeps it.
    page = html(client.get(_url("proof_detail", grant, proof)))
    assert 'value="Spende der Sparkasse"' in page and 'name="cover_1_kind"' in page
    client.post(_url("proof_statement", grant, proof), data)
    assert ProofLine.objects.filter(proof=proof, plan_line__isnull=True).count() == 1


def test_grant_is_no_cover_kind_for_a_line_not_in_the_plan(client, world, example):
    grant, proof = example
    client.force_login(world["carrier"])
    response = client.post(
        _url("proof_statement", grant, proof), {"cover_0_kind": "grant", "cover_0_actual": "100"}
    )
    assert response.status_code == 200
    assert not ProofLine.objects.filter(proof=proof).exists()


# --- the narrative report's file -------------------------------------------------------------


def _with_file(world, proof):
    upload = SimpleUploadedFile("Sachbericht 2026.pdf", PDF, content_type="application/pdf")
    return proof_narrative_upload(proof=proof, by=world["carrier"], upload=upload)


def test_narrative_file_is_downloaded_by_the_recipient_and_the_office(client, world, example):
    grant, proof = example
    _with_file(world, proof)
    url = _url("proof_narrative_file", grant, proof)
    for user in (world["carrier"], world["officer"], world["finance"]):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Sachbericht 2026.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world["carrier"])
    assert url in html(client.get(_url("proof_detail", grant, proof)))


def test_narrative_file_is_hidden_from_other_organisations_and_unrelated_offices(client, world, example):
    grant, proof = example
    _with_file(world, proof)
    url = _url("proof_narrative_file", grant, proof)
    for user in (carrier_user(OrganisationFactory()), world["unrelated_officer"], UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_no_narrative_file_is_a_404(client, world, example):
    grant, proof = example
    client.force_login(world["carrier"])
    assert client.get(_url("proof_narrative_file", grant, proof)).status_code == 404
