"""Concurrent postings never lose an increment of the envelope totals (PostgreSQL)."""

import random
import threading
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction

from budgets.models import EnvelopeTotal
from budgets.selectors import BOOKED_FIGURES, FIGURE_KINDS, total_differences
from budgets.services._locking import lock_envelopes
from budgets.services._posting import Posting, post_entries
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, office

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12
ROUNDS = 15
KIND_FIGURE = {kind: figure for figure, kinds in FIGURE_KINDS.items() for kind in kinds}


class Rollback(Exception):
    pass


def _run(threads: int, work) -> list[BaseException]:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return errors


def _kept() -> dict[tuple[int, int], dict[str, Decimal]]:
    return {
        (t.envelope_id, t.budget_year): {f: getattr(t, f) for f in BOOKED_FIGURES}
        for t in EnvelopeTotal.objects.all()
    }


def test_concurrent_bookings_on_shared_envelopes_keep_totals_equal_to_the_ledger():
    programme, by = FundingProgrammeFactory(), UserFactory()
    root = office(kind="federal")
    envelopes = [envelope(office=root, programme=programme, budget_title=f"T{i}") for i in range(3)]
    ids = [e.pk for e in envelopes]
    expected: dict = defaultdict(lambda: dict.fromkeys(BOOKED_FIGURES, Decimal("0")))
    for pk in ids:
        expected[(pk, 2026)]["allocated"] = Decimal("100000.00")
    record = threading.Lock()

    def book(n: int) -> None:
        rng = random.Random(n)
        for round_ in range(ROUNDS):
            postings = []
            for _ in range(rng.randint(1, 4)):
                kind = rng.choice(sorted(KIND_FIGURE))
                amount = Decimal(rng.randint(1, 10**6)) / 100
                if kind == "decommitment" or (kind != "commitment" and rng.random() < 0.2):
                    amount = -amount
                # 2027 has no totals row yet: the first bookings race to create it.
                postings.append(Posting(rng.choice(ids), rng.choice([2026, 2027]), kind, amount))
            rolled_back = rng.random() < 0.25
            try:
                with transaction.atomic():
                    # As every booking service does: lock the envelopes in pk order, then post.
                    lock_envelopes(p.envelope_id for p in postings)
                    post_entries(postings, reference=f"C{n}-{round_}", by=by)
                    if rolled_back:
                        raise Rollback
            except Rollback:
                continue
            with record:
                for p in postings:
                    expected[(p.envelope_id, p.budget_year)][KIND_FIGURE[p.kind]] += p.amount

    assert _run(THREADS, book) == []
    assert total_differences() == {}
    assert _kept() == dict(expected)


def test_concurrent_first_bookings_without_envelope_locks_create_one_totals_row():
    programme, by = FundingProgrammeFactory(), UserFactory()
    env = envelope(office=office(kind="federal"), programme=programme)

    def book(n: int) -> None:
        with transaction.atomic():
            post_entries([Posting(env.pk, 2031, "commitment", Decimal("1.01"))], reference=f"F{n}", by=by)
            connection.cursor().execute("SELECT pg_sleep(0.005)")

    assert _run(THREADS, book) == []
    total = EnvelopeTotal.objects.get(envelope=env, budget_year=2031)
    assert total.committed == Decimal("1.01") * THREADS
    assert total_differences() == {}
