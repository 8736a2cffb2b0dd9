"""The receipt import's template: its columns are the importer's, and the file as downloaded
(XLSX and CSV) passes the import's dry run on a proof with plan line 1 (issue 11 §4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grants.awards.resources import FIELDS, normalise_header
from grants.awards.services.proof import receipts_import
from grants.awards.services.proof.receipt_import import TEMPLATE
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    world = make_world()
    grant, carrier = approve_plan(
        world,
        expenditure=[("material", "Flyer und Plakate", 2026, "3000"), ("fees", "Workshops", 2026, "2000")],
        own="500",
        instalments={2026: "4500"},
    )
    return grant, grant.proofs.get(), carrier


def test_the_template_names_the_columns_the_import_reads():
    assert tuple(normalise_header(h) for h in TEMPLATE.headers) == FIELDS


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_downloaded_template_passes_the_dry_run(client, setup, fmt):
    grant, proof, carrier = setup
    client.force_login(carrier)
    url = reverse("receipt_import_template", args=[grant.pk, proof.pk, fmt])
    page = client.get(reverse("proof_detail", args=[grant.pk, proof.pk])).content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="belegliste-vorlage.{fmt}"'
    report = receipts_import(
        proof=proof, by=carrier, content=response.content, file_name=f"vorlage.{fmt}", dry_run=True
    )
    assert [(row.line, row.ok, row.messages) for row in report.rows] == [(2, True, [])]
    assert report.rows[0].values.number == "R-1"
    assert str(report.rows[0].values.amount) == "1234.56"


def test_another_organisation_gets_no_template_of_the_proof(client, setup):
    grant, proof, _carrier = setup
    client.force_login(carrier_user(OrganisationFactory(name="Anderer Verein e.V."), username="fremd"))
    response = client.get(reverse("receipt_import_template", args=[grant.pk, proof.pk, "csv"]))
    assert response.status_code in (403, 404)
