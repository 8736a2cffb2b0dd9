"""The minutes of a committee session as a PDF (DOMAIN.md §7): every recusal with its reason,
each seat's vote (a deputy named), the figures and the result of each item."""

import pytest

from grants.chain.services.committee import (
    item_tallies,
    recusal_declare,
    session_close,
    session_open_voting,
    vote_cast,
)
from reporting.documents.committee_minutes import render_committee_minutes
from tests.grants.chain.committee_world import add_committee, session_with
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = build_chain_world()
    w.approve_first_grant("100000")
    fund = w.open_fund(w.action_kind, "50000")
    committee = add_committee(w, fund)
    own = w.micro_project(fund, w.verein, grant="2000")
    other = w.micro_project(fund, OrganisationFactory(name="Jugendhaus Zittau e.V."), grant="1500")
    session, (item1, item2) = session_with(w, committee, own, other)
    seats = w.seats
    recusal_declare(item=item2, member=seats["Eva Fuchs"], note="Vorstand des Jugendhauses", by=w.pfd_officer)
    session_open_voting(session=session, by=w.pfd_officer)
    for item in (item1, item2):
        vote_cast(
            item=item, member=seats["Bernd Claus"], deputy=seats["Frank Graf"], choice="yes", by=w.pfd_officer
        )
        vote_cast(item=item, member=seats["Carla Dietz"], choice="yes", by=w.pfd_officer)
        vote_cast(item=item, member=seats["Dirk Engel"], choice="no", by=w.pfd_officer)
    session_close(session=session, by=w.pfd_officer)
    session.refresh_from_db()
    return session


def test_the_minutes_name_each_recusal_the_votes_and_the_result(closed):
    pdf = render_committee_minutes(session=closed)
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    assert "Begleitausschuss Landkreis Görlitz" in text and "Sitzung vom 20.03.2026" in text
    # Item 1: the association of Anna Berger (and of her deputy) applies.
    assert "Anna Berger nahm wegen Befangenheit (Organisation ist Antragstellerin) nicht an Beratung" in text
    assert "Gisela Horn nahm wegen Befangenheit" in text
    # Item 2: a declared conflict with its note.
    assert "Eva Fuchs nahm wegen Befangenheit (Befangenheit erklärt: Vorstand des Jugendhauses)" in text
    assert "Jugendhaus Zittau e.V." in text
    assert "2.000,00 €" in text and "1.500,00 €" in text
    assert "Bernd Claus (vertreten durch Frank Graf): Ja" in text and "Dirk Engel: Nein" in text
    assert "Frank Graf (für Bernd Claus)" in text
    assert text.count("angenommen (Förderempfehlung)") == 2


def test_the_minutes_read_the_same_tallies_the_session_page_shows(closed):
    # Given the tallies or not, the document is the same and the service writes nothing.
    tallies = item_tallies(closed)
    assert [(t.yes, t.no, t.abstain, t.eligible) for t in tallies] == [(2, 1, 0, 4), (2, 1, 0, 4)]
    with_items = pdf_text(render_committee_minutes(session=closed, items=tallies))
    assert with_items == pdf_text(render_committee_minutes(session=closed))
