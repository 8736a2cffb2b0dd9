"""Open data: awarded grants as a 360Giving package, confidential carriers left out, schema-valid."""

import json
import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from grants.applications.models import Application
from grants.applications.services.application import (
    application_propose_approval,
    application_record_recommendation,
)
from grants.awards.models import Grant
from grants.awards.services.award import application_approve
from reporting.opendata.threesixtygiving import build_package, grants_for_open_data
from tests.budgets.factories import UserFactory, membership
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import approved

pytestmark = pytest.mark.django_db

VENDOR = Path(__file__).parents[2].parent / "shared" / "vendor" / "360giving"
RFC3339_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@pytest.fixture
def published(world):
    """Two grants of an ordinary carrier (one over two years) and one of an exit programme."""
    finance = UserFactory()
    membership(finance, world["sn"], "finance")
    other_finance = UserFactory()
    membership(other_finance, world["other"], "finance")
    hidden = OrganisationFactory(name="Ausstieg Ost e.V.", confidential=True)
    world |= {
        "finance": finance,
        "other_finance": other_finance,
        "grants": [approved(world).grant, approved(world, years=(2026, 2027)).grant],
        "hidden": approved(world | {"organisation": hidden, "carrier": carrier_user(hidden)}).grant,
    }
    return world


def package(**kwargs):
    return build_package(
        grants_for_open_data(**kwargs), publisher="Demokratie-Zentrum Sachsen", issued=timezone.localdate()
    )


