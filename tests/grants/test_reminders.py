"""Deadlines: the four selectors, the carriers' reminder digest, and the end of approval periods."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_fsm_log.models import StateLog

from budgets.models import CoordinatingOffice
from grants.awards.deadlines import deadlines_for_staff as staff_deadlines
from grants.awards.deadlines import (
    drawdowns_not_used_in_time,
    objection_periods_ending,
    proofs_due_soon,
    proofs_overdue,
)
from grants.awards.models import Amendment, DeadlineReminder, Grant, PlanVersion, ProofOfUse, Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.services import reminders
from grants.awards.services.reminders import grants_mark_proof_due, send_deadline_reminders
from grants.carriers.models import Organisation
from grants.tasks import mark_proofs_due
from grants.tasks import send_deadline_reminders as reminder_task
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 4, 1)
_numbers = itertools.count(1)


@dataclass
class World:
    sn: CoordinatingOffice
    leipzig: CoordinatingOffice
    mv: CoordinatingOffice
    organisation: Organisation
    other_organisation: Organisation
    carrier: Any
    officer: Any  # case officer in Leipzig
    state_officer: Any  # case officer at the state office above Leipzig
    mv_officer: Any
    programme: Any


@pytest.fixture
def world() -> World:
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    mv = office(name="Landeskoordinierung MV", code="MV", kind="state", state="MV")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", code="SN", kind="state")
    leipzig = office(parent=sn, name="PfD Leipzig", code="SN-L", kind="local")
    for node in (root, mv, sn, leipzig):
        node.refresh_from_db()
    people = {}
    for name, place in (("officer", leipzig), ("state_officer", sn), ("mv_officer", mv)):
        people[name] = UserFactory(username=name)
        membership(people[name], place, "case_officer")
    organisation = OrganisationFactory(name="Netzwerk für Demokratie e.V.", email="info@netzwerk.example.org")
    return World(
        sn=sn,
        leipzig=leipzig,
        mv=mv,
        organisation=organisation,
        other_organisation=OrganisationFactory(
            name="Feuerwehrverband MV e.V.", email="info@fw-mv.example.org"
        ),
        carrier=carrier_user(organisation, username="carrier", email="anna@netzwerk.example.org"),
        programme=FundingProgrammeFactory(name="Weltoffenes Sachsen", code="WOS"),
        **people,
    )


def make_grant(
    world: World, *, office=None, organisation=None, state="running", window=(6, "weeks"), **fields
):
    n = next(_numbers)
    office = office or world.leipzig
    organisation = organisation or world.organisation
    application = ApplicationFactory(
        office=office, organisation=organisation, programme=world.programme, created_by=world.carrier
    )
    values = {
        "application": application,
        "file_number": f"{office.code}-WOS-2026-{n:04d}",
        "organisation": organisation,
        "programme": world.programme,
        "office": office,
        "title": f"Projekt {n}",
        "purpose": "Demokratie vor Ort",
        "period_start": date(2025, 1, 1),
        "period_end": date(2026, 12, 31),
        "financing_type": "deficit",
        "granted_amount": D("20000"),
        "planned_expenditure": D("25000"),
        "drawdown_window_value": window[0],
        "drawdown_window_unit": window[1],
        "overrun_tolerance": D("0.20"),
        "notice_receipt_days": 4,
        "interim_report_months": 4,
        "final_report_months": 6,
        "payout_requires_final_notice": False,
        "interest_margin_points": D("5"),
        "late_use_interest_from_window_end": False,
        "confidential_individual_support": False,
        "approved_by": world.officer,
        "state": state,
    } | fields
    grant = Grant.objects.create(**values)
    PlanVersion.objects.create(grant=grant, version=1, created_by=world.officer, reason="Bewilligt")
    return grant


def proof(grant, due_on, *, year=None, state="draft"):
    return ProofOfUse.objects.create(
        grant=grant,
        kind="interim" if year else "final",
        budget_year=year,
        plan=grant.plan_versions.get(),
        due_on=due_on,
        state=state,
    )


def drawdown(grant, paid_on, *, used_on=None, amount="1000.00", state="paid"):
    return Drawdown.objects.create(
        grant=grant,
        budget_year=paid_on.year,
        amount=D(amount),
        needed_on=paid_on,
        purpose="Honorare",
        requested_by=grant.approved_by,
        state=state,
        paid_on=paid_on if state == "paid" else None,
        used_on=used_on,
    )


def notice(world, deadline, **fields):
    return make_grant(
        world,
        state="notified",
        posted_on=deadline - timedelta(days=35),
        objection_deadline=deadline,
        **fields,
    )


def keys(items):
    return [(i.file_number, i.object_id, i.due_on, i.days) for i in items]


# --- selectors ---------------------------------------------------------------------------------


def test_proofs_due_soon_are_outstanding_proofs_due_from_today_to_30_days_ahead(
    world, django_assert_num_queries
):
    grant = make_grant(world)
    in_30 = proof(grant, date(2026, 5, 1), year=2019)
    today = proof(grant, TODAY, year=2020)
    returned = proof(grant, date(2026, 4, 20), year=2021, state="changes_requested")
    proof(grant, date(2026, 5, 2), year=2022)  # 31 days ahead
    proof(grant, date(2026, 4, 10), year=2023, state="submitted")
    proof(grant, date(2026, 4, 10), year=2024, state="accepted")
    proof(grant, date(2026, 3, 31), year=2025)  # overdue, not due soon
    for state in ("settled", "reclaim", "closed", "revoked"):  # such grants take no more proofs
        proof(make_grant(world, state=state), date(2026, 4, 15))

    with django_assert_num_queries(1):
        items = proofs_due_soon(today=TODAY)

    f = grant.file_number
    assert keys(items) == [
        (f, today.pk, TODAY, 0),
        (f, returned.pk, date(2026, 4, 20), 19),
        (f, in_30.pk, date(2026, 5, 1), 30),
    ]
    first = items[0]
    assert (first.kind, first.proof_kind, first.budget_year, first.organisation_name) == (
        "proof_due",
        "interim",
        2020,
        "Netzwerk für Demokratie e.V.",
    )


def test_proofs_overdue_are_outstanding_proofs_due_before_today(world, django_assert_num_queries):
    grant = make_grant(world, state="proof_due")
    yesterday = proof(grant, date(2026, 3, 31))
    returned = proof(grant, date(2025, 4, 30), year=2024, state="changes_requested")
    proof(grant, date(2025, 4, 30), year=2023, state="in_review")
    proof(grant, date(2025, 4, 30), year=2022, state="submitted")
    proof(grant, TODAY, year=2025)  # due today is not overdue yet

    with django_assert_num_queries(1):
        items = proofs_overdue(today=TODAY)

    assert keys(items) == [
        (grant.file_number, returned.pk, date(2025, 4, 30), -336),
        (grant.file_number, yesterday.pk, date(2026, 3, 31), -1),
    ]
    assert [i.overdue_days for i in items] == [336, 1]


def test_drawdowns_not_used_by_the_window_end_are_listed_once_the_window_is_over(
    world, django_assert_num_queries
):
    six_weeks = make_grant(world)
    two_months = make_grant(world, window=(2, "months"))
    unused = drawdown(six_weeks, date(2026, 2, 1))  # window ends 15.03.2026
    drawdown(six_weeks, date(2026, 2, 18))  # window ends today: not over yet
    drawdown(six_weeks, date(2026, 2, 17), used_on=date(2026, 3, 31))  # used on the window's last day
    late = drawdown(six_weeks, date(2026, 2, 17), used_on=date(2026, 4, 1))
    drawdown(six_weeks, date(2026, 1, 5), state="ordered")
    end_of_month = drawdown(two_months, date(2026, 1, 31), amount="12000.00")  # window ends 31.03.2026
    settled = make_grant(world, state="settled")
    drawdown(settled, date(2026, 1, 5))

    with django_assert_num_queries(1):
        items = drawdowns_not_used_in_time(today=TODAY)

    assert keys(items) == [
        (two_months.file_number, end_of_month.pk, date(2026, 3, 31), -1),
        (six_weeks.file_number, unused.pk, date(2026, 3, 15), -17),
        (six_weeks.file_number, late.pk, date(2026, 3, 31), -1),
    ]
    first = items[0]
    assert (first.kind, first.amount, first.paid_on, first.used_on, first.budget_year) == (
        "drawdown_not_used",
        D("12000.00"),
        date(2026, 1, 31),
        None,
        2026,
    )


def test_a_drawdown_whose_late_use_interest_is_claimed_is_no_longer_listed(world):
    grant = make_grant(world)
    late = drawdown(grant, date(2026, 2, 17), used_on=date(2026, 4, 1))
    assert [item.object_id for item in drawdowns_not_used_in_time(today=TODAY)] == [late.pk]
    Reclaim.objects.create(
        grant=grant,
        kind="late_use",
        drawdown=late,
        principal=D("0"),
        interest_basis=late.amount,
        decided_on=TODAY,
        interest_from=late.paid_on,
        interest_until=late.used_on,
        reasons="Verspätete Verwendung",
        decided_by=world.officer,
    )
    assert drawdowns_not_used_in_time(today=TODAY) == []


def test_objection_periods_ending_within_seven_days_of_notices_not_yet_final(
    world, django_assert_num_queries
):
    in_7 = notice(world, date(2026, 4, 8))
    today = notice(world, TODAY)
    notice(world, date(2026, 4, 9))
    notice(world, date(2026, 3, 31))
    waived = notice(world, date(2026, 4, 5), objection_waived_on=date(2026, 3, 20))
    Grant.objects.filter(pk=waived.pk).update(state="final")

    with django_assert_num_queries(1):
        items = objection_periods_ending(today=TODAY)

    assert keys(items) == [
        (today.file_number, today.pk, TODAY, 0),
        (in_7.file_number, in_7.pk, date(2026, 4, 8), 7),
    ]
    assert items[0].kind == "objection_ending"


def test_selectors_narrow_to_office_subtrees_and_organisations(world):
    leipzig = make_grant(world)
    rostock = make_grant(world, office=world.mv, organisation=world.other_organisation)
    proof(leipzig, date(2026, 3, 1))
    proof(rostock, date(2026, 3, 2))

    def numbers(**scope):
        return [i.file_number for i in proofs_overdue(today=TODAY, **scope)]

    assert numbers() == [leipzig.file_number, rostock.file_number]
    assert numbers(office_paths=[world.sn.path]) == [leipzig.file_number]
    assert numbers(office_paths=[world.mv.path, world.leipzig.path]) == [
        leipzig.file_number,
        rostock.file_number,
    ]
    assert numbers(office_paths=[]) == []
    assert numbers(organisation=world.other_organisation) == [rostock.file_number]
    assert numbers(organisation=world.other_organisation.pk, office_paths=[world.sn.path]) == []


def test_staff_see_the_deadlines_of_their_office_subtrees_in_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    leipzig = make_grant(world)
    rostock = make_grant(world, office=world.mv, organisation=world.other_organisation)
    proof(leipzig, date(2026, 3, 1))
    proof(rostock, date(2026, 4, 20))
    drawdown(leipzig, date(2026, 1, 5))
    mv_notice = notice(world, date(2026, 4, 3), office=world.mv, organisation=world.other_organisation)
    for _ in range(3):  # more rows must not cost more queries
        proof(make_grant(world), date(2026, 3, 1))

    # The user's roles, one count of every list, then one query per list (and the first checks).
    with django_assert_num_queries(7):
        found = staff_deadlines(world.state_officer, today=TODAY)
    assert [len(items) for items in found.lists()] == [0, 4, 1, 0]
    assert found.total == 5

    mv = staff_deadlines(world.mv_officer, today=TODAY)
    assert [[i.file_number for i in items] for items in mv.lists()] == [
        [rostock.file_number],
        [],
        [],
        [mv_notice.file_number],
    ]
    assert mv.objections_ending[0].organisation_id == world.other_organisation.pk

    superuser = UserFactory(is_superuser=True)
    assert staff_deadlines(superuser, today=TODAY).total == 7
    nobody = UserFactory()
    with django_assert_num_queries(1):
        assert staff_deadlines(nobody, today=TODAY).total == 0


# --- reminder e-mails ---------------------------------------------------------------------------


@pytest.fixture
def due_items(world, settings):
    """One item of each kind, each on a reminder day for TODAY (01.04.2026)."""
    settings.SITE_URL = "https://foerderung.example.org/"
    grant = make_grant(world, title="Demokratiewerkstatt", window=(2, "months"))
    final = proof(grant, date(2026, 4, 8))  # 7 days ahead
    interim = proof(grant, date(2026, 3, 31), year=2025)  # overdue since yesterday
    money = drawdown(grant, date(2026, 1, 31), amount="12000.00")  # window ended 31.03.2026
    objection = notice(world, date(2026, 4, 8), title="Jugendforum")  # 7 days ahead
    return {"grant": grant, "final": final, "interim": interim, "money": money, "notice": objection}


def test_each_carrier_gets_one_german_digest_of_the_days_reminders(world, due_items):
    carrier_user(world.organisation, username="no_mail", email="")
    carrier_user(world.organisation, username="left", email="left@netzwerk.example.org", is_active=False)
    proof(make_grant(world), date(2026, 4, 2))  # due tomorrow: not a reminder day

    assert send_deadline_reminders(today=TODAY) == 1

    (message,) = mail.outbox
    assert message.to == ["anna@netzwerk.example.org", "info@netzwerk.example.org"]
    assert "4" in message.subject and "\n" not in message.subject
    body = message.body
    grant, objection = due_items["grant"], due_items["notice"]
    assert body.startswith("Sehr geehrte Damen und Herren (Netzwerk für Demokratie e.V.),")
    assert "01.04.2026" in body
    # Overdue first, then due soon, then funds, then objection periods.
    overdue = body.index(f"{grant.file_number} “Demokratiewerkstatt”: ")
    assert body.index("31.03.2026") > overdue
    assert body.index("08.04.2026") > body.index("31.03.2026")
    assert "12.000,00 €" in body and "31.01.2026" in body
    assert f"{objection.file_number} “Jugendforum”" in body
    assert body.count("https://foerderung.example.org/") == 4
    assert body.rstrip().endswith("Diese Nachricht wurde automatisch erstellt.")
    # The proof due tomorrow is nobody's reminder today.
    assert body.count("“Projekt") == 0


def test_reminders_are_sent_once_per_day_and_then_only_on_their_reminder_days(world, due_items):
    assert send_deadline_reminders(today=TODAY) == 1
    assert send_deadline_reminders(today=TODAY) == 0  # a second run on the same day
    assert len(mail.outbox) == 1
    sent = {day: send_deadline_reminders(today=TODAY + timedelta(days=day)) for day in range(1, 16)}
    # 07.04.: the objection period ends tomorrow; 08.04. and 15.04.: the interim proof and the
    # unused money are 8 and 15 days overdue; 09.04. and 16.04.: the final proof (due 08.04.)
    # is 1 and 8 days overdue. No other day repeats anything.
    assert [day for day, count in sent.items() if count] == [6, 7, 8, 14, 15]
    assert len(mail.outbox) == 6


def test_the_day_s_reminder_is_remembered_in_the_database_not_in_a_cache(world, due_items):
    assert send_deadline_reminders(today=TODAY) == 1
    # Another worker process with a cache of its own (here: none) runs the same day's task again.
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        assert send_deadline_reminders(today=TODAY) == 0
    assert len(mail.outbox) == 1
    row = DeadlineReminder.objects.get()
    assert (row.organisation, row.day, row.items) == (world.organisation, TODAY, 4)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_day_s_reminders_at_once_send_one_digest(world, due_items, monkeypatch):
    real_send = reminders.send_mail

    def slow(*args, **kwargs):
        time.sleep(0.5)  # the other worker meets the uncommitted row and waits for it
        return real_send(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", slow)
    start = threading.Barrier(2)
    sent: list[int] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            sent.append(send_deadline_reminders(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(sent) == [0, 1]
    assert len(mail.outbox) == 1
    assert DeadlineReminder.objects.count() == 1


def test_the_daily_reminder_task_uses_the_real_date(world):
    grant = make_grant(world)
    proof(grant, timezone.localdate() - timedelta(days=1))
    assert reminder_task.delay().get() == 1
    assert reminder_task.delay().get() == 0


def test_a_failed_e_mail_is_retried_without_repeating_the_ones_sent(world, due_items, monkeypatch):
    other = make_grant(world, office=world.mv, organisation=world.other_organisation)
    proof(other, date(2026, 3, 31))
    real_send = reminders.send_mail
    calls = []

    def flaky(subject, body, sender, recipients):
        calls.append(recipients)
        if "info@fw-mv.example.org" in recipients and len(calls) <= 2:
            raise OSError("SMTP down")
        return real_send(subject, body, sender, recipients)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    with pytest.raises(OSError):
        send_deadline_reminders(today=TODAY)
    assert [m.to for m in mail.outbox] == [["anna@netzwerk.example.org", "info@netzwerk.example.org"]]
    # Only the carrier that was reached is remembered.
    assert list(DeadlineReminder.objects.values_list("organisation", flat=True)) == [world.organisation.pk]

    assert send_deadline_reminders(today=TODAY) == 1
    assert [m.to for m in mail.outbox][-1] == ["info@fw-mv.example.org"]


# --- end of the approval period ------------------------------------------------------------------


def test_grants_whose_period_has_ended_move_to_proof_due(world):
    ended = {
        state: make_grant(world, state=state, period_end=date(2026, 3, 31))
        for state in ("notified", "final", "running")
    }
    ends_today = make_grant(world, period_end=TODAY)
    already = make_grant(world, state="proof_due", period_end=date(2026, 1, 31))
    settled = make_grant(world, state="settled", period_end=date(2025, 12, 31))
    extending = make_grant(world, period_end=date(2026, 3, 31))
    Amendment.objects.create(
        grant=extending,
        number=1,
        reason="Verlängerung",
        new_period_end=date(2026, 9, 30),
        created_by=world.carrier,
        state="submitted",
    )

    done = grants_mark_proof_due(today=TODAY)

    assert done == sorted(g.file_number for g in ended.values())
    states = dict(Grant.objects.values_list("pk", "state"))
    assert {states[g.pk] for g in ended.values()} == {"proof_due"}
    assert (states[ends_today.pk], states[already.pk], states[settled.pk], states[extending.pk]) == (
        "running",
        "proof_due",
        "settled",
        "running",
    )
    log = StateLog.objects.for_(ended["running"]).get()
    assert (log.source_state, log.state, log.by) == ("running", "proof_due", None)
    assert grants_mark_proof_due(today=TODAY) == []

    Amendment.objects.filter(grant=extending).update(state="rejected")
    assert grants_mark_proof_due(today=TODAY) == [extending.file_number]


def test_daily_task_marks_proofs_due_on_the_real_date(world):
    yesterday = timezone.localdate() - timedelta(days=1)
    grant = make_grant(world, period_end=yesterday)
    make_grant(world, period_end=timezone.localdate())
    assert mark_proofs_due.delay().get() == [grant.file_number]


def test_a_window_of_months_ending_past_a_short_months_end_ends_on_its_last_day(world):
    # 31.12.2025 + 2 months = 28.02.2026 (relativedelta; the database computes the same day).
    two_months = make_grant(world, window=(2, "months"))
    late = drawdown(two_months, date(2025, 12, 31), used_on=date(2026, 3, 1))
    drawdown(two_months, date(2025, 12, 31), used_on=date(2026, 2, 28))  # used on the last day

    items = drawdowns_not_used_in_time(today=TODAY)

    assert keys(items) == [(two_months.file_number, late.pk, date(2026, 2, 28), -32)]


def test_the_deadline_panel_shows_the_first_five_of_each_list_and_links_to_all(world, client, settings):
    from django.urls import reverse

    from grants.awards.deadlines import PANEL_ITEMS

    grants = [make_grant(world) for _ in range(PANEL_ITEMS + 2)]
    for grant in grants:
        proof(grant, date(2026, 3, 1))
    found = staff_deadlines(world.state_officer, today=TODAY)
    assert (len(found.proofs_overdue), found.counts["proofs_overdue"], found.total, found.more) == (
        PANEL_ITEMS,
        PANEL_ITEMS + 2,
        PANEL_ITEMS + 2,
        True,
    )
    everything = staff_deadlines(world.state_officer, today=TODAY, limit=None)
    assert len(everything.proofs_overdue) == PANEL_ITEMS + 2

    settings.LANGUAGE_CODE = "de"
    client.force_login(world.state_officer)
    with timezone.override("Europe/Berlin"):
        worklist = client.get(reverse("worklist"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    numbers = sorted(g.file_number for g in grants)
    shown = [n for n in numbers if n in worklist]
    assert len(shown) <= PANEL_ITEMS
    assert f'href="{reverse("deadlines")}"' in worklist
    page = client.get(reverse("deadlines"), HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200
    # The page lists every deadline the panel counts (today's overdue proofs included).
    assert all(n in page.content.decode() for n in numbers)


def test_the_deadlines_page_is_only_for_staff_of_an_office(world, client):
    from django.urls import reverse

    client.force_login(world.carrier)
    assert client.get(reverse("deadlines")).status_code == 403
