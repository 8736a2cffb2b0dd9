"""Several funders for one grant (DOMAIN.md §8): the split of every movement across sources."""

from decimal import Decimal

import pytest

from budgets.models import FundingShare
from budgets.services._posting import Posting, post_entries
from budgets.services.commitments import MovementPart, movement_parts
from core.errors import DomainError
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
