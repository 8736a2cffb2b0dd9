"""Funds financed by a first recipient's grant, micro-projects checked against the fund's rules,
approvals committed against the fund within what its cut-off dates released."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from budgets.models import BudgetEnvelope, Fund, LedgerEntry
from budgets.selectors import envelope_figures
from core.errors import AccessDenied, DomainError
from grants.applications.models import Application
from grants.applications.services.application import (
    application_propose_approval,
    application_record_recommendation,
)
from grants.awards.services.award import application_approve
from grants.chain.services.funds import fund_rules_update, funds_by_year
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = build_chain_world()
    w.approve_first_grant("100000")
    return w


def _refused(call, *fragments):
    with translation.override("de"), pytest.raises(DomainError) as error:
        call()
    text = " ".join(error.value.messages)
    for fragment in fragments:
        assert fragment in text, text
    return text


def test_a_fund_is_an_envelope_at_the_first_recipients_office_allocated_from_the_grant(world):
    fund = world.open_fund(world.action_kind, "40000")
    assert fund.envelope.office == world.pfd
    assert fund.source_reference == world.grant.file_number
    (entry,) = LedgerEntry.objects.filter(envelope=fund.envelope)
    assert (entry.kind, entry.amount, entry.reference) == (
        "allocation",
        D("40000.00"),
        world.grant.file_number,
    )
    assert envelope_figures([fund.envelope_id])[fund.envelope_id].available == D("40000.00")


def test_funds_of_one_year_never_exceed_the_years_instalment_and_nothing_is_written(world):
    world.open_fund(world.action_kind, "60000")
    before = (Fund.objects.count(), BudgetEnvelope.objects.count(), LedgerEntry.objects.count())
    _refused(
        lambda: world.open_fund(world.youth_kind, "40000.01"),
        "100.000,00",
        "60.000,00",
        "0,01",
    )
    assert (Fund.objects.count(), BudgetEnvelope.objects.count(), LedgerEntry.objects.count()) == before


def test_a_year_without_instalment_is_refused(world):
    _refused(
        lambda: world.open_fund(
            world.action_kind, "1000", budget_year=2027, latest_end_date=date(2027, 11, 30)
        ),
        "2027",
    )


def test_the_kept_share_limit_names_the_kind_share_and_limit(world):
    limit = world.programme.fund_share_limits.get(share_group="projects")
    limit.max_share = D("60")
    limit.save()
    text = _refused(
        lambda: world.open_fund(world.action_kind, "60000.01"), "Aktions- und Initiativfonds", "60 %"
    )
    assert "60,01 %" in text


def test_the_projects_minimum_shows_until_the_funds_reach_it(world):
    world.open_fund(world.action_kind, "30000")
    (year,) = funds_by_year(world.grant)
    assert year.kept == D("70000.00")
    with translation.override("de"):
        (year,) = funds_by_year(world.grant)
    assert any("30 %" in p and "50 %" in p for p in year.problems)
    world.open_fund(world.youth_kind, "20000")
    (year,) = funds_by_year(world.grant)
    assert year.problems == []


def test_only_the_first_recipients_staff_open_funds(world):
    with pytest.raises(AccessDenied):
        from grants.chain.services.funds import fund_open

        fund_open(
            grant=world.grant,
            kind=world.action_kind,
            budget_year=2026,
            amount=D("1000"),
            max_per_measure=D("1000"),
            latest_end_date=date(2026, 11, 30),
            by=world.other_pfd_officer,
        )
    assert not Fund.objects.exists()


def test_a_grant_whose_recipient_runs_no_office_finances_no_fund(world):
    world.municipality.runs_office = None
    world.municipality.save()
    world.grant.organisation.refresh_from_db()
    with pytest.raises((AccessDenied, DomainError)):
        world.open_fund(world.action_kind, "1000")


# --- micro-projects against the fund's rules -----------------------------------------------------


def test_a_micro_project_above_the_funds_maximum_is_refused_on_submission(world):
    fund = world.open_fund(world.action_kind, "50000", max_per_measure="3500")
    verein = OrganisationFactory(name="Nachbarschaftsverein Weinhübel e.V.")
    with translation.override("de"), pytest.raises(DomainError) as error:
        world.micro_project(fund, verein, grant="3500.01")
    assert any("3.500,01" in m and "3.500,00" in m and fund.name in m for m in error.value.messages)
    assert not Application.objects.filter(fund=fund).exclude(state="draft").exists()


def test_a_micro_project_ending_after_the_funds_end_date_is_refused(world):
    fund = world.open_fund(world.action_kind, "50000", latest_end_date=date(2026, 11, 30))
    verein = OrganisationFactory()
    with translation.override("de"), pytest.raises(DomainError) as error:
        world.micro_project(fund, verein, grant="1000", end=date(2026, 12, 1))
    assert any("01.12.2026" in m and "30.11.2026" in m for m in error.value.messages)


def test_the_programmes_limits_do_not_apply_to_micro_projects(world):
    """The programme's minimum grant and maximum months do not bind a 400 EUR micro-project."""
    world.programme.min_grant_per_year = D("10000")
    world.programme.save()
    fund = world.open_fund(world.action_kind, "50000")
    app = world.micro_project(fund, OrganisationFactory(), grant="400")
    assert app.state == "content_review"