def validator():
    """The package schema, with the grant schema it names by URL served from the local copy."""
    if not VENDOR.is_dir():
        pytest.skip(f"the 360Giving schemas are not here: {VENDOR} (../shared is absent)")
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema is not installed: it belongs in the dev dependencies"
    )
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package_schema = json.loads((VENDOR / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((VENDOR / "360-giving-schema.json").read_text())
    grant = DRAFT202012.create_resource(grant_schema)
    # The package schema refers to the grant schema of 1.4.2 by URL, while the grant schema's
    # own $id (the base of its internal "#/$defs/…" references) says 1.4.3: serve both locally.
    referenced = package_schema["properties"]["grants"]["items"]["$ref"]

    def refuse(uri):
        raise LookupError(f"not fetching {uri}")

    registry = Registry(retrieve=refuse).with_resources([(referenced, grant), (grant_schema["$id"], grant)])
    # Dates are "oneOf: date-time | YYYY-MM-DD", so date-time must really be checked: without
    # a checker a plain date matches both branches and fails the oneOf.
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def is_date_time(value):
        return not isinstance(value, str) or bool(RFC3339_DATE_TIME.match(value))

    return jsonschema.Draft202012Validator(package_schema, registry=registry, format_checker=checker)


def test_the_package_describes_each_awarded_grant(published):
    w = published
    data = package()
    first, second = w["grants"]
    assert [g["id"] for g in data["grants"]] == [
        f"360G-foerderverwaltung-{first.file_number}",
        f"360G-foerderverwaltung-{second.file_number}",
    ]
    assert data["grants"][0] == {
        "id": f"360G-foerderverwaltung-{first.file_number}",
        "title": "Demokratie-Werkstätten für Jugendliche in Görlitz",
        "description": first.purpose,
        "currency": "EUR",
        "amountAwarded": 12345.67,
        "awardDate": timezone.localdate(first.approved_at).isoformat(),
        "plannedDates": [{"startDate": "2026-01-01", "endDate": "2026-12-31"}],
        "recipientOrganization": [
            {
                "id": f"360G-foerderverwaltung-org-{w['organisation'].pk}",
                "name": "Jugendförderverein Görlitz e.V.",
                "addressLocality": "Görlitz",
                "postalCode": "02826",
                "addressCountry": "DE",
            }
        ],
        "fundingOrganization": [
            {"id": f"360G-foerderverwaltung-office-{w['sn'].pk}", "name": "Demokratie-Zentrum Sachsen"}
        ],
        "grantProgramme": [{"code": "WOS", "title": "Weltoffenes Sachsen für Demokratie und Toleranz"}],
    }
    assert data["grants"][1]["amountAwarded"] == 24691.34
    assert data["grants"][1]["plannedDates"] == [{"startDate": "2026-01-01", "endDate": "2027-12-31"}]
    assert (data["version"], data["publisher"]) == ("1.4", {"name": "Demokratie-Zentrum Sachsen"})
    text = "".join(
        json.dumps(g, ensure_ascii=False) for g in data["grants"]
    )  # amounts are written as exact decimals
    assert '"amountAwarded": 12345.67' in text and '"amountAwarded": 24691.34' in text


def test_confidential_carriers_and_revoked_grants_are_left_out(published):
    w = published
    ids = [g["id"] for g in package()["grants"]]
    assert not any(w["hidden"].file_number in i for i in ids)
    assert "Ausstieg" not in json.dumps(package(), ensure_ascii=False)
    Grant.objects.filter(pk=w["grants"][0].pk).update(state="revoked")
    assert [g["id"] for g in package()["grants"]] == [f"360G-foerderverwaltung-{w['grants'][1].file_number}"]


def test_the_package_validates_against_the_360giving_schema(published):
    check = validator()
    data = package()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(data)]
    assert errors == []


def test_money_passed_on_validates_against_the_360giving_schema(settings):
    """A first recipient's grant with regrantType and a micro-project under the first recipient."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    check = validator()
    chain = build_chain_world()
    chain.approve_first_grant("100000")
    Application.objects.filter(pk=chain.grant.application_id).update(reference="PfD-GR-2026")
    fund = chain.open_fund(chain.action_kind, "40000", name="Aktionsfonds 2026")
    app = chain.micro_project(fund, OrganisationFactory(), grant="800")
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(2026, 3, 20), by=chain.pfd_officer
    )
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=chain.pfd_officer, instalments={2026: D("800")}
    )
    application_approve(application=app, by=chain.pfd_approver)
    data = package()
    assert [g.get("regrantType") for g in data["grants"]] == ["FRG070", None]
    assert data["grants"][1]["fundingOrganization"][0]["name"] == "Landkreis Görlitz"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(data)]
    assert errors == []
    # the schema types regrantType as a string; its codelist (closed) is checked here
    codes = {"FRG010", "FRG020", "FRG030", "FRG040", "FRG050", "FRG060", "FRG070"}
    assert {g["regrantType"] for g in data["grants"] if "regrantType" in g} <= codes


def test_the_schema_check_catches_a_grant_without_its_currency(published):
    check = validator()
    data = package()
    del data["grants"][0]["currency"]
    data["grants"][1]["awardDate"] = "31.12.2026"
    assert len(list(check.iter_errors(data))) == 2


def test_the_export_command_writes_the_package(published, tmp_path):
    out = tmp_path / "360giving.json"
    call_command("export_360giving", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [g["id"] for g in data["grants"]] == [g["id"] for g in package()["grants"]]
    assert data["publisher"] == {"name": "Bundesamt für Förderung"}  # the root office
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_export_command_refuses_an_empty_package(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_360giving", "--out", str(tmp_path / "empty.json"))
    assert not (tmp_path / "empty.json").exists()


def test_finance_downloads_the_package_of_their_offices(published, client):
    w = published
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(w["finance"])
    assert "2 grants can be published." in client.get(reverse("opendata")).content.decode()
    response = client.get(reverse("opendata_360giving"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(b"".join(response.streaming_content))
    assert [g["id"] for g in data["grants"]] == [g["id"] for g in package()["grants"]]
    assert data["publisher"] == {"name": "Demokratie-Zentrum Sachsen"}


def test_the_open_data_export_is_for_finance_staff_only(published, client):
    w = published
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for user in (w["officer"], w["approver"], w["carrier"]):
        client.force_login(user)
        assert client.get(reverse("opendata")).status_code == 403
        assert client.get(reverse("opendata_360giving")).status_code == 403
    client.force_login(w["other_finance"])  # finance elsewhere: none of these grants
    assert "0 grants can be published." in client.get(reverse("opendata")).content.decode()
    response = client.get(reverse("opendata_360giving"), follow=True)
    assert "There are no awarded grants to publish." in response.content.decode()
