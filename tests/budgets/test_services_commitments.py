from decimal import Decimal

import pytest

from budgets.models import LedgerEntry
from budgets.selectors import envelope_figures, rollup_total
from budgets.services.commitments import (
    commit_instalments,
    decommit,
    post_disbursement,
    post_proven,
    post_reclaim,
    post_repayment,
)
from core.errors import DomainError
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, office

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal


@pytest.fixture
def tree():
    root = office(kind="federal", name="Bundesamt", short_name="BAFzA")
    sn = office(parent=root, kind="state", name="Demokratie-Zentrum Sachsen", short_name="DZ SN")
    le = office(parent=sn, kind="local", name="PfD Leipzig", short_name="PfD LE")
    return root, sn, le


def test_commitment_books_each_year_on_its_envelope(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    e26 = envelope(office=sn, programme=programme, budget_year=2026, allocated=D("50000"))
    e27 = envelope(office=sn, programme=programme, budget_year=2027, allocated=D("50000"))
    by = UserFactory()
    entries = commit_instalments(
        office=le,
        programme=programme,
        instalments={2026: D("20000"), 2027: D("15000.50")},
        reference="SN-1",
        by=by,
    )
    assert [(e.envelope_id, e.budget_year, e.kind, e.amount, e.reference) for e in entries] == [
        (e26.pk, 2026, "commitment", D("20000"), "SN-1"),
        (e27.pk, 2027, "commitment", D("15000.50"), "SN-1"),
    ]
    figures = envelope_figures([e26.pk, e27.pk])
    assert figures[e26.pk].available == D("30000.00")
    assert figures[e27.pk].available == D("34999.50")


def test_commitment_that_does_not_fit_one_year_writes_nothing(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory(code="WS")
    envelope(office=sn, programme=programme, budget_year=2026, allocated=D("50000"))
    envelope(
        office=sn, programme=programme, budget_year=2027, allocated=D("10000"), budget_title="0601 684 22"
    )
    before = LedgerEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        commit_instalments(
            office=le,
            programme=programme,
            instalments={2026: D("20000"), 2027: D("12000")},
            reference="SN-2",
            by=UserFactory(),
        )
    assert exc.value.messages == [
        "Budget year 2027: envelope 0601 684 22 (DZ SN, WS) has €10,000.00 available, but €12,000.00 are "
        "requested (shortfall €2,000.00)."
    ]
    assert LedgerEntry.objects.count() == before


def test_commitment_without_an_envelope_for_a_year_names_the_year(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory(name="Weltoffenes Sachsen")
    envelope(office=sn, programme=programme, budget_year=2026)
    with pytest.raises(DomainError) as exc:
        commit_instalments(
            office=le,
            programme=programme,
            instalments={2026: D("1"), 2028: D("1")},
            reference="X",
            by=UserFactory(),
        )
    assert exc.value.messages == [
        "Budget year 2028: there is no budget envelope for Weltoffenes Sachsen (State) at PfD Leipzig or any office "
        "above it."
    ]


def test_nearest_office_with_an_envelope_wins(tree):
    root, sn, le = tree
    programme = FundingProgrammeFactory()
    envelope(office=root, programme=programme, allocated=D("1000000"))
    local = envelope(office=le, programme=programme, allocated=D("5000"))
    (entry,) = commit_instalments(
        office=le, programme=programme, instalments={2026: D("5000")}, reference="A", by=UserFactory()
    )
    assert entry.envelope_id == local.pk
    (entry,) = commit_instalments(
        office=sn, programme=programme, instalments={2026: D("5000")}, reference="B", by=UserFactory()
    )
    assert entry.envelope.office == root


def test_several_budget_titles_use_the_default_or_refuse(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    envelope(office=sn, programme=programme, budget_title="T1")
    second = envelope(office=sn, programme=programme, budget_title="T2")
    with pytest.raises(DomainError, match="several budget titles"):
        commit_instalments(
            office=le, programme=programme, instalments={2026: D("1")}, reference="A", by=UserFactory()
        )
    from budgets.services.envelopes import envelope_make_default

    envelope_make_default(envelope=second, by=UserFactory(is_superuser=True))
    (entry,) = commit_instalments(
        office=le, programme=programme, instalments={2026: D("1")}, reference="A", by=UserFactory()
    )
    assert entry.envelope_id == second.pk


def test_envelope_of_another_funding_source_does_not_match(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory(funding_level="federal")
    envelope(office=sn, programme=programme, funding_source="eu")
    with pytest.raises(DomainError, match="no budget envelope"):
        commit_instalments(
            office=le, programme=programme, instalments={2026: D("1")}, reference="A", by=UserFactory()
        )


def test_grant_life_cycle_bookings_feed_the_figures(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    env = envelope(
        office=sn, programme=programme, allocated=D("100000"), carry_over=D("5000"), blocked=D("2000")
    )
    by = UserFactory()
    commit_instalments(office=le, programme=programme, instalments={2026: D("30000")}, reference="G1", by=by)
    post_disbursement(reference="G1", budget_year=2026, amount=D("25000"), by=by)
    post_proven(reference="G1", budget_year=2026, amount=D("22000"), by=by)
    decommit(reference="G1", amounts={2026: D("3000")}, by=by)
    post_reclaim(reference="G1", budget_year=2026, amount=D("3000"), by=by)
    post_repayment(reference="G1", budget_year=2026, amount=D("2000"), by=by)
    f = envelope_figures([env.pk])[env.pk]
    assert (
        f.allocated,
        f.carry_over,
        f.blocked,
        f.committed,
        f.disbursed,
        f.proven,
        f.reclaimed,
        f.repaid,
    ) == (
        D("100000"),
        D("5000"),
        D("2000"),
        D("27000"),
        D("25000"),
        D("22000"),
        D("3000"),
        D("2000"),
    )
    assert f.available == D("76000.00")
    assert f.open == D("2000.00")
    assert rollup_total(paths=[sn.path]) == f


def test_disbursement_beyond_the_open_commitment_is_refused(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    envelope(office=sn, programme=programme)
    by = UserFactory()
    commit_instalments(office=le, programme=programme, instalments={2026: D("1000")}, reference="G", by=by)
    post_disbursement(reference="G", budget_year=2026, amount=D("600"), by=by)
    with pytest.raises(DomainError) as exc:
        post_disbursement(reference="G", budget_year=2026, amount=D("400.01"), by=by)
    assert exc.value.messages == ["Budget year 2026: €400.01 exceed the open commitment of €400.00 for G."]


def test_repayment_beyond_the_reclaim_is_refused(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    envelope(office=sn, programme=programme)
    by = UserFactory()
    commit_instalments(office=le, programme=programme, instalments={2026: D("1000")}, reference="G", by=by)
    with pytest.raises(DomainError, match="outstanding reclaim"):
        post_repayment(reference="G", budget_year=2026, amount=D("1"), by=by)


def test_decommit_releases_everything_still_committed(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    env = envelope(office=sn, programme=programme, allocated=D("1000"))
    by = UserFactory()
    commit_instalments(office=le, programme=programme, instalments={2026: D("800")}, reference="G", by=by)
    decommit(reference="G", amounts={2026: D("300")}, by=by)
    entries = decommit(reference="G", by=by, comment="Widerruf")
    assert [(e.kind, e.amount) for e in entries] == [("decommitment", D("-500"))]
    assert envelope_figures([env.pk])[env.pk].available == D("1000")
    with pytest.raises(DomainError, match="cannot be released"):
        decommit(reference="G", amounts={2026: D("1")}, by=by)


def test_negative_instalment_is_refused(tree):
    _root, sn, le = tree
    programme = FundingProgrammeFactory()
    envelope(office=sn, programme=programme)
    with pytest.raises(DomainError, match="must not be negative"):
        commit_instalments(
            office=le, programme=programme, instalments={2026: D("-1")}, reference="G", by=UserFactory()
        )
