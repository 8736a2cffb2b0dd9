"""Forgotten password by e-mail, the wrong-password and logout messages (issue 11 §4)."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent, SecurityEventKind
from accounts.two_factor import new_key

pytestmark = pytest.mark.django_db

PASSWORD = "Sonnenblume-Kastanie-42"
NEW_PASSWORD = "Wiesenklee-Holunder-77"
SENT = "Wenn ein Konto diese E-Mail-Adresse hat, haben wir ihm einen Link"
INVALID = "Dieser Link ist ungültig oder abgelaufen, oder er wurde schon benutzt."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def carrier(people):
    user = people["carrier"]
    user.email = "traeger@buergerbuendnis.example"
    user.save(update_fields=["email"])
    return user


def request_link(client, email, address="192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def link_from(message) -> str:
    return re.search(r"https?://[^/\s]+(/passwort-neu/\S+/)", message.body).group(1)


def log_in(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.10"
    )


def test_the_login_page_links_to_the_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page
    assert "Passwort vergessen?" in page


def test_a_wrong_password_says_user_name_or_password_is_wrong(client, people):
    response = log_in(client, "traeger", "falsch")
    assert response.status_code == 200
    assert "Benutzername oder Passwort ist falsch." in response.content.decode()


def test_logging_out_says_so_on_the_login_page(client, people):
    client.force_login(people["carrier"])
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Sie wurden abgemeldet." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_link_by_email_sets_a_new_password_once(client, carrier):
    response = request_link(client, "Traeger@Buergerbuendnis.example")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert SENT in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["traeger@buergerbuendnis.example"]
    assert message.subject == "Neues Passwort für die Förderverwaltung"
    assert "„traeger“" in message.body

    link = link_from(message)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    assert 'name="new_password1"' in form_page.content.decode()
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    assert "Ihr neues Passwort ist gesetzt." in client.get(done["Location"]).content.decode()
    carrier.refresh_from_db()
    assert carrier.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session  # the new password goes through the login
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=carrier).exists()

    again = client.get(link, follow=True)
    assert INVALID in again.content.decode()
    assert log_in(client, "traeger", NEW_PASSWORD).status_code == 302


def test_a_wrong_or_expired_token_is_refused_with_a_message(client, carrier, settings):
    request_link(client, carrier.email)
    link = link_from(mail.outbox[0])
    broken = re.sub(r"/[^/]+/$", "/falsch-123/", link)
    page = client.get(broken, follow=True).content.decode()
    assert INVALID in page
    assert f'href="{reverse("password_reset")}"' in page

    settings.PASSWORD_RESET_TIMEOUT = -1  # every link has expired
    page = client.get(link, follow=True).content.decode()
    assert INVALID in page
    assert 'name="new_password1"' not in page


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, carrier):
    known = request_link(client, carrier.email)
    unknown = request_link(client, "niemand@example.org")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert [m.to for m in mail.outbox] == [[carrier.email]]


def test_requests_are_limited_per_email_address_without_telling(client, carrier, settings):
    settings.PASSWORD_RESET_LIMITS = (10, 2)
    answers = [request_link(client, carrier.email) for _n in range(4)]
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 2


def test_requests_are_limited_per_address_of_the_requester(client, carrier, settings):
    settings.PASSWORD_RESET_LIMITS = (3, 3)
    for n in range(3):
        assert request_link(client, f"jemand{n}@example.org").status_code == 302
    refused = request_link(client, carrier.email)
    assert refused.status_code == 429
    assert "Zu viele Anfragen von Ihrer Adresse" in refused.content.decode()
    assert mail.outbox == []
    assert request_link(client, carrier.email, address="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 1


def test_a_new_password_lifts_the_lockout_of_the_user_name(client, carrier):
    for n in range(5):
        log_in(client, "traeger", f"falsch-{n}")
    assert log_in(client, "traeger", PASSWORD).status_code == 429
    assert "per E-Mail ein neues Passwort setzen." in log_in(client, "traeger", PASSWORD).content.decode()

    request_link(client, carrier.email)
    form_page = client.get(link_from(mail.outbox[0]), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert not AccessAttempt.objects.filter(username="traeger").exists()
    assert (
        client.post(
            reverse("login"), {"username": "traeger", "password": NEW_PASSWORD}, REMOTE_ADDR="198.51.100.7"
        ).status_code
        == 302
    )


def test_after_a_reset_the_second_factor_is_still_asked_for(client, carrier):
    TOTPDevice.objects.create(user=carrier, name="App", key=new_key(), confirmed=True)
    request_link(client, carrier.email)
    form_page = client.get(link_from(mail.outbox[0]), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    login = log_in(client, "traeger", NEW_PASSWORD)
    assert login.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("two_factor_verify"))
