"""The glossary and the accessibility statement: open to everyone, linked from every page's
footer; feedback on barriers goes by e-mail to the accessibility contact (issue 11 §4, §5)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from core.pages import ENFORCEMENT_URL, GLOSSARY, glossary_url
from tests.budgets.factories import UserFactory, membership, office
from tests.grants.factories import OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def users():
    local = office(name="Partnerschaft für Demokratie Görlitz", code="GR")
    officer = UserFactory(username="sachbearbeitung")
    membership(officer, local, "case_officer")
    carrier = carrier_user(OrganisationFactory(name="Bürgerbündnis Görlitz e.V."), username="traeger")
    return {"officer": officer, "carrier": carrier}


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def assert_footer_links(html: str) -> None:
    part = footer(html)
    assert f'href="{reverse("glossary")}"' in part
    assert f'href="{reverse("accessibility")}"' in part
    assert "Erklärung zur Barrierefreiheit" in part
    assert "Glossar" in part


@pytest.mark.parametrize("who", [None, "officer", "carrier"])
def test_the_footer_of_every_page_links_glossary_and_accessibility_statement(client, users, who):
    if who:
        client.force_login(users[who])
        pages = [reverse("account"), reverse("glossary"), reverse("accessibility")]
        if who == "carrier":
            pages += [reverse("application_list")]
        else:
            pages += [reverse("worklist"), reverse("grant_list")]
    else:
        pages = [reverse("login"), reverse("password_reset"), reverse("glossary"), reverse("accessibility")]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_footer_links(response.content.decode())


@pytest.mark.parametrize("who", [None, "carrier"])
def test_the_glossary_explains_the_terms_with_anchors(client, users, who):
    if who:
        client.force_login(users[who])
    page = client.get(reverse("glossary")).content.decode()
    assert '<html lang="de">' in page
    assert "<h1>Glossar</h1>" in page
    for term in GLOSSARY:
        assert f'id="{term.anchor}"' in page
        assert f'href="#{term.anchor}"' in page
    assert "Anteilfinanzierung" in page and "Fehlbedarfsfinanzierung" in page
    assert "Festbetragsfinanzierung" in page and "Vollfinanzierung" in page
    assert "Sachlich und rechnerisch richtig" in page
    assert "Bestandskraft" in page
    assert "um bis zu 20 % überschritten werden" in page
    assert "am 4. Tag nach der Aufgabe zur Post als bekanntgegeben" in page
    with translation.override("en"):
        english = [(str(term.title), str(term.text)) for term in GLOSSARY]
    for title, text in english:  # every entry is translated
        assert title not in page and text not in page


def test_the_glossary_in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("glossary")).content.decode()
    assert '<html lang="en">' in page
    assert "Share financing (Anteilfinanzierung)" in page
    assert "The financing plan is binding in total." in page


def test_glossary_url_names_an_existing_entry_or_fails():
    assert glossary_url("bestandskraft") == "/hilfe/glossar/#bestandskraft"
    with pytest.raises(ValueError):
        glossary_url("gibt-es-nicht")


@pytest.mark.parametrize("who", [None, "officer"])
def test_the_accessibility_statement_has_what_bitv_asks(client, users, who):
    if who:
        client.force_login(users[who])
    page = client.get(reverse("accessibility")).content.decode()
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in page
    assert "Diese Anwendung ist teilweise mit der BITV 2.0 vereinbar." in page
    assert 'id="known-limitations"' in page
    assert "Diese Erklärung wurde am 04.12.2026 erstellt." in page
    assert "Selbstbewertung" in page and "axe-core" in page
    assert f'href="{ENFORCEMENT_URL}"' in page
    assert "§ 16 BGG" in page
    assert 'href="mailto:barrierefreiheit@example.org"' in page
    assert '<label for="id_message">' in page


def test_feedback_on_a_barrier_is_mailed_to_the_accessibility_contact(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@amt.example"
    response = client.post(
        reverse("accessibility"),
        {
            "message": "Die Tabelle der Belege ist mit dem Screenreader nicht lesbar.",
            "page": "/zuwendungen/1/",
            "email": "leser@example.org",
        },
        follow=True,
    )
    assert "Danke: Ihre Rückmeldung wurde an die Ansprechstelle für Barrierefreiheit geschickt." in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["a11y@amt.example"]
    assert "Die Tabelle der Belege ist mit dem Screenreader nicht lesbar." in sent.body
    assert "/zuwendungen/1/" in sent.body and "leser@example.org" in sent.body


def test_feedback_without_a_message_is_refused_and_nothing_is_sent(client):
    response = client.post(reverse("accessibility"), {"message": "", "email": "kein-at"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in page
    assert mail.outbox == []


def test_the_error_page_without_context_links_them_too():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert f'href="{reverse("accessibility")}"' in page
    assert f'href="{reverse("glossary")}"' in page


def test_a_page_not_found_has_the_footer_links(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert_footer_links(response.content.decode())


def test_feedback_from_one_address_is_limited_per_hour(client, settings):
    settings.ACCESSIBILITY_FEEDBACK_PER_HOUR = 2
    data = {"message": "Der Kontrast der Schaltflächen ist zu gering."}
    for _n in range(2):
        assert client.post(reverse("accessibility"), data, REMOTE_ADDR="192.0.2.10").status_code == 302
    refused = client.post(reverse("accessibility"), data, REMOTE_ADDR="192.0.2.10")
    assert refused.status_code == 429
    assert (
        "Zu viele Nachrichten von Ihrer Adresse: Bitte versuchen Sie es in einer Stunde noch einmal "
        "oder schreiben Sie eine E-Mail an barrierefreiheit@example.org."
    ) in refused.content.decode()
    assert len(mail.outbox) == 2
    assert client.post(reverse("accessibility"), data, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 3
