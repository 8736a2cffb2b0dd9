"""The programme rules an application must meet before it is submitted (grants/validation.py).

The rules run on unsaved objects here (no database) except where the submission service is the
subject. Every message is compared in full, in English.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation
from django_fsm_log.models import StateLog
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from grants.applications.models import ApplicationState, CoverLine, ExpenditureLine
from grants.applications.services.application import application_submit
from grants.applications.validation import check_application, plan_totals, project_months
from tests.budgets.factories import FundingProgrammeFactory
from tests.grants.factories import ApplicationFactory

D = Decimal
TODAY = date(2026, 1, 10)


def _application(programme=None, **fields):
    return ApplicationFactory.build(
        programme=programme or FundingProgrammeFactory.build(), created_by=None, **fields
    )


def _exp(amount, year=2026, category="staff", description="Projektleitung"):
    return ExpenditureLine(category=category, description=description, budget_year=year, amount=D(amount))


def _cov(kind, amount, year=2026):
    return CoverLine(kind=kind, budget_year=year, amount=D(amount))


def _plan(expenditure="10000", own="1000", grant="9000", third=None, year=2026):
    cover = [_cov("own", own, year), _cov("grant", grant, year)]
    if third is not None:
        cover.insert(1, _cov("third_party", third, year))
    return [_exp(expenditure, year)], cover


def _check(application=None, plan=None, today=TODAY, **programme_fields):
    application = application or _application()
    for name, value in programme_fields.items():
        setattr(application.programme, name, value)
    expenditure, cover = plan or _plan()
    with translation.override("en"):
        return check_application(application, expenditure=expenditure, cover=cover, today=today)


def test_a_complete_application_breaks_no_rule():
    assert _check() == []


def test_every_required_text_field_must_be_filled():
    application = _application(title="", summary="  ", goals="", target_groups="\n", region="")
    assert _check(application) == [
        "The field “Project title” is empty.",
        "The field “Summary” is empty.",
        "The field “Goals” is empty.",
        "The field “Target groups” is empty.",
        "The field “Region” is empty.",
    ]


def test_application_deadline_includes_its_last_day():
    assert _check(application_deadline=date(2026, 3, 31), today=date(2026, 3, 31)) == []
    assert _check(application_deadline=date(2026, 3, 31), today=date(2026, 4, 1)) == [
        "The application deadline ended on 03/31/2026."
    ]


def test_applications_are_refused_before_the_call_opens():
    assert _check(application_start=date(2026, 2, 1), today=date(2026, 2, 1)) == []
    assert _check(application_start=date(2026, 2, 1), today=date(2026, 1, 31)) == [
        "Applications are accepted only from 02/01/2026."
    ]


def test_project_period_must_be_given():
    assert _check(_application(start_date=None)) == ["Please enter the project start and end."]
    assert _check(_application(end_date=None)) == ["Please enter the project start and end."]


def test_project_period_must_not_end_before_it_starts():
    application = _application(start_date=date(2026, 6, 1), end_date=date(2026, 5, 31))
    assert _check(application) == ["The project end (05/31/2026) is before its start (06/01/2026)."]


def test_project_period_must_lie_within_the_programme_period():
    application = _application(start_date=date(2024, 12, 1), end_date=date(2025, 6, 30))
    assert _check(application, _plan(year=2025)) == [
        "The project period must lie within the programme period 01/01/2025–12/31/2032."
    ]
    application = _application(start_date=date(2032, 7, 1), end_date=date(2033, 1, 1))
    assert _check(application, _plan(year=2032)) == [
        "The project period must lie within the programme period 01/01/2025–12/31/2032."
    ]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 1), date(2026, 11, 30), 11),
        (date(2026, 1, 15), date(2026, 12, 14), 11),
        (date(2026, 1, 15), date(2026, 12, 15), 12),
        (date(2026, 1, 15), date(2026, 12, 20), 12),
        (date(2026, 1, 1), date(2026, 12, 31), 12),
        (date(2026, 3, 1), date(2026, 3, 1), 1),
        (date(2024, 2, 29), date(2025, 2, 27), 12),
        (date(2024, 2, 29), date(2025, 3, 1), 13),
        (date(2024, 2, 29), date(2024, 3, 28), 1),
        (date(2024, 2, 29), date(2024, 3, 29), 2),
    ],
)
def test_project_months_count_a_started_month_as_whole(start, end, months):
    assert project_months(start, end) == months


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [(date(2024, 2, 29), date(2025, 2, 28), 12), (date(2025, 1, 31), date(2025, 2, 28), 1)],
    ids=["leap-day-start", "month-end-start"],
)
def test_project_months_of_a_period_ending_on_a_short_month_end(start, end, months):
    assert project_months(start, end) == months


def test_project_may_not_exceed_the_programme_maximum_of_months():
    within = _application(start_date=date(2026, 1, 15), end_date=date(2026, 12, 14))
    assert _check(within, max_months=11) == []
    beyond = _application(start_date=date(2026, 1, 15), end_date=date(2026, 12, 20))
    assert _check(beyond, max_months=11) == [
        "The project period covers 12 months; the programme allows at most 11 months."
    ]


def test_project_must_end_by_31_december_when_the_programme_says_so():
    application = _application(start_date=date(2026, 3, 1), end_date=date(2027, 1, 31))
    assert _check(application, must_end_by_year_end=True) == [
        "The project ends on 01/31/2027; the programme requires it to end by 12/31/2026."
    ]
    assert (
        _check(
            _application(start_date=date(2026, 3, 1), end_date=date(2026, 12, 31)), must_end_by_year_end=True
        )
        == []
    )


def test_financing_type_must_be_allowed_by_the_programme():
    application = _application(financing_type="share")
    assert _check(application, allowed_financing_types=["deficit", "fixed"]) == [
        "The financing type “Share financing” is not allowed in this programme."
    ]


def test_cost_categories_must_be_eligible_in_the_programme():
    expenditure = [
        _exp("8000"),
        _exp("1500", category="travel", description="Fahrten"),
        _exp("500", category="investment", description="Beamer"),
    ]
    cover = [_cov("own", "1000"), _cov("grant", "9000")]
    assert _check(plan=(expenditure, cover), allowed_cost_categories=["staff", "fees"]) == [
        "The cost category “Investments” is not eligible in this programme.",
        "The cost category “Travel costs” is not eligible in this programme.",
    ]


def test_plan_lines_must_lie_in_budget_years_of_the_project_period():
    expenditure = [_exp("9000"), _exp("1000", year=2027, description="Nachbereitung")]
    cover = [_cov("own", "1000", year=2025), _cov("grant", "9000")]
    assert _check(plan=(expenditure, cover)) == [
        "The expenditure line “Nachbereitung” is assigned to budget year 2027, outside the project period.",
        "A cover line (Own funds) is assigned to budget year 2025, outside the project period.",
    ]


def test_an_empty_plan_is_refused():
    assert _check(plan=([], [])) == [
        "The financing plan contains no expenditure.",
        "No grant is requested in the financing plan.",
    ]


def test_a_plan_without_a_grant_is_refused():
    assert _check(plan=([_exp("1000")], [_cov("own", "1000")])) == [
        "No grant is requested in the financing plan."
    ]


@pytest.mark.parametrize(
    ("grant", "message"),
    [
        ("8999.99", "expenditure €10,000.00, cover €9,999.99 (difference €0.01)"),
        ("9000.01", "expenditure €10,000.00, cover €10,000.01 (difference -€0.01)"),
    ],
)
def test_plan_must_balance_to_the_cent(grant, message):
    assert _check(plan=_plan(grant=grant)) == [f"The financing plan does not balance: {message}."]


def test_funding_rate_is_rounded_up_so_a_breach_is_never_hidden():
    assert _check(plan=_plan(own="500", grant="9500"), min_own_share=D("0")) == []
    assert _check(plan=_plan(own="499.99", grant="9500.01"), min_own_share=D("0")) == [
        "The funding rate is 95.01%; the programme allows at most 95%."
    ]


def test_own_share_is_rounded_down_so_a_breach_is_never_hidden():
    exact = _plan(expenditure="100000", own="5000", grant="95000")
    assert _check(plan=exact, max_funding_rate=D("100")) == []
    short = _plan(expenditure="100000", own="4996", grant="95004")
    assert _check(plan=short, max_funding_rate=D("100")) == [
        "The own share is 4.99%; the programme requires at least 5%."
    ]


def test_rate_and_own_share_are_both_reported_when_both_break():
    assert _check(plan=_plan(own="499.99", grant="9500.01")) == [
        "The funding rate is 95.01%; the programme allows at most 95%.",
        "The own share is 4.99%; the programme requires at least 5%.",
    ]


def test_third_party_funds_count_towards_the_own_share_only_when_the_programme_says_so():
    plan = _plan(own="200", third="300", grant="9500")
    assert _check(plan=plan, third_party_counts_as_own_share=True) == []
    assert _check(plan=plan, third_party_counts_as_own_share=False) == [
        "The own share is 2%; the programme requires at least 5%."
    ]
    income = ([_exp("10000")], [_cov("own", "200"), _cov("income", "250"), _cov("grant", "9550")])
    assert _check(plan=income, third_party_counts_as_own_share=True, max_funding_rate=D("100")) == [
        "The share of own and third-party funds is 4.5%; the programme requires at least 5%."
    ]


def _two_year_plan(grant_2026, grant_2027):
    expenditure = [_exp("150000"), _exp("600", year=2027, description="Abschluss")]
    own_2026 = D("150000") - D(grant_2026)
    own_2027 = D("600") - D(grant_2027)
    cover = [
        _cov("own", own_2026),
        _cov("grant", grant_2026),
        _cov("own", own_2027, year=2027),
        _cov("grant", grant_2027, year=2027),
    ]
    return expenditure, cover


def test_grant_per_budget_year_must_lie_between_the_programme_minimum_and_maximum():
    application = _application(start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    assert _check(application, _two_year_plan("140000.00", "500.00")) == []
    assert _check(application, _two_year_plan("140000.01", "499.99")) == [
        "The grant requested for 2026 is €140,000.01; the programme allows at most €140,000.00 per year.",
        "The grant requested for 2027 is €499.99; the programme requires at least €500.00 per year.",
    ]
    assert _check(application, _two_year_plan("140000.01", "500.00"), max_grant_per_year=None) == []


# --- through the submission service ----------------------------------------------------------


def test_submission_reports_every_broken_rule_at_once(workflow):
    programme = workflow.programme
    programme.application_deadline = date(2026, 3, 31)
    programme.allowed_financing_types = ["deficit"]
    programme.allowed_cost_categories = ["staff"]
    programme.max_months = 11
    programme.save()
    application = workflow.draft(plan=False, region="", financing_type="share")
    ExpenditureLine.objects.create(
        application=application, category="staff", description="Team", budget_year=2026, amount=D("10000")
    )
    ExpenditureLine.objects.create(
        application=application,
        category="investment",
        description="Beamer",
        budget_year=2027,
        amount=D("2000"),
    )
    CoverLine.objects.create(application=application, kind="own", budget_year=2026, amount=D("100"))
    CoverLine.objects.create(application=application, kind="grant", budget_year=2026, amount=D("10000"))

    with translation.override("en"), pytest.raises(DomainError) as refused:
        application_submit(application=application, by=workflow.carrier, today=date(2026, 4, 1))

    assert refused.value.messages == [
        "The field “Region” is empty.",
        "The application deadline ended on 03/31/2026.",
        "The project period covers 12 months; the programme allows at most 11 months.",
        "The financing type “Share financing” is not allowed in this programme.",
        "The cost category “Investments” is not eligible in this programme.",
        "The expenditure line “Beamer” is assigned to budget year 2027, outside the project period.",
        "The financing plan does not balance: expenditure €12,000.00, cover €10,100.00 (difference €1,900.00).",
        "The own share is 0.83%; the programme requires at least 5%.",
    ]
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert application.submitted_at is None
    assert not StateLog.objects.for_(application).exists()


def _deadline_programme(workflow):
    workflow.programme.application_deadline = date(2026, 3, 31)
    workflow.programme.save()


def test_first_submission_after_the_deadline_is_refused(workflow, clock):
    _deadline_programme(workflow)
    clock.set(2026, 4, 1, hour=0, minute=30)
    application = workflow.draft()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        application_submit(application=application, by=workflow.carrier)
    assert refused.value.messages == ["The application deadline ended on 03/31/2026."]


def test_resubmission_after_a_revision_request_keeps_the_first_submission_date(workflow, clock):
    _deadline_programme(workflow)
    clock.set(2026, 3, 31, hour=23, minute=50)
    application = workflow.bring_to(ApplicationState.REVISION_REQUESTED)
    clock.set(2026, 4, 10)

    application = application_submit(application=application, by=workflow.carrier)

    assert application.state == ApplicationState.SUBMITTED


def test_every_resubmission_keeps_the_first_submission_date(workflow, clock):
    _deadline_programme(workflow)
    clock.set(2026, 3, 15)
    application = workflow.bring_to(ApplicationState.REVISION_REQUESTED)
    clock.set(2026, 4, 10)
    application = workflow.step(application, "submit")
    application = workflow.step(application, "request_revision")
    clock.set(2026, 4, 20)

    application = workflow.step(application, "submit")

    assert application.state == ApplicationState.SUBMITTED


# --- plan totals (property tests) -----------------------------------------------------------

amounts = st.decimals(
    min_value=0, max_value=D("9999999999.99"), places=2, allow_nan=False, allow_infinity=False
)
years = st.integers(min_value=2025, max_value=2028)
expenditure_lines = st.lists(
    st.builds(
        SimpleNamespace,
        category=st.just("staff"),
        description=st.just("Zeile"),
        budget_year=years,
        amount=amounts,
    )
)
cover_lines = st.lists(
    st.builds(
        SimpleNamespace,
        kind=st.sampled_from(["own", "third_party", "income", "grant"]),
        budget_year=years,
        amount=amounts,
    )
)


@given(expenditure=expenditure_lines, cover=cover_lines)
def test_plan_cover_is_own_plus_third_plus_grant(expenditure, cover):
    totals = plan_totals(expenditure, cover)

    def total(*kinds):
        return sum((c.amount for c in cover if c.kind in kinds), D(0))

    assert totals.own == total("own")
    assert totals.third == total("third_party", "income")
    assert totals.grant == total("grant")
    assert (
        totals.cover
        == totals.own + totals.third + totals.grant
        == total("own", "third_party", "income", "grant")
    )
    assert (
        totals.expenditure
        == sum((e.amount for e in expenditure), D(0))
        == sum(totals.expenditure_by_year.values(), D(0))
    )
    assert totals.grant == sum(totals.grant_by_year.values(), D(0))
    assert list(totals.grant_by_year) == sorted({c.budget_year for c in cover if c.kind == "grant"})


@given(expenditure=expenditure_lines, cover=cover_lines)
def test_plan_difference_is_zero_exactly_when_the_plan_balances(expenditure, cover):
    totals = plan_totals(expenditure, cover)
    balanced = sum((e.amount for e in expenditure), D(0)) == sum((c.amount for c in cover), D(0))
    assert (totals.difference == 0) is balanced
    assert totals.difference == totals.expenditure - totals.cover
    messages = _check(plan=(expenditure, cover))
    assert balanced is not any(m.startswith("The financing plan does not balance") for m in messages)


@given(expenditure=expenditure_lines.filter(lambda lines: any(e.amount for e in lines)), cover=cover_lines)
def test_funding_rate_and_own_share_are_percentages_of_the_expenditure(expenditure, cover):
    totals = plan_totals(expenditure, cover)
    assert totals.funding_rate == totals.grant / totals.expenditure * 100
    assert totals.own_share(include_third=False) == totals.own / totals.expenditure * 100
    assert totals.own_share(include_third=True) == (totals.own + totals.third) / totals.expenditure * 100


def test_rates_of_an_empty_plan_are_undefined():
    totals = plan_totals([], [])
    assert (totals.funding_rate, totals.own_share(include_third=True), totals.difference) == (
        None,
        None,
        D(0),
    )
