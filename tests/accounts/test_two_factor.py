"""Two-factor authentication: required for staff who decide or pay, offered to everyone else.

Production requires it (``TWO_FACTOR_REQUIRED``, the ``required`` fixture); the demo and the
rest of the suite run without the obligation, where whoever set up a second factor must still
use it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent, SecurityEventKind, User
from accounts.two_factor import new_key
from budgets.models import OfficeMembership
from tests.budgets.factories import membership

pytestmark = pytest.mark.django_db

CODES = ["abcd2345", "efgh6723", "ijkl4567"]


def with_second_factor(user) -> str:
    """Give ``user`` an authenticator app and three recovery codes; returns the app's key."""
    key = new_key()
    TOTPDevice.objects.create(user=user, name="App", key=key, confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery", confirmed=True)
    for code in CODES:
        StaticToken.objects.create(device=recovery, token=code)
    return key


def log_in(client, user, password):
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def html(response) -> str:
    return response.content.decode()


def events(kind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


# --- who is forced -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["approver", "finance", "admin"])
def test_staff_who_decide_or_pay_without_a_second_factor_reach_only_its_set_up(client, people, required, who):
    client.force_login(people[who])
    setup = reverse("two_factor_setup")
    for url in (
        reverse("worklist"),
        reverse("grant_list"),
        reverse("account"),
        "/admin/",
        reverse("security_log"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{setup}?next={url.replace('/', '%2F')}", url
    # A form sent anyway does nothing: it is answered with the set-up page, not the action.
    response = client.post(reverse("export_start"), {"kind": "grants", "format": "csv"})
    assert (response.status_code, response["Location"]) == (302, setup)
    assert client.get(setup).status_code == 200
    assert client.post("/i18n/setlang/", {"language": "de", "next": "/"}).status_code == 302
    # Logging out stays possible.
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("worklist"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["carrier", "case_officer", "auditor"])
def test_carriers_case_officers_and_auditors_are_not_forced(client, people, required, who):
    client.force_login(people[who])
    response = client.get(reverse("account"))
    assert response.status_code == 200
    assert "Zwei-Faktor-Anmeldung einrichten" in html(response)  # offered
    assert client.get("/").status_code in (200, 302)
    assert "zwei-faktor" not in client.get("/").get("Location", "")


def test_without_the_obligation_an_approver_is_only_offered_a_second_factor(client, people):
    client.force_login(people["approver"])
    assert client.get(reverse("worklist")).status_code == 200


def test_an_htmx_request_is_sent_to_the_set_up_page_as_a_whole(client, people, required):
    client.force_login(people["finance"])
    response = client.get(reverse("worklist"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("two_factor_setup"))


def test_a_case_officer_made_approver_must_set_it_up_at_once(client, people, required):
    officer = people["case_officer"]
    client.force_login(officer)
    assert client.get(reverse("worklist")).status_code == 200
    membership(officer, people["office"], "approver")
    response = client.get(reverse("worklist"))
    assert response["Location"].startswith(reverse("two_factor_setup"))


# --- setting it up -----------------------------------------------------------------------------


def test_an_approver_sets_up_the_app_and_gets_recovery_codes_shown_once(client, people, required, code_for):
    approver = people["approver"]
    client.force_login(approver)
    page = client.get(reverse("two_factor_setup") + "?next=/arbeitsliste/")
    assert page.status_code == 200
    text = html(page)
    assert (
        "Ihre Rolle (Bewilligung, Haushalt/Kasse oder Administration) verlangt einen zweiten Faktor" in text
    )
    assert 'src="data:image/svg+xml' in text
    key = client.session["second_factor_setup_key"]
    assert re.search(r'id="totp-key">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', text)

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000", "next": "/arbeitsliste/"})
    assert wrong.status_code == 200
    assert "Der Code passt nicht." in html(wrong)
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert client.get(reverse("worklist")).status_code == 302

    done = client.post(reverse("two_factor_setup"), {"code": code_for(key), "next": "/arbeitsliste/"})
    assert done.status_code == 302
    assert done["Location"] == reverse("two_factor_recovery_codes") + "?next=%2Farbeitsliste%2F"
    device = TOTPDevice.objects.get(user=approver)
    assert (device.key, device.confirmed) == (key, True)
    assert "second_factor_setup_key" not in client.session

    codes_page = html(client.get(done["Location"]))
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)
    )
    assert 'href="/arbeitsliste/"' in codes_page
    again = html(client.get(reverse("two_factor_recovery_codes")))
    assert not re.findall(r"<li><code>", again)
    assert "Übrige Wiederherstellungscodes: 10" in again

    assert client.get(reverse("worklist")).status_code == 200
    assert [e.user for e in events(SecurityEventKind.SECOND_FACTOR_ENABLED)] == [approver]


def test_new_recovery_codes_replace_the_old_ones(client, people):
    carrier = people["carrier"]
    with_second_factor(carrier)
    client.force_login(carrier)
    client.post(reverse("two_factor_verify"), {"code": CODES[0]})
    response = client.post(reverse("two_factor_recovery_codes"))
    assert response.status_code == 302
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html(client.get(response["Location"])))
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token__in=CODES).exists()
    assert len(events(SecurityEventKind.RECOVERY_CODES_RENEWED)) == 1


def test_a_password_alone_cannot_replace_the_second_factor(client, people, code_for):
    approver = people["approver"]
    key = with_second_factor(approver)
    log_in(client, approver, "Sonnenblume-Kastanie-42")
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    attacker_key = new_key()
    client.post(reverse("two_factor_setup"), {"code": code_for(attacker_key)})
    assert list(TOTPDevice.objects.filter(user=approver).values_list("key", flat=True)) == [key]


# --- logging in with it ------------------------------------------------------------------------


def test_a_login_needs_the_code_from_the_app_after_the_password(client, people, required, code_for):
    approver = people["approver"]
    key = with_second_factor(approver)
    assert log_in(client, approver, "Sonnenblume-Kastanie-42")["Location"] == reverse("home")
    response = client.get(reverse("worklist"))
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2Farbeitsliste%2F"
    page = client.get(response["Location"])
    assert "Anmeldung bestätigen" in html(page)

    wrong = client.post(reverse("two_factor_verify"), {"code": "123456", "next": "/arbeitsliste/"})
    assert wrong.status_code == 200
    assert "Der Code ist ungültig." in html(wrong)
    assert client.get(reverse("worklist")).status_code == 302
    # Right after a wrong code even the right one waits (django-otp: 1, 2, 4, … seconds).
    waiting = client.post(reverse("two_factor_verify"), {"code": code_for(key, 1), "next": "/arbeitsliste/"})
    assert "Zu viele falsche Codes." in html(waiting)
    TOTPDevice.objects.filter(user=approver).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )

    right = client.post(reverse("two_factor_verify"), {"code": code_for(key, 1), "next": "/arbeitsliste/"})
    assert right["Location"] == "/arbeitsliste/"
    assert client.get(reverse("worklist")).status_code == 200
    assert [e.detail for e in events(SecurityEventKind.SECOND_FACTOR_FAILED)] == ["Authenticator-App"] * 2
    assert len(events(SecurityEventKind.SECOND_FACTOR_VERIFIED)) == 1

    # The same code does not open a second session.
    client.post(reverse("logout"))
    log_in(client, approver, "Sonnenblume-Kastanie-42")
    replay = client.post(reverse("two_factor_verify"), {"code": code_for(key, 1)})
    assert replay.status_code == 200
    assert client.get(reverse("worklist")).status_code == 302


