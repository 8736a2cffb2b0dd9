"""A base rate that a decided reclaim's interest ran through cannot be changed or deleted (issue 12).

The attack that was found: finance edits the base rate of a half-year in the admin, and the
interest on an open reclaim jumps (96,37 € → 480,87 €) without any decision. Now the model,
the admin and (on PostgreSQL) the database refuse it; the decision keeps the rate it was
computed with, and rates of half-years nobody's interest has reached may still be corrected.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import translation

from core.errors import DomainError
from grants.awards.models import BaseRate
from grants.awards.services.reclaim import reclaim_interest, repayment_book
from tests.budgets.factories import UserFactory
from tests.grants.test_services_reclaim import decide, paid_2024, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def open_reclaim(paid_2024, world):  # noqa: F811
    """2,500.00 reclaimed, interest from 01.10.2024: 75,15 € when repaid on 15.02.2025 (DOMAIN §4.3)."""
    reclaim = decide(paid_2024, world)
    assert reclaim_interest(reclaim=reclaim, until=date(2025, 2, 15)).interest_accrued == D("75.15")
    return reclaim


@pytest.fixture
def admin_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_a_base_rate_used_by_a_reclaims_interest_cannot_be_changed(open_reclaim):
    rate = BaseRate.objects.get(valid_from=date(2025, 1, 1))
    rate.rate = D("12.27")
    with translation.override("de"), pytest.raises(DomainError) as refused:
        rate.save()
    assert refused.value.messages == [
        "Der Basiszinssatz von 2,27 % ab 01.01.2025 kann nicht geändert werden: Die Zinsen "
        f"entschiedener Rückforderungen wurden damit berechnet ({open_reclaim.grant.file_number}). "
        "Diese Entscheidungen behalten diesen Satz; tragen Sie die Sätze späterer Halbjahre als neue Zeilen ein."
    ]
    assert BaseRate.objects.get(valid_from=date(2025, 1, 1)).rate == D("2.27")
    assert reclaim_interest(reclaim=open_reclaim, until=date(2025, 2, 15)).interest_accrued == D("75.15")


def test_a_base_rate_used_by_a_reclaims_interest_cannot_be_deleted(open_reclaim):
    rate = BaseRate.objects.get(valid_from=date(2024, 7, 1))
    with translation.override("en"), pytest.raises(DomainError, match="cannot be deleted"):
        rate.delete()
    assert BaseRate.objects.filter(valid_from=date(2024, 7, 1)).exists()


def test_the_admin_refuses_the_edit_with_the_reason_and_the_interest_stays(open_reclaim, admin_client):
    rate = BaseRate.objects.get(valid_from=date(2024, 7, 1))
    url = f"/admin/grants/baserate/{rate.pk}/change/"
    response = admin_client.post(
        url, {"valid_from": "2024-07-01", "rate": "13.37"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert (
        "cannot be changed: the interest of decided reclaims was computed with it"
        in response.content.decode()
    )
    assert open_reclaim.grant.file_number in response.content.decode()
    assert BaseRate.objects.get(pk=rate.pk).rate == D("3.37")
    assert reclaim_interest(reclaim=open_reclaim, until=date(2025, 2, 15)).interest_accrued == D("75.15")


def test_the_admin_offers_no_deletion_of_a_used_rate(open_reclaim, admin_client):
    rate = BaseRate.objects.get(valid_from=date(2024, 7, 1))
    assert admin_client.get(f"/admin/grants/baserate/{rate.pk}/delete/").status_code == 403
    response = admin_client.post(
        "/admin/grants/baserate/",
        {"action": "delete_selected", "_selected_action": [rate.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert BaseRate.objects.filter(pk=rate.pk).exists()


def test_a_half_year_no_interest_has_reached_may_still_be_corrected(open_reclaim, admin_client):
    # An open reclaim bears interest until today; a half-year after today is not used yet.
    ahead = BaseRate.objects.create(valid_from=date(2031, 1, 1), rate=D("1.50"))
    response = admin_client.post(
        f"/admin/grants/baserate/{ahead.pk}/change/", {"valid_from": "2031-01-01", "rate": "1.75"}
    )
    assert response.status_code == 302
    assert BaseRate.objects.get(pk=ahead.pk).rate == D("1.75")
    ahead.delete()
    assert not BaseRate.objects.filter(valid_from=date(2031, 1, 1)).exists()


def test_a_settled_reclaim_uses_only_the_half_years_until_its_repayment(open_reclaim, world):  # noqa: F811
    repayment_book(
        reclaim=open_reclaim, amount=D("2575.15"), received_on=date(2025, 2, 15), by=world["finance"]
    )
    assert not BaseRate.used_by(date(2025, 7, 1)).exists()
    assert list(BaseRate.used_by(date(2025, 1, 1))) == [open_reclaim]
    later = BaseRate.objects.get(valid_from=date(2025, 7, 1))
    later.rate = D("1.28")
    later.save()  # a correction nobody's interest rests on
    assert BaseRate.objects.get(valid_from=date(2025, 7, 1)).rate == D("1.28")


def test_a_waived_interest_rests_on_no_rate(open_reclaim, world):  # noqa: F811
    from grants.awards.services.reclaim import reclaim_waive_interest

    reclaim_waive_interest(reclaim=open_reclaim, reason="Selbst angezeigt.", by=world["approver"])
    assert not BaseRate.used_by(date(2025, 1, 1)).exists()


@pytest.mark.postgres
def test_postgresql_refuses_the_update_and_the_delete_itself(open_reclaim):
    with (
        pytest.raises(Exception, match="was used by the interest of a decided reclaim"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE grants_baserate SET rate = 13.37 WHERE valid_from = '2024-07-01'")
    with (
        pytest.raises(Exception, match="was used by the interest of a decided reclaim"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM grants_baserate WHERE valid_from = '2025-01-01'")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE grants_baserate SET rate = rate WHERE valid_from = '2024-07-01'")  # no change
    assert BaseRate.objects.get(valid_from=date(2024, 7, 1)).rate == D("3.37")
