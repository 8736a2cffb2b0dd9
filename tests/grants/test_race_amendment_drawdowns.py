"""Two drawdown requests ∥ the approval of an amendment that lowers the same year's instalment
(PostgreSQL row locks, issue 8 §1).

Both use cases lock the grant row first, so they queue instead of deadlocking, and whichever
comes second sees what the first wrote: the instalment never ends below what was requested for
its year, and the loser gets a German sentence, not a server error. Repeated so that a lock-order
fault would show.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from core.errors import DomainError
from grants.awards.models import Amendment, Grant
from grants.awards.payments.models import Drawdown, DrawdownState
from grants.awards.payments.services.drawdown import drawdown_cancel, drawdown_request
from grants.awards.services.amendment import (
    amendment_approve,
    amendment_create,
    amendment_propose,
    amendment_submit,
    amendment_withdraw,
)
from tests.grants.test_services_amendment import SUBMITTED_ON, plan
from tests.grants.test_services_amendment import world as world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5
STEP = Decimal("1000")  # each round moves this much of 2026's instalment to 2027
REQUEST_REFUSED = "übersteigen den für 2026 noch abrufbaren Betrag"
APPROVAL_REFUSED = "Jahr ausgezahlten oder abgerufenen"


def proposed_amendment(world, round_: int, instalment: Decimal) -> Amendment:
    """Lower 2026's instalment by STEP and raise 2027's, staff costs following."""
    shift = 22500 - int(instalment - STEP)
    amendment = amendment_create(
        grant=world["grant"],
        by=world["carrier"],
        reason=f"Runde {round_}",
        lines=plan(y2026=(20000 - shift, 5000, 2500), y2027=(20000 + shift, 5000, 2500)),
        instalments={2026: Decimal(22500 - shift), 2027: Decimal(22500 + shift)},
    )
    amendment = amendment_submit(amendment=amendment, by=world["carrier"], today=SUBMITTED_ON)
    return amendment_propose(amendment=amendment, by=world["officer"])


def race(world, amendment: Amendment, request_amount: Decimal) -> tuple[dict[str, int], list[str], list]:
    barrier = threading.Barrier(3)
    lock = threading.Lock()
    done = {"approved": 0, "requested": 0}
    refusals: list[str] = []
    unexpected: list[BaseException] = []

    def run(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("de"):
                if name == "approve":
                    amendment_approve(amendment=amendment, by=world["approver"])
                else:
                    drawdown_request(
                        grant=Grant.objects.get(pk=world["grant"].pk),
                        by=world["carrier"],
                        amount=request_amount,
                        needed_on=date(2026, 3, 20),
                        purpose="Honorare",
                        today=date(2026, 3, 2),
                    )
            with lock:
                done["approved" if name == "approve" else "requested"] += 1
        except DomainError as error:
            with lock:
                refusals.extend(error.messages)
        except BaseException as error:  # a deadlock or any server error fails the test
            unexpected.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("approve", "request", "request")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return done, refusals, unexpected


def test_drawdown_requests_and_an_amendment_never_overcommit_the_instalment(world):
    grant = world["grant"]
    for round_ in range(ROUNDS):
        instalment = Grant.objects.get(pk=grant.pk).instalments.get(budget_year=2026).amount
        # Two requests fit the instalment now, but not the lowered one: someone must lose.
        amount = (instalment - STEP / 2) / 2
        amendment = proposed_amendment(world, round_, instalment)

        done, refusals, unexpected = race(world, amendment, amount)

        assert unexpected == []
        assert (done["approved"], done["requested"]) in {(1, 1), (0, 2)}
        assert len(refusals) == 1
        assert REQUEST_REFUSED in refusals[0] if done["approved"] else APPROVAL_REFUSED in refusals[0]
        final = Grant.objects.get(pk=grant.pk).instalments.get(budget_year=2026).amount
        requested = sum(
            (
                d.amount
                for d in Drawdown.objects.filter(grant=grant, budget_year=2026, state=DrawdownState.REQUESTED)
            ),
            Decimal(0),
        )
        assert requested <= final
        assert final == (instalment - STEP if done["approved"] else instalment)

        # Reset for the next round: the carrier withdraws what is still open.
        for drawdown in Drawdown.objects.filter(grant=grant, state=DrawdownState.REQUESTED):
            drawdown_cancel(drawdown=drawdown, by=world["carrier"])
        amendment = Amendment.objects.get(pk=amendment.pk)
        if amendment.is_open:
            amendment_withdraw(amendment=amendment, by=world["carrier"])
