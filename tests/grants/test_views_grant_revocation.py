"""Revocation (Widerruf) through the page: whole or partial, a confirmation step, then the reclaim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from core.formatting import format_eur
from grants.awards.models import Grant, Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from tests.budgets.factories import membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_reclaim import build_grant, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db

WHOLE = {
    "scope": "whole",
    "amount": "",
    "revoked_on": "2025-03-01",
    "interest_from": "",
    "reasons": "Zweck entfallen",
}


with translation.override("de"):
    THOUSAND = format_eur(Decimal("1000"))


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def paid(world):
    """Instalments 9,000.00 for 2024 and 2025; 5,000.00 paid on 01.10.2024."""
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(grant, world, "5000.00", date(2024, 10, 1))
    return Grant.objects.get(pk=grant.pk)


def _url(grant) -> str:
    return reverse("grant_revoke", args=[grant.pk])


def test_whole_revocation_shows_its_consequences_before_anything_is_done(client, world, paid):
    client.force_login(world["approver"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.post(_url(paid), WHOLE))
    assert "Please confirm: revoke the whole grant" in page
    assert "<dd>€5,000.00</dd>" in page  # paid and not yet reclaimed = reclaimed
    # open commitments: 2024: 9,000 − 5,000; 2025: 9,000 → 13,000 released
    assert "<dd>€13,000.00</dd>" in page
    assert "Budget year 2024: €4,000.00 committed" in page and "Budget year 2025: €9,000.00" in page
    assert "10/01/2024" in page  # interest from the last value date
    assert 'name="confirmed"' in page
    assert Grant.objects.get(pk=paid.pk).state == "running" and not Reclaim.objects.exists()


def test_confirmed_whole_revocation_revokes_and_reclaims_what_was_paid(client, world, paid):
    client.force_login(world["approver"])
    response = client.post(_url(paid), WHOLE | {"confirmed": "1"})
    grant = Grant.objects.get(pk=paid.pk)
    reclaim = Reclaim.objects.get(grant=grant)
    assert response["Location"] == reverse("reclaim_detail", args=[grant.pk, reclaim.pk])
    assert (grant.state, grant.revoked_on, grant.revocation_reasons) == (
        "reclaim",
        date(2025, 3, 1),
        "Zweck entfallen",
    )
    assert (reclaim.kind, reclaim.principal, reclaim.interest_from) == (
        "revocation",
        Decimal("5000.00"),
        date(2024, 10, 1),
    )


def test_partial_revocation_reclaims_the_amount_and_the_grant_goes_on(client, world, paid):
    client.force_login(world["approver"])
    data = WHOLE | {"scope": "partial", "amount": "2.000,00", "interest_from": "2024-11-01"}
    page = html(client.post(_url(paid), data))
    assert "2.000,00 €" in page and "01.11.2024" in page
    client.post(_url(paid), data | {"confirmed": "1"})
    reclaim = Reclaim.objects.get(grant=paid)
    assert (reclaim.principal, reclaim.interest_from) == (Decimal("2000.00"), date(2024, 11, 1))
    assert Grant.objects.get(pk=paid.pk).state == "running"


def test_partial_revocation_needs_an_amount(client, world, paid):
    client.force_login(world["approver"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.post(_url(paid), WHOLE | {"scope": "partial", "confirmed": "1"}))
    assert "Please enter the amount revoked." in page
    assert not Reclaim.objects.exists()


def test_the_page_says_that_open_requests_fall_and_the_revocation_rejects_them(client, world, paid):
    # Until issue 8 the page warned that such requests "would still be paid", while the service
    # rejected them: preview and write now read revocation_consequences.
    requested = drawdown_request(
        grant=paid,
        by=world["carrier"],
        amount=Decimal("1000"),
        needed_on=date(2025, 2, 3),
        purpose="Honorare",
        today=date(2025, 2, 1),
    )
    client.force_login(world["approver"])
    page = html(client.post(_url(paid), WHOLE))
    requested_on = timezone.localdate(requested.requested_at).strftime("%d.%m.%Y")
    assert (
        f"Der Mittelabruf über {THOUSAND} vom {requested_on} („Abgerufen“) entfällt mit der Zuwendung: "
        "Er wird abgelehnt und nicht ausgezahlt." in page
    )
    assert "dennoch ausgezahlt" not in page
    client.post(_url(paid), WHOLE | {"confirmed": "1"})
    assert Drawdown.objects.get(pk=requested.pk).state == "rejected"
    assert Grant.objects.get(pk=paid.pk).state == "reclaim"


def test_an_ordered_payment_blocks_the_revocation_on_the_page_and_in_the_service(client, world, paid):
    ordered = drawdown_order(
        drawdown=drawdown_certify(
            drawdown=drawdown_request(
                grant=paid,
                by=world["carrier"],
                amount=Decimal("1000"),
                needed_on=date(2025, 2, 3),
                purpose="Honorare",
                today=date(2025, 2, 1),
            ),
            by=world["officer"],
        ),
        by=world["finance"],
    )
    ordered_on = timezone.localdate(ordered.ordered_at).strftime("%d.%m.%Y")
    refusal = f"Die am {ordered_on} angeordnete Zahlung über {THOUSAND} ist noch nicht gebucht;"
    client.force_login(world["approver"])
    preview = html(client.post(_url(paid), WHOLE))
    assert refusal in preview
    assert 'name="confirmed"' not in preview
    confirmed = html(client.post(_url(paid), WHOLE | {"confirmed": "1"}))
    assert refusal in confirmed
    assert Grant.objects.get(pk=paid.pk).state == "running"
    assert Drawdown.objects.get(pk=ordered.pk).state == "ordered"
    assert not Reclaim.objects.exists()


def test_revocation_is_for_approvers_only(client, world, paid):
    for user in (world["officer"], world["finance"], world["carrier"]):
        client.force_login(user)
        assert client.get(_url(paid)).status_code == 403
        assert client.post(_url(paid), WHOLE | {"confirmed": "1"}).status_code == 403
    for user in (carrier_user(OrganisationFactory()), world["mv_officer"]):
        client.force_login(user)
        assert client.get(_url(paid)).status_code == 404
    assert Grant.objects.get(pk=paid.pk).state == "running"


def test_grant_page_offers_revocation_to_the_approver_only(client, world, paid):
    url = reverse("grant_detail", args=[paid.pk])
    client.force_login(world["approver"])
    assert _url(paid) in html(client.get(url))
    client.force_login(world["officer"])
    assert _url(paid) not in html(client.get(url))


def test_an_approver_of_the_recipient_may_not_revoke_its_grant(client, world, paid):
    insider = carrier_user(paid.organisation)
    membership(insider, world["sn"], "approver")
    client.force_login(insider)
    assert _url(paid) not in html(client.get(reverse("grant_detail", args=[paid.pk])))
    for response in (client.get(_url(paid)), client.post(_url(paid), WHOLE | {"confirmed": "1"})):
        assert response.status_code == 403
        assert "Niemand darf über einen Fall der eigenen Organisation entscheiden." in html(response)
    assert Grant.objects.get(pk=paid.pk).state == "running" and not Reclaim.objects.exists()