def test_a_recovery_code_works_once(client, people, required):
    finance = people["finance"]
    with_second_factor(finance)
    log_in(client, finance, "Sonnenblume-Kastanie-42")
    response = client.post(reverse("two_factor_verify"), {"code": CODES[1].upper(), "next": "/arbeitsliste/"})
    assert response["Location"] == "/arbeitsliste/"
    assert client.get(reverse("worklist")).status_code == 200
    [used] = events(SecurityEventKind.RECOVERY_CODE_USED)
    assert used.detail == "Übrige Wiederherstellungscodes: 2"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Nur noch wenige Wiederherstellungscodes (2): Erzeugen Sie auf Ihrer Kontoseite neue."
    ]

    client.post(reverse("logout"))
    log_in(client, finance, "Sonnenblume-Kastanie-42")
    again = client.post(reverse("two_factor_verify"), {"code": CODES[1]})
    assert "Der Code ist ungültig." in html(again)
    assert [e.detail for e in events(SecurityEventKind.SECOND_FACTOR_FAILED)] == ["Wiederherstellungscode"]


def test_a_carrier_who_chose_a_second_factor_must_use_it(client, people):
    carrier = people["carrier"]
    with_second_factor(carrier)
    log_in(client, carrier, "Sonnenblume-Kastanie-42")
    assert client.get(reverse("application_list"))["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": CODES[0]})
    assert client.get(reverse("application_list")).status_code == 200


def test_the_verify_page_sends_a_session_with_nothing_due_on(client, people):
    client.force_login(people["carrier"])
    response = client.get(reverse("two_factor_verify") + "?next=/antraege/")
    assert response["Location"] == "/antraege/"
    foreign = client.get(reverse("two_factor_verify") + "?next=https://evil.example/")
    assert foreign["Location"] == reverse("home")


# --- turning it off ----------------------------------------------------------------------------


def test_a_carrier_may_turn_it_off(client, people):
    carrier = people["carrier"]
    with_second_factor(carrier)
    client.force_login(carrier)
    client.post(reverse("two_factor_verify"), {"code": CODES[0]})
    response = client.post(reverse("two_factor_disable"))
    assert response["Location"] == reverse("account")
    assert not TOTPDevice.objects.filter(user=carrier).exists()
    assert not StaticDevice.objects.filter(user=carrier).exists()
    assert len(events(SecurityEventKind.SECOND_FACTOR_DISABLED)) == 1
    assert "Zwei-Faktor-Anmeldung ist ausgeschaltet." in html(client.get(reverse("account")))


def test_an_approver_may_not_turn_it_off(client, people, required):
    approver = people["approver"]
    with_second_factor(approver)
    client.force_login(approver)
    client.post(reverse("two_factor_verify"), {"code": CODES[0]})
    page = html(client.get(reverse("account")))
    assert reverse("two_factor_disable") not in page
    client.post(reverse("two_factor_disable"))
    assert TOTPDevice.objects.filter(user=approver).exists()
    assert (
        "Ihre Rolle (Bewilligung, Haushalt/Kasse oder Administration) verlangt die Zwei-Faktor-Anmeldung: "
        "Sie kann nicht ausgeschaltet werden." in html(client.get(reverse("account")))
    )
    assert not events(SecurityEventKind.SECOND_FACTOR_DISABLED)


def test_the_rule_names_approvers_finance_and_administrators(people):
    import rules

    needed = {
        who
        for who in people
        if who != "office" and rules.test_rule("accounts.second_factor_required", people[who])
    }
    assert needed == {"approver", "finance", "admin"}
    OfficeMembership.objects.filter(user=people["approver"]).delete()
    fresh = User.objects.get(pk=people["approver"].pk)  # the roles are read once per user object
    assert not rules.test_rule("accounts.second_factor_required", fresh)
