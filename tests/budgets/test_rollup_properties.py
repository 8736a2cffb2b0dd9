"""Rollups over random office trees and random ledgers equal the sums of the entries beneath."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.models import BudgetEnvelope, CoordinatingOffice, LedgerEntry
from budgets.selectors import BOOKED_FIGURES, FIGURE_KINDS, Figures, rollup, rollup_total
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, office

pytestmark = pytest.mark.django_db
KIND_FIGURE = {kind: figure for figure, kinds in FIGURE_KINDS.items() for kind in kinds}

trees = st.lists(st.integers(min_value=0, max_value=1000), min_size=0, max_size=9)
entries = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=99),  # office (mod tree size)
        st.sampled_from(sorted(KIND_FIGURE)),
        st.integers(min_value=1, max_value=10**9),  # cents
        st.booleans(),  # negative (counter-entry) where the kind allows it
        st.integers(min_value=0, max_value=1),  # programme
        st.sampled_from([2025, 2026]),
        st.sampled_from(["federal", "state", "eu"]),
    ),
    max_size=40,
)


def _build(parents, rows, programmes, actor):
    nodes = [office(kind="federal")]
    for i, p in enumerate(parents):
        nodes.append(office(parent=nodes[p % (i + 1)]))
    nodes = [CoordinatingOffice.objects.get(pk=n.pk) for n in nodes]
    envelopes = {}
    ledger = []
    for office_i, kind, cents, negative, prog_i, year, source in rows:
        node = nodes[office_i % len(nodes)]
        key = (node.pk, prog_i, year, source)
        if key not in envelopes:
            envelopes[key] = BudgetEnvelope.objects.create(
                office=node,
                programme=programmes[prog_i],
                budget_year=year,
                funding_source=source,
                budget_title="T",
            )
        amount = Decimal(cents) / 100
        if kind == "decommitment" or (negative and kind != "commitment"):
            amount = -amount
        ledger.append(
            LedgerEntry(
                envelope=envelopes[key],
                budget_year=year,
                kind=kind,
                amount=amount,
                actor=actor,
                reference="R",
            )
        )
    LedgerEntry.objects.bulk_create(ledger)
    return nodes, ledger


def _expected(ledger, select=lambda e: True, key=lambda e: None):
    sums: dict = defaultdict(lambda: dict.fromkeys(BOOKED_FIGURES, Decimal(0)))
    for e in ledger:
        if select(e):
            sums[key(e)][KIND_FIGURE[e.kind]] += e.amount
    return {k: Figures(**v) for k, v in sums.items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=trees, rows=entries)
def test_every_rollup_equals_the_sum_of_the_entries_beneath_it(parents, rows):
    with transaction.atomic():
        programmes = [FundingProgrammeFactory(), FundingProgrammeFactory()]
        nodes, ledger = _build(parents, rows, programmes, UserFactory())
        path_of = {e.envelope.office_id: e.envelope.office.path for e in ledger}
        assert rollup_total() == _expected(ledger).get(None, Figures())
        for node in nodes:
            below = _expected(
                ledger, select=lambda e, n=node: path_of[e.envelope.office_id].startswith(n.path)
            )
            assert rollup_total(paths=[node.path]) == below.get(None, Figures())
            grouped = _expected(
                ledger,
                select=lambda e, n=node: path_of[e.envelope.office_id].startswith(n.path),
                key=lambda e: (
                    e.envelope.programme_id,
                    e.budget_year,
                    e.envelope.funding_source,
                    e.envelope.office_id,
                ),
            )
            rows_ = rollup(paths=[node.path], group_by=["programme", "year", "source", "office"])
            assert {(r["programme"], r["year"], r["source"], r["office"]): r for r in rows_} == grouped
        transaction.set_rollback(True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=trees, rows=entries)
def test_a_parent_equals_the_sum_of_its_children_plus_its_own(parents, rows):
    with transaction.atomic():
        programmes = [FundingProgrammeFactory(), FundingProgrammeFactory()]
        nodes, _ledger = _build(parents, rows, programmes, UserFactory())
        for node in nodes:
            total = rollup_total(paths=[node.path])
            own = rollup(paths=[node.path], group_by=["office"])
            own_figures = next((r for r in own if r["office"] == node.pk), Figures())
            children = sum(
                (rollup_total(paths=[c.path]) for c in CoordinatingOffice.objects.get_children(node)),
                Figures(),
            )
            assert total == children + own_figures
            # The drill-down table (one query, grouped by branch) gives the same split.
            branches = rollup(paths=[node.path], branch_depth=node.depth + 1)
            assert sum(branches, Figures()) == total
            by_branch = {r["branch"]: r for r in branches}
            for child in CoordinatingOffice.objects.get_children(node):
                assert by_branch.get(child.path, Figures()) == rollup_total(paths=[child.path])
        transaction.set_rollback(True)
