"""The printable copy of a submitted proof of use: made for who may see the grant, 404 otherwise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.awards.models import ProofKind, ProofOfUse, Receipt
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import approved, make_world, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def _submitted_proof(world):
    grant = approved(world).grant
    proof = ProofOfUse.objects.get(grant=grant, kind=ProofKind.FINAL)
    Receipt.objects.create(
        proof=proof,
        number="B-17",
        paid_on=date(2026, 3, 1),
        counterparty="Druckerei Lausitz",
        reason="Flyer Werkstatt",
        amount=Decimal("480.00"),
        plan_line=grant.plan_versions.first().lines.filter(side="expenditure").first(),
    )
    ProofOfUse.objects.filter(pk=proof.pk).update(
        narrative="Die Werkstätten fanden wie geplant statt.", submitted_at=timezone.now()
    )
    return grant, proof


def test_the_proof_pdf_prints_narrative_and_receipts_and_is_listed_in_the_case_file(world, client):
    grant, proof = _submitted_proof(world)
    client.force_login(world["officer"])
    response = client.get(reverse("proof_pdf", args=[grant.pk, proof.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Verwendungsnachweis" in text
    assert "Die Werkstätten fanden wie geplant statt." in text
    assert "B-17" in text and "480,00 €" in text
    page = client.get(reverse("grant_case_file", args=[grant.pk])).content.decode()
    assert reverse("proof_pdf", args=[grant.pk, proof.pk]) in page
    assert reverse("case_file_download", args=[grant.pk]) in page  # the office may export the ZIP
    client.force_login(world["carrier"])
    page = client.get(reverse("grant_case_file", args=[grant.pk])).content.decode()
    assert reverse("proof_pdf", args=[grant.pk, proof.pk]) in page
    assert reverse("case_file_download", args=[grant.pk]) not in page


def test_the_proof_pdf_is_refused_to_outsiders_and_for_a_draft(world, client):
    grant, proof = _submitted_proof(world)
    other = carrier_user(OrganisationFactory(name="Fremder Verein e.V."))
    stranger = UserFactory()
    membership(stranger, world["other"], "case_officer")
    url = reverse("proof_pdf", args=[grant.pk, proof.pk])
    for outsider in (other, stranger):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("grant_case_file", args=[grant.pk])).status_code == 404
    ProofOfUse.objects.filter(pk=proof.pk).update(submitted_at=None)
    client.force_login(world["officer"])
    assert client.get(url).status_code == 404
