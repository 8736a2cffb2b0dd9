"""The drill-down of money passed on as office staff use it (DOMAIN.md §7, docs/chain.md).

The federal office (1,000,000 EUR) grants Landkreis Görlitz 100,000 and Stadt Leipzig 80,000,
each the legal body of a PfD office; each grant finances two funds there; carriers' micro-projects
are approved through the real services and paid; one micro-project repays what was reclaimed;
one carrier is confidential. Staff drill down from the programme to each PfD to each fund to
each micro-project; other offices and carriers are refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.selectors import ChainFigures
from budgets.services.commitments import post_disbursement, post_proven, post_reclaim, post_repayment
from grants.applications.models import Application, CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_record_recommendation,
    application_start_formal_check,
    application_submit,
)
from grants.awards.services.award import application_approve
from grants.chain.services.funds import fund_open
from grants.chain.services.microprojects import microproject_create
from tests.budgets.factories import UserFactory, envelope, membership
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db
YEAR = 2026


def _first_grant(w, organisation, amount: str):
    app = ApplicationFactory(
        office=w.federal,
        programme=w.programme,
        organisation=organisation,
        financing_type="full",
        reference=f"A-{YEAR}-E{organisation.pk:04d}",  # never one that submission numbers by pk
        title=f"Partnerschaft für Demokratie {organisation.city} {YEAR}",
    )
    ExpenditureLine.objects.create(
        application=app, position=0, category="fees", description="Fonds", budget_year=YEAR, amount=D(amount)
    )
    CoverLine.objects.create(application=app, kind="grant", budget_year=YEAR, amount=D(amount))
    app = application_submit(application=app, by=w.carrier_of(organisation), today=date(YEAR, 1, 5))
    app = application_start_formal_check(application=app, by=w.federal_officer)
    app = application_complete_formal_check(application=app, by=w.federal_officer)
    app = application_propose_approval(application=app, by=w.federal_officer, instalments={YEAR: D(amount)})
    return application_approve(application=app, by=w.federal_approver).grant


def _fund(w, grant, kind, amount: str, officer, max_per_measure: str = "3500"):
    return fund_open(
        grant=grant,
        kind=kind,
        budget_year=YEAR,
        amount=D(amount),
        max_per_measure=D(max_per_measure),
        latest_end_date=date(YEAR, 11, 30),
        by=officer,
    )


def _micro(w, fund, organisation, amount: str, officer, approver, paid: str = "0"):
    """A micro-project approved on its committee's recommendation, then paid ``paid``."""
    carrier = w.carrier_of(organisation)
    app = microproject_create(
        fund=fund,
        organisation=organisation,
        by=carrier,
        title=f"Kleinprojekt von {organisation.name}",
        summary="Ein Nachbarschaftsfest mit Gesprächsrunden.",
        goals="Begegnung und Austausch im Ort.",
        target_groups="Nachbarschaft",
        region=organisation.city,
        start_date=date(YEAR, 4, 1),
        end_date=date(YEAR, 10, 31),
        today=date(YEAR, 3, 1),
    )
    ExpenditureLine.objects.create(
        application=app,
        position=0,
        category="fees",
        description="Honorare",
        budget_year=YEAR,
        amount=D(amount),
    )
    CoverLine.objects.create(application=app, kind="grant", budget_year=YEAR, amount=D(amount))
    app = application_submit(application=app, by=carrier, today=date(YEAR, 3, 2))
    app = application_start_formal_check(application=app, by=officer)
    app = application_complete_formal_check(application=app, by=officer)
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(YEAR, 3, 20), by=officer
    )
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=officer, instalments={YEAR: D(amount)}
    )
    grant = application_approve(application=app, by=approver).grant
    if D(paid):
        post_disbursement(reference=grant.file_number, budget_year=YEAR, amount=D(paid), by=approver)
    return grant


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "de"
    w = build_chain_world()
    w.people["le_approver"] = UserFactory(username="le_approver")
    membership(w.le_approver, w.other_pfd, "approver")
    leipzig = OrganisationFactory(
        name="Stadt Leipzig", legal_form="municipality", runs_office=w.other_pfd, city="Leipzig"
    )
    w.people["leipzig_carrier"] = carrier_user(leipzig, username="stadt_leipzig")
    gr_grant = _first_grant(w, w.municipality, "100000")
    le_grant = _first_grant(w, leipzig, "80000")
    post_disbursement(
        reference=gr_grant.file_number, budget_year=YEAR, amount=D("60000"), by=w.federal_finance
    )
    post_disbursement(
        reference=le_grant.file_number, budget_year=YEAR, amount=D("80000"), by=w.federal_finance
    )

    gr_action = _fund(w, gr_grant, w.action_kind, "40000", w.pfd_officer)
    gr_youth = _fund(w, gr_grant, w.youth_kind, "20000", w.pfd_officer, max_per_measure="1000")
    le_action = _fund(w, le_grant, w.action_kind, "30000", w.other_pfd_officer)
    le_youth = _fund(w, le_grant, w.youth_kind, "15000", w.other_pfd_officer, max_per_measure="1000")

    gr = (w.pfd_officer, w.pfd_approver)
    le = (w.other_pfd_officer, w.le_approver)
    fest = _micro(
        w,
        gr_action,
        OrganisationFactory(name="Bürgerverein Görlitz", city="Görlitz"),
        "3000",
        *gr,
        paid="3000",
    )
    post_proven(reference=fest.file_number, budget_year=YEAR, amount=D("2800"), by=w.pfd_approver)
    _micro(
        w,
        gr_youth,
        OrganisationFactory(name="Jugendclub Rothenburg", city="Rothenburg"),
        "800",
        *gr,
        paid="800",
    )
    workshop = _micro(
        w, le_action, OrganisationFactory(name="Kulturhaus Leipzig", city="Leipzig"), "2500", *le, paid="2500"
    )
    post_reclaim(reference=workshop.file_number, budget_year=YEAR, amount=D("400"), by=w.le_approver)
    post_repayment(reference=workshop.file_number, budget_year=YEAR, amount=D("400"), by=w.le_approver)
    exit_help = OrganisationFactory(name="Ausstiegshilfe Sachsen e.V.", city="Leipzig", confidential=True)
    _micro(w, le_youth, exit_help, "1000", *le, paid="600")

    w.people.update(
        gr_grant=gr_grant,
        le_grant=le_grant,
        gr_action=gr_action,
        le_youth=le_youth,
        fest=fest,
        workshop=workshop,
        exit_help=exit_help,
    )
    return w


