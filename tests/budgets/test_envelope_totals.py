"""Envelope totals: kept by the ledger trigger, equal to Σ ledger, read by every rollup."""

import io
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.models import BudgetEnvelope, CoordinatingOffice, EnvelopeTotal, LedgerEntry
from budgets.selectors import (
    BOOKED_FIGURES,
    FIGURE_KINDS,
    Figures,
    envelope_figures,
    rollup,
    total_differences,
)
from budgets.services._posting import Posting, post_entries
from budgets.services.commitments import commit_instalments, decommit, post_disbursement
from budgets.services.envelopes import envelope_adjust
from core.errors import DomainError
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, finance_user, office

pytestmark = pytest.mark.django_db
D = Decimal
KIND_FIGURE = {kind: figure for figure, kinds in FIGURE_KINDS.items() for kind in kinds}
DIMENSIONS = ("programme", "year", "source", "office", "envelope")


def totals_of(env: BudgetEnvelope) -> dict[int, dict[str, Decimal]]:
    return {
        t.budget_year: {f: getattr(t, f).quantize(D("0.01")) for f in BOOKED_FIGURES}
        for t in EnvelopeTotal.objects.filter(envelope=env)
    }


def ledger_sums() -> dict[tuple[int, int], dict[str, Decimal]]:
    sums: dict = defaultdict(lambda: dict.fromkeys(BOOKED_FIGURES, D("0")))
    for e in LedgerEntry.objects.all():
        sums[(e.envelope_id, e.budget_year)][KIND_FIGURE[e.kind]] += e.amount
    return sums


def kept_sums() -> dict[tuple[int, int], dict[str, Decimal]]:
    return {
        (t.envelope_id, t.budget_year): {f: getattr(t, f).quantize(D("0.01")) for f in BOOKED_FIGURES}
        for t in EnvelopeTotal.objects.all()
    }


@pytest.fixture
def world():
    root = office(kind="federal")
    state = office(parent=root, kind="state")
    local = office(parent=state, kind="local")
    programme = FundingProgrammeFactory()
    env = envelope(office=state, programme=programme, allocated=D("50000"), by=finance_user(root))
    return {"root": root, "state": state, "local": local, "programme": programme, "envelope": env}


def test_every_service_booking_moves_its_total_in_the_same_transaction(world):
    env, by = world["envelope"], finance_user(world["root"])
    assert totals_of(env) == {2026: dict.fromkeys(BOOKED_FIGURES, D("0.00")) | {"allocated": D("50000.00")}}
    envelope_adjust(envelope=env, kind="block", amount=D("1000.10"), by=by, comment="Sperre")
    commit_instalments(
        office=world["local"],
        programme=world["programme"],
        instalments={2026: D("20000")},
        reference="G-1",
        by=by,
    )
    post_disbursement(reference="G-1", budget_year=2026, amount=D("7000.55"), by=by)
    decommit(reference="G-1", amounts={2026: D("2500")}, by=by)
    assert totals_of(env)[2026] == dict.fromkeys(BOOKED_FIGURES, D("0.00")) | {
        "allocated": D("50000.00"),
        "blocked": D("1000.10"),
        "committed": D("17500.00"),
        "disbursed": D("7000.55"),
    }
    assert envelope_figures([env.pk])[env.pk].available == D("31499.90")
    assert total_differences() == {}


def test_a_refused_or_rolled_back_booking_leaves_the_totals_as_they_were(world):
    env, by = world["envelope"], finance_user(world["root"])
    before = totals_of(env)
    with pytest.raises(DomainError) as refused:
        commit_instalments(
            office=world["local"],
            programme=world["programme"],
            instalments={2026: D("50000.01")},
            reference="G-2",
            by=by,
        )
    assert refused.value.messages == [
        f"Haushaltsjahr 2026: Im Mittelansatz 0601 684 21 ({world['state'].short_name}, "
        f"{world['programme'].code}) sind 50.000,00 € verfügbar, angefordert werden aber "
        "50.000,01 € (Fehlbetrag 0,01 €)."
    ]
    with transaction.atomic():
        post_entries([Posting(env.pk, 2026, "commitment", D("10"))], reference="G-3", by=by)
        assert totals_of(env)[2026]["committed"] == D("10.00")
        transaction.set_rollback(True)
    assert totals_of(env) == before


