"""The annex “money passed on” of a first recipient's final proof of use as a PDF (DOMAIN.md §7):
every measure of its funds, pseudonyms for confidential carriers, the sums; downloadable by
whoever may see the first recipient's grant."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.formatting import format_date
from grants.awards.services.proof import passed_on_measures
from reporting.documents.proof_annex import render_proof_annex
from tests.grants.chain.proofs_world import approve_micro, chain_world, pay_micro, settle_micro
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def chain():
    world = chain_world()
    fund = world.open_fund(world.action_kind, "50000")
    settled = approve_micro(world, fund, OrganisationFactory(name="Bürgerbündnis Görlitz"), grant="800")
    waiting = approve_micro(
        world, fund, OrganisationFactory(name="Ausstiegshilfe Sachsen", confidential=True), grant="2000"
    )
    pay_micro(world, settled, "800")
    pay_micro(world, waiting, "1500")
    settle_micro(world, settled, "700")
    world.people |= {"settled": settled, "waiting": waiting}
    return world


def test_the_annex_lists_every_measure_with_its_figures_and_the_sums(chain):
    grant = chain.grant
    with translation.override("de"):
        annex = passed_on_measures(grant)
    pdf = render_proof_annex(grant=grant, annex=annex)
    assert pdf.startswith(b"%PDF")
    text = _flat(pdf_text(pdf))
    assert "Anlage zum Verwendungsnachweis: Weitergeleitete Mittel" in text
    assert grant.file_number in text and "Landkreis Görlitz" in text
    assert "In Fonds bereitgestellt 50.000,00 €" in text
    assert "Bürgerbündnis Görlitz" in text and chain.settled.file_number in text
    assert format_date(timezone.localdate()) in text
    # The settled one: granted 800, paid 800, recognised 700, reclaimed 100.
    assert "800,00 € 800,00 €" in text and "700,00 € 100,00 €" in text
    # The confidential carrier appears only by its pseudonym; its proof is still open.
    assert "Ausstiegshilfe" not in text
    assert f"Vertraulicher Letztempfänger Nr. {chain.waiting.organisation_id}" in text
    assert "offen" in text and "2.000,00 € 1.500,00 €" in text
    assert "Summe 2.800,00 € 2.300,00 € 700,00 € 100,00 €" in text
    assert "1 Maßnahme(n) ohne abschließend geprüften Verwendungsnachweis" in text


def test_the_annex_embeds_its_fonts(chain):
    with translation.override("de"):
        pdf = render_proof_annex(grant=chain.grant, annex=passed_on_measures(chain.grant))
    for _page, font in pdf_fonts(pdf):
        if font["/Subtype"] != "/Type0":
            assert font.get("/FontDescriptor") is not None, font["/BaseFont"]


def test_the_first_recipient_and_the_granting_office_download_the_annex(client, chain):
    url = reverse("proof_annex_download", args=[chain.grant.pk])
    for user in (chain.municipal_carrier, chain.federal_officer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith(
            'attachment; filename="Anlage-Weitergeleitete-Mittel-'
        )
        assert "Bürgerbündnis Görlitz" in _flat(pdf_text(response.content))


def test_nobody_else_downloads_the_annex(client, chain):
    url = reverse("proof_annex_download", args=[chain.grant.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(carrier_user(OrganisationFactory()))
    assert client.get(url).status_code == 404
    client.force_login(chain.other_pfd_officer)
    assert client.get(url).status_code == 404


def test_a_grant_that_finances_no_fund_has_no_annex(client, chain):
    client.force_login(chain.pfd_officer)
    assert client.get(reverse("proof_annex_download", args=[chain.settled.pk])).status_code == 404
