from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.models import BudgetEnvelope
from core.errors import AccessDenied, DomainError
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import BaseRate, Grant
from grants.awards.services.award import application_approve
from grants.awards.services.grant import grant_notice_post, grant_objection_waive, grants_make_final
from grants.tasks import make_notices_final
from tests.budgets.factories import UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", code="SN", kind="state", state="SN")
    officer, approver = UserFactory(), UserFactory()
    membership(officer, sn, "case_officer")
    membership(approver, sn, "approver")
    return {"root": root, "sn": sn, "officer": officer, "approver": approver}


def approve(world, **app_kwargs):
    app = ApplicationFactory(office=world["sn"], **app_kwargs)
    if not BudgetEnvelope.objects.filter(
        office=world["sn"], programme=app.programme, budget_year=2026
    ).exists():
        envelope(office=world["sn"], programme=app.programme, budget_year=2026, allocated=Decimal("100000"))
    add_plan(app, expenditure=Decimal("10000"), own=Decimal("600"), third=Decimal("400"))
    carrier = carrier_user(app.organisation)
    app = application_submit(application=app, by=carrier)
    app = application_start_formal_check(application=app, by=world["officer"])
    app = application_complete_formal_check(application=app, by=world["officer"])
    app = application_propose_approval(
        application=app, by=world["officer"], instalments={2026: Decimal("8500.00")}
    )
    app = application_approve(application=app, by=world["approver"])
    return app.grant, carrier


def test_approval_creates_a_grant_with_frozen_plan_and_copied_parameters(world):
    grant, _carrier = approve(world)
    code = grant.programme.code
    assert grant.file_number.startswith(f"SN-{code}-") and grant.file_number.endswith("-0001")
    assert grant.state == "notified"
    assert grant.granted_amount == Decimal("8500.00")
    assert grant.planned_expenditure == Decimal("10000.00")
    assert grant.funding_share == Decimal("85.0000")
    assert [(i.budget_year, i.amount) for i in grant.instalments.all()] == [(2026, Decimal("8500.00"))]
    plan = grant.plan_versions.get()
    assert plan.version == 1
    assert sorted((line.side, line.amount) for line in plan.lines.all()) == [
        ("cover", Decimal("400.00")),
        ("cover", Decimal("600.00")),
        ("cover", Decimal("9000.00")),
        ("expenditure", Decimal("10000.00")),
    ]
    programme = grant.programme
    assert grant.overrun_tolerance == programme.overrun_tolerance
    assert grant.notice_receipt_days == programme.notice_receipt_days
    assert grant.payout_requires_final_notice == programme.payout_requires_final_notice


def test_file_numbers_count_up_per_office_programme_and_year(world):
    first, _ = approve(world)
    second, _ = approve(world, programme=first.programme)
    assert second.file_number[:-4] == first.file_number[:-4]
    assert int(second.file_number[-4:]) == int(first.file_number[-4:]) + 1


def _backdate(grant: Grant, day: date) -> Grant:
    Grant.objects.filter(pk=grant.pk).update(
        approved_at=datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("UTC"))
    )
    return Grant.objects.get(pk=grant.pk)


def test_notice_posted_before_easter_in_saxony_becomes_final_after_the_shifted_deadline(world):
    grant, _ = approve(world)
    grant = _backdate(grant, date(2025, 3, 10))
    grant = grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=world["officer"])
    assert grant.deemed_received_on == date(2025, 3, 18)
    # One month ends on Good Friday 18.04.2025; shifted over Easter to Tuesday 22.04.2025.
    assert grant.objection_deadline == date(2025, 4, 22)
    assert grants_make_final(today=date(2025, 4, 22)) == []
    assert grants_make_final(today=date(2025, 4, 23)) == [grant.file_number]
    grant.refresh_from_db()
    assert grant.state == "final"
    assert grant.final_on == date(2025, 4, 23)
    log = StateLog.objects.for_(grant).get()
    assert (log.source_state, log.state, log.by_id) == ("notified", "final", None)


def test_waiving_the_objection_makes_the_notice_final_at_once(world):
    grant, carrier = approve(world)
    grant = _backdate(grant, date(2025, 3, 10))
    grant = grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=world["officer"])
    grant = grant_objection_waive(grant=grant, waived_on=date(2025, 3, 20), by=carrier)
    assert (grant.state, grant.final_on, grant.objection_waived_on) == (
        "final",
        date(2025, 3, 20),
        date(2025, 3, 20),
    )
    with pytest.raises(DomainError):
        grant_objection_waive(grant=grant, waived_on=date(2025, 3, 21), by=carrier)