def _figures(response):
    return {(row.office.short_name, row.own): row.figures for row in response.context["table"].rows}


def test_the_federal_office_sees_each_level_once_and_the_total_counts_every_euro_once(client, world):
    client.force_login(world.federal_officer)
    response = client.get(reverse("passed_on_office", args=[world.federal.pk]))
    assert response.status_code == 200
    rows = _figures(response)
    assert rows[("BAFzA", True)] == ChainFigures(
        budget=D("1000000"), passed_on_committed=D("180000"), passed_on_paid=D("140000")
    )
    assert rows[("PfD GR", False)] == ChainFigures(
        received=D("60000"), last_committed=D("3800"), last_paid=D("3800"), last_recognised=D("2800")
    )
    assert rows[("PfD L", False)] == ChainFigures(
        received=D("45000"),
        last_committed=D("3500"),
        last_paid=D("3100"),
        reclaimed=D("400"),
        repaid=D("400"),
    )
    table = response.context["table"]
    assert table.total.allocated_from_above == D("1000000") and table.between == D("105000")
    assert table.total.last_paid == rows[("PfD GR", False)].last_paid + rows[("PfD L", False)].last_paid
    page = response.content.decode()
    assert "1.000.000,00 €" in page and "−105.000,00 €" in page and "6.900,00 €" in page


def test_the_federal_office_drills_down_from_first_recipients_to_funds_to_micro_projects(client, world):
    client.force_login(world.federal_officer)
    page = client.get(reverse("passed_on_office", args=[world.federal.pk])).content.decode()
    # Each first recipient with its grant, the PfD it runs, and its funds.
    for text in (
        world.gr_grant.file_number,
        world.le_grant.file_number,
        "Landkreis Görlitz",
        "Stadt Leipzig",
    ):
        assert text in page
    assert reverse("passed_on_office", args=[world.other_pfd.pk]) in page
    assert reverse("passed_on_fund", args=[world.gr_action.pk]) in page
    assert "60.000,00 €" in page and "45.000,00 €" in page  # in each first recipient's funds

    pfd = client.get(reverse("passed_on_office", args=[world.other_pfd.pk])).content.decode()
    assert reverse("passed_on_fund", args=[world.le_youth.pk]) in pfd and "15.000,00 €" in pfd

    fund = client.get(reverse("passed_on_fund", args=[world.le_youth.pk]))
    assert fund.status_code == 200
    (line,) = fund.context["projects"]
    assert (line.granted, line.figures.disbursed, line.figures.proven) == (
        D("1000.00"),
        D("600.00"),
        D("0.00"),
    )
    text = fund.content.decode()
    # A confidential carrier is named only by its pseudonym.
    assert "Ausstiegshilfe" not in text and f"vertraulich (Nr. {world.exit_help.pk})" in text

    action = client.get(reverse("passed_on_fund", args=[world.gr_action.pk])).content.decode()
    assert world.fest.file_number in action and "Bürgerverein Görlitz" in action
    assert "3.000,00 €" in action and "2.800,00 €" in action