def test_several_postings_in_one_call_add_up_per_envelope_and_year(world):
    env, by = world["envelope"], UserFactory()
    other = envelope(office=world["local"], programme=world["programme"], budget_year=2027, allocated=D("5"))
    post_entries(
        [
            Posting(env.pk, 2026, "commitment", D("0.10")),
            Posting(env.pk, 2026, "commitment", D("0.20")),
            Posting(env.pk, 2026, "decommitment", D("-0.05")),
            Posting(env.pk, 2027, "disbursement", D("1.01")),  # another year on the same envelope
            Posting(other.pk, 2027, "repayment", D("3.00")),
        ],
        reference="G-4",
        by=by,
    )
    assert totals_of(env)[2026]["committed"] == D("0.25")
    assert totals_of(env)[2027] == dict.fromkeys(BOOKED_FIGURES, D("0.00")) | {"disbursed": D("1.01")}
    assert totals_of(other)[2027]["repaid"] == D("3.00")
    assert kept_sums() == ledger_sums()


def test_the_orm_refuses_to_write_totals(world):
    total = EnvelopeTotal.objects.get(envelope=world["envelope"])
    for write in (
        total.save,
        total.delete,
        lambda: EnvelopeTotal.objects.filter(pk=total.pk).update(allocated=D("1")),
        lambda: EnvelopeTotal.objects.all().delete(),
    ):
        with pytest.raises(TypeError, match="kept by the database from the ledger"):
            write()


def test_the_database_refuses_a_ledger_kind_without_a_totals_column(world):
    with pytest.raises(DatabaseError, match="no column for this ledger kind"), transaction.atomic():
        LedgerEntry.objects.create(
            envelope=world["envelope"], budget_year=2026, kind="bonus", amount=D("1"), actor=UserFactory()
        )


def test_the_migration_backfill_builds_the_same_totals_from_the_ledger(world):
    from importlib import import_module

    migration = import_module("budgets.migrations.0011_funding_shares_interest")  # the latest trigger
    by = UserFactory()
    post_entries(
        [
            Posting(world["envelope"].pk, 2026, kind, D("-12.34") if kind == "decommitment" else D("12.34"))
            for kind in sorted(KIND_FIGURE)
        ]
        + [Posting(world["envelope"].pk, 2025, "decommitment", D("-0.01"))],
        reference="G-5",
        by=by,
    )
    kept = kept_sums()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM budgets_envelopetotal")
        cursor.execute(migration.BACKFILL)
    assert kept_sums() == kept == ledger_sums()


def test_reconcile_passes_when_totals_equal_the_ledger(world):
    out = io.StringIO()
    call_command("reconcile_budget_totals", stdout=out)
    assert out.getvalue() == "Envelope totals equal the ledger.\n"


def test_reconcile_names_the_drifted_envelope_and_exits_1(world):
    env = world["envelope"]
    with connection.cursor() as cursor:  # what a hand-written SQL "fix" would do
        cursor.execute(
            "UPDATE budgets_envelopetotal SET committed = committed + 5 WHERE envelope_id = %s", [env.pk]
        )
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("reconcile_budget_totals", stderr=err)
    assert raised.value.returncode == 1
    assert str(raised.value) == "1 envelope totals differ from the ledger (1 envelopes)."
    assert err.getvalue() == (
        f"envelope {env.pk} 0601 684 21 ({env.office.short_name}, {env.programme.code}, 2026), "
        "budget year 2026, committed: totals 5.00, ledger 0.00, difference 5.00\n"
    )


def test_interest_received_has_its_own_total_and_reconcile_checks_it(world):
    env = world["envelope"]
    post_entries([Posting(env.pk, 2026, "interest", D("75.15"))], reference="G-9", by=UserFactory())
    assert totals_of(env)[2026]["interest"] == D("75.15")
    assert totals_of(env)[2026]["committed"] == D("0.00")  # interest changes no spending figure
    call_command("reconcile_budget_totals", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE budgets_envelopetotal SET interest = interest - 0.15 WHERE envelope_id = %s", [env.pk]
        )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile_budget_totals", stderr=err)
    assert err.getvalue().endswith(
        "budget year 2026, interest: totals 75.00, ledger 75.15, difference -0.15\n"
    )


# --- property: random posting sequences -------------------------------------------------------

