"""A form sent twice does the work once: the one-time key in every form and the middleware (issue 12)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse, HttpResponseRedirect
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

import core.idempotency as idempotency
from core.idempotency import FIELD, IdempotencyMiddleware
from core.models import IdempotencyKey
from tests.budgets.factories import UserFactory

pytestmark = pytest.mark.django_db
KEY = "0123456789abcdef0123456789abcdef"


class View:
    """A view that counts its calls and answers as told."""

    def __init__(self, answer=lambda: HttpResponseRedirect("/erledigt/")):
        self.calls = 0
        self.answer = answer

    def __call__(self, request):
        self.calls += 1
        return self.answer()


def post(user, data=None, path="/antraege/neu/"):
    request = RequestFactory().post(path, {FIELD: KEY} if data is None else data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture
def user():
    return UserFactory()


def test_the_second_post_of_a_form_does_nothing_and_goes_where_the_first_went(user):
    view = View()
    middleware = IdempotencyMiddleware(view)
    first = middleware(post(user))
    replay_request = post(user)
    with translation.override("de"):
        replay = middleware(replay_request)
    assert (first.status_code, first["Location"]) == (302, "/erledigt/")
    assert (replay.status_code, replay["Location"]) == (302, "/erledigt/")
    assert view.calls == 1
    assert [str(m) for m in get_messages(replay_request)] == [
        "Dieses Formular war bereits abgeschickt worden; es wurde kein zweites Mal verarbeitet."
    ]
    assert IdempotencyKey.objects.get().location == "/erledigt/"


def test_a_form_answered_with_a_page_may_be_sent_again(user):
    view = View(lambda: HttpResponse("Bitte die markierten Angaben berichtigen."))
    middleware = IdempotencyMiddleware(view)
    middleware(post(user))
    middleware(post(user))
    assert view.calls == 2
    assert not IdempotencyKey.objects.exists()


def test_a_failed_request_lets_the_key_go(user):
    def broken():
        raise RuntimeError("kaputt")

    middleware = IdempotencyMiddleware(View(broken))
    with pytest.raises(RuntimeError):
        middleware(post(user))
    assert not IdempotencyKey.objects.exists()


def test_keys_are_per_user(user):
    view = View()
    middleware = IdempotencyMiddleware(view)
    middleware(post(user))
    middleware(post(UserFactory()))
    assert view.calls == 2


def test_posts_without_a_key_or_without_a_login_pass_as_before(user):
    from django.contrib.auth.models import AnonymousUser

    view = View()
    middleware = IdempotencyMiddleware(view)
    middleware(post(user, data={}))
    middleware(post(user, data={}))
    middleware(post(user, data={FIELD: "not-a-key"}))
    middleware(post(AnonymousUser()))
    middleware(post(AnonymousUser()))
    assert view.calls == 5
    assert not IdempotencyKey.objects.exists()


def test_a_replay_waits_for_the_first_request_still_running(user, monkeypatch):
    IdempotencyKey.objects.create(user=user, key=KEY, path="/antraege/neu/")  # the first, still running
    naps = []

    def nap(seconds):
        naps.append(seconds)
        IdempotencyKey.objects.filter(user=user, key=KEY).update(location="/antraege/7/")  # it answers

    monkeypatch.setattr(idempotency.time, "sleep", nap)
    view = View()
    response = IdempotencyMiddleware(view)(post(user))
    assert (response.status_code, response["Location"], view.calls, len(naps)) == (302, "/antraege/7/", 0, 1)


def test_a_replay_that_waits_too_long_is_told_to_reload(user, monkeypatch):
    IdempotencyKey.objects.create(user=user, key=KEY, path="/antraege/neu/")
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0)
    monkeypatch.setattr(idempotency.time, "sleep", lambda seconds: None)
    view = View()
    with translation.override("de"):
        response = IdempotencyMiddleware(view)(post(user))
    assert (response.status_code, view.calls) == (409, 0)
    assert response.content.decode() == (
        "Dieses Formular wird noch verarbeitet. Bitte warten Sie einen Moment und laden Sie die Seite neu."
    )


def test_keys_older_than_a_day_are_forgotten(user):
    old = IdempotencyKey.objects.create(user=user, key="f" * 32, path="/", location="/x/")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    IdempotencyMiddleware(View())(post(user))
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [KEY]


def test_every_csrf_token_renders_a_new_one_time_key():
    request = RequestFactory().get("/")
    from django.middleware.csrf import get_token

    get_token(request)
    template = engines["django"].from_string(
        '<form method="post">{% csrf_token %}</form><form method="post">{% csrf_token %}</form>'
    )
    html = template.render({}, request)
    keys = re.findall(rf'name="{FIELD}" value="([0-9a-f]{{32}})"', html)
    assert len(keys) == 2 and keys[0] != keys[1]
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert "idempotency_key" not in engines["django"].from_string("{% csrf_token %}").render({})
