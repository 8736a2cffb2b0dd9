"""Login throttling (django-axes), password rules and logout after inactivity."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db

PASSWORD = "Sonnenblume-Kastanie-42"
LOCKOUT = "Zu viele fehlgeschlagene Anmeldungen für diesen Benutzernamen oder von Ihrer Adresse"


def attempt(client, username, password, address="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failed_logins_lock_the_user_name_even_for_the_right_password(client, people):
    carrier = people["carrier"]
    for n in range(4):
        response = attempt(client, "traeger", f"falsch-{n}")
        assert response.status_code == 200
        assert "Beide Felder berücksichtigen die Groß-/Kleinschreibung." in response.content.decode()
    fifth = attempt(client, "traeger", "falsch-5")
    assert fifth.status_code == 429
    assert LOCKOUT in fifth.content.decode()
    assert "für 30 Minuten gesperrt" in fifth.content.decode()

    right = attempt(client, "traeger", PASSWORD)
    assert right.status_code == 429
    assert LOCKOUT in right.content.decode()
    assert not logged_in(client)
    # From another address too: the user name is locked, not only the address.
    assert attempt(client, "traeger", PASSWORD, address="198.51.100.7").status_code == 429

    failed = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED)
    assert failed.count() == 7
    assert {e.user for e in failed} == {carrier}
    assert failed.filter(ip_address="198.51.100.7").count() == 1
    # The fifth failure locks; each refused try while locked is logged as a lockout again.
    lockouts = SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT).order_by("pk")
    assert [(e.user, e.username, e.ip_address) for e in lockouts] == [
        (carrier, "traeger", "192.0.2.10"),
        (carrier, "traeger", "192.0.2.10"),
        (carrier, "traeger", "198.51.100.7"),
    ]
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN).exists()


def test_failed_logins_from_one_address_lock_that_address_for_other_user_names(client, people):
    for name in ("anna", "bernd", "clara", "dieter", "emil"):
        attempt(client, name, "raten", address="203.0.113.5")
    assert attempt(client, "traeger", PASSWORD, address="203.0.113.5").status_code == 429
    assert attempt(client, "traeger", PASSWORD, address="192.0.2.10").status_code == 302


def test_a_successful_login_clears_the_count(client, people):
    for n in range(4):
        attempt(client, "traeger", f"falsch-{n}")
    assert attempt(client, "traeger", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for n in range(4):
        assert attempt(client, "traeger", f"falsch-{n}").status_code == 200
    assert attempt(client, "traeger", PASSWORD).status_code == 302
    assert logged_in(client)


def test_an_administrator_sees_the_lockout_in_the_admin_and_lifts_it(client, people):
    for n in range(5):
        attempt(client, "traeger", f"falsch-{n}")
    admin = people["admin"]
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "traeger" in listing.content.decode()
    [locked] = AccessAttempt.objects.filter(username="traeger")
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [locked.pk], "post": "yes"},
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert attempt(client, "traeger", PASSWORD).status_code == 302


def test_finance_staff_in_the_admin_do_not_see_lockouts_or_the_security_log(client, people):
    finance = people["finance"]
    finance.is_staff = True
    finance.save()
    client.force_login(finance)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/accounts/securityevent/").status_code == 403


def test_the_test_clients_login_without_a_request_still_works(client, people):
    assert client.login(username="traeger", password=PASSWORD)


# --- passwords ---------------------------------------------------------------------------------


def test_a_new_password_must_be_long_and_not_common(client, people):
    client.force_login(people["carrier"])
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    short = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "demo2026", "new_password2": "demo2026"},
    )
    assert short.status_code == 200
    text = short.content.decode()
    assert "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten." in text
    good = "Haselnuss-Gewitter-17"
    done = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": good, "new_password2": good}
    )
    assert done["Location"] == reverse("password_change_done")
    assert logged_in(client)
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.PASSWORD_CHANGED, user=people["carrier"]
    ).exists()


# --- inactivity --------------------------------------------------------------------------------


def test_a_session_ends_after_thirty_minutes_without_a_request(client, people, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    carrier = people["carrier"]
    client.force_login(carrier)
    assert client.get(reverse("application_list")).status_code == 200
    session = client.session
    session["last_activity"] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("application_list"))
    assert response["Location"] == reverse("login") + "?next=%2Fantraege%2F"
    assert not logged_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet." in page
    [expired] = SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_EXPIRED)
    assert expired.user == carrier


def test_activity_moves_the_expiry_on_at_most_once_a_minute(client, people):
    client.force_login(people["carrier"])
    first = client.session["last_activity"]
    client.get(reverse("application_list"))
    assert client.session["last_activity"] == first  # no session write on every page
    session = client.session
    session["last_activity"] = time.time() - 120
    session.save()
    client.get(reverse("application_list"))
    assert client.session["last_activity"] > time.time() - 5