postings = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=99),  # envelope (mod the envelopes made)
        st.sampled_from(sorted(KIND_FIGURE)),
        st.integers(min_value=1, max_value=10**9),  # cents
        st.booleans(),  # counter-entry where the kind allows it
        st.sampled_from([2025, 2026, 2027]),  # the entry's budget year (need not be the envelope's)
        st.integers(min_value=0, max_value=3),  # batch: postings of one post_entries call
    ),
    max_size=40,
)
trees = st.lists(st.integers(min_value=0, max_value=1000), min_size=0, max_size=6)


def _envelopes(parents: list[int]) -> tuple[list[CoordinatingOffice], list[BudgetEnvelope]]:
    nodes = [office(kind="federal")]
    for i, p in enumerate(parents):
        nodes.append(office(parent=nodes[p % (i + 1)]))
    nodes = [CoordinatingOffice.objects.get(pk=n.pk) for n in nodes]
    programmes = [FundingProgrammeFactory(), FundingProgrammeFactory()]
    envelopes = [
        BudgetEnvelope.objects.create(
            office=node,
            programme=programmes[(i + year) % 2],
            budget_year=year,
            funding_source=source,
            budget_title="T",
        )
        for i, node in enumerate(nodes)
        for year, source in ((2025, "federal"), (2026, "state"), (2026, "eu"))
    ]
    return nodes, envelopes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=trees, rows=postings)
def test_totals_equal_the_ledger_and_every_rollup_reads_the_same_from_both(parents, rows):
    with transaction.atomic():
        nodes, envelopes = _envelopes(parents)
        by = UserFactory()
        batches: dict[int, list[Posting]] = defaultdict(list)
        for env_i, kind, cents, negative, year, batch in rows:
            amount = D(cents) / 100
            if kind == "decommitment" or (negative and kind != "commitment"):
                amount = -amount
            batches[batch].append(Posting(envelopes[env_i % len(envelopes)].pk, year, kind, amount))
        for batch in sorted(batches):
            post_entries(batches[batch], reference=f"R{batch}", by=by)

        assert kept_sums() == {k: v for k, v in ledger_sums().items()}
        assert total_differences() == {}
        # Every grouping over the whole tree and one subtree; every subtree's total and drill-down.
        for size in range(len(DIMENSIONS) + 1):
            for group in itertools.combinations(DIMENSIONS, size):
                for paths in (None, [nodes[-1].path]):
                    assert rollup(paths=paths, group_by=group) == rollup(
                        paths=paths, group_by=group, from_ledger=True
                    )
        for node in nodes:
            assert rollup(paths=[node.path]) == rollup(paths=[node.path], from_ledger=True)
            for filters in ({}, {"year": 2026}, {"source": "eu"}, {"office_id": node.pk}):
                assert rollup(paths=[node.path], branch_depth=node.depth + 1, **filters) == rollup(
                    paths=[node.path], branch_depth=node.depth + 1, from_ledger=True, **filters
                )
        ids = [e.pk for e in envelopes]
        per_envelope = {r["envelope"]: r for r in rollup(group_by=["envelope"], from_ledger=True)}
        assert envelope_figures(ids) == {pk: per_envelope.get(pk, Figures()) for pk in ids}
        transaction.set_rollback(True)


def test_rollups_and_the_dashboard_read_the_totals_not_the_ledger(world, client):
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    with CaptureQueriesContext(connection) as ctx:
        rollup(paths=[world["root"].path], group_by=["programme", "year", "source"])
        rollup(paths=[world["root"].path], branch_depth=2)
    assert [("envelopetotal" in q["sql"], "ledgerentry" in q["sql"]) for q in ctx.captured_queries] == [
        (True, False),
        (True, False),
    ]
    client.force_login(finance_user(world["root"]))
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("budget_dashboard"), {"office": world["state"].pk})
    assert page.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    # One rollup for table and chart; the only ledger read is the list of grants by file number.
    # (The rollup names the ledger only to leave out funds financed inside the subtree, DOMAIN
    # §7: an EXISTS on the indexed file number per fund, never a sum.)
    assert sum("budgets_envelopetotal" in s for s in sql) == 1
    assert sum("budgets_ledgerentry" in s and "budgets_envelopetotal" not in s for s in sql) == 1
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
