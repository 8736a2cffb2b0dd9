"""The settlement shown before the final proof is accepted is the settlement that is booked.

The accept page shows :func:`settlement_preview`; ``proof_accept`` calls the same function
under its locks before it writes. These tests read the figures off the page and compare them
with what the service then stores, cent for cent.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.formatting import format_eur
from grants.awards.models import ProofOfUse, Settlement
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_request
from grants.awards.services.proof import proof_start_review, proof_submit
from grants.awards.services.proof.settlement import FIGURES
from tests.grants.test_services_proof import approve_plan, fill_final_proof, make_world, pay

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def after_the_settlement(clock):
    """Today is after the settlement of 01.03.2027: no decision may lie in the future."""
    clock.set(2027, 3, 15)


@pytest.fixture
def world():
    return make_world()


def in_review(world, *, paid: str, actual: dict[str, str], own: str = "6000", unpaid: str = "") -> ProofOfUse:
    """DOMAIN.md §4.1's plan (deficit financing, 54,000 granted), paid and its final proof in review;
    ``unpaid``: a further drawdown requested (and left unpaid) before the proof is handed in."""
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("staff", "Personal", 2026, "40000"),
            ("fees", "Honorare", 2026, "10000"),
            ("material", "Sachkosten", 2026, "8000"),
            ("travel", "Reisekosten", 2026, "2000"),
        ],
        own="6000",
        instalments={2026: "54000"},
    )
    pay(world, grant, carrier, paid)
    if unpaid:
        drawdown_request(
            grant=grant,
            by=carrier,
            amount=D(unpaid),
            needed_on=date(2026, 6, 1),
            purpose="Rest",
            today=date(2026, 6, 1),
        )
    proof = fill_final_proof(grant.proofs.get(kind="final"), carrier, actual=actual, own=own)
    proof = proof_submit(proof=proof, by=carrier)
    return proof_start_review(proof=proof, by=world["officer"])


def shown_figures(page: str) -> dict[str, str]:
    """The figures of the preview as the page prints them (``data-figure`` cells)."""
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', page))


def accept_on_the_page(client, proof: ProofOfUse) -> tuple[dict, dict[str, str]]:
    url = reverse("proof_detail", args=[proof.grant_id, proof.pk])
    response = client.get(url)
    assert response.status_code == 200
    preview = response.context["settlement_preview"]
    shown = shown_figures(response.content.decode())
    client.post(
        reverse("proof_step", args=[proof.grant_id, proof.pk, "accept"]),
        {"decided_on": "01.03.2027", "comment": ""},
    )
    return preview, shown


@pytest.mark.parametrize(
    ("paid", "actual", "expected"),
    [
        # §4.1: materials capped at 9,600; final grant 53,600; 50,000 paid → last payment 3,600.
        (
            "50000",
            {"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisekosten": "500"},
            {
                "final_grant": "53600.00",
                "paid": "50000.00",
                "reclaim_amount": "0.00",
                "last_payment": "3600.00",
            },
        ),
        # Spent less: A = 40,333.33, final grant A − own 6,000 = 34,333.33; 54,000 paid → a reclaim.
        (
            "54000",
            {"Personal": "30000", "Honorare": "10000", "Sachkosten": "333.33", "Reisekosten": "0"},
            {
                "final_grant": "34333.33",
                "paid": "54000.00",
                "reclaim_amount": "19666.67",
                "last_payment": "0.00",
            },
        ),
    ],
)
def test_the_accept_page_shows_exactly_the_settlement_that_accepting_books(
    client, world, paid, actual, expected
):
    proof = in_review(world, paid=paid, actual=actual)
    client.force_login(world["officer"])

    preview, shown = accept_on_the_page(client, proof)

    settlement = Settlement.objects.get(proof=proof)
    written = {name: getattr(settlement, name) for name in FIGURES}
    assert {k: str(v) for k, v in written.items() if k in expected} == expected
    assert preview.figures() == written
    assert settlement.lines == [line.as_json() for line in preview.lines]
    assert shown == {name: format_eur(written[name]) for name in shown}
    assert set(shown) == {"final_grant", "paid", "reclaim_amount", "last_payment"}


def test_a_preview_with_an_unpaid_drawdown_names_the_problem_and_accepting_writes_nothing(client, world):
    proof = in_review(
        world,
        paid="50000",
        actual={"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisekosten": "500"},
        unpaid="100",
    )
    problem = (
        "1 Mittelabruf/-abrufe dieser Zuwendung ist/sind abgerufen, sachlich und rechnerisch richtig "
        "gezeichnet oder angeordnet, aber nicht ausgezahlt; sie müssen ausgezahlt oder abgelehnt werden, "
        "bevor die Zuwendung abgerechnet werden kann."
    )
    client.force_login(world["officer"])
    page = client.get(reverse("proof_detail", args=[proof.grant_id, proof.pk]))
    assert page.context["settlement_problems"] == [problem]
    assert problem in page.content.decode()
    history = (StateLog.objects.count(), LedgerEntry.objects.count(), Drawdown.objects.count())

    response = client.post(
        reverse("proof_step", args=[proof.grant_id, proof.pk, "accept"]), {"comment": ""}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [problem]
    proof.refresh_from_db()
    assert proof.is_in_review
    assert not Settlement.objects.exists()
    assert (StateLog.objects.count(), LedgerEntry.objects.count(), Drawdown.objects.count()) == history


def test_only_who_may_accept_sees_the_preview(client, world):
    proof = in_review(
        world,
        paid="50000",
        actual={"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisekosten": "500"},
    )
    url = reverse("proof_detail", args=[proof.grant_id, proof.pk])
    for user in (proof.submitted_by, world["finance"], world["approver"]):
        client.force_login(user)
        response = client.get(url)
        assert response.context["settlement_preview"] is None, user
        assert 'id="settlement-preview"' not in response.content.decode()
