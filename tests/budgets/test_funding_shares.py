"""Several funders for one grant (DOMAIN.md §8): the split of every movement across sources."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.models import FundingShare, LedgerEntry
from budgets.selectors import Figures, envelope_figures, reference_figures
from budgets.services._posting import Posting, post_entries
from budgets.services.commitments import (
    MovementPart,
    commit_instalments,
    decommit,
    movement_parts,
    post_disbursement,
    post_interest,
    post_proven,
    post_reclaim,
    post_repayment,
)
from core.errors import DomainError
from core.prorata import split_pro_rata
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, office

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal


@pytest.fixture
def kora():
    """A state democracy centre with a federal and a state envelope for 2026 (KORA)."""
    root = office(kind="federal", name="Bundesamt", short_name="BAFzA")
    sn = office(parent=root, kind="state", name="Demokratie-Zentrum Sachsen", short_name="DZ SN")
    programme = FundingProgrammeFactory(code="KORA", funding_level="federal")
    federal = envelope(office=sn, programme=programme, budget_year=2026, funding_source="federal")
    state = envelope(
        office=sn, programme=programme, budget_year=2026, funding_source="state", budget_title="0602 684 01"
    )
    return {"office": sn, "programme": programme, "federal": federal, "state": state, "by": UserFactory()}


def test_movement_parts_split_by_shares_onto_each_sources_envelope(kora):
    FundingShare.objects.create(reference="G-1", funding_source="federal", amount=D("7500"))
    FundingShare.objects.create(reference="G-1", funding_source="state", amount=D("2500"))
    post_entries(
        [
            Posting(kora["federal"].pk, 2026, "commitment", D("7500")),
            Posting(kora["state"].pk, 2026, "commitment", D("2500")),
        ],
        reference="G-1",
        by=kora["by"],
    )
    assert movement_parts(reference="G-1", budget_year=2026, amount=D("1000.01")) == [
        MovementPart(kora["federal"].pk, "federal", D("750.01")),
        MovementPart(kora["state"].pk, "state", D("250.00")),
    ]
    # Money returned splits the same way, negated; a part of 0.00 is left out.
    assert movement_parts(reference="G-1", budget_year=2026, amount=D("-0.02")) == [
        MovementPart(kora["federal"].pk, "federal", D("-0.02")),
    ]


def test_without_shares_the_whole_amount_goes_to_the_committing_envelope(kora):
    post_entries([Posting(kora["federal"].pk, 2026, "commitment", D("500"))], reference="G-2", by=kora["by"])
    assert movement_parts(reference="G-2", budget_year=2026, amount=D("99.99")) == [
        MovementPart(kora["federal"].pk, "federal", D("99.99"))
    ]


def test_a_source_without_a_commitment_in_the_year_is_named(kora):
    FundingShare.objects.create(reference="G-3", funding_source="federal", amount=D("1"))
    FundingShare.objects.create(reference="G-3", funding_source="municipal", amount=D("1"))
    post_entries([Posting(kora["federal"].pk, 2026, "commitment", D("500"))], reference="G-3", by=kora["by"])
    with pytest.raises(DomainError) as exc:
        movement_parts(reference="G-3", budget_year=2026, amount=D("10"))
    assert exc.value.messages == ["Budget year 2026: nothing is committed from Municipal for G-3."]
    with pytest.raises(DomainError) as exc:
        movement_parts(reference="G-3", budget_year=2027, amount=D("10"))
    assert exc.value.messages == ["Budget year 2027: nothing is committed for G-3."]


# --- properties: every movement splits exactly (hypothesis) ----------------------------------

SOURCES = ["eu", "federal", "municipal", "state"]
share_maps = st.dictionaries(
    st.sampled_from(SOURCES), st.integers(min_value=0, max_value=10**7), min_size=1, max_size=4
).filter(lambda shares: sum(shares.values()) > 0)
# (kind, cents) in the order a grant's life takes them; each amount is cut to what may move.
movements = st.lists(
    st.tuples(
        st.sampled_from(
            ["disbursement", "returned", "proven", "release", "reclaim", "repayment", "interest"]
        ),
        st.integers(min_value=1, max_value=10**8),
    ),
    max_size=12,
)


def _sources_tree():
    root = office(kind="federal")
    programme = FundingProgrammeFactory(code="P", funding_level="federal")
    by = UserFactory()
    envelopes = {
        source: envelope(
            office=root,
            programme=programme,
            funding_source=source,
            budget_title=f"T-{source}",
            allocated=D("10000000000"),
        )
        for source in SOURCES
    }
    return root, programme, by, envelopes


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shares=share_maps, moves=movements)
def test_every_kind_of_movement_splits_into_parts_that_add_up_per_source(shares, moves):
    with transaction.atomic():
        root, programme, by, envelopes = _sources_tree()
        source_of = {e.pk: source for source, e in envelopes.items()}
        plan = {source: D(cents) / 100 for source, cents in shares.items()}
        instalment = sum(plan.values())
        commit_instalments(
            office=root,
            programme=programme,
            instalments={2026: instalment},
            reference="G",
            by=by,
            shares=plan,
        )
        booked = list(LedgerEntry.objects.filter(reference="G"))
        assert sum(e.amount for e in booked) == instalment
        assert {source_of[e.envelope_id]: e.amount for e in booked} == {s: a for s, a in plan.items() if a}
        post = {
            "disbursement": (post_disbursement, 1),
            "returned": (post_disbursement, -1),
            "proven": (post_proven, 1),
            "reclaim": (post_reclaim, 1),
            "repayment": (post_repayment, 1),
            "interest": (post_interest, 1),
        }
        for kind, cents in moves:
            figures = sum(reference_figures("G").values(), Figures())
            room = {
                "disbursement": figures.open,
                "returned": figures.disbursed,
                "release": figures.open,
                "reclaim": figures.disbursed - figures.reclaimed,
                "repayment": figures.reclaimed - figures.repaid,
            }.get(kind, D(10**6))
            amount = min(D(cents) / 100, room)
            if amount <= 0:
                continue
            before = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
            if kind == "release":
                decommit(reference="G", by=by, amounts={2026: amount})
                signed = -amount
            else:
                function, sign = post[kind]
                signed = sign * amount
                predicted = movement_parts(reference="G", budget_year=2026, amount=signed)
                function(reference="G", budget_year=2026, amount=signed, by=by)
            parts = list(LedgerEntry.objects.filter(reference="G", pk__gt=before).order_by("pk"))
            # The parts add up to the movement, never change sign and follow the shares.
            assert sum(p.amount for p in parts) == signed
            assert all(p.amount * signed > 0 for p in parts)
            exact = split_pro_rata(amount, shares)
            if kind != "release" or amount != figures.committed:
                assert {source_of[p.envelope_id]: abs(p.amount) for p in parts} == {
                    s: a for s, a in exact.items() if a
                }
            if kind != "release":
                assert [(p.envelope_id, p.amount) for p in parts] == [
                    (m.envelope_id, m.amount) for m in predicted
                ]
        # Per source the envelope totals equal the sum of that source's parts, and all sources
        # together equal the grant's figures.
        per_source = reference_figures("G")
        totals = envelope_figures(e.pk for e in envelopes.values())
        for e in envelopes.values():
            mine = per_source.get((e.pk, 2026), Figures())
            assert totals[e.pk].committed == mine.committed
            assert totals[e.pk].disbursed == mine.disbursed
            assert totals[e.pk].interest == mine.interest
        every = LedgerEntry.objects.filter(reference="G")
        assert sum(per_source.values(), Figures()).committed == sum(
            e.amount for e in every if e.kind in ("commitment", "decommitment")
        )
        transaction.set_rollback(True)
