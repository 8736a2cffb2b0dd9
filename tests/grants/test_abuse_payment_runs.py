"""Booking a payment run's execution: another person in finance than its creator, never for one's
own organisation, never for a day that has not come (issue 12, part 4).

There is no bank statement import yet; the execution is booked by hand on the run's page,
through ``payment_run_execute`` and the rule ``grants.execute_payment_run``.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import AccessDenied, DomainError
from grants.awards.payments.models import Drawdown, PaymentRun
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from grants.awards.payments.services.run import payment_run_execute
from grants.carriers.models import OrganisationMembership
from reporting.payments.services import payment_run_create
from tests.budgets.factories import UserFactory, membership
from tests.reporting.helpers import approved, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    for name in ("creator", "second", "member_finance"):
        world[name] = UserFactory(username=name)
        membership(world[name], world["sn"], "finance")
    world["other_finance"] = UserFactory(username="other_finance")
    membership(world["other_finance"], world["other"], "finance")
    # Finance staff who is also a member of the paid carrier (its treasurer, say).
    OrganisationMembership.objects.create(user=world["member_finance"], organisation=world["organisation"])
    grant = approved(world).grant
    drawdown = drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=Decimal("500.00"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    drawdown = drawdown_order(drawdown=drawdown, by=world["creator"])
    world["drawdown"] = drawdown
    world["run"] = payment_run_create(
        drawdowns=[drawdown], execution_date=timezone.localdate(), by=world["creator"]
    )
    return world


def refusal(call) -> list[str]:
    with translation.override("en"), pytest.raises(AccessDenied) as refused:
        call()
    return refused.value.messages


def execute(world, by, day=None):
    return payment_run_execute(run=world["run"], executed_on=day or timezone.localdate(), by=by)


def test_the_creator_of_a_run_cannot_book_its_execution(run_world):
    assert refusal(lambda: execute(run_world, run_world["creator"])) == [
        "The execution of a payment run is booked by someone other than the person who created it."
    ]
    assert Drawdown.objects.get(pk=run_world["drawdown"].pk).state == "ordered"


def test_finance_staff_of_the_paid_organisation_cannot_book_it(run_world):
    assert refusal(lambda: execute(run_world, run_world["member_finance"])) == [
        "Nobody may order a payment to their own organisation."
    ]


def test_finance_staff_of_another_office_cannot_book_it(run_world):
    assert refusal(lambda: execute(run_world, run_world["other_finance"])) == [
        "Only finance staff responsible for every payment in the run can book it."
    ]


def test_nobody_books_an_execution_on_a_day_that_has_not_come(run_world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with translation.override("de"), pytest.raises(DomainError) as refused:
        execute(run_world, run_world["second"], tomorrow)
    assert refused.value.messages == [
        f"Ausführungstag: Der {tomorrow:%d.%m.%Y} liegt in der Zukunft (heute ist der {timezone.localdate():%d.%m.%Y})."
    ]
    assert PaymentRun.objects.get(pk=run_world["run"].pk).is_open


def test_a_second_person_in_finance_books_it(run_world):
    run = execute(run_world, run_world["second"])
    assert (run.state, run.executed_by) == ("executed", run_world["second"])
    assert Drawdown.objects.get(pk=run_world["drawdown"].pk).state == "paid"


def test_the_page_offers_the_booking_only_to_another_person_and_refuses_the_creator(client, run_world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    run = run_world["run"]
    execute_url = reverse("payment_run_execute", args=[run.pk])
    client.force_login(run_world["creator"])
    assert (
        f'action="{execute_url}"'
        not in client.get(reverse("payment_run_detail", args=[run.pk])).content.decode()
    )
    assert client.post(execute_url, {"executed_on": timezone.localdate().isoformat()}).status_code == 403
    assert PaymentRun.objects.get(pk=run.pk).is_open
    client.force_login(run_world["second"])
    assert (
        f'action="{execute_url}"' in client.get(reverse("payment_run_detail", args=[run.pk])).content.decode()
    )
    client.post(execute_url, {"executed_on": timezone.localdate().isoformat(), "confirmed": "1"})
    assert PaymentRun.objects.get(pk=run.pk).state == "executed"