def test_only_the_recipient_may_waive_and_only_office_staff_may_record_posting(world):
    grant, carrier = approve(world)
    grant = _backdate(grant, date(2025, 3, 10))
    stranger = UserFactory()
    with pytest.raises(AccessDenied):
        grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=carrier)
    with pytest.raises(AccessDenied):
        grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=stranger)
    grant = grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=world["officer"])
    with pytest.raises(AccessDenied):
        grant_objection_waive(grant=grant, waived_on=date(2025, 3, 20), by=world["officer"])
    with pytest.raises(DomainError):
        grant_notice_post(grant=grant, posted_on=date(2025, 3, 15), by=world["officer"])


def test_posting_cannot_predate_the_approval(world):
    grant, _ = approve(world)
    grant = _backdate(grant, date(2025, 3, 10))
    with pytest.raises(DomainError):
        grant_notice_post(grant=grant, posted_on=date(2025, 3, 9), by=world["officer"])
    assert Grant.objects.get(pk=grant.pk).posted_on is None


def test_daily_task_makes_due_notices_final(world):
    grant, _ = approve(world)
    grant = _backdate(grant, date(2025, 3, 10))
    grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=world["officer"])
    assert make_notices_final.delay().get() == [grant.file_number]


def test_base_rates_of_the_domain_table_are_shipped():
    assert list(BaseRate.objects.values_list("valid_from", "rate")) == [
        (date(2023, 1, 1), Decimal("1.62")),
        (date(2023, 7, 1), Decimal("3.12")),
        (date(2024, 1, 1), Decimal("3.62")),
        (date(2024, 7, 1), Decimal("3.37")),
        (date(2025, 1, 1), Decimal("2.27")),
        (date(2025, 7, 1), Decimal("1.27")),
        (date(2026, 1, 1), Decimal("1.27")),
    ]


def _posted(world):
    grant, carrier = approve(world)
    grant = _backdate(grant, date(2025, 3, 10))
    return grant_notice_post(grant=grant, posted_on=date(2025, 3, 14), by=world["officer"]), carrier


def test_an_objection_in_time_keeps_the_notice_from_becoming_final(world):
    from grants.awards.services.grant import grant_objection_conclude, grant_objection_record

    grant, _ = _posted(world)
    grant = grant_objection_record(grant=grant, lodged_on=date(2025, 4, 22), by=world["officer"])
    assert grants_make_final(today=date(2025, 5, 30)) == []
    assert Grant.objects.get(pk=grant.pk).state == "notified"
    with translation.override("en"), pytest.raises(DomainError) as early:
        grant_objection_conclude(
            grant=grant, final_on=date(2025, 4, 22), by=world["approver"], comment="zurückgenommen"
        )
    with translation.override("en"):
        assert early.value.messages == ["The notice can be final at the earliest on 04/23/2025."]
    grant = grant_objection_conclude(
        grant=grant,
        final_on=date(2025, 6, 3),
        by=world["approver"],
        comment="Widerspruch am 02.06.2025 zurückgenommen",
    )
    assert (grant.state, grant.final_on) == ("final", date(2025, 6, 3))
    assert StateLog.objects.for_(grant).get().description == "Widerspruch am 02.06.2025 zurückgenommen"


def test_a_late_objection_is_refused_and_the_notice_stays_final_from_the_day_after_the_period(world):
    from grants.awards.services.grant import grant_objection_record

    grant, _ = _posted(world)
    with translation.override("de"), pytest.raises(DomainError) as late:
        grant_objection_record(grant=grant, lodged_on=date(2025, 4, 23), by=world["officer"])
    with translation.override("de"):
        assert late.value.messages == [
            "Die Widerspruchsfrist endete am 22.04.2025; ein am 23.04.2025 eingelegter Widerspruch ist verspätet, "
            "der Bescheid ist seit dem 23.04.2025 bestandskräftig."
        ]
    assert grants_make_final(today=date(2025, 4, 23)) == [grant.file_number]


def test_only_office_staff_record_objections_and_only_deciders_conclude_them(world):
    from grants.awards.services.grant import grant_objection_conclude, grant_objection_record

    grant, carrier = _posted(world)
    with pytest.raises(AccessDenied):
        grant_objection_record(grant=grant, lodged_on=date(2025, 4, 1), by=carrier)
    grant = grant_objection_record(grant=grant, lodged_on=date(2025, 4, 1), by=world["officer"])
    with pytest.raises(DomainError):
        grant_objection_record(grant=grant, lodged_on=date(2025, 4, 2), by=world["officer"])
    finance = UserFactory()
    membership(finance, world["sn"], "finance")
    with pytest.raises(AccessDenied):
        grant_objection_conclude(grant=grant, final_on=date(2025, 6, 3), by=finance, comment="x")
    with pytest.raises(DomainError):
        grant_objection_conclude(grant=grant, final_on=date(2025, 6, 3), by=world["approver"], comment=" ")
