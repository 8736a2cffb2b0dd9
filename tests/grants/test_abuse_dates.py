"""Dates that cannot be true are refused, with a German sentence that names the date (issue 12).

Found by trying: a value date in 2099 and one in 2000 were both booked. Every date a person
types into a service records something that happened: it cannot lie after today, and nothing
of a grant lies before the grant began (its approval, or an earlier start of its approval
period). The day of use behind late-use interest is recorded with who and when, and frozen
once the interest was claimed.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import LedgerEntry
from core.errors import DomainError
from grants.awards.models import Grant, Reclaim, Repayment, UseOfFundsRecord
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.services.grant import grant_notice_post
from grants.awards.services.reclaim import (
    drawdown_record_use,
    grant_revoke,
    late_use_interest_claim,
    repayment_book,
)
from grants.awards.services.reclaim.late_use import late_use_interest
from tests.grants.test_services_reclaim import build_grant, decide, paid_2024, pay, world  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
FUTURE = date(2099, 1, 1)
LONG_AGO = date(2000, 1, 1)


def german(call) -> list[str]:
    with translation.override("de"), pytest.raises(DomainError) as refused:
        call()
    return refused.value.messages


def today() -> str:
    return timezone.localdate().strftime("%d.%m.%Y")


@pytest.fixture
def ordered(world):  # noqa: F811
    """An ordered payment of a 2024/2025 grant approved today (its approval period starts 01.01.2024)."""
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    d = drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=D("1000"),
        needed_on=date(2024, 10, 1),
        purpose="Honorare",
        today=date(2024, 10, 1),
    )
    d = drawdown_certify(drawdown=d, by=world["officer"])
    return drawdown_order(drawdown=d, by=world["finance"])


def test_a_value_date_in_2099_or_in_2000_is_refused_and_nothing_is_booked(ordered, world):  # noqa: F811
    file_number = ordered.grant.file_number
    approved = timezone.localdate(ordered.grant.approved_at).strftime("%d.%m.%Y")
    book = lambda day: drawdown_book_payment(drawdown=ordered, by=world["finance2"], paid_on=day)  # noqa: E731
    assert german(lambda: book(FUTURE)) == [
        f"Wertstellung: Der 01.01.2099 liegt in der Zukunft (heute ist der {today()})."
    ]
    assert german(lambda: book(LONG_AGO)) == [
        f"Wertstellung: Der 01.01.2000 liegt vor dem Beginn der Zuwendung {file_number} "
        f"(bewilligt am {approved}, Bewilligungszeitraum ab 01.01.2024)."
    ]
    assert Drawdown.objects.get(pk=ordered.pk).state == "ordered"
    assert not LedgerEntry.objects.filter(kind="disbursement").exists()
    assert book(date(2024, 10, 1)).paid_on == date(2024, 10, 1)  # a true day is booked


def test_the_booking_page_shows_the_refusal_and_books_nothing(client, ordered, world):  # noqa: F811
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["finance2"])
    url = reverse("drawdown_step", args=[ordered.grant_id, ordered.pk, "book"])
    response = client.post(url, {"paid_on": "2099-01-01"}, follow=True)
    assert "Wertstellung: Der 01.01.2099 liegt in der Zukunft" in response.content.decode()
    assert Drawdown.objects.get(pk=ordered.pk).paid_on is None


def test_a_reclaim_cannot_be_decided_in_the_future_or_before_the_grant(paid_2024, world):  # noqa: F811
    assert german(lambda: decide(paid_2024, world, decided_on=FUTURE)) == [
        f"Datum des Bescheids: Der 01.01.2099 liegt in der Zukunft (heute ist der {today()})."
    ]
    assert german(lambda: decide(paid_2024, world, decided_on=LONG_AGO))[0].startswith(
        "Datum des Bescheids: Der 01.01.2000 liegt vor dem Beginn der Zuwendung"
    )
    assert german(lambda: decide(paid_2024, world, interest_from=LONG_AGO))[0].startswith(
        "Zinsbeginn: Der 01.01.2000 liegt vor dem Beginn der Zuwendung"
    )
    assert not Reclaim.objects.exists()


def test_a_repayment_cannot_be_received_before_the_grant_or_in_the_future(paid_2024, world):  # noqa: F811
    reclaim = decide(paid_2024, world, interest_from=date(2024, 1, 2))
    with pytest.raises(DomainError):
        repayment_book(reclaim=reclaim, amount=D("10"), received_on=FUTURE, by=world["finance"])
    with pytest.raises(DomainError):
        repayment_book(reclaim=reclaim, amount=D("10"), received_on=LONG_AGO, by=world["finance"])
    assert not Repayment.objects.exists()


def test_a_notice_cannot_be_posted_in_the_future(world):  # noqa: F811
    grant = build_grant(world, instalments={2026: "9000.00"})
    assert german(lambda: grant_notice_post(grant=grant, posted_on=FUTURE, by=world["officer"])) == [
        f"Aufgabe zur Post: Der 01.01.2099 liegt in der Zukunft (heute ist der {today()})."
    ]
    assert Grant.objects.get(pk=grant.pk).posted_on is None


def test_a_revocation_cannot_be_dated_in_the_future(paid_2024, world):  # noqa: F811
    messages = german(
        lambda: grant_revoke(
            grant=paid_2024, by=world["approver"], revoked_on=FUTURE, reasons="Zweck verfehlt."
        )
    )
    assert messages == [
        f"Datum des Widerrufs: Der 01.01.2099 liegt in der Zukunft (heute ist der {today()})."
    ]
    assert Grant.objects.get(pk=paid_2024.pk).state != "revoked"


def test_a_receipt_cannot_be_paid_in_the_future(world):  # noqa: F811
    from grants.awards.services.proof.receipts import ReceiptRules, ReceiptValues

    tomorrow = timezone.localdate() + timedelta(days=1)
    grant = build_grant(world, instalments={tomorrow.year: "9000.00"})  # its period holds tomorrow
    proof = grant.proofs.get(kind="final")
    rules = ReceiptRules(proof)
    line = next(line for line in rules.lines.values() if line.side == "expenditure")
    values = ReceiptValues(
        number="R-1", paid_on=tomorrow, counterparty="A", reason="B", amount=D("1"), plan_line=line
    )
    with translation.override("de"):
        assert rules.errors(values) == {
            "paid_on": [
                f"Zahlungsdatum: Der {tomorrow:%d.%m.%Y} liegt in der Zukunft (heute ist der {today()})."
            ]
        }
    assert rules.errors(ReceiptValues(**{**values.__dict__, "paid_on": timezone.localdate()})) == {}


# --- the day of use behind late-use interest ---------------------------------------------------


@pytest.fixture
def paid(world):  # noqa: F811
    grant = build_grant(world, instalments={2025: "15000.00"})
    return pay(grant, world, "12000.00", date(2025, 3, 3))


def test_the_day_of_use_is_recorded_with_who_and_when(paid, world):  # noqa: F811
    drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 2), by=world["carrier"])
    drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 3), by=world["officer"])
    records = list(UseOfFundsRecord.objects.filter(drawdown=paid).values_list("used_on", "recorded_by"))
    assert records == [(date(2025, 6, 2), world["carrier"].pk), (date(2025, 6, 3), world["officer"].pk)]
    assert Drawdown.objects.get(pk=paid.pk).used_on == date(2025, 6, 3)
    assert UseOfFundsRecord.objects.filter(drawdown=paid).last().recorded_at.date() == timezone.now().date()


def test_the_day_of_use_is_frozen_once_interest_was_claimed(paid, world):  # noqa: F811
    drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 2), by=world["carrier"])
    reclaim = late_use_interest_claim(drawdown=paid, by=world["officer"], decided_on=date(2025, 7, 1))
    with translation.override("de"), pytest.raises(DomainError) as refused:
        drawdown_record_use(drawdown=paid, used_on=date(2025, 4, 1), by=world["carrier"])
    assert refused.value.messages == [
        "Für diesen Mittelabruf wurden bereits Zinsen wegen verspäteter Verwendung geltend gemacht; "
        "sein Verwendungstag steht fest."
    ]
    assert Drawdown.objects.get(pk=paid.pk).used_on == date(2025, 6, 2)
    assert UseOfFundsRecord.objects.filter(drawdown=paid).count() == 1
    assert Reclaim.objects.get(pk=reclaim.pk).interest_until == date(2025, 6, 2)
    assert late_use_interest(Drawdown.objects.get(pk=paid.pk)).used_on == date(2025, 6, 2)


def test_the_late_use_page_names_who_recorded_the_day_of_use(client, paid, world):  # noqa: F811
    world["carrier"].first_name, world["carrier"].last_name = "Björn", "Schäfer"
    world["carrier"].save()
    drawdown_record_use(drawdown=paid, used_on=date(2025, 6, 2), by=world["carrier"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(world["officer"])
    page = client.get(reverse("late_use_claim", args=[paid.grant_id, paid.pk])).content.decode()
    assert f"erfasst von Björn Schäfer am {timezone.localdate():%d.%m.%Y}" in page
