"""Row locks on envelopes, always in primary-key order so two transactions never deadlock."""

from __future__ import annotations

from collections.abc import Iterable

from budgets.models import BudgetEnvelope


def lock_envelopes(envelope_ids: Iterable[int]) -> dict[int, BudgetEnvelope]:
    """Lock the envelopes (``SELECT … FOR UPDATE``, pk order); the caller is inside ``atomic``.

    Concurrent bookings on one envelope queue here, and the balance each one then reads
    already contains the bookings committed before it: READ COMMITTED takes a fresh snapshot
    per statement, so nobody can overcommit.
    """
    ids = sorted(set(envelope_ids))
    locked = (
        BudgetEnvelope.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("office", "programme")
        .order_by("pk")
    )
    return {envelope.pk: envelope for envelope in locked}
