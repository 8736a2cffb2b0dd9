"""Settlement at acceptance of the final proof (DOMAIN.md §3.7, §4.1, §4.2), through the services.

Every grant here is approved, paid (request → certify → order → book) and proven through the
real services; the figures are the examples of DOMAIN.md §4.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

import grants.awards.services.reclaim
from budgets.models import LedgerEntry
from grants.awards.models import Grant, ProofOfUse, Reclaim, Settlement
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_book_payment, drawdown_order
from grants.awards.services.proof import proof_accept, proof_start_review, proof_submit
from tests.grants.test_services_proof import approve_plan, fill_final_proof, make_world, pay

pytestmark = pytest.mark.django_db

D = Decimal
DECIDED = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def settled_in_march_2027(clock):
    """Today is after the settlement of 01.03.2027: no decision may lie in the future."""
    clock.set(2027, 3, 15)


@pytest.fixture
def world():
    return make_world()


def ledger(grant: Grant) -> list[tuple[str, int, Decimal]]:
    return [
        (e.kind, e.budget_year, e.amount)
        for e in LedgerEntry.objects.filter(reference=grant.file_number).order_by("pk")
    ]


def submit_and_accept(world, grant, carrier, **fill) -> Settlement:
    proof = fill_final_proof(grant.proofs.get(kind="final"), carrier, **fill)
    proof = proof_submit(proof=proof, by=carrier)
    proof = proof_start_review(proof=proof, by=world["officer"])
    proof = proof_accept(proof=proof, by=world["officer"], decided_on=DECIDED)
    return Settlement.objects.get(proof=proof)


# --- §4.1: the 20 % rule -------------------------------------------------------------------


@pytest.fixture
def example_41(world):
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
    pay(world, grant, carrier, "50000")
    return grant, carrier


def test_the_20_percent_rule_caps_materials_and_the_last_payment_is_certified(world, example_41):
    grant, carrier = example_41
    s = submit_and_accept(
        world,
        grant,
        carrier,
        actual={"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisekosten": "500"},
        own="6000",
    )
    assert (s.planned_expenditure, s.actual_expenditure, s.recognised_expenditure) == (
        D("60000.00"),
        D("60000.00"),
        D("59600.00"),
    )
    assert (s.planned_own, s.planned_third, s.actual_own, s.actual_third) == (
        D("6000"),
        D("0"),
        D("6000"),
        D("0"),
    )
    # Deficit financing: Z = A − max(Ep, Ea) − Da = 59,600 − 6,000 − 0.
    assert (s.granted, s.final_grant, s.paid, s.reclaim_amount, s.last_payment) == (
        D("54000.00"),
        D("53600.00"),
        D("50000.00"),
        D("0.00"),
        D("3600.00"),
    )
    assert [
        (
            line["number"],
            line["category"],
            line["planned"],
            line["actual"],
            line["cap"],
            line["recognised"],
            line["capped"],
        )
        for line in s.lines
    ] == [
        ("1", "staff", "40000.00", "38000.00", "48000.00", "38000.00", False),
        ("2", "fees", "10000.00", "11500.00", "12000.00", "11500.00", False),
        ("3", "material", "8000.00", "10000.00", "9600.00", "9600.00", True),
        ("4", "travel", "2000.00", "500.00", "2400.00", "500.00", False),
    ]
    assert ledger(grant) == [
        ("commitment", 2026, D("54000.00")),
        ("disbursement", 2026, D("50000.00")),
        ("proven", 2026, D("53600.00")),
        ("decommitment", 2026, D("-400.00")),
    ]
    grant.refresh_from_db()
    assert grant.state == "settled"
    last = Drawdown.objects.get(grant=grant, state="certified")
    assert (last.amount, last.budget_year, last.certified_by, last.requested_by) == (
        D("3600.00"),
        2026,
        world["officer"],
        carrier,
    )
    # Finance pays it like any drawdown; the ledger takes it within the remaining commitment.
    last = drawdown_order(drawdown=last, by=world["finance"])
    drawdown_book_payment(drawdown=last, by=world["finance2"], paid_on=date(2027, 3, 10))
    assert ledger(grant)[-1] == ("disbursement", 2026, D("3600.00"))
    assert not Reclaim.objects.exists()
    # With the last payment booked nothing is left to do: the grant's file is closed.
    grant.refresh_from_db()
    assert grant.state == "closed"


# --- §4.2: the final grant by financing type ------------------------------------------------


EXAMPLE_42 = {
    # financing type: (final grant, reclaim, grant state afterwards)
    "deficit": (D("61000.00"), D("7000.00"), "reclaim"),
    "share": (D("62050.00"), D("5950.00"), "reclaim"),
    "fixed": (D("68000.00"), D("0.00"), "closed"),
    "full": (D("68000.00"), D("0.00"), "closed"),
}


@pytest.mark.parametrize("financing_type", list(EXAMPLE_42))
def test_the_final_grant_follows_the_financing_type(world, financing_type):
    final, reclaim, state = EXAMPLE_42[financing_type]
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Personal", 2026, "80000")],
        own="8000",
        third="4000",
        instalments={2026: "68000"},
        financing_type=financing_type,
    )
    paid = pay(world, grant, carrier, "68000")
    s = submit_and_accept(world, grant, carrier, actual={"Personal": "74000"}, own="8000", third="5000")
    assert (s.planned_expenditure, s.planned_own, s.planned_third, s.granted) == (
        D("80000.00"),
        D("8000.00"),
        D("4000.00"),
        D("68000.00"),
    )
    assert (s.recognised_expenditure, s.actual_own, s.actual_third, s.paid) == (
        D("74000.00"),
        D("8000.00"),
        D("5000.00"),
        D("68000.00"),
    )
    assert (s.final_grant, s.reclaim_amount, s.last_payment) == (final, reclaim, D("0.00"))
    expected = [
        ("commitment", 2026, D("68000.00")),
        ("disbursement", 2026, D("68000.00")),
        ("proven", 2026, final),
    ]
    if reclaim:
        expected += [("decommitment", 2026, -reclaim), ("reclaim", 2026, reclaim)]
    assert ledger(grant) == expected
    grant.refresh_from_db()
    assert grant.state == state
    if reclaim:
        claim = Reclaim.objects.get(grant=grant)
        assert (claim.kind, claim.principal, claim.decided_on, claim.interest_from, claim.decided_by) == (
            "settlement",
            reclaim,
            DECIDED,
            paid.paid_on,
            world["officer"],
        )
    else:
        assert not Reclaim.objects.exists()
    assert [log.state for log in StateLog.objects.for_(grant).order_by("pk")][-2:] == (
        ["settled", "reclaim"] if reclaim else ["settled", "closed"]
    )


def test_a_two_year_grant_books_proven_money_per_plan_year_and_releases_the_latest_year_first(world):
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Personal", 2026, "10000"), ("fees", "Honorare", 2027, "10000")],
        own="2000",
        instalments={2026: "9000", 2027: "9000"},
        end=date(2027, 6, 30),
    )
    pay(world, grant, carrier, "9000")
    pay(world, grant, carrier, "4000", today=date(2027, 3, 1))
    # Recognised: 2026 10,000 and 2027 6,000 → A 16,000; deficit: 16,000 − 2,000 = 14,000.
    s = submit_and_accept(world, grant, carrier, actual={"Personal": "10000", "Honorare": "6000"}, own="2000")
    assert (s.final_grant, s.paid, s.last_payment) == (D("14000.00"), D("13000.00"), D("1000.00"))
    assert ledger(grant)[-3:] == [
        ("proven", 2026, D("8750.00")),  # 14,000 × 10,000 / 16,000
        ("proven", 2027, D("5250.00")),
        ("decommitment", 2027, D("-4000.00")),  # 18,000 committed − 14,000, from 2027 (open 5,000)
    ]
    last = Drawdown.objects.get(grant=grant, state="certified")
    assert (last.budget_year, last.amount) == (2027, D("1000.00"))


# --- all or nothing ------------------------------------------------------------------------


def test_a_failure_during_settlement_writes_nothing(world, monkeypatch):
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Personal", 2026, "80000")],
        own="8000",
        third="4000",
        instalments={2026: "68000"},
    )
    pay(world, grant, carrier, "68000")
    proof = fill_final_proof(
        grant.proofs.get(), carrier, actual={"Personal": "74000"}, own="8000", third="5000"
    )
    proof = proof_submit(proof=proof, by=carrier)
    proof = proof_start_review(proof=proof, by=world["officer"])
    before = ledger(grant)
    logs = StateLog.objects.count()

    def broken(**kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(grants.awards.services.reclaim, "reclaim_decide", broken)
    with pytest.raises(RuntimeError):
        proof_accept(proof=proof, by=world["officer"], decided_on=DECIDED)
    assert ledger(grant) == before
    assert not Settlement.objects.exists() and not Reclaim.objects.exists()
    assert ProofOfUse.objects.get(pk=proof.pk).state == "in_review"
    assert Grant.objects.get(pk=grant.pk).state == "proof_under_review"
    assert StateLog.objects.count() == logs


def test_settlement_waits_for_drawdowns_still_on_their_way(world):
    from grants.awards.payments.services.drawdown import drawdown_request

    grant, carrier = approve_plan(
        world, expenditure=[("staff", "Personal", 2026, "10000")], own="1000", instalments={2026: "9000"}
    )
    pay(world, grant, carrier, "5000")
    drawdown_request(
        grant=grant,
        by=carrier,
        amount=D("1000"),
        needed_on=date(2026, 3, 2),
        purpose="x",
        today=date(2026, 3, 2),
    )
    proof = fill_final_proof(grant.proofs.get(), carrier, actual={"Personal": "10000"}, own="1000")
    proof = proof_start_review(proof=proof_submit(proof=proof, by=carrier), by=world["officer"])
    from django.utils import translation

    from core.errors import DomainError

    with translation.override("en"), pytest.raises(DomainError) as exc:
        proof_accept(proof=proof, by=world["officer"], decided_on=DECIDED)
    with translation.override("en"):
        assert exc.value.messages == [
            "1 drawdown(s) of this grant are requested, certified or ordered but not paid; they must be paid or rejected before the grant can be settled."
        ]
    assert ProofOfUse.objects.get(pk=proof.pk).state == "in_review"


def test_a_grant_paid_nothing_yet_settles_into_one_last_payment_of_the_final_grant(world):
    grant, carrier = approve_plan(
        world, expenditure=[("staff", "Personal", 2026, "10000")], own="1000", instalments={2026: "9000"}
    )
    # Submitting the final proof ends the period of a grant that never started running.
    s = submit_and_accept(world, grant, carrier, actual={"Personal": "9500"}, own="1000")
    assert (s.final_grant, s.paid, s.last_payment) == (D("8500.00"), D("0.00"), D("8500.00"))
    assert [log.state for log in StateLog.objects.for_(grant).order_by("pk")] == [
        "proof_due",
        "proof_under_review",
        "settled",
    ]
    assert ledger(grant)[1:] == [("proven", 2026, D("8500.00")), ("decommitment", 2026, D("-500.00"))]
    last = Drawdown.objects.get(grant=grant)
    assert (last.state, last.amount, last.needed_on) == ("certified", D("8500.00"), DECIDED)
