"""Field help on the forms with legal terms: a hint linked to its field (aria-describedby) and
a "?" link to the glossary entry, on the application, the plan editor, the proof of use and the
drawdown certification (issue 11 §4)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.awards.payments.services.drawdown import drawdown_request
from tests.grants.factories import ApplicationFactory
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = pytest.mark.django_db


def glossary_link(anchor: str, term: str) -> str:
    return (
        f'<a class="help-link" href="/hilfe/glossar/#{anchor}"><span aria-hidden="true">?</span>'
        f'<span class="visually-hidden">Erläuterung zu „{term}“ im Glossar</span></a>'
    )


@pytest.fixture
def case():
    world = make_world()
    grant, carrier = approve_plan(
        world, expenditure=[("fees", "Workshops", 2026, "2000")], own="200", instalments={2026: "1800"}
    )
    return world, grant, carrier


def test_the_financing_type_has_a_described_hint_and_a_glossary_link(client, case):
    _world, grant, carrier = case
    client.force_login(carrier)
    page = client.get(reverse("application_create")).content.decode()
    assert 'aria-describedby="id_financing_type_helptext"' in page
    assert (
        '<p class="help" id="id_financing_type_helptext">Anteil-, Fehlbedarfs-, Festbetrags- oder Vollfinanzierung'
        in page
    )
    assert glossary_link("finanzierungsart", "Beantragte Finanzierungsart") in page

    draft = ApplicationFactory(
        organisation=grant.organisation, office=grant.office, programme=grant.programme
    )
    editor = client.get(reverse("application_edit", args=[draft.pk])).content.decode()
    assert "Der Plan muss ausgeglichen sein: Ausgaben = Eigenmittel + Drittmittel + Zuwendung." in editor
    assert glossary_link("finanzierungsplan", "Finanzierungsplan") in editor
    assert glossary_link("zwanzig-prozent-regel", "20-Prozent-Regel") in editor
    assert glossary_link("eigenmittel", "Eigenmittel und Drittmittel") in editor

    detail = client.get(reverse("application_detail", args=[grant.application_id])).content.decode()
    assert glossary_link("finanzierungsart", "Finanzierungsart") in detail
    grant_page = client.get(reverse("grant_detail", args=[grant.pk])).content.decode()
    assert glossary_link("finanzierungsart", "Finanzierungsart") in grant_page
    assert glossary_link("bestandskraft", "Bestandskraft des Bescheids") in grant_page


def test_the_proof_of_use_explains_the_tolerance_and_the_receipt_list(client, case):
    _world, grant, carrier = case
    client.force_login(carrier)
    page = client.get(reverse("proof_detail", args=[grant.pk, grant.proofs.get().pk])).content.decode()
    assert "zuzüglich der Toleranz des Zuwendungsbescheids (meist 20 Prozent)" in page
    assert glossary_link("zwanzig-prozent-regel", "20-Prozent-Regel") in page
    assert glossary_link("verwendungsnachweis", "Verwendungsnachweis") in page
    assert glossary_link("belegliste", "Belegliste") in page


def test_the_certification_step_explains_sachlich_und_rechnerisch_richtig(client, case):
    world, grant, carrier = case
    today = date(2026, 2, 2)
    drawdown_request(
        grant=grant,
        by=carrier,
        amount=Decimal("500.00"),
        needed_on=today + timedelta(days=10),
        purpose="Honorare Februar",
        today=today,
    )
    client.force_login(world["officer"])
    page = client.get(reverse("grant_drawdowns", args=[grant.pk])).content.decode()
    assert "Bescheinigen Sie nur, wenn das Geld innerhalb der Abruffrist für den Zweck gebraucht wird" in page
    assert (
        page.count(glossary_link("sachlich-und-rechnerisch-richtig", "sachlich und rechnerisch richtig")) == 2
    )


def test_every_glossary_link_on_the_help_pages_leads_to_an_entry(client, case):
    _world, grant, carrier = case
    client.force_login(carrier)
    glossary = client.get(reverse("glossary")).content.decode()
    for url in (reverse("application_create"), reverse("grant_detail", args=[grant.pk])):
        for anchor in re.findall(r'href="/hilfe/glossar/#([^"]+)"', client.get(url).content.decode()):
            assert f'id="{anchor}"' in glossary
