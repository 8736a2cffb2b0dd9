"""The deadline calendar page and the iCalendar feed (issue 11 §2)."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from django.urls import reverse

from grants.awards.calendar import calendar_between, scope_for
from grants.awards.models import FeedToken
from tests.grants.deadline_calendar.conftest import make_case, month_ahead

pytestmark = pytest.mark.django_db


def page(client, user, **params):
    client.force_login(user)
    params.setdefault("month", f"{month_ahead():%Y-%m}")
    response = client.get(reverse("deadline_calendar"), params, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    return response.content.decode()


def ddmmyyyy(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def kinds_of(calendar, case) -> set[str]:
    return {
        e.kind
        for e in calendar.entries
        if e.reference in (case.grant.file_number, case.grant.application.reference)
    }


# --- what each person sees -----------------------------------------------------------------------


def test_an_official_sees_every_kind_of_their_office_and_nothing_of_another(client, world, cases):
    html = page(client, world["officer"])
    sn, mv = cases["sn"], cases["mv"]
    first = month_ahead()
    assert "Fristenkalender" in html
    for text in (
        "Verwendungsnachweis fällig",
        "Erstprüfung eines Nachweises fällig",
        "Widerspruchsfrist endet",
        "Mittelabruf-Frist endet",
        "Änderung entschieden",
        "Nachforderung fällig",
    ):
        assert f"<td>{text}</td>" in html, text
    assert sn.grant.file_number in html and mv.grant.file_number not in html
    assert reverse("proof_detail", args=[sn.grant.pk, sn.proof.pk]) in html
    assert reverse("application_detail", args=[sn.grant.application_id]) in html
    assert ddmmyyyy(first + timedelta(days=3)) in html  # the proof's due date, as 31.12.2025
    assert "Die am " in html and " ausgezahlten 1.000,00 € sind bis zu diesem Tag zu verwenden." in html
    assert ddmmyyyy(first + timedelta(days=13)) not in html  # the M-V case's proof


def test_each_office_sees_only_its_subtree(world, cases):
    first = month_ahead()
    last = first + timedelta(days=27)
    for who, mine, other in (("officer", "sn", "mv"), ("mv_officer", "mv", "sn")):
        calendar = calendar_between(scope_for(world[who]), start=first, end=last)
        assert len(kinds_of(calendar, cases[mine])) == 6
        assert kinds_of(calendar, cases[other]) == set()
    federal = calendar_between(scope_for(world["federal"]), start=first, end=last)
    assert len(kinds_of(federal, cases["sn"])) == 6 and len(kinds_of(federal, cases["mv"])) == 6


def test_a_carrier_sees_its_organisations_cases_without_the_offices_first_checks(client, world, cases):
    sn, mv = cases["sn"], cases["mv"]
    html = page(client, sn.carrier)
    assert sn.grant.file_number in html and mv.grant.file_number not in html
    assert "<td>Nachforderung fällig</td>" in html and "<td>Verwendungsnachweis fällig</td>" in html
    assert "Erstprüfung" not in html
    calendar = calendar_between(
        scope_for(sn.carrier), start=month_ahead(), end=month_ahead() + timedelta(days=27)
    )
    assert kinds_of(calendar, sn) == {
        "proof_due",
        "objection_ends",
        "drawdown_window",
        "amendment_decision",
        "revision_due",
    }


def test_the_entries_fall_on_their_days(world, cases):
    sn = cases["sn"]
    first = month_ahead()
    calendar = calendar_between(scope_for(world["officer"]), start=first, end=first + timedelta(days=27))
    days = {
        e.kind: e.day
        for e in calendar.entries
        if e.reference in (sn.grant.file_number, sn.grant.application.reference)
    }
    assert days == {
        "objection_ends": first + timedelta(days=2),
        "proof_due": first + timedelta(days=3),
        "first_check": first + timedelta(days=4),
        "drawdown_window": first + timedelta(days=5),
        "amendment_decision": first + timedelta(days=6),
        "revision_due": first + timedelta(days=7),
    }
    assert [e.day for e in calendar.entries] == sorted(e.day for e in calendar.entries)


def test_an_answered_revision_request_and_a_used_drawdown_leave_the_calendar(world, cases):
    sn = cases["sn"]
    first = month_ahead()
    sn.message.__class__.objects.filter(pk=sn.message.pk).update(answered_by=sn.message)
    sn.drawdown.__class__.objects.filter(pk=sn.drawdown.pk).update(used_on=first)
    calendar = calendar_between(scope_for(world["officer"]), start=first, end=first + timedelta(days=27))
    assert kinds_of(calendar, sn) == {"objection_ends", "proof_due", "first_check", "amendment_decision"}


# --- navigation and filters ----------------------------------------------------------------------


def test_the_calendar_is_in_every_roles_navigation(client, world, cases):
    for user in (world["officer"], world["finance"], world["mv_officer"], cases["sn"].carrier):
        client.force_login(user)
        html = client.get(reverse("home"), follow=True, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert f'href="{reverse("deadline_calendar")}"' in html, user


def test_previous_and_next_month_links_move_one_month(client, world, cases):
    first = month_ahead()
    html = page(client, world["officer"], kind="proof_due")
    before = (first - timedelta(days=1)).replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    assert (
        f"month={before:%Y-%m}&amp;kind=proof_due" in html
        or f"kind=proof_due&amp;month={before:%Y-%m}" in html
    )
    assert f"month={after:%Y-%m}" in html
    html = page(client, world["officer"], month=f"{after:%Y-%m}")
    assert cases["sn"].grant.file_number not in html
    assert "Keine Fristen in diesem Monat." in html


def test_the_kind_filter_shows_one_kind(client, world, cases):
    html = page(client, world["officer"], kind="revision_due")
    assert "<td>Nachforderung fällig</td>" in html and "<td>Widerspruchsfrist endet</td>" not in html


def test_the_office_choice_narrows_to_an_office_of_the_officials_subtree(client, world, cases):
    html = page(client, world["federal"], office=world["mv"].pk)
    assert cases["mv"].grant.file_number in html and cases["sn"].grant.file_number not in html
    # The Saxon official cannot choose M-V: the choice is refused and shows their own cases only.
    html = page(client, world["officer"], office=world["mv"].pk)
    assert f"Die Stelle {world['mv'].pk} gehört nicht zu Ihren Stellen." in html
    assert cases["mv"].grant.file_number not in html


def test_a_month_that_is_not_one_is_refused_with_its_value(client, world, cases):
    html = page(client, world["officer"], month="2025-13")
    assert "„2025-13“ ist kein Monat" in html


def test_the_page_costs_the_same_queries_at_more_grants(client, world, cases, django_assert_max_num_queries):
    client.force_login(world["officer"])
    url = reverse("deadline_calendar") + f"?month={month_ahead():%Y-%m}"
    client.get(url)  # warm the session
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for offset in (2,):
        make_case(world, place=world["sn"], offset=offset)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("<td>Nachforderung fällig</td>") == 2


# --- the feed ------------------------------------------------------------------------------------


def issue(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("calendar_feed_token"), {"action": "issue"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 302
    return FeedToken.objects.get(user=user, revoked_at__isnull=True).token


def feed(client, token):
    client.logout()
    return client.get(reverse("calendar_feed", args=[token]))


def test_the_feed_parses_and_holds_the_persons_deadlines_as_all_day_events(client, world, cases):
    sn = cases["sn"]
    first = month_ahead()
    token = issue(client, world["officer"])
    response = feed(client, token)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert f"proof_due-{sn.proof.pk}@testserver" in events
    assert f"first_check-{sn.proof.pk}@testserver" in events
    assert f"objection_ends-{sn.grant.pk}@testserver" in events
    assert f"drawdown_window-{sn.drawdown.pk}@testserver" in events
    assert f"amendment_decision-{sn.amendment.pk}@testserver" in events
    assert f"revision_due-{sn.message.pk}@testserver" in events
    assert not any(cases["mv"].grant.file_number in str(e["SUMMARY"]) for e in events.values())
    proof = events[f"proof_due-{sn.proof.pk}@testserver"]
    assert proof.decoded("DTSTART") == first + timedelta(days=3)
    assert proof.decoded("DTEND") == first + timedelta(days=4)
    assert str(proof["SUMMARY"]) == f"Verwendungsnachweis fällig: {sn.grant.file_number}"
    assert ddmmyyyy(first + timedelta(days=3)) in str(proof["DESCRIPTION"])
    assert str(proof["URL"]) == "http://testserver" + reverse("proof_detail", args=[sn.grant.pk, sn.proof.pk])
    assert "DTSTAMP" in proof
    raw = response.content.decode()
    assert "DTSTART;VALUE=DATE:" in raw and "\r\n" in raw
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))  # folded (RFC 5545 §3.1)


def test_the_feed_escapes_commas_and_semicolons(client, world, cases):
    sn = cases["sn"]
    Grant = sn.grant.__class__
    Grant.objects.filter(pk=sn.grant.pk).update(title="Vielfalt, Demokratie; Teilhabe")
    raw = feed(client, issue(client, sn.carrier)).content.decode()
    unfolded = raw.replace("\r\n ", "")
    assert "Vielfalt\\, Demokratie\\; Teilhabe" in unfolded


def test_a_carriers_feed_shows_only_its_own_cases(client, world, cases):
    sn, mv = cases["sn"], cases["mv"]
    cal = icalendar.Calendar.from_ical(feed(client, issue(client, mv.carrier)).content)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert f"proof_due-{mv.proof.pk}@testserver" in uids
    assert not any(uid.endswith(f"-{sn.proof.pk}@testserver") and "proof" in uid for uid in uids)
    assert f"revision_due-{sn.message.pk}@testserver" not in uids
    assert not any(uid.startswith("first_check-") for uid in uids)


def test_a_revoked_address_answers_404(client, world, cases):
    token = issue(client, world["officer"])
    client.force_login(world["officer"])
    response = client.post(
        reverse("calendar_feed_token"), {"action": "revoke"}, HTTP_ACCEPT_LANGUAGE="de", follow=True
    )
    assert "Die Kalenderadresse wurde widerrufen" in response.content.decode()
    assert feed(client, token).status_code == 404
    assert feed(client, "not-a-token").status_code == 404


def test_renewing_the_address_retires_the_old_one(client, world, cases):
    old = issue(client, world["officer"])
    new = issue(client, world["officer"])
    assert old != new
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200
    assert FeedToken.objects.filter(user=world["officer"], revoked_at__isnull=True).count() == 1


def test_the_page_shows_the_address_and_its_buttons(client, world, cases):
    html = page(client, world["officer"])
    assert "Kalenderadresse erstellen" in html
    token = issue(client, world["officer"])
    html = page(client, world["officer"])
    assert f"http://testserver/kalender/feed/{token}.ics" in html
    assert "Adresse erneuern" in html and "Adresse widerrufen" in html


def test_a_token_shows_what_its_owner_may_see_now(client, world, cases):
    """Another person's address never shows more than that person may see: losing the office
    membership empties the feed at once."""
    token = issue(client, world["mv_officer"])
    world["mv_officer"].office_memberships.all().delete()
    cal = icalendar.Calendar.from_ical(feed(client, token).content)
    assert list(cal.walk("VEVENT")) == []


def test_the_feed_costs_the_same_queries_at_more_grants(client, world, cases, django_assert_max_num_queries):
    token = issue(client, world["officer"])
    client.logout()
    url = reverse("calendar_feed", args=[token])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for offset in (2,):
        make_case(world, place=world["sn"], offset=offset)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
