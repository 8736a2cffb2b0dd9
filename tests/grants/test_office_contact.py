"""Carriers see the responsible office's contact (name, e-mail, phone) on every case page:
the application, its editor and every page of the grant (issue 11 §4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db

CONTACT = (
    '<span>Demokratie-Zentrum Sachsen</span> · <a href="mailto:foerderung@dz-sachsen.example">'
    'foerderung@dz-sachsen.example</a> · <span class="visually-hidden">Telefon: </span>'
    '<a href="tel:0351123456-0">0351 123456-0</a>'
)


@pytest.fixture
def case():
    world = make_world()
    office = world["sn"]
    office.email = "foerderung@dz-sachsen.example"
    office.phone = "0351 123456-0"
    office.save(update_fields=["email", "phone"])
    grant, carrier = approve_plan(
        world, expenditure=[("fees", "Workshops", 2026, "2000")], own="200", instalments={2026: "1800"}
    )
    return grant, carrier


def test_the_office_contact_is_on_every_case_page_of_the_carrier(client, case):
    grant, carrier = case
    client.force_login(carrier)
    proof = grant.proofs.get()
    pages = [
        reverse("application_detail", args=[grant.application_id]),
        reverse("grant_detail", args=[grant.pk]),
        reverse("grant_drawdowns", args=[grant.pk]),
        reverse("grant_proofs", args=[grant.pk]),
        reverse("proof_detail", args=[grant.pk, proof.pk]),
        reverse("grant_amendments", args=[grant.pk]),
        reverse("grant_reclaims", args=[grant.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Ihr Kontakt:" in page, url
        assert CONTACT in page, url


def test_without_phone_and_email_only_the_office_name_is_shown(client, case):
    grant, carrier = case
    grant.office.email = grant.office.phone = ""
    grant.office.save(update_fields=["email", "phone"])
    client.force_login(carrier)
    page = client.get(reverse("grant_detail", args=[grant.pk])).content.decode()
    start = page.index('id="office-contact"')
    contact = page[start : page.index("</p>", start)]
    assert "Demokratie-Zentrum Sachsen" in contact
    assert "mailto:" not in contact and "tel:" not in contact
