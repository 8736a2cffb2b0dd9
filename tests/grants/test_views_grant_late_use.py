"""The late-use interest page: window end, days late, interest piece by piece, then the claim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from grants.awards.models import Reclaim
from grants.awards.services.reclaim import drawdown_record_use
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_reclaim import build_grant, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def late(world):
    """DOMAIN.md §4.3: 12,000.00 paid on 03.03.2025, window ends 14.04.2025, used on 02.06.2025."""
    grant = build_grant(world, instalments={2025: "15000.00"})
    drawdown = pay(grant, world, "12000.00", date(2025, 3, 3))
    drawdown = drawdown_record_use(drawdown=drawdown, used_on=date(2025, 6, 2), by=world["carrier"])
    return grant, drawdown


def _url(grant, drawdown) -> str:
    return reverse("late_use_claim", args=[grant.pk, drawdown.pk])


def test_late_use_page_shows_window_end_days_late_and_every_interest_piece(client, world, late):
    grant, drawdown = late
    client.force_login(world["officer"])
    page = html(client.get(_url(grant, drawdown)))
    assert "14.04.2025" in page  # the window's last day (6 weeks after 03.03.2025)
    assert ">49<" in page  # 02.06.2025 − 14.04.2025
    # One piece: 03.03.2025 up to and including 01.06.2025, 91 days at 2.27 + 5 = 7.27 %.
    assert "03.03.2025" in page and "01.06.2025" in page and ">91<" in page
    assert "7,27 %" in page
    assert "217,5025 €" in page and "217,50 €" in page
    assert 'name="decided_on"' in page


def test_case_officer_claims_the_interest_and_lands_on_the_claim(client, world, late):
    grant, drawdown = late
    client.force_login(world["officer"])
    response = client.post(_url(grant, drawdown), {"decided_on": "2025-07-15", "reasons": ""})
    reclaim = Reclaim.objects.get(grant=grant)
    assert response.status_code == 302
    assert response["Location"] == reverse("reclaim_detail", args=[grant.pk, reclaim.pk])
    assert (reclaim.kind, reclaim.principal, reclaim.interest_basis) == (
        "late_use",
        Decimal("0.00"),
        Decimal("12000.00"),
    )
    assert (reclaim.interest_from, reclaim.interest_until) == (date(2025, 3, 3), date(2025, 6, 2))
    assert reclaim.decided_on == date(2025, 7, 15)
    # Claimed once: the page now says so and offers no second claim.
    page = html(client.get(_url(grant, drawdown)))
    assert 'name="decided_on"' not in page
    assert reverse("reclaim_detail", args=[grant.pk, reclaim.pk]) in page


def test_drawdowns_page_links_the_late_use_page_for_deciders_only(client, world, late):
    grant, drawdown = late
    url = reverse("grant_drawdowns", args=[grant.pk])
    client.force_login(world["officer"])
    assert _url(grant, drawdown) in html(client.get(url))
    for user in (world["carrier"], world["finance"]):
        client.force_login(user)
        assert _url(grant, drawdown) not in html(client.get(url))


def test_late_use_page_is_hidden_from_other_organisations_and_unrelated_offices(client, world, late):
    grant, drawdown = late
    for user in (carrier_user(OrganisationFactory()), world["mv_officer"]):
        client.force_login(user)
        assert client.get(_url(grant, drawdown)).status_code == 404
        assert client.post(_url(grant, drawdown), {"decided_on": "2025-07-15"}).status_code == 404


def test_recipient_and_finance_may_not_claim_late_use_interest(client, world, late):
    grant, drawdown = late
    for user in (world["carrier"], world["finance"]):
        client.force_login(user)
        assert client.get(_url(grant, drawdown)).status_code == 403
        assert client.post(_url(grant, drawdown), {"decided_on": "2025-07-15"}).status_code == 403
    assert not Reclaim.objects.exists()


def test_money_used_within_the_window_bears_no_interest_and_offers_no_claim(client, world):
    grant = build_grant(world, instalments={2025: "15000.00"})
    drawdown = pay(grant, world, "12000.00", date(2025, 3, 3))
    drawdown = drawdown_record_use(drawdown=drawdown, used_on=date(2025, 4, 14), by=world["carrier"])
    client.force_login(world["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.get(_url(grant, drawdown)))
    assert "within the drawdown window that ended on 04/14/2025; no interest is due." in page
    assert 'name="decided_on"' not in page
    response = client.post(_url(grant, drawdown), {"decided_on": "2025-07-15"})
    assert response.status_code == 200 and not Reclaim.objects.exists()
