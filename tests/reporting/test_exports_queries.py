"""An export costs a fixed number of queries, however many rows it writes."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from budgets.models import BudgetEnvelope, LedgerEntry
from reporting.exports.services import export_write
from tests.budgets.factories import FundingProgrammeFactory, envelope
from tests.grants.factories import ApplicationFactory
from tests.reporting.test_exports import (
    KINDS,
    ExportWorld,
    build_world,
    make_drawdown,
    make_grant,
    make_receipts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def xw(db):
    return build_world()


def _fifty_more_of_everything(xw: ExportWorld) -> None:
    le_env = BudgetEnvelope.objects.get(office=xw.leipzig)
    for n in range(50):
        app = ApplicationFactory(
            reference=f"B-{n:05d}",
            office=xw.leipzig,
            organisation=xw.org_b,
            programme=xw.dl,
            state="approved",
        )
        grant = make_grant(app, f"SN-L-DL-2026-{n + 100:04d}", "1000.00", 2026, by=xw.finance_sn)
        make_drawdown(grant, "10.00", by=xw.carrier_b)
        make_receipts(grant, by=xw.finance_sn, receipts=[(f"R-{n}", "Druckerei", "12.00")])
        LedgerEntry.objects.create(
            envelope=le_env, budget_year=2027, kind="commitment", amount=Decimal("1000.00"),
            reference=grant.file_number, actor=xw.finance_sn,
        )  # fmt: skip
    # Fifty more rollup rows: one envelope per new programme.
    for n in range(50):
        programme = FundingProgrammeFactory(name=f"Programm {n:02d}", code=f"P{n:02d}")
        envelope(office=xw.leipzig, programme=programme, budget_year=2027, by=xw.finance_leipzig)


ROWS_FOR_LEIPZIG = {"applications": 2, "grants": 1, "drawdowns": 1, "receipts": 1, "ledger": 2, "rollup": 1}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_export_costs_the_same_queries_for_one_row_and_for_fifty(
    xw, django_assert_max_num_queries, kind, fmt
):
    def run(user: Any) -> int:
        out = io.BytesIO()
        return export_write(kind=kind, user=user, filters={"office": xw.leipzig.pk}, fmt=fmt, out=out)

    def fresh_user() -> Any:
        return type(xw.finance_leipzig).objects.get(pk=xw.finance_leipzig.pk)  # roles not cached yet

    user = fresh_user()
    with django_assert_max_num_queries(5):
        assert run(user) == ROWS_FOR_LEIPZIG[kind]
    _fifty_more_of_everything(xw)
    user = fresh_user()
    with django_assert_max_num_queries(5):
        # Ledger: 50 commitments and the 50 new envelopes' allocations.
        assert run(user) == ROWS_FOR_LEIPZIG[kind] + (100 if kind == "ledger" else 50)
