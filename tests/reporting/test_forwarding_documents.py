"""A micro-project's grant document is its first recipient's forwarding notice (public body) or
forwarding contract (private carrier), carrying over the first notice's conditions (DOMAIN §7)."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from grants.applications.models import Application
from grants.applications.services.application import (
    application_propose_approval,
    application_record_recommendation,
)
from grants.awards.services.award import application_approve
from reporting.documents.forwarding import render_forwarding_document
from reporting.models import Document
from reporting.tasks import generate_grant_notice, generate_missing_notices
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory
from tests.reporting.helpers import pdf_text

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _read(document: Document) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_chain_world()


def _last_recipient():
    return OrganisationFactory(
        name="Nachbarschaftsverein Weinhübel e.V.",
        street="Lausitzer Straße 8",
        postcode="02827",
        city="Görlitz",
        contact_person="Grit Schönfeld",
    )


def _micro_project(world, *, grant="800", threshold="1000", organisation=None):
    """The first grant, a fund „Aktionsfonds 2026“ from it and one approved micro-project."""
    world.approve_first_grant("100000")
    # The factory's reference sequence may meet the A-2026-<pk> a micro-project gets from its service.
    Application.objects.filter(pk=world.grant.application_id).update(reference="PfD-GR-2026")
    fund = world.open_fund(
        world.action_kind, "40000", name="Aktionsfonds 2026", simple_proof_threshold=D(threshold)
    )
    app = world.micro_project(fund, organisation or _last_recipient(), grant=grant)
    application_record_recommendation(
        application=app, recommendation="adopted", on=date(2026, 3, 20), by=world.pfd_officer
    )
    app = application_propose_approval(
        application=Application.objects.get(pk=app.pk), by=world.pfd_officer, instalments={2026: D(grant)}
    )
    return application_approve(application=app, by=world.pfd_approver).grant


def _private_first_recipient(world):
    municipality = world.municipality
    municipality.name = "Demokratiezentrum Oberlausitz e.V."
    municipality.legal_form = "ev"
    municipality.street = "Jakobstraße 5"
    municipality.save()


def test_a_public_first_recipient_issues_a_forwarding_notice_in_its_name(world):
    grant = _micro_project(world)
    first = world.grant
    text = pdf_text(render_forwarding_document(grant=grant))
    flat = _flat(text)

    assert "Weiterleitungsbescheid" in text
    assert "Weiterleitungsvertrag" not in text
    assert "Landkreis Görlitz – PfD Landkreis Görlitz" in text  # the letterhead: the first recipient
    assert (
        "bewillige ich Ihnen im Namen des Erstempfängers Landkreis Görlitz aus dem Fonds „Aktionsfonds 2026“"
        in flat
    )
    assert "Nachbarschaftsverein Weinhübel e.V." in text
    assert "Lausitzer Straße 8" in text
    assert grant.file_number in text
    assert first.file_number in text
    assert (
        f"Zuwendungsbescheid der Bewilligungsbehörde BAFzA vom {timezone.localdate(first.approved_at):%d.%m.%Y} "
        f"(Aktenzeichen {first.file_number})"
    ) in flat
    assert "Nr. 12 der Verwaltungsvorschriften zu § 44 BHO" in flat
    assert "Demokratie leben! Partnerschaften" in flat
    assert "800,00 €" in text
    assert "01.04.2026 – 31.10.2026" in text
    # the financing type of the micro-project (the factory plan: all costs covered by the grant)
    assert grant.get_financing_type_display() and "(Projektförderung)" in flat
    # the ANBest-P are part of the notice
    assert (
        "Allgemeinen Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P) sind Bestandteil dieses Bescheids"
        in flat
    )
    assert "Anlage: Allgemeine Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P)" in flat
    # audit rights of the granting authority and of the court of audit
    assert "Der Erstempfänger und die Bewilligungsbehörde BAFzA sind berechtigt, beim Letztempfänger" in flat
    assert "Der Bundesrechnungshof ist berechtigt, beim Letztempfänger zu prüfen (§ 91 BHO)." in flat
    # reclaim and interest by administrative act
    assert "§ 49a Abs. 3 VwVfG" in flat
    assert "Erstattete Beträge fließen dem Fonds „Aktionsfonds 2026“ zu." in flat
    # a notice can be objected to, at the first recipient
    assert "Rechtsbehelfsbelehrung" in text
    assert "Widerspruch" in flat
    assert "Unterschrift Erstempfänger" not in flat  # no signature lines: a notice is an act


def test_simple_proof_up_to_the_funds_threshold_and_full_proof_above_it(world):
    grant = _micro_project(world, grant="800", threshold="1000")
    flat = _flat(pdf_text(render_forwarding_document(grant=grant)))
    assert "Die Verwendung der Zuwendung ist dem Erstempfänger bis zum" in flat
    assert (
        "genügt ein einfacher Verwendungsnachweis: ein kurzer Sachbericht und ein zahlenmäßiger Nachweis ohne Belegliste"
        in flat
    )
    assert "1.000,00 €" in flat

    fund = grant.fund
    fund.simple_proof_threshold = D("500")
    fund.save()
    grant.refresh_from_db()
    flat = _flat(pdf_text(render_forwarding_document(grant=grant)))
    assert "einem Sachbericht, einem zahlenmäßigen Nachweis und einer Belegliste" in flat
    assert "Ein einfacher Verwendungsnachweis ohne Belegliste ist nur bis 500,00 € zugelassen." in flat
    assert "genügt ein einfacher Verwendungsnachweis" not in flat


def test_a_private_first_recipient_signs_a_forwarding_contract_with_both_parties(world):
    _private_first_recipient(world)
    grant = _micro_project(world)
    first = world.grant
    text = pdf_text(render_forwarding_document(grant=grant))
    flat = _flat(text)

    assert "Weiterleitungsvertrag" in text
    assert "Weiterleitungsbescheid" not in text
    assert "Demokratiezentrum Oberlausitz e.V., Jakobstraße 5" in flat
    assert "– im Folgenden „Erstempfänger“ –" in flat
    assert (
        "Nachbarschaftsverein Weinhübel e.V., Lausitzer Straße 8, 02827 Görlitz, vertreten durch Grit Schönfeld"
        in flat
    )
    assert "– im Folgenden „Letztempfänger“ –" in flat
    assert "Aktionsfonds 2026" in flat
    assert first.file_number in text
    assert "800,00 €" in text
    assert (
        "Allgemeinen Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P) sind Bestandteil dieses Vertrags"
        in flat
    )
    assert "die Bewilligungsbehörde BAFzA sind berechtigt, beim Letztempfänger" in flat
    assert "(§ 91 BHO)" in flat
    # reclaim and interest by contract, not by administrative act
    assert "Der Erstempfänger kann von diesem Vertrag zurücktreten oder ihn kündigen" in flat
    assert "vertraglich vereinbart" in flat
    assert "Rechtsbehelfsbelehrung" not in text
    # signature lines for both parties
    assert "Unterschrift Erstempfänger" in flat
    assert "Unterschrift Letztempfänger" in flat
    assert "Grit Schönfeld" in flat


def test_state_money_is_audited_by_the_state_court_of_audit(world):
    grant = _micro_project(world)
    envelope = grant.fund.envelope
    envelope.funding_source = "state"
    envelope.save()
    first_office = world.grant.office
    first_office.state = "SN"
    first_office.save()
    grant.refresh_from_db()
    flat = _flat(pdf_text(render_forwarding_document(grant=grant)))
    assert (
        "Der Rechnungshof des Landes Sachsen ist berechtigt, beim Letztempfänger zu prüfen (§ 91 LHO)."
        in flat
    )
    assert "Bundesrechnungshof" not in flat


def test_approval_of_a_micro_project_issues_the_forwarding_notice_not_a_grant_notice(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = _micro_project(world)
    document = Document.objects.get(object_id=grant.pk, kind__in=["grant_notice", "forwarding_notice"])
    assert (document.kind, document.subject, document.application) == (
        "forwarding_notice",
        grant,
        grant.application,
    )
    assert document.file_name == f"Weiterleitungsbescheid_{grant.file_number}.pdf"
    assert "Weiterleitungsbescheid" in pdf_text(_read(document))
    # the first recipient's own grant still got its grant notice
    assert Document.objects.filter(object_id=world.grant.pk, kind="grant_notice").exists()
    # a retried job keeps the one document; the daily catch-up finds nothing missing
    assert generate_grant_notice.delay(grant.pk).get() == document.pk
    assert generate_missing_notices.delay().get() == 0
    assert Document.objects.filter(object_id=grant.pk).count() == 1


def test_approval_under_a_private_first_recipient_issues_the_forwarding_contract(
    world, django_capture_on_commit_callbacks
):
    _private_first_recipient(world)
    with django_capture_on_commit_callbacks(execute=True):
        grant = _micro_project(world)
    document = Document.objects.get(object_id=grant.pk, kind="forwarding_contract")
    assert document.file_name == f"Weiterleitungsvertrag_{grant.file_number}.pdf"
    assert "Weiterleitungsvertrag" in pdf_text(_read(document))


def test_the_daily_catch_up_issues_a_lost_forwarding_document(world):
    grant = _micro_project(world)  # callbacks not run: as if the broker had been down
    assert generate_missing_notices.delay().get() == 2  # the first grant's notice and this one
    assert Document.objects.get(object_id=grant.pk).kind == "forwarding_notice"


def test_the_grant_page_lists_and_serves_the_forwarding_document(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = _micro_project(world)
    document = Document.objects.get(object_id=grant.pk, kind="forwarding_notice")
    carrier = world.carrier_of(grant.organisation)
    for user in (carrier, world.pfd_officer):
        client.force_login(user)
        with translation.override("de"):
            page = client.get(reverse("grant_detail", args=[grant.pk]), HTTP_ACCEPT_LANGUAGE="de")
        assert page.status_code == 200
        html = page.content.decode()
        link = reverse("document_download", args=[document.pk])
        assert re.search(rf'<a href="{link}"[^>]*>Weiterleitungsbescheid</a>', html), html
        assert ">Zuwendungsbescheid</a>" not in html
        response = client.get(link)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert "Weiterleitungsbescheid" in pdf_text(body)
        assert world.grant.file_number in pdf_text(body)


def test_the_grant_page_titles_a_contract_weiterleitungsvertrag(
    client, world, django_capture_on_commit_callbacks
):
    _private_first_recipient(world)
    with django_capture_on_commit_callbacks(execute=True):
        grant = _micro_project(world)
    document = Document.objects.get(object_id=grant.pk, kind="forwarding_contract")
    client.force_login(world.carrier_of(grant.organisation))
    page = client.get(reverse("grant_detail", args=[grant.pk]), HTTP_ACCEPT_LANGUAGE="de")
    link = reverse("document_download", args=[document.pk])
    assert re.search(rf'<a href="{link}"[^>]*>Weiterleitungsvertrag</a>', page.content.decode())


def test_other_carriers_cannot_download_the_forwarding_document(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = _micro_project(world)
    document = Document.objects.get(object_id=grant.pk, kind="forwarding_notice")
    stranger = world.carrier_of(OrganisationFactory(name="Kulturverein Zittau e.V."))
    client.force_login(stranger)
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 404
