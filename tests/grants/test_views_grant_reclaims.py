"""Reclaim pages: decision, interest piece by piece, repayments, waiver, missing base rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from grants.awards.models import BaseRate, Reclaim, Repayment
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_reclaim import build_grant, decide, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def paid(world):
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(grant, world, "5000.00", date(2024, 10, 1))
    return grant


def test_reclaim_is_decided_on_the_page_and_shows_the_domain_interest_example(client, world, paid):
    client.force_login(world["officer"])
    response = client.post(
        reverse("reclaim_decide", args=[paid.pk]),
        {
            "kind": "settlement",
            "principal": "2.500,00",
            "decided_on": "2024-11-15",
            "interest_from": "",
            "reasons": "Minderausgaben",
        },
        follow=True,
    )
    reclaim = Reclaim.objects.get(grant=paid)
    assert (reclaim.principal, reclaim.interest_from) == (Decimal("2500.00"), date(2024, 10, 1))
    page = html(client.get(reverse("reclaim_detail", args=[paid.pk, reclaim.pk]), {"until": "2025-02-15"}))
    # 92 days at 8,37 % and 45 days at 7,27 % → 75,15 €
    assert "01.10.2024" in page and "31.12.2024" in page and "14.02.2025" in page
    assert ">92<" in page and ">45<" in page
    assert "52,7425 €" in page and "22,4075 €" in page
    assert "75,15 €" in page
    assert response.status_code == 200


def test_missing_base_rate_is_shown_instead_of_any_interest(client, world, paid):
    # Missing before the decision: once a decided reclaim's interest runs through a base rate,
    # the database refuses to delete it.
    BaseRate.objects.filter(valid_from=date(2025, 1, 1)).delete()
    reclaim = decide(paid, world)
    client.force_login(world["finance"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.get(reverse("reclaim_detail", args=[paid.pk, reclaim.pk]), {"until": "2025-02-15"}))
    assert "The base rate for the half-year starting 01/01/2025 is missing." in page
    assert "Interest (rounded once)" not in page
    # ... but it offers the interest up to where the table reaches (repaid on 01.01.2025).
    assert "?until=2025-01-01" in page


def test_interest_as_far_as_the_base_rate_table_reaches(client, world, paid):
    # Missing before the decision: once a decided reclaim's interest runs through a base rate,
    # the database refuses to delete it.
    BaseRate.objects.filter(valid_from=date(2025, 1, 1)).delete()
    reclaim = decide(paid, world)
    client.force_login(world["finance"])
    page = html(client.get(reverse("reclaim_detail", args=[paid.pk, reclaim.pk]), {"until": "2025-01-01"}))
    # 2,500.00 from 01.10.2024 to 31.12.2024: 92 days at 8.37 % = 52.74
    assert ">92<" in page and "52,7425 €" in page and "52,74 €" in page


def test_finance_books_a_repayment_and_the_approver_waives_interest(client, world, paid):
    reclaim = decide(paid, world)
    client.force_login(world["officer"])
    url = reverse("repayment_book", args=[paid.pk, reclaim.pk])
    assert client.post(url, {"amount": "100", "received_on": "2025-02-15"}).status_code == 403
    client.force_login(world["finance"])
    client.post(url, {"amount": "1.000,00", "received_on": "2025-02-15"})
    repayment = Repayment.objects.get(reclaim=reclaim)
    assert repayment.amount == Decimal("1000.00")
    waive = reverse("interest_waive", args=[paid.pk, reclaim.pk])
    assert client.post(waive, {"reason": "Härtefall"}).status_code == 403
    client.force_login(world["approver"])
    client.post(waive, {"reason": "Härtefall"})
    assert Reclaim.objects.get(pk=reclaim.pk).interest_waived


def test_reclaim_pages_are_hidden_from_other_organisations_and_unrelated_offices(client, world, paid):
    reclaim = decide(paid, world)
    urls = [
        ("get", reverse("grant_reclaims", args=[paid.pk])),
        ("post", reverse("reclaim_decide", args=[paid.pk])),
        ("get", reverse("reclaim_detail", args=[paid.pk, reclaim.pk])),
        ("post", reverse("repayment_book", args=[paid.pk, reclaim.pk])),
        ("post", reverse("interest_waive", args=[paid.pk, reclaim.pk])),
    ]
    for user in (carrier_user(OrganisationFactory()), world["mv_officer"], UserFactory()):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    client.force_login(world["carrier"])
    assert client.get(reverse("reclaim_detail", args=[paid.pk, reclaim.pk])).status_code == 200
    assert client.post(reverse("reclaim_decide", args=[paid.pk]), {}).status_code == 403


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("officer", {"decide"}),
        ("approver", {"decide", "waive"}),
        ("finance", {"book"}),
        ("auditor", set()),
        ("carrier", set()),
        ("insider", set()),
    ],
)
def test_the_reclaim_pages_offer_each_role_exactly_its_steps(client, world, paid, role, offered):
    reclaim = decide(paid, world)
    people = dict(world)
    people["auditor"] = UserFactory()
    membership(people["auditor"], world["sn"], "auditor")
    people["insider"] = carrier_user(paid.organisation)
    for office_role in ("case_officer", "approver", "finance"):
        membership(people["insider"], world["sn"], office_role)
    client.force_login(people[role])
    reclaims = html(client.get(reverse("grant_reclaims", args=[paid.pk])))
    detail = html(client.get(reverse("reclaim_detail", args=[paid.pk, reclaim.pk])))
    shown = {
        "decide": reverse("reclaim_decide", args=[paid.pk]) in reclaims,
        "book": reverse("repayment_book", args=[paid.pk, reclaim.pk]) in detail,
        "waive": reverse("interest_waive", args=[paid.pk, reclaim.pk]) in detail,
    }
    assert {name for name, present in shown.items() if present} == offered
