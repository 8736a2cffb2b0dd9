import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_ui_is_german_even_for_an_english_browser(client):
    response = client.get("/anmelden/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert 'lang="de"' in response.content.decode()


def test_choosing_english_with_the_switcher_gives_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/anmelden/"})
    assert response.status_code == 302
    response = client.get("/anmelden/")
    assert response["Content-Language"] == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_unknown_language_cookie_falls_back_to_german(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/anmelden/")["Content-Language"] == "de"
