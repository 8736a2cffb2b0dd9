"""The fund pages as people use them: the first recipient's staff open funds and keep their
rules, carriers find open funds and apply, everyone else is refused."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets.models import Fund, LedgerEntry
from grants.applications.models import Application
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "de"
    w = build_chain_world()
    w.approve_first_grant("100000")
    return w


def _open_data(**overrides):
    return {
        "kind": "",
        "budget_year": "2026",
        "name": "",
        "amount": "40.000,00",
        "max_per_measure": "3.500",
        "latest_end_date": "2026-11-30",
        "cofinancing_guide_rate": "10",
        "simple_proof_threshold": "1.000",
    } | overrides


def test_the_first_recipients_officer_opens_a_fund_from_the_grant_page(client, world):
    client.force_login(world.pfd_officer)
    page = client.get(reverse("grant_funds", args=[world.grant.pk]))
    assert page.status_code == 200 and "Fonds eröffnen" in page.content.decode()
    response = client.post(reverse("fund_open", args=[world.grant.pk]), _open_data(kind=world.action_kind.pk))
    fund = Fund.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fund_detail", args=[fund.pk])
    assert (fund.name, fund.max_per_measure, fund.cofinancing_guide_rate) == (
        "Aktions- und Initiativfonds 2026",
        D("3500.00"),
        D("10.00"),
    )
    detail = client.get(response["Location"]).content.decode()
    assert "40.000,00 €" in detail and "Regeln speichern" in detail


def test_a_fund_larger_than_the_year_is_refused_with_the_figures_and_nothing_written(client, world):
    client.force_login(world.pfd_officer)
    response = client.post(
        reverse("fund_open", args=[world.grant.pk]),
        _open_data(kind=world.action_kind.pk, amount="100.000,01"),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "100.000,00 €" in text and "0,01 €" in text
    assert not Fund.objects.exists() and not LedgerEntry.objects.filter(envelope__fund__isnull=False).exists()


def test_a_fund_form_with_a_bad_amount_names_the_field(client, world):
    client.force_login(world.pfd_officer)
    response = client.post(
        reverse("fund_open", args=[world.grant.pk]), _open_data(kind=world.action_kind.pk, amount="viel")
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert not Fund.objects.exists()


def test_staff_of_another_pfd_see_neither_the_funds_page_nor_the_fund(client, world):
    fund = world.open_fund(world.action_kind, "10000")
    client.force_login(world.other_pfd_officer)
    assert client.get(reverse("grant_funds", args=[world.grant.pk])).status_code == 404
    assert (
        client.post(
            reverse("fund_open", args=[world.grant.pk]), _open_data(kind=world.action_kind.pk)
        ).status_code
        == 404
    )
    assert client.get(reverse("fund_detail", args=[fund.pk])).status_code == 404
    assert client.post(reverse("fund_rules", args=[fund.pk]), {"name": "x"}).status_code == 404


def test_the_recipient_sees_its_funds_but_cannot_open_one(client, world):
    fund = world.open_fund(world.youth_kind, "10000")
    client.force_login(world.municipal_carrier)
    page = client.get(reverse("grant_funds", args=[world.grant.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Fonds eröffnen" not in html
    # No link the recipient cannot follow: the fund's page is the office's.
    assert fund.name in html and reverse("fund_detail", args=[fund.pk]) not in html
    response = client.post(reverse("fund_open", args=[world.grant.pk]), _open_data(kind=world.action_kind.pk))
    assert response.status_code == 403 and list(Fund.objects.all()) == [fund]


def test_cut_off_dates_are_typed_one_per_line_and_bad_lines_are_named(client, world):
    fund = world.open_fund(world.action_kind, "10000")
    client.force_login(world.pfd_officer)
    data = {
        "name": fund.name,
        "max_per_measure": "3.500,00",
        "cofinancing_guide_rate": "0",
        "latest_end_date": "2026-11-30",
        "simple_proof_threshold": "1.000,00",
        "cutoffs": "31.03.2026 40\nirgendwann 60",
    }
    response = client.post(reverse("fund_rules", args=[fund.pk]), data)
    assert response.status_code == 200 and "Zeile 2" in response.content.decode()
    assert not fund.cutoffs.exists()
    data["cutoffs"] = "31.03.2026 40\n30.06.2026 60 %"
    response = client.post(reverse("fund_rules", args=[fund.pk]), data)
    assert response.status_code == 302
    assert [(c.cutoff_date, c.release_percent) for c in fund.cutoffs.all()] == [
        (date(2026, 3, 31), D("40.00")),
        (date(2026, 6, 30), D("60.00")),
    ]


def test_a_carrier_finds_an_open_fund_and_applies_with_the_short_form(client, world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2026, 4, 1))
    fund = world.open_fund(world.youth_kind, "10000", max_per_measure="1000")
    verein = OrganisationFactory(name="Jugendclub Rothenburg")
    user = carrier_user(verein, username="jugendclub")
    client.force_login(user)
    listing = client.get(reverse("fund_list")).content.decode()
    assert fund.name in listing and reverse("microproject_apply", args=[fund.pk]) in listing
    response = client.post(
        reverse("microproject_apply", args=[fund.pk]),
        {
            "organisation": verein.pk,
            "title": "Graffiti-Workshop",
            "summary": "Jugendliche gestalten eine Wand am Jugendclub.",
            "goals": "Beteiligung und Verantwortung für den Ort.",
            "target_groups": "Jugendliche",
            "region": "Rothenburg",
            "start_date": "2026-05-01",
            "end_date": "2026-08-31",
        },
    )
    app = Application.objects.get(title="Graffiti-Workshop")
    assert response.status_code == 302 and response["Location"] == reverse("application_edit", args=[app.pk])
    assert (app.fund, app.office, app.programme) == (fund, world.pfd, world.programme)


def test_staff_cannot_apply_for_a_micro_project(client, world):
    fund = world.open_fund(world.youth_kind, "10000")
    client.force_login(world.pfd_officer)
    assert client.get(reverse("microproject_apply", args=[fund.pk])).status_code == 403


def test_a_micro_projects_editor_has_no_programme_or_office_and_its_live_check_uses_the_funds_rules(
    client, world
):
    fund = world.open_fund(world.youth_kind, "10000", max_per_measure="1000")
    verein = OrganisationFactory(name="Jugendinitiative Löbau")
    user = carrier_user(verein, username="loebau")
    from grants.chain.services.microprojects import microproject_create

    app = microproject_create(
        fund=fund,
        organisation=verein,
        by=user,
        title="Skatepark-Fest",
        summary="Ein Fest mit Workshops.",
        goals="Jugendliche planen selbst.",
        target_groups="Jugendliche",
        region="Löbau",
        start_date=date(2026, 6, 1),
        end_date=date(2026, 9, 30),
        today=date(2026, 4, 1),
    )
    client.force_login(user)
    page = client.get(reverse("application_edit", args=[app.pk])).content.decode()
    assert 'name="programme"' not in page and 'name="office"' not in page
    data = {
        "title": app.title,
        "summary": app.summary,
        "goals": app.goals,
        "target_groups": app.target_groups,
        "region": app.region,
        "start_date": "2026-06-01",
        "end_date": "2026-09-30",
        "financing_type": "deficit",
        "expenditure-TOTAL_FORMS": "1",
        "expenditure-INITIAL_FORMS": "0",
        "cover-TOTAL_FORMS": "1",
        "cover-INITIAL_FORMS": "0",
        "expenditure-0-category": "material",
        "expenditure-0-description": "Material und Verpflegung",
        "expenditure-0-budget_year": "2026",
        "expenditure-0-amount": "1.200,00",
        "cover-0-kind": "grant",
        "cover-0-source": "",
        "cover-0-budget_year": "2026",
        "cover-0-amount": "1.200,00",
    }
    preview = client.post(reverse("plan_preview", args=[app.pk]), data).content.decode()
    assert "1.200,00 €" in preview and "1.000,00 €" in preview and fund.name in preview
    response = client.post(reverse("application_edit", args=[app.pk]), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.office, app.programme, app.fund) == (world.pfd, world.programme, fund)
    assert app.expenditure_lines.get().amount == D("1200.00")


def test_the_fund_page_shows_handed_in_micro_projects_only_and_german_percentages(client, world):
    from grants.chain.services.microprojects import microproject_create

    fund = world.open_fund(world.action_kind, "10000", cofinancing_guide_rate=D("12.5"))
    verein = OrganisationFactory(name="Entwurfsverein e.V.")
    draft = microproject_create(
        fund=fund,
        organisation=verein,
        by=carrier_user(verein),
        title="Noch ein Entwurf",
        summary="s",
        goals="g",
        target_groups="t",
        region="r",
        start_date=date(2026, 5, 1),
        end_date=date(2026, 6, 1),
        today=date(2026, 4, 1),
    )
    handed_in = world.micro_project(fund, OrganisationFactory(), grant="1000")
    client.force_login(world.pfd_officer)
    page = client.get(reverse("fund_detail", args=[fund.pk])).content.decode()
    assert handed_in.reference in page and draft.reference not in page
    assert 'value="12,50"' in page


def test_the_fund_rules_name_the_committee_that_decides(client, world):
    from grants.chain.models import Committee

    fund = world.open_fund(world.action_kind, "10000")
    ausschuss = Committee.objects.create(office=world.pfd, name="Begleitausschuss", kind="steering")
    forum = Committee.objects.create(office=world.pfd, name="Jugendforum", kind="youth")
    foreign = Committee.objects.create(
        office=world.other_pfd, name="Begleitausschuss Leipzig", kind="steering"
    )
    forum.funds.add(fund)
    client.force_login(world.pfd_officer)
    data = {
        "name": fund.name,
        "max_per_measure": "3.500,00",
        "cofinancing_guide_rate": "0",
        "latest_end_date": "2026-11-30",
        "simple_proof_threshold": "1.000,00",
        "cutoffs": "",
        "committee": ausschuss.pk,
    }
    assert client.post(reverse("fund_rules", args=[fund.pk]), data).status_code == 302
    assert list(fund.committees.all()) == [ausschuss]
    # Another office's committee is not offered and not accepted.
    data["committee"] = foreign.pk
    response = client.post(reverse("fund_rules", args=[fund.pk]), data)
    assert response.status_code == 200 and list(fund.committees.all()) == [ausschuss]
