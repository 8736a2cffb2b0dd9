"""Money passed on counted once per level (DOMAIN.md §7, docs/chain.md), on the ledger alone.

The federal office (1,000,000 EUR) grants two municipalities that run a PfD office each; each
grant finances two funds at its PfD office; micro-projects are paid from the funds; one
micro-project repays what was reclaimed. The federal office also pays one ordinary project.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal as D

import pytest

from budgets.models import CoordinatingOffice, Fund, FundKind
from budgets.selectors import ChainFigures, chain_table, office_table, rollup_total
from budgets.services.commitments import (
    commit_instalments,
    post_disbursement,
    post_proven,
    post_reclaim,
    post_repayment,
)
from budgets.services.funds import fund_envelope_create
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, office

pytestmark = pytest.mark.django_db
YEAR = 2026


class Ledger:
    """Bookings as the services make them, by one finance user."""

    def __init__(self, programme):
        self.programme = programme
        self.by = UserFactory()
        self.kinds = {
            code: FundKind.objects.create(programme=programme, code=code, name=name)
            for code, name in (("AIF", "Aktions- und Initiativfonds"), ("JF", "Jugendfonds"))
        }

    def grant(self, at: CoordinatingOffice, reference: str, committed: str, paid: str = "0", fund=None):
        commit_instalments(
            office=at,
            programme=self.programme,
            instalments={YEAR: D(committed)},
            reference=reference,
            by=self.by,
            fund=fund,
        )
        if D(paid):
            post_disbursement(reference=reference, budget_year=YEAR, amount=D(paid), by=self.by)

    def fund(self, at: CoordinatingOffice, source: str, kind: str, amount: str) -> Fund:
        return fund_envelope_create(
            office=at,
            programme=self.programme,
            budget_year=YEAR,
            kind=self.kinds[kind],
            name=f"{self.kinds[kind].name} {at.short_name}",
            source_reference=source,
            amount=D(amount),
            max_per_measure=D("3500"),
            latest_end_date=date(YEAR, 11, 30),
            by=self.by,
        )

    def micro(self, fund: Fund, reference: str, committed: str, paid: str, recognised: str = "0"):
        self.grant(fund.envelope.office, reference, committed, paid, fund=fund)
        if D(recognised):
            post_proven(reference=reference, budget_year=YEAR, amount=D(recognised), by=self.by)


@pytest.fixture
def world():
    # Siblings are kept in name order: created in that order, no path moves afterwards.
    federal = office(name="BAFzA", short_name="BAFzA", code="BU", kind="federal")
    state = office(parent=federal, name="Demokratie-Zentrum Sachsen", short_name="DZ SN", code="SN")
    gr = office(parent=federal, name="PfD Görlitz", short_name="PfD GR", code="GR")
    le = office(parent=federal, name="PfD Leipzig", short_name="PfD LE", code="LE")
    bz = office(parent=state, name="PfD Bautzen", short_name="PfD BZ", code="BZ")
    for node in (federal, state, gr, le, bz):
        node.refresh_from_db()
    programme = FundingProgrammeFactory(code="DLP", funding_level="federal")
    envelope(office=federal, programme=programme, allocated=D("1000000"))
    ledger = Ledger(programme)

    # The federal level: two first recipients and one project of its own.
    ledger.grant(federal, "BU-2026-GR", "100000", "80000")
    ledger.grant(federal, "BU-2026-LE", "80000", "80000")
    ledger.grant(federal, "BU-2026-OWN", "30000", "20000")
    # PfD Görlitz: 60,000 of its 100,000 in two funds.
    gr_action = ledger.fund(gr, "BU-2026-GR", "AIF", "40000")
    gr_youth = ledger.fund(gr, "BU-2026-GR", "JF", "20000")
    ledger.micro(gr_action, "GR-2026-1", "3000", "3000", recognised="2800")
    ledger.micro(gr_action, "GR-2026-2", "2500", "2000")
    ledger.micro(gr_youth, "GR-2026-3", "1000", "1000", recognised="1000")
    # PfD Leipzig: 45,000 of its 80,000; one micro-project repays 500 of what it was paid.
    le_action = ledger.fund(le, "BU-2026-LE", "AIF", "30000")
    le_youth = ledger.fund(le, "BU-2026-LE", "JF", "15000")
    ledger.micro(le_action, "LE-2026-1", "3500", "3500", recognised="3000")
    post_reclaim(reference="LE-2026-1", budget_year=YEAR, amount=D("500"), by=ledger.by)
    post_repayment(reference="LE-2026-1", budget_year=YEAR, amount=D("500"), by=ledger.by)
    ledger.micro(le_youth, "LE-2026-2", "800", "800")
    return {
        "federal": federal,
        "state": state,
        "gr": gr,
        "le": le,
        "bz": bz,
        "programme": programme,
        "ledger": ledger,
    }


def F(**values: str) -> ChainFigures:
    return ChainFigures(**{name: D(value) for name, value in values.items()})


GR = F(received="60000", last_committed="6500", last_paid="6000", last_recognised="3800")
LE = F(
    received="45000",
    last_committed="4300",
    last_paid="4300",
    last_recognised="3000",
    reclaimed="500",
    repaid="500",
)
FEDERAL_OWN = F(
    budget="1000000",
    passed_on_committed="180000",
    passed_on_paid="160000",
    own_committed="30000",
    own_paid="20000",
)


def _rows(table):
    return {(row.office.short_name, row.own): row.figures for row in table.rows}


def test_each_office_counts_its_own_money_under_one_heading(world):
    table = chain_table(office=world["federal"], visible=None)
    assert _rows(table) == {
        ("BAFzA", True): FEDERAL_OWN,
        ("DZ SN", False): ChainFigures(),
        ("PfD GR", False): GR,
        ("PfD LE", False): LE,
    }
    # Each PfD's fund money came from above: at its own level it is allocated from above.
    assert (GR.allocated_from_above, LE.allocated_from_above) == (D("60000"), D("45000"))
    assert FEDERAL_OWN.allocated_from_above == D("1000000")


def test_the_rollup_at_each_level_equals_the_sum_of_its_parts(world):
    table = chain_table(office=world["federal"], visible=None)
    total = table.total
    # Every figure but the allocation: the total is the federal level plus the two PfDs.
    for name in (f.name for f in fields(ChainFigures) if f.name != "received_within"):
        assert getattr(total, name) == getattr(table.parts, name), name
    assert total == F(
        budget="1000000",
        received="105000",
        received_within="105000",
        passed_on_committed="180000",
        passed_on_paid="160000",
        own_committed="30000",
        own_paid="20000",
        last_committed="10800",
        last_paid="10300",
        last_recognised="6800",
        reclaimed="500",
        repaid="500",
    )
    # A euro once: the funds' 105,000 are the federal office's grants, not more money.
    assert total.allocated_from_above == D("1000000")
    assert table.parts.allocated_from_above == D("1105000")
    assert table.between == D("105000")
    assert total.allocated_from_above == table.parts.allocated_from_above - table.between
    # Each PfD's own subtree: the same figures as its line above, its funds came from above.
    for key, expected in (("gr", GR), ("le", LE)):
        pfd = chain_table(office=world[key], visible=None)
        assert [row.figures for row in pfd.rows] == [expected] and pfd.total == expected
        assert pfd.between == 0 and pfd.total.allocated_from_above == expected.received


def test_every_payment_is_counted_once_as_passed_on_own_project_or_last_recipient(world):
    total = chain_table(office=world["federal"], visible=None).total
    booked = rollup_total(paths=[world["federal"].path])  # every envelope, funds included
    assert total.paid == booked.disbursed == D("190300")
    assert total.passed_on_committed + total.own_committed + total.last_committed == booked.committed


def test_a_fund_financed_inside_a_child_subtree_is_that_childs_affair(world):
    """The state office finances a fund at a PfD below it: the federal table's state line counts
    the state's budget once; the state's own table shows the PfD's fund as from above."""
    ledger = world["ledger"]
    state, bz = world["state"], world["bz"]
    envelope(office=state, programme=world["programme"], allocated=D("50000"))
    ledger.grant(state, "SN-2026-BZ", "10000", "10000")
    fund = ledger.fund(bz, "SN-2026-BZ", "AIF", "8000")
    ledger.micro(fund, "BZ-2026-1", "1000", "1000")

    table = chain_table(office=world["federal"], visible=None)
    state_line = _rows(table)[("DZ SN", False)]
    assert state_line == F(
        budget="50000",
        received="8000",
        received_within="8000",
        passed_on_committed="10000",
        passed_on_paid="10000",
        last_committed="1000",
        last_paid="1000",
    )
    assert state_line.allocated_from_above == D("50000")
    assert table.total.allocated_from_above == D("1050000")
    assert table.between == D("105000")  # between the federal level and its PfDs only

    at_state = chain_table(office=state, visible=None)
    assert [row.figures.allocated_from_above for row in at_state.rows] == [D("50000"), D("8000")]
    assert at_state.total.allocated_from_above == D("50000") and at_state.between == D("8000")


