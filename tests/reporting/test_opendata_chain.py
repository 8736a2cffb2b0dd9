"""Open data down the chain (DOMAIN §7): the first recipient's grant is marked as a regrant and
micro-projects are published as its grants, under the first recipient as funder."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.applications.models import Application
from grants.applications.services.application import (
    application_propose_approval,
    application_record_recommendation,
)
from grants.awards.services.award import application_approve
from reporting.opendata.threesixtygiving import build_package, grants_for_open_data
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PREFIX = "360G-foerderverwaltung-"


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = build_chain_world()
    w.approve_first_grant("100000")
    # The factory's reference sequence may meet the A-2026-<pk> a micro-project gets from its service.
    Application.objects.filter(pk=w.grant.application_id).update(reference="PfD-GR-2026")
    return w


def _approve(world, fund, organisation, amount):
    app = world.micro_project(fund, organisation, grant=amount)
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(2026, 3, 20), by=world.pfd_officer
    )
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=world.pfd_officer, instalments={2026: D(amount)}
    )
    return application_approve(application=app, by=world.pfd_approver).grant


def _package(**kwargs):
    return build_package(grants_for_open_data(**kwargs), publisher="BAFzA", issued=timezone.localdate())


def _by_id(package):
    return {g["id"]: g for g in package["grants"]}


def test_a_grant_that_finances_no_fund_carries_no_regrant_type(world):
    (record,) = _package()["grants"]
    assert record["id"] == f"{PREFIX}{world.grant.file_number}"
    assert "regrantType" not in record


def test_a_first_grant_that_also_pays_its_own_office_is_a_multipurpose_regrant(world):
    world.open_fund(world.action_kind, "40000", name="Aktionsfonds 2026")
    world.open_fund(world.youth_kind, "10000", name="Jugendfonds 2026")
    (record,) = _package()["grants"]
    # 50,000 of 100,000 passed on: the coordination office is paid from the rest.
    assert record["regrantType"] == "FRG070"
    assert record["fundingOrganization"] == [{"id": f"{PREFIX}office-{world.federal.pk}", "name": "BAFzA"}]


def test_a_first_grant_passed_on_as_a_whole_is_a_common_regrant(world):
    world.open_fund(world.action_kind, "100000", name="Aktionsfonds 2026")
    (record,) = _package()["grants"]
    assert record["regrantType"] == "FRG010"


def test_micro_projects_are_published_under_the_first_recipient_as_funder(world):
    fund = world.open_fund(world.action_kind, "40000", name="Aktionsfonds 2026")
    last = OrganisationFactory(name="Nachbarschaftsverein Weinhübel e.V.", city="Görlitz", postcode="02827")
    micro = _approve(world, fund, last, "800")
    records = _by_id(_package())
    first_record = records[f"{PREFIX}{world.grant.file_number}"]
    record = records[f"{PREFIX}{micro.file_number}"]

    funder = {"id": f"{PREFIX}org-{world.municipality.pk}", "name": "Landkreis Görlitz"}
    assert record["fundingOrganization"] == [funder]
    # the funder is the first grant's recipient, under the same identifier: the chain can be followed
    assert first_record["recipientOrganization"][0]["id"] == funder["id"]
    assert record["recipientOrganization"] == [
        {
            "id": f"{PREFIX}org-{last.pk}",
            "name": "Nachbarschaftsverein Weinhübel e.V.",
            "addressLocality": "Görlitz",
            "postalCode": "02827",
            "addressCountry": "DE",
        }
    ]
    assert record["amountAwarded"] == 800.0
    assert record["plannedDates"] == [{"startDate": "2026-04-01", "endDate": "2026-10-31"}]
    # awarded from the fund; the federal programme is counted once, on the first grant
    assert record["grantProgramme"] == [
        {"code": f"{world.grant.file_number}-AIF", "title": "Aktionsfonds 2026"}
    ]
    assert "regrantType" not in record
    assert first_record["regrantType"] == "FRG070"


def test_a_confidential_micro_project_carrier_is_left_out(world):
    fund = world.open_fund(world.action_kind, "40000", name="Aktionsfonds 2026")
    shown = _approve(world, fund, OrganisationFactory(name="Nachbarschaftsverein Weinhübel e.V."), "800")
    hidden = _approve(
        world, fund, OrganisationFactory(name="Ausstieg Lausitz e.V.", confidential=True), "900"
    )
    package = _package()
    ids = set(_by_id(package))
    assert f"{PREFIX}{shown.file_number}" in ids
    assert f"{PREFIX}{hidden.file_number}" not in ids
    assert "Ausstieg" not in json.dumps(package, ensure_ascii=False)


def test_micro_projects_of_a_confidential_first_recipient_are_left_out(world):
    fund = world.open_fund(world.action_kind, "40000", name="Aktionsfonds 2026")
    micro = _approve(world, fund, OrganisationFactory(), "800")
    world.municipality.confidential = True
    world.municipality.save()
    ids = set(_by_id(_package()))
    # naming the funder would name the first recipient
    assert f"{PREFIX}{micro.file_number}" not in ids
    assert f"{PREFIX}{world.grant.file_number}" not in ids


def test_finance_staff_download_the_chain_as_360giving(client, world):
    fund = world.open_fund(world.action_kind, "40000", name="Aktionsfonds 2026")
    micro = _approve(world, fund, OrganisationFactory(), "800")
    client.force_login(world.federal_finance)
    response = client.get(reverse("opendata_360giving"))
    assert response.status_code == 200
    records = _by_id(json.loads(b"".join(response.streaming_content)))
    assert records[f"{PREFIX}{world.grant.file_number}"]["regrantType"] == "FRG070"
    assert records[f"{PREFIX}{micro.file_number}"]["fundingOrganization"][0]["name"] == "Landkreis Görlitz"

    # the PfD's own finance staff publish their micro-projects, not the federal grant above them
    client.force_login(world.pfd_finance)
    records = _by_id(json.loads(b"".join(client.get(reverse("opendata_360giving")).streaming_content)))
    assert set(records) == {f"{PREFIX}{micro.file_number}"}