def test_a_micro_project_is_proposed_only_on_the_committees_recommendation(world):
    fund = world.open_fund(world.action_kind, "50000")
    app = world.micro_project(fund, OrganisationFactory(), grant="2000")
    _refused(
        lambda: application_propose_approval(
            application=app, by=world.pfd_officer, instalments={2026: D("2000")}
        ),
    )
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(2026, 3, 20), by=world.pfd_officer
    )
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=world.pfd_officer, instalments={2026: D("2000")}
    )
    app = application_approve(application=app, by=world.pfd_approver)
    assert app.grant.fund == fund
    entry = LedgerEntry.objects.get(reference=app.grant.file_number, kind="commitment")
    assert (entry.envelope_id, entry.amount) == (fund.envelope_id, D("2000.00"))


def test_the_fund_commits_only_what_its_cut_off_dates_released(world, monkeypatch):
    fund = world.open_fund(world.action_kind, "10000")
    fund_rules_update(
        fund=fund, by=world.pfd_officer, cutoffs=[(date(2026, 3, 1), D("30")), (date(2026, 9, 1), D("70"))]
    )
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2026, 4, 1))
    apps = []
    for amount in ("2000", "1500"):
        app = world.micro_project(fund, OrganisationFactory(), grant=amount)
        application_record_recommendation(
            application=app, recommendation="adopted", on=date(2026, 3, 20), by=world.pfd_officer
        )
        apps.append(app)
    first = application_propose_approval(
        application=Application.objects.get(pk=apps[0].pk),
        by=world.pfd_officer,
        instalments={2026: D("2000")},
    )
    application_approve(application=first, by=world.pfd_approver)
    # 30 % of 10,000 = 3,000 released; 2,000 committed; 1,500 more is refused.
    _refused(
        lambda: application_propose_approval(
            application=Application.objects.get(pk=apps[1].pk),
            by=world.pfd_officer,
            instalments={2026: D("1500")},
        ),
        "3.000,00",
        "2.000,00",
    )


def test_cut_off_dates_must_release_exactly_the_whole_volume(world):
    fund = world.open_fund(world.action_kind, "10000")
    _refused(
        lambda: fund_rules_update(fund=fund, by=world.pfd_officer, cutoffs=[(date(2026, 3, 1), D("30"))]),
        "30",
        "100",
    )
    assert not fund.cutoffs.exists()


def test_fund_rules_are_kept_by_the_funds_office_only(world):
    fund = world.open_fund(world.action_kind, "10000")
    with pytest.raises(AccessDenied):
        fund_rules_update(fund=fund, by=world.other_pfd_officer, max_per_measure=D("5000"))
    with pytest.raises(AccessDenied):
        fund_rules_update(fund=fund, by=world.municipal_carrier, max_per_measure=D("5000"))
    fund_rules_update(fund=fund, by=world.pfd_officer, max_per_measure=D("5000"))
    fund.refresh_from_db()
    assert fund.max_per_measure == D("5000.00")


def test_other_applications_never_commit_against_a_funds_envelope(world):
    """An ordinary application at the PfD office walks past the fund's envelope to the office above."""
    from budgets.services.commitments import matching_envelopes

    fund = world.open_fund(world.action_kind, "10000")
    chosen = matching_envelopes(office=world.pfd, programme=world.programme, years=[2026])
    assert chosen[2026].office == world.federal and chosen[2026].pk != fund.envelope_id
    assert matching_envelopes(office=world.pfd, programme=world.programme, years=[2026], fund=fund) == {
        2026: fund.envelope
    }


def test_a_funds_allocation_is_not_a_booking_of_the_pfd_for_its_first_recipient(world):
    """The drill-down lists a first recipient where its grant is booked (the office above),
    never at the PfD, whose fund envelopes only receive the money."""
    from budgets.selectors import first_recipient_bookings

    world.open_fund(world.action_kind, "40000")
    assert first_recipient_bookings(office_id=world.pfd.pk) == {}
    booked = first_recipient_bookings(office_id=world.federal.pk)
    assert list(booked) == [world.grant.file_number]
    assert booked[world.grant.file_number].committed == D("100000.00")


def test_the_rollup_export_counts_fund_money_once(world):
    """Exported from the federal office, the rows add up to its budget: the PfD's fund is that
    grant's commitment already. Exported from the PfD alone, the fund is its money from above."""
    from reporting.exports.selectors import export_queryset

    world.open_fund(world.action_kind, "40000")
    rows = export_queryset("rollup", world.federal_finance, {})
    assert sum((row["allocated"] for row in rows), D(0)) == D("1000000.00")
    assert sum((row["committed"] for row in rows), D(0)) == D("100000.00")
    pfd_rows = export_queryset("rollup", world.federal_finance, {"office": world.pfd.pk})
    assert [(row["office"], row["allocated"]) for row in pfd_rows] == [
        ("PfD Landkreis Görlitz", D("40000.00"))
    ]
