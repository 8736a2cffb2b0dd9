from decimal import Decimal

import pytest

from budgets.models import BudgetEnvelope
from budgets.selectors import rollup_total
from demo.budgets import ENVELOPES, seed_budget_envelopes
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, office

pytestmark = pytest.mark.django_db


def test_demo_envelopes_are_seeded_once_through_the_service():
    bafza = office(kind="federal", code="BAFZA")
    sn = office(parent=bafza, kind="state", code="SN")
    office(parent=sn, kind="local", code="SN-GR")
    FundingProgrammeFactory(code="WOS", funding_level="state")
    FundingProgrammeFactory(code="DL-PFD", funding_level="federal")
    admin = UserFactory(is_superuser=True)
    assert seed_budget_envelopes(by=admin) == 3  # WOS 2027 at SN, DL-PFD 2027 and 2028 at SN-GR
    assert seed_budget_envelopes(by=admin) == 0
    assert BudgetEnvelope.objects.count() == 3
    wos = rollup_total(paths=[sn.path], year=2027, source="state")
    assert (wos.allocated, wos.blocked, wos.available) == (
        Decimal("260000"),
        Decimal("10000"),
        Decimal("250000"),
    )
    assert all(len(spec) == 6 for spec in ENVELOPES)
