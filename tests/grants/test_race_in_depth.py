"""Two office heads select the same office's proofs of a year at the same moment (PostgreSQL): the
office row is locked first, so exactly one selection is written and the other is refused with
the sentence naming the first; never two selections, never a server error."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from grants.awards.models import InDepthSelection, ProofOfUse
from grants.awards.services.proof import in_depth_select
from tests.budgets.factories import UserFactory, membership
from tests.grants.test_races import race
from tests.grants.test_services_proof import approve_plan, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


def test_two_heads_selecting_the_same_year_write_one_selection():
    world = make_world()
    second_head = UserFactory(username="second_head")
    membership(second_head, world["sn"], "approver")
    grant, _carrier = approve_plan(
        world, expenditure=[("staff", "Personal", 2026, "9000")], own="1000", instalments={2026: "8000"}
    )
    ProofOfUse.objects.filter(grant=grant).update(submitted_at=timezone.make_aware(datetime(2025, 5, 2, 10)))
    for seed in range(ROUNDS):
        InDepthSelection.objects.all().delete()
        results, refusals, unexpected = race(
            *(
                lambda by=by, seed=seed: in_depth_select(
                    office=world["sn"], year=2025, by=by, seed=seed, today=date(2026, 1, 5)
                )
                for by in (world["approver"], second_head)
            )
        )
        assert unexpected == []
        assert len(results) == 1 and InDepthSelection.objects.count() == 1
        assert (
            len(refusals) == 1 and "eine zweite Auswahl für dasselbe Jahr ist nicht zulässig" in refusals[0]
        )