def test_a_reclaim_and_its_repayment_show_at_the_micro_project_and_its_pfd(client, world):
    client.force_login(world.other_pfd_officer)
    fund = world.workshop.fund
    response = client.get(reverse("passed_on_fund", args=[fund.pk]))
    (line,) = response.context["projects"]
    assert (line.figures.reclaimed, line.figures.repaid) == (D("400.00"), D("400.00"))
    own = client.get(reverse("passed_on_office", args=[world.other_pfd.pk])).context["table"].total
    assert (own.allocated_from_above, own.last_paid, own.returned) == (D("45000"), D("3100"), D("400"))


def test_pfd_staff_see_only_their_own_subtree(client, world):
    client.force_login(world.pfd_officer)
    overview = client.get(reverse("passed_on_overview"))
    assert overview.status_code == 200
    assert [row.office for row in overview.context["table"].rows] == [world.pfd]
    # Seen from the PfD, its funds are money from above.
    assert overview.context["table"].total.allocated_from_above == D("60000")
    assert client.get(reverse("passed_on_office", args=[world.pfd.pk])).status_code == 200
    for url in (
        reverse("passed_on_office", args=[world.federal.pk]),
        reverse("passed_on_office", args=[world.other_pfd.pk]),
        reverse("passed_on_fund", args=[world.le_youth.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url


@pytest.mark.parametrize("who", ["municipal_carrier", "leipzig_carrier", "micro_carrier"])
def test_carriers_are_refused_every_rollup_page(client, world, who):
    user = world.carrier_of(world.fest.organisation) if who == "micro_carrier" else getattr(world, who)
    client.force_login(user)
    for url in (
        reverse("passed_on_overview"),
        reverse("passed_on_office", args=[world.pfd.pk]),
        reverse("passed_on_fund", args=[world.gr_action.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "100.000,00" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, world, settings):
    response = client.get(reverse("passed_on_office", args=[world.federal.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_the_budget_dashboard_links_the_drill_down_and_counts_funds_once(client, world):
    client.force_login(world.federal_finance)
    page = client.get(reverse("budget_dashboard"), {"office": world.federal.pk})
    assert reverse("passed_on_office", args=[world.federal.pk]) in page.content.decode()
    rows = page.context["rows"]
    assert sum((row.figures.allocated for row in rows), D(0)) == D("1000000")
    top = client.get(reverse("budget_dashboard")).content.decode()
    assert reverse("passed_on_overview") in top


def test_the_year_filter_narrows_the_drill_down(client, world):
    envelope(office=world.federal, programme=world.programme, budget_year=2027, allocated=D("5000"))
    client.force_login(world.federal_officer)
    response = client.get(reverse("passed_on_office", args=[world.federal.pk]), {"year": "2027"})
    assert response.status_code == 200
    assert response.context["table"].total == ChainFigures(budget=D("5000"))
    assert response.context["first_recipients"] == [] and response.context["funds"] == []


def test_the_drill_down_costs_the_same_queries_for_more_funds_and_micro_projects(client, world):
    client.force_login(world.federal_officer)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    office_url = reverse("passed_on_office", args=[world.federal.pk])
    fund_url = reverse("passed_on_fund", args=[world.gr_action.pk])
    before = (count(office_url), count(fund_url))
    for name in ("Sportverein Zittau", "Theatergruppe Löbau"):
        _micro(
            world,
            world.gr_action,
            OrganisationFactory(name=name),
            "500",
            world.pfd_officer,
            world.pfd_approver,
            paid="500",
        )
    assert (count(office_url), count(fund_url)) == before