def test_the_year_and_programme_filters_narrow_every_figure(world):
    other = FundingProgrammeFactory(code="ANDERE", funding_level="federal")
    envelope(office=world["federal"], programme=other, allocated=D("7000"))
    envelope(office=world["federal"], programme=world["programme"], budget_year=2027, allocated=D("900"))
    table = chain_table(office=world["federal"], visible=None, year=YEAR, programme=world["programme"].pk)
    assert table.total.allocated_from_above == D("1000000")
    assert table.total.last_paid == D("10300")
    assert chain_table(office=world["federal"], visible=None, year=2027).total == F(budget="900")
    assert chain_table(office=world["federal"], visible=None, programme=other.pk).total == F(budget="7000")


def test_the_top_offices_table_counts_funds_financed_between_them_once(world):
    table = chain_table(office=None, visible=[world["gr"].path, world["le"].path])
    assert [row.figures for row in table.rows] == [GR, LE]
    # Seen from the two PfDs alone, their funds came from outside: allocated from above.
    assert table.total.allocated_from_above == D("105000") and table.between == 0
    everything = chain_table(office=None, visible=None)
    assert everything.total.allocated_from_above == D("1000000")


def test_the_budget_dashboard_counts_fund_money_once(world):
    federal = world["federal"]
    rows = office_table(office=federal, visible=None)
    total = sum((row.figures for row in rows), type(rows[0].figures)())
    # The funds are the federal grants' commitments already: not added to the budget again.
    assert (total.allocated, total.committed, total.disbursed) == (D("1000000"), D("210000"), D("180000"))
    assert [r.figures.allocated for r in rows if r.office.short_name in ("PfD GR", "PfD LE")] == [0, 0]
    # Without counting once, the same subtree would claim 1,105,000 allocated.
    assert rollup_total(paths=[federal.path]).allocated == D("1105000")
    # At a PfD's own level its funds are money from above, with what they paid.
    (own,) = office_table(office=world["le"], visible=None)
    assert (own.figures.allocated, own.figures.committed, own.figures.disbursed) == (
        D("45000"),
        D("4300"),
        D("4300"),
    )
    (top,) = office_table(office=None, visible=[world["gr"].path])
    assert top.figures.allocated == D("60000")
