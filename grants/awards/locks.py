"""The one lock order of every use case that touches a grant or anything below it.

1. the grant row (:func:`lock_grant`),
2. then the grant's children (drawdowns, proofs, reclaims, amendments, payment-run items) in
   primary-key order (:func:`lock_children`),
3. then budget envelopes in primary-key order (``budgets.services._locking.lock_envelopes``,
   called by the ledger postings).

Two use cases that follow this order queue on the grant row instead of deadlocking; a use case
that starts from a child (a drawdown, a proof) reads the child's ``grant_id`` without a lock,
locks the grant, and only then locks the child.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from grants.awards.models import Grant

M = TypeVar("M", bound=models.Model)


def lock_grant(grant_id: int) -> Grant:
    """Lock the grant row (``SELECT … FOR UPDATE``); the caller is inside ``atomic``."""
    return Grant.objects.select_for_update(of=("self",)).select_related("office").get(pk=grant_id)


def lock_children(queryset: models.QuerySet[M]) -> list[M]:
    """Lock rows below an already locked grant, in primary-key order."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def lock_child(model: type[M], pk: int, *, related: Iterable[str] = ()) -> tuple[Grant, M]:
    """Lock a child row after its grant: (grant, child), both locked, grant first.

    The child is re-read under its lock; if it moved to another grant in between (it never
    does), the lock order would still hold because the grant is locked first.
    """
    grant_id = model._default_manager.filter(pk=pk).values_list("grant_id", flat=True).get()
    grant = lock_grant(grant_id)
    child = model._default_manager.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    child.grant = grant  # type: ignore[attr-defined]
    return grant, child
