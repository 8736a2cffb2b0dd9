"""Races between use cases on PostgreSQL row locks (issue 8 §1): no deadlock, no server error.

Every use case below a grant locks the grant row first (``grants.awards.locks``), then its
children in primary-key order. Two use cases that touch the same grant therefore queue on the
grant row; whichever comes second sees what the first wrote and, if it may no longer act, is
refused with a German sentence. Each race is repeated so that a lock-order fault (one side
locking a drawdown before its grant) shows as ``deadlock detected``.

Two drawdown requests ∥ an amendment: tests/grants/test_race_amendment_drawdowns.py.
Accepting the final proof ∥ booking a payment: below (no settlement while a payment is on its
way; a settlement after the booking counts it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone, translation

from core.errors import DomainError
from grants.awards.models import Grant, ProofOfUse, Reclaim, Settlement
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.payments.services.run import payment_run_execute
from grants.awards.services.proof import proof_accept, proof_start_review, proof_submit
from grants.awards.services.reclaim import grant_revoke
from reporting.payments.services import payment_run_create
from tests.budgets.factories import FundingProgrammeFactory, envelope
from tests.grants.test_services_grant import approve
from tests.grants.test_services_proof import approve_plan, fill_final_proof, make_world
from tests.grants.test_services_proof import pay as proof_pay
from tests.grants.test_services_reclaim import pay
from tests.grants.test_services_reclaim import world as world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6
D = Decimal
# The German refusal of a whole revocation while a payment is ordered but not booked.
REVOCATION_BLOCKED = "ist noch nicht gebucht; Haushalt/Kasse muss sie buchen oder stornieren"


def race(*jobs: Callable[[], object]) -> tuple[list[object], list[str], list[BaseException]]:
    """Start the jobs at the same moment in threads: (results, German refusals, anything else)."""
    barrier = threading.Barrier(len(jobs))
    lock = threading.Lock()
    results: list[object] = []
    refusals: list[str] = []
    unexpected: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("de"):
                result = job()
            with lock:
                results.append(result)
        except DomainError as error:
            with lock:
                refusals.extend(str(m) for m in error.messages)
        except BaseException as error:  # a deadlock or any server error fails the test
            unexpected.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, refusals, unexpected


def running_grant(world) -> Grant:
    """A 2026 grant (8,500.00) with 3,000.00 paid, so that a revocation has something to reclaim."""
    programme = FundingProgrammeFactory(drawdown_window_value=6, drawdown_window_unit="weeks")
    envelope(office=world["sn"], programme=programme, budget_year=2026, allocated=D("50000"))
    grant, carrier = approve(world, programme=programme)
    world["carrier"] = carrier
    pay(grant, world, "3000.00", date(2026, 3, 5))
    return Grant.objects.get(pk=grant.pk)


def ordered(world, grant: Grant, amount: str) -> Drawdown:
    drawdown = drawdown_request(
        grant=grant,
        by=world["carrier"],
        amount=D(amount),
        needed_on=date(2026, 3, 20),
        purpose="Honorare",
        today=date(2026, 3, 10),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    return drawdown_order(drawdown=drawdown, by=world["finance"])


def revoke(world, grant: Grant) -> Callable[[], object]:
    return lambda: grant_revoke(
        grant=grant, by=world["approver"], revoked_on=date(2026, 4, 1), reasons="Zweck verfehlt"
    )


def assert_one_outcome(grant: Grant, drawdowns: list[Drawdown], refusals: list[str]) -> None:
    """Paid either way; revoked (reclaiming all that was paid) only if the booking came first."""
    grant = Grant.objects.get(pk=grant.pk)
    assert [Drawdown.objects.get(pk=d.pk).state for d in drawdowns] == [DrawdownState.PAID] * len(drawdowns)
    paid = D("3000.00") + sum((d.amount for d in drawdowns), D(0))
    if refusals:  # the revocation came first and found the ordered payment
        assert len(refusals) == 1 and REVOCATION_BLOCKED in refusals[0]
        assert grant.state == "running" and not Reclaim.objects.filter(grant=grant).exists()
    else:  # the booking came first: the revocation reclaims it too
        assert grant.state == "reclaim"
        assert Reclaim.objects.get(grant=grant).principal == paid


def test_booking_a_payment_while_the_grant_is_revoked(world):
    for _round in range(ROUNDS):
        grant = running_grant(world)
        drawdown = ordered(world, grant, "1000.00")

        _results, refusals, unexpected = race(
            lambda d=drawdown: drawdown_book_payment(
                drawdown=d, by=world["finance2"], paid_on=date(2026, 3, 25)
            ),
            revoke(world, grant),
        )

        assert unexpected == []
        assert_one_outcome(grant, [drawdown], refusals)


def test_executing_a_payment_run_while_the_grant_is_revoked(world):
    for _round in range(ROUNDS):
        grant = running_grant(world)
        first, second = ordered(world, grant, "400.00"), ordered(world, grant, "600.00")
        when = timezone.localdate()  # executed today: an execution is never booked for a later day
        run = payment_run_create(drawdowns=[second, first], execution_date=when, by=world["finance"])

        _results, refusals, unexpected = race(
            lambda r=run, w=when: payment_run_execute(run=r, executed_on=w, by=world["finance2"]),
            revoke(world, grant),
        )

        assert unexpected == []
        assert_one_outcome(grant, [first, second], refusals)


def proof_in_review_with_an_ordered_payment(world) -> tuple[ProofOfUse, Drawdown]:
    """DOMAIN.md §4.1's plan, 50,000.00 paid, 100.00 ordered but not paid, the final proof in review."""
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
    proof_pay(world, grant, carrier, "50000")
    drawdown = drawdown_request(
        grant=grant,
        by=carrier,
        amount=D("100"),
        needed_on=date(2026, 6, 1),
        purpose="Rest",
        today=date(2026, 6, 1),
    )
    drawdown = drawdown_order(
        drawdown=drawdown_certify(drawdown=drawdown, by=world["officer"]), by=world["finance"]
    )
    actual = {"Personal": "38000", "Honorare": "11500", "Sachkosten": "10000", "Reisekosten": "500"}
    proof = fill_final_proof(grant.proofs.get(kind="final"), carrier, actual=actual, own="6000")
    proof = proof_submit(proof=proof, by=carrier)
    return proof_start_review(proof=proof, by=world["officer"]), drawdown


def test_accepting_the_final_proof_while_a_payment_is_booked():
    world = make_world()
    for _round in range(ROUNDS // 2):
        proof, drawdown = proof_in_review_with_an_ordered_payment(world)

        _results, refusals, unexpected = race(
            lambda p=proof: proof_accept(proof=p, by=world["officer"], decided_on=date(2026, 12, 1)),
            lambda d=drawdown: drawdown_book_payment(
                drawdown=d, by=world["finance2"], paid_on=date(2026, 6, 3)
            ),
        )

        assert unexpected == []
        # The payment is booked either way; the settlement only if it came after the booking,
        # and then it counts the payment (no settlement while a payment is on its way).
        assert Drawdown.objects.get(pk=drawdown.pk).state == DrawdownState.PAID
        settlement = Settlement.objects.filter(proof=proof).first()
        if refusals:
            assert settlement is None and len(refusals) == 1 and "aber nicht ausgezahlt" in refusals[0]
            assert ProofOfUse.objects.get(pk=proof.pk).is_in_review
        else:
            assert settlement is not None and settlement.paid == D("50100.00")
