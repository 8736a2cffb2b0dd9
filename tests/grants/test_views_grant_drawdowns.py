"""Drawdown pages: request by the recipient, certify, order and book by the office's roles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from budgets.models import LedgerEntry
from core.errors import DomainError
from grants.awards.models import Grant
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_headroom_by_year, drawdown_request
from tests.grants.test_views_grant_detail import granted as granted  # fixture

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _request(grant, workflow, amount="2000.00"):
    return drawdown_request(
        grant=grant,
        by=workflow.carrier,
        amount=Decimal(amount),
        needed_on=date(2026, 3, 20),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )


def _step(client, grant, drawdown, step, data=None, **kwargs):
    return client.post(reverse("drawdown_step", args=[grant.pk, drawdown.pk, step]), data or {}, **kwargs)


def test_whole_drawdown_is_clicked_through_from_request_to_booked_payment(client, workflow, granted):
    client.force_login(workflow.carrier)
    page = html(client.get(reverse("grant_drawdowns", args=[granted.pk])))
    assert "01.05.2026" in page  # the 6-week window from today, 20.03.2026
    assert "9.000,00 €" in page  # still available in 2026
    response = client.post(
        reverse("drawdown_request", args=[granted.pk]),
        {"amount": "2.500,00", "needed_on": "2026-03-20", "purpose": "Honorare März"},
        follow=True,
    )
    assert response.status_code == 200
    drawdown = Drawdown.objects.get(grant=granted)
    assert (drawdown.amount, drawdown.state, drawdown.budget_year) == (Decimal("2500.00"), "requested", 2026)
    assert "6.500,00 €" in html(response)  # 9,000 − 2,500 still available

    client.force_login(workflow.officer)
    _step(client, granted, drawdown, "certify", {"comment": "sachlich und rechnerisch richtig"})
    client.force_login(workflow.finance)
    _step(client, granted, drawdown, "order")
    response = _step(client, granted, drawdown, "book", {"paid_on": "2026-03-05"}, follow=True)
    drawdown.refresh_from_db()
    assert (drawdown.state, drawdown.paid_on) == ("paid", date(2026, 3, 5))
    assert LedgerEntry.objects.get(kind="disbursement").amount == Decimal("2500.00")
    assert Grant.objects.get(pk=granted.pk).state == "running"
    page = html(response)
    assert "Ausgezahlt" in page and "05.03.2026" in page


def test_a_request_above_the_headroom_shows_the_rule_and_keeps_the_input(client, workflow, granted):
    client.force_login(workflow.carrier)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("drawdown_request", args=[granted.pk]),
        {"amount": "9500", "needed_on": "2026-03-20", "purpose": "Alles"},
    )
    assert response.status_code == 200
    assert "exceed what can still be requested for 2026" in html(response)
    assert 'value="Alles"' not in html(response)  # purpose is a textarea
    assert "Alles</textarea>" in html(response)
    assert not Drawdown.objects.exists()


def test_invalid_amount_is_marked_on_the_form(client, workflow, granted):
    client.force_login(workflow.carrier)
    response = client.post(
        reverse("drawdown_request", args=[granted.pk]), {"amount": "zwei", "needed_on": "", "purpose": "x"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html(response)
    assert not Drawdown.objects.exists()


def test_each_step_is_refused_to_the_wrong_role(client, workflow, granted):
    drawdown = _request(granted, workflow)
    # Staff cannot request, the recipient cannot certify, a case officer cannot order.
    client.force_login(workflow.officer)
    assert client.post(reverse("drawdown_request", args=[granted.pk]), {}).status_code == 403
    assert _step(client, granted, drawdown, "cancel").status_code == 403
    for user, step in [
        (workflow.carrier, "certify"),
        (workflow.finance, "certify"),
        (workflow.officer, "order"),
        (workflow.officer, "book"),
        (workflow.auditor, "reject"),
    ]:
        client.force_login(user)
        assert (
            _step(client, granted, drawdown, step, {"comment": "x", "paid_on": "2026-03-05"}).status_code
            == 403
        )
    assert Drawdown.objects.get(pk=drawdown.pk).state == "requested"


def test_drawdown_pages_are_hidden_from_other_organisations_and_unrelated_offices(client, workflow, granted):
    drawdown = _request(granted, workflow)
    urls = [
        ("get", reverse("grant_drawdowns", args=[granted.pk])),
        ("post", reverse("drawdown_request", args=[granted.pk])),
        *[
            ("post", reverse("drawdown_step", args=[granted.pk, drawdown.pk, s]))
            for s in ("certify", "reject", "order", "book", "cancel", "use")
        ],
    ]
    for user in (workflow.other_carrier, workflow.unrelated_officer, workflow.sibling_officer):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    client.force_login(workflow.officer)
    assert (
        client.post(reverse("drawdown_step", args=[granted.pk, drawdown.pk, "nonsense"])).status_code == 404
    )


def test_four_eyes_refusal_is_shown_as_a_message(client, workflow, granted):
    from tests.budgets.factories import membership

    membership(workflow.officer, workflow.office, "finance")
    drawdown = _request(granted, workflow)
    client.force_login(workflow.officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _step(client, granted, drawdown, "certify")
    response = _step(client, granted, drawdown, "order", follow=True)
    assert "Four-eyes principle" in html(response)
    assert Drawdown.objects.get(pk=drawdown.pk).state == "certified"


def test_rejection_needs_a_reason_and_the_recipient_can_withdraw(client, workflow, granted):
    first, second = _request(granted, workflow), _request(granted, workflow, amount="100.00")
    client.force_login(workflow.officer)
    response = _step(client, granted, first, "reject", {"comment": ""})
    assert response.status_code == 200 and 'aria-invalid="true"' in html(response)
    _step(client, granted, first, "reject", {"comment": "Zweck nicht förderfähig"})
    client.force_login(workflow.carrier)
    _step(client, granted, second, "cancel")
    assert sorted(Drawdown.objects.values_list("state", flat=True)) == ["cancelled", "rejected"]


def test_drawdown_queue_lists_only_the_officials_subtree(client, workflow, granted):
    _request(granted, workflow)
    client.force_login(workflow.finance)
    assert granted.file_number in html(client.get(reverse("drawdown_queue"), {"state": "requested"}))
    assert granted.file_number not in html(client.get(reverse("drawdown_queue"), {"state": "paid"}))
    client.force_login(workflow.unrelated_officer)
    assert granted.file_number not in html(client.get(reverse("drawdown_queue")))
    client.force_login(workflow.carrier)
    assert client.get(reverse("drawdown_queue")).status_code == 403


@pytest.mark.parametrize("n", [1, 10])
def test_drawdown_page_costs_the_same_queries_for_1_and_10_drawdowns(
    client, workflow, granted, django_assert_num_queries, n
):
    for _ in range(n):
        _request(granted, workflow, amount="100.00")
    client.force_login(workflow.officer)
    url = reverse("grant_drawdowns", args=[granted.pk])
    client.get(url)
    # ... as before, plus one for the late-use interest claims of the grant's drawdowns, two for
    # the headroom read that the request service checks too (issue 8: one read for page and
    # service), one for which drawdowns are in a payment run (no hand booking offered for those)
    with django_assert_num_queries(13):
        response = client.get(url)
    assert html(response).count('class="badge badge--requested"') == n


@pytest.mark.parametrize("n", [1, 10])
def test_drawdown_queue_costs_the_same_queries_for_1_and_10_rows(
    client, workflow, granted, django_assert_num_queries, n
):
    for _ in range(n):
        _request(granted, workflow, amount="100.00")
    client.force_login(workflow.finance)
    url = reverse("drawdown_queue")
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert html(response).count('class="badge badge--requested"') == n


def test_the_headroom_on_the_request_form_is_what_the_request_service_checks(client, workflow, granted):
    _request(granted, workflow, amount="2345.67")
    client.force_login(workflow.carrier)
    response = client.get(reverse("grant_drawdowns", args=[granted.pk]))
    (instalment, headroom) = drawdown_headroom_by_year(granted)[2026]
    assert (instalment, headroom) == (Decimal("9000.00"), Decimal("6654.33"))
    assert response.context["headroom_total"] == headroom
    assert "6.654,33 €" in html(response)
    # One cent more than the page shows is refused, exactly what it shows is accepted.
    with pytest.raises(DomainError):
        _request(granted, workflow, amount="6654.34")
    assert _request(granted, workflow, amount="6654.33").amount == headroom
